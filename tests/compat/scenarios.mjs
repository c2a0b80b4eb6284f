// Differential scenarios. Each drives a running server and returns a JSON-serialisable
// observation (codes, fields, ordering, raw reply bytes); run.mjs normalises volatile values
// and compares the observation of Gyre with that of Centrifugo.
import { apiPost } from '../integration/lib/api.mjs';
import { CentClient } from '../integration/lib/deps.mjs';
import { connectionToken, subscriptionToken } from '../integration/lib/jwt.mjs';
import { RawClient, rawConnect } from '../integration/lib/raw.mjs';
import { collect, newClient, once, proveHealthy, trackingWebSocket, uniqueChannel, waitUntil } from '../integration/lib/sdk.mjs';
import { ALLOWED_ORIGIN, API_KEY, SECRET, seedConfigV6 } from '../integration/lib/config.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const NS_HISTORY = {
  history_size: 10,
  history_ttl: '300s',
  allow_subscribe_for_client: true,
  allow_history_for_subscriber: true,
  allow_recovery: true,
  allow_positioning: true,
};

/** The config every scenario runs with unless it names its own extra keys. */
export const BASE_CONFIG = seedConfigV6({
  channel: {
    namespaces: [
      { name: 'hist', ...NS_HISTORY },
      {
        name: 'pres',
        presence: true,
        join_leave: true,
        force_push_join_leave: true,
        allow_subscribe_for_client: true,
        allow_presence_for_subscriber: true,
      },
      { name: 'pub', allow_subscribe_for_client: true, allow_publish_for_subscriber: true },
    ],
  },
});

const PING_CONFIG = { client: { ping_interval: '2s', pong_timeout: '1s' } };

const tok = (user = 'u1', opts) => connectionToken(SECRET, user, opts);

async function healthy(server) {
  try {
    return await proveHealthy(server, { secret: SECRET, apiKey: API_KEY });
  } catch (e) {
    return `unhealthy: ${e.message}`;
  }
}

async function open(server, opts) {
  return RawClient.open(server.wsUrl, opts);
}

async function connected(server, user = 'u1') {
  const [c, reply] = await rawConnect(server.wsUrl, { token: tok(user) });
  if (!reply.msg.connect) throw new Error(`connect failed: ${reply.raw}`);
  return c;
}

/** What happened on a raw connection: replies (raw) and close, within waitMs. */
async function outcome(c, waitMs = 1500) {
  try {
    await c.waitClose(waitMs);
  } catch {
    /* still open */
  }
  const obs = { frames: c.messages.map((m) => m.raw), close: c.closeInfo || 'open' };
  c.close();
  return obs;
}

/** A bad-input scenario: run `act` on a raw connection, record its outcome, then prove health. */
function badInput(name, title, act, { connect = true, waitMs } = {}) {
  return {
    name,
    issue: 2,
    title,
    async run(server) {
      const c = connect ? await connected(server) : await open(server);
      const skip = c.messages.length;
      await act(c, server);
      const o = await outcome(c, waitMs);
      o.frames = o.frames.slice(skip);
      return { ...o, healthyAfter: await healthy(server) };
    },
  };
}

async function api(server, method, body, opts = { key: API_KEY }) {
  const r = await apiPost(server, method, body, opts);
  return { status: r.status, body: r.text, contentType: (r.headers.get('content-type') || '').split(';')[0] };
}

async function sdkConnected(server, user = 'u1', options = {}, flags) {
  const client = newClient(server, { token: tok(user), ...options }, flags);
  const c = once(client, 'connected', 5000, ['disconnected']);
  client.connect();
  const ctx = await c;
  return { client, ctx };
}

async function sdkSubscribe(client, channel, options = {}) {
  const sub = client.newSubscription(channel, options);
  const pubs = collect(sub);
  const s = once(sub, 'subscribed', 5000, ['unsubscribed']);
  sub.subscribe();
  const ctx = await s;
  return { sub, pubs, ctx };
}

function subscribedFields(ctx) {
  return {
    wasRecovering: ctx.wasRecovering,
    recovered: ctx.recovered,
    recoverable: ctx.recoverable,
    positioned: ctx.positioned,
    offset: ctx.streamPosition?.offset,
    hasEpoch: Boolean(ctx.streamPosition?.epoch),
  };
}

async function publishN(server, channel, items) {
  const out = [];
  for (const data of items) out.push((await apiPost(server, 'publish', { channel, data }, { key: API_KEY })).text);
  return out;
}

export const scenarios = [
  // ---------------------------------------------------------------- issue 2: seed flow
  {
    name: 'seed-publish-x-api-key',
    issue: 2,
    title: 'centrifuge-js subscribes "chat"; POST /api/publish with X-API-Key',
    async run(server) {
      const { client, ctx } = await sdkConnected(server, '42');
      const ch = 'chat';
      const { pubs } = await sdkSubscribe(client, ch);
      const res = await api(server, 'publish', { channel: ch, data: { text: 'hello' } });
      await waitUntil(() => pubs.length === 1, 5000, 'publication');
      client.disconnect();
      return { transport: ctx.transport, api: res, publication: { channel: pubs[0].channel, data: pubs[0].data, info: pubs[0].info ?? null, offset: pubs[0].offset ?? null } };
    },
  },
  {
    name: 'seed-publish-authorization-apikey',
    issue: 2,
    title: 'publish with Authorization: apikey <key>',
    async run(server) {
      const { client } = await sdkConnected(server);
      const ch = uniqueChannel('authz');
      const { pubs } = await sdkSubscribe(client, ch);
      const res = await api(server, 'publish', { channel: ch, data: { text: 'hello' } }, { headers: { Authorization: `apikey ${API_KEY}` } });
      await waitUntil(() => pubs.length === 1, 5000, 'publication');
      client.disconnect();
      return { api: res, data: pubs.map((p) => p.data) };
    },
  },
  {
    name: 'seed-publish-legacy-api',
    issue: 2,
    title: 'single /api endpoint: {"method":"publish","params":{...}}, two commands in one body',
    async run(server) {
      const { client } = await sdkConnected(server);
      const ch = uniqueChannel('legacy');
      const { pubs } = await sdkSubscribe(client, ch);
      const body = [
        JSON.stringify({ method: 'publish', params: { channel: ch, data: { text: 'one' } } }),
        JSON.stringify({ id: 7, method: 'publish', params: { channel: ch, data: { text: 'two' } } }),
        JSON.stringify({ method: 'publish', params: { channel: 'nope:x', data: { text: 'three' } } }),
      ].join('\n');
      const res = await api(server, '/api', body, { key: API_KEY, raw: true });
      await waitUntil(() => pubs.length === 2, 5000, 'publications');
      client.disconnect();
      return { api: res, data: pubs.map((p) => p.data) };
    },
  },
  {
    name: 'seed-broadcast',
    issue: 2,
    title: '/api/broadcast to two channels and an unknown namespace',
    async run(server) {
      const { client } = await sdkConnected(server);
      const a = uniqueChannel('bca');
      const b = uniqueChannel('bcb');
      const sa = await sdkSubscribe(client, a);
      const sb = await sdkSubscribe(client, b);
      const res = await api(server, 'broadcast', { channels: [a, 'nope:x', b], data: { text: 'all' } });
      await waitUntil(() => sa.pubs.length === 1 && sb.pubs.length === 1, 5000, 'broadcast');
      client.disconnect();
      return { api: res, a: sa.pubs.map((p) => p.data), b: sb.pubs.map((p) => p.data) };
    },
  },
  {
    name: 'cent-js-client',
    issue: 2,
    title: 'cent.js publish, broadcast, pipeline and error',
    async run(server) {
      const { client } = await sdkConnected(server);
      const ch = uniqueChannel('centjs');
      const { pubs } = await sdkSubscribe(client, ch);
      const cent = new CentClient({ url: server.apiUrl, apiKey: API_KEY });
      const obs = {};
      obs.publish = await cent.publish({ channel: ch, data: { n: 1 } });
      obs.broadcast = await cent.broadcast({ channels: [ch], data: { n: 2 } });
      obs.pipeline = await cent.pipeline([{ method: 'publish', params: { channel: ch, data: { n: 3 } } }]);
      try {
        await cent.publish({ channel: 'nope:x', data: { n: 4 } });
        obs.error = 'none';
      } catch (e) {
        obs.error = { name: e.name, message: e.message, code: e.code ?? null };
      }
      await waitUntil(() => pubs.length === 3, 5000, 'publications');
      obs.received = pubs.map((p) => p.data);
      client.disconnect();
      return obs;
    },
  },
  {
    name: 'publish-order',
    issue: 2,
    title: '30 API publications arrive in order',
    async run(server) {
      const { client } = await sdkConnected(server);
      const ch = uniqueChannel('order');
      const { pubs } = await sdkSubscribe(client, ch);
      await Promise.all([...Array(30).keys()].map((i) => sleep(i).then(() => apiPost(server, 'publish', { channel: ch, data: { i } }, { key: API_KEY }))));
      await waitUntil(() => pubs.length === 30, 5000, '30 publications');
      client.disconnect();
      const got = pubs.map((p) => p.data.i);
      return { count: got.length, distinct: new Set(got).size };
    },
  },

  // ---------------------------------------------------------------- issue 2: bad input
  badInput('bad-malformed-json', 'malformed JSON frame before connect', (c) => c.sendRaw('{"id":1,"connect":'), { connect: false }),
  badInput('bad-malformed-json-after-connect', 'malformed JSON frame after connect', (c) => c.sendRaw('not json')),
  badInput('bad-binary-json-frame', 'binary frame holding a JSON connect in JSON mode', (c) => c.sendRaw(Buffer.from(JSON.stringify({ id: 1, connect: { token: tok() } })), { binary: true }), { connect: false, waitMs: 500 }),
  badInput('bad-binary-garbage-frame', 'binary frame with non-JSON bytes', (c) => c.sendRaw(Buffer.from([0x0a, 0x05, 0x01, 0xff]), { binary: true })),
  badInput('bad-empty-frame', 'empty text frame after connect', (c) => c.sendRaw('')),
  badInput('bad-oversized-frame', 'frame of 70000 bytes (> websocket.message_size_limit 65536)', (c) => c.sendRaw(JSON.stringify({ id: 1, connect: { token: tok(), data: { pad: 'a'.repeat(70000) } } })), { connect: false }),
  badInput(
    'limit-exact-frame',
    'frame of exactly 65536 bytes',
    (c) => {
      const t = tok();
      const base = JSON.stringify({ id: 1, connect: { token: t, data: { pad: '' } } });
      c.sendRaw(JSON.stringify({ id: 1, connect: { token: t, data: { pad: 'a'.repeat(65536 - base.length) } } }));
    },
    { connect: false, waitMs: 500 },
  ),
  badInput('bad-unknown-command', 'unknown command field', (c) => c.sendRaw(JSON.stringify({ id: 2, frobnicate: {} }))),
  badInput('bad-command-before-connect', 'subscribe before connect', (c) => c.send({ subscribe: { channel: 'chat' } }), { connect: false }),
  badInput('bad-id-zero-command', 'subscribe with no id', (c) => c.sendRaw(JSON.stringify({ subscribe: { channel: 'chat' } }))),
  badInput('bad-second-connect', 'second connect on a connected client', (c) => c.send({ connect: { token: tok() } })),
  badInput('bad-ping-command', 'ping command (unsupported)', (c) => c.send({ ping: {} })),
  badInput('bad-pong-without-ping', 'pong when no ping is outstanding', (c) => c.sendRaw('{}')),
  badInput('bad-forged-token', 'token signed with another key', (c) => c.send({ connect: { token: connectionToken('not-the-secret', 'u1') } }), { connect: false }),
  badInput('bad-garbage-token', 'token that is not a JWT', (c) => c.send({ connect: { token: 'abc.def.ghi' } }), { connect: false }),
  badInput('bad-expired-token', 'expired token, then a subscribe on the same connection', async (c) => {
    await c.call({ connect: { token: tok('u1', { ttl: -10 }) } });
    c.send({ subscribe: { channel: 'chat' } });
  }, { connect: false }),
  badInput('bad-missing-token', 'connect without token', (c) => c.send({ connect: {} }), { connect: false }),
  badInput('bad-connection-token-with-channel-claim', 'connection token that carries a channel claim', (c) => c.send({ connect: { token: connectionToken(SECRET, 'u1', { channel: 'chat' }) } }), { connect: false }),
  badInput('bad-publish-no-permission', 'client publish without permission', (c) => c.send({ publish: { channel: 'chat', data: { x: 1 } } })),
  badInput('bad-subscribe-unknown-namespace', 'subscribe to an unknown namespace', (c) => c.send({ subscribe: { channel: 'nope:room' } })),
  badInput('bad-subscribe-empty-channel', 'subscribe to ""', (c) => c.send({ subscribe: { channel: '' } })),
  badInput('bad-subscribe-private-no-token', 'subscribe to a $ channel without token', (c) => c.send({ subscribe: { channel: '$secret' } })),
  badInput('bad-subscribe-twice', 'subscribe twice to the same channel', (c) => c.send({ subscribe: { channel: 'chat' } }, { subscribe: { channel: 'chat' } })),
  badInput('bad-subscribe-long-channel', 'subscribe to a 256-character channel', (c) => c.send({ subscribe: { channel: 'x'.repeat(256) } })),
  badInput('bad-subscribe-non-ascii', 'subscribe to a non-ASCII channel', (c) => c.send({ subscribe: { channel: 'чат' } })),
  badInput('bad-unsubscribe-not-subscribed', 'unsubscribe from a channel never subscribed', (c) => c.send({ unsubscribe: { channel: 'never' } })),
  badInput('bad-history-no-history', 'history command on a channel without history', (c) => c.send({ history: { channel: 'chat', limit: 1 } })),
  badInput('bad-presence-no-presence', 'presence command on a channel without presence', (c) => c.send({ presence: { channel: 'chat' } })),
  badInput('bad-rpc-no-handler', 'rpc with no RPC configured', (c) => c.send({ rpc: { method: 'x', data: {} } })),
  badInput('bad-send-no-handler', 'send (async message) with no handler', (c) => c.sendRaw(JSON.stringify({ send: { data: {} } }))),
  badInput('bad-refresh-no-token', 'refresh without token', (c) => c.send({ refresh: {} })),
  {
    name: 'bad-foreign-origin',
    issue: 2,
    title: 'WebSocket upgrade with a foreign Origin when allowed_origins is set',
    async run(server) {
      const obs = {};
      for (const [k, origin] of [['foreign', 'https://evil.example'], ['allowed', ALLOWED_ORIGIN], ['allowedUpperCase', ALLOWED_ORIGIN.toUpperCase()], ['none', undefined]]) {
        try {
          const c = await open(server, origin ? { origin } : {});
          c.close();
          obs[k] = 'upgraded';
        } catch (e) {
          obs[k] = { status: e.statusCode ?? e.message, body: e.body ?? null };
        }
      }
      obs.healthyAfter = await healthy(server);
      return obs;
    },
  },
  {
    name: 'bad-api-key',
    issue: 2,
    title: 'server API with wrong, missing and wrongly-schemed keys; query api_key',
    async run(server) {
      const body = { channel: 'chat', data: { text: 'x' } };
      return {
        wrong: await api(server, 'publish', body, { key: 'wrong' }),
        missing: await api(server, 'publish', body, {}),
        legacyMissing: await api(server, '/api', { method: 'publish', params: body }, {}),
        bearer: await api(server, 'publish', body, { headers: { Authorization: `bearer ${API_KEY}` } }),
        apikeyUpper: await api(server, 'publish', body, { headers: { Authorization: `APIKEY ${API_KEY}` } }),
        query: await api(server, `/api/publish?api_key=${API_KEY}`, body, {}),
        healthyAfter: await healthy(server),
      };
    },
  },
  {
    name: 'bad-api-body',
    issue: 2,
    title: 'server API with malformed JSON, empty body, unknown method, GET',
    async run(server) {
      const get = await fetch(`${server.apiUrl}/publish`, { headers: { 'X-API-Key': API_KEY } });
      return {
        malformed: await api(server, 'publish', '{"channel":', { key: API_KEY, raw: true }),
        legacyMalformed: await api(server, '/api', '{"method":', { key: API_KEY, raw: true }),
        empty: await api(server, 'publish', '', { key: API_KEY, raw: true }),
        legacyEmpty: await api(server, '/api', '', { key: API_KEY, raw: true }),
        unknownMethodPath: await api(server, 'frobnicate', {}),
        legacyUnknownMethod: await api(server, '/api', { method: 'frobnicate', params: {} }),
        get: { status: get.status, body: await get.text() },
        healthyAfter: await healthy(server),
      };
    },
  },
  {
    name: 'api-publish-errors',
    issue: 2,
    title: 'API publish: empty channel, unknown namespace, no data, bad b64data',
    async run(server) {
      return {
        emptyChannel: await api(server, 'publish', { channel: '', data: { a: 1 } }),
        unknownNamespace: await api(server, 'publish', { channel: 'nope:x', data: { a: 1 } }),
        noData: await api(server, 'publish', { channel: 'chat' }),
        badB64: await api(server, 'publish', { channel: 'chat', b64data: '***' }),
        errorModeTransport: await api(server, 'publish', { channel: 'nope:x', data: { a: 1 } }, { key: API_KEY, headers: { 'X-Centrifugo-Error-Mode': 'transport' } }),
      };
    },
  },

  // ---------------------------------------------------------------- issue 2: protocol
  {
    name: 'ping-no-pong',
    issue: 2,
    title: 'ping_interval 2s, pong_timeout 1s: client never answers',
    config: PING_CONFIG,
    async run(server) {
      const started = Date.now();
      const [c, reply] = await rawConnect(server.wsUrl, { token: tok('u1', { ttl: null }) });
      const close = await c.waitClose(8000);
      const ms = Date.now() - started;
      return { connect: reply.raw, frames: c.messages.slice(1).map((m) => m.raw), close, closedWithin2to4s: ms >= 2000 && ms < 4000 };
    },
  },
  {
    name: 'ping-answered',
    issue: 2,
    title: 'ping_interval 2s: client answers every ping for 5.5 s',
    config: PING_CONFIG,
    async run(server) {
      const c = await open(server);
      c.autoPong = true;
      await c.call({ connect: { token: tok() } });
      await sleep(5500);
      const pings = c.messages.filter((m) => m.raw === '{}').length;
      const sub = await c.call({ subscribe: { channel: 'chat' } });
      const o = { open: !c.closeInfo, atLeast2Pings: pings >= 2, subscribe: sub.raw };
      c.close();
      return o;
    },
  },
  {
    name: 'multi-command-frame',
    issue: 2,
    title: 'five commands in one frame get replies in order',
    async run(server) {
      const c = await connected(server);
      const ids = c.send(
        { subscribe: { channel: 'ma' } },
        { subscribe: { channel: 'mb' } },
        { unsubscribe: { channel: 'ma' } },
        { subscribe: { channel: 'nope:x' } },
        { publish: { channel: 'mb', data: { x: 1 } } },
      );
      await c.reply(ids[4]);
      c.close();
      // How the replies are split into WebSocket frames is not part of the protocol (servers
      // batch writes by timing), so only the replies and their order are compared.
      return { replies: c.messages.slice(1).map((m) => m.raw) };
    },
  },
  {
    name: 'raw-connect-result',
    issue: 2,
    title: 'exact connect reply bytes: token with exp, token without exp, with name/version',
    async run(server) {
      const out = {};
      for (const [k, req] of [
        ['withExp', { token: tok('u1', { ttl: 600 }) }],
        ['noExp', { token: tok('u1', { ttl: null }) }],
        ['nameVersion', { token: tok('u1', { ttl: null }), name: 'js', version: '5.8.0', data: { a: 1 } }],
        ['withInfo', { token: tok('u1', { ttl: null, info: { role: 'admin' } }) }],
      ]) {
        const [c, reply] = await rawConnect(server.wsUrl, req);
        out[k] = reply.raw;
        c.close();
      }
      return out;
    },
  },
  {
    name: 'raw-subscribe-results',
    issue: 2,
    title: 'exact subscribe reply bytes: plain channel, history channel with flags',
    async run(server) {
      const c = await connected(server);
      const ch = uniqueChannel('hist:raw');
      const obs = {
        plain: (await c.call({ subscribe: { channel: 'chat' } })).raw,
        history: (await c.call({ subscribe: { channel: ch } })).raw,
      };
      obs.historyRecoverable = (await (async () => {
        const c2 = await connected(server);
        const r = await c2.call({ subscribe: { channel: ch, recoverable: true, positioned: true } });
        c2.close();
        return r;
      })()).raw;
      obs.apiPublish = (await api(server, 'publish', { channel: ch, data: { text: 'hello' } })).body;
      const push = await c.waitFor((cl) => cl.messages.find((m) => m.msg.push), 5000, 'push');
      obs.push = push.raw;
      c.close();
      return obs;
    },
  },
  {
    name: 'client-publish-allowed',
    issue: 2,
    title: 'client publish in a namespace with allow_publish_for_subscriber',
    async run(server) {
      const a = await connected(server, 'alice');
      const b = await connected(server, 'bob');
      const ch = uniqueChannel('pub:room');
      const obs = {};
      obs.notSubscribed = (await a.call({ publish: { channel: ch, data: { m: 0 } } })).raw;
      await a.call({ subscribe: { channel: ch } });
      await b.call({ subscribe: { channel: ch } });
      obs.publish = (await a.call({ publish: { channel: ch, data: { m: 1 } } })).raw;
      obs.pushToOther = (await b.waitFor((cl) => cl.messages.find((m) => m.msg.push), 5000, 'push')).raw;
      obs.pushToSelf = (await a.waitFor((cl) => cl.messages.find((m) => m.msg.push), 5000, 'push')).raw;
      a.close();
      b.close();
      return obs;
    },
  },

  // ---------------------------------------------------------------- issue 3: history and recovery
  {
    name: 'recovery-sdk-transport-cut',
    issue: 3,
    title: 'centrifuge-js: cut transport, 3 publications while away, reconnect recovers exactly them',
    async run(server) {
      const { WebSocket: Tracked, sockets } = trackingWebSocket();
      const { client } = await sdkConnected(server, 'u1', { websocket: Tracked, minReconnectDelay: 800, maxReconnectDelay: 800 });
      const ch = uniqueChannel('hist:rec');
      const events = [];
      const sub = client.newSubscription(ch, { recoverable: true, positioned: true });
      const pubs = collect(sub);
      sub.on('subscribed', (ctx) => events.push(subscribedFields(ctx)));
      sub.subscribe();
      await waitUntil(() => events.length === 1, 5000, 'subscribed');
      await publishN(server, ch, [{ n: 1 }]);
      await waitUntil(() => pubs.length === 1, 5000, 'first publication');
      const connecting = once(client, 'connecting', 5000);
      sockets.at(-1).terminate();
      const why = await connecting;
      await publishN(server, ch, [{ n: 2 }, { n: 3 }, { n: 4 }]);
      await waitUntil(() => events.length === 2 && pubs.length >= 4, 8000, 'recovery');
      await sleep(300);
      client.disconnect();
      return { connectingCode: why.code, events, data: pubs.map((p) => p.data), offsets: pubs.map((p) => p.offset) };
    },
  },
  {
    name: 'recovery-raw',
    issue: 3,
    title: 'raw subscribe with recover:true from offset 1 after 3 more publications; wrong epoch; future offset',
    async run(server) {
      const ch = uniqueChannel('hist:rraw');
      const first = await connected(server);
      const sub = await first.call({ subscribe: { channel: ch, recoverable: true, positioned: true } });
      const epoch = sub.msg.subscribe.epoch;
      await publishN(server, ch, [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
      first.close();
      const c = await connected(server);
      const obs = {};
      obs.recovered = (await c.call({ subscribe: { channel: ch, recoverable: true, positioned: true, recover: true, offset: 1, epoch } })).raw;
      obs.wrongEpoch = (await c.call({ subscribe: { channel: `${ch}x`, recoverable: true, recover: true, offset: 1, epoch: 'zzzzzzzz' } })).raw;
      const c2 = await connected(server);
      obs.wrongEpochSameChannel = (await c2.call({ subscribe: { channel: ch, recoverable: true, recover: true, offset: 1, epoch: 'zzzzzzzz' } })).raw;
      const c3 = await connected(server);
      obs.atTop = (await c3.call({ subscribe: { channel: ch, recoverable: true, recover: true, offset: 4, epoch } })).raw;
      const c4 = await connected(server);
      obs.rejectUnrecoveredFlag = (await c4.call({ subscribe: { channel: ch, recoverable: true, recover: true, offset: 1, epoch: 'zzzzzzzz', flag: 2 } })).raw;
      for (const x of [c, c2, c3, c4]) x.close();
      return obs;
    },
  },
  {
    name: 'history-api',
    issue: 3,
    title: 'server API history: all, limit/reverse, since, wrong epoch, no history, history_remove',
    async run(server) {
      const ch = uniqueChannel('hist:api');
      const obs = {};
      obs.publishes = await publishN(server, ch, [{ n: 1 }, { n: 2 }, { n: 3 }]);
      const all = await api(server, 'history', { channel: ch, limit: -1 });
      obs.all = all.body;
      const epoch = JSON.parse(all.body).result.epoch;
      obs.positionOnly = (await api(server, 'history', { channel: ch })).body;
      obs.reverse2 = (await api(server, 'history', { channel: ch, limit: 2, reverse: true })).body;
      obs.since1 = (await api(server, 'history', { channel: ch, limit: 10, since: { offset: 1, epoch } })).body;
      obs.wrongEpoch = (await api(server, 'history', { channel: ch, limit: 10, since: { offset: 1, epoch: 'zzzzzzzz' } })).body;
      obs.noHistory = (await api(server, 'history', { channel: 'chat', limit: 10 })).body;
      obs.unknownNamespace = (await api(server, 'history', { channel: 'nope:x', limit: 10 })).body;
      obs.emptyChannel = (await api(server, 'history', { channel: '', limit: 10 })).body;
      obs.remove = (await api(server, 'history_remove', { channel: ch })).body;
      obs.afterRemove = (await api(server, 'history', { channel: ch, limit: -1 })).body;
      obs.neverPublished = (await api(server, 'history', { channel: uniqueChannel('hist:none'), limit: -1 })).body;
      return obs;
    },
  },
  {
    name: 'subscriber-permissions-while-subscribing',
    issue: 3,
    title: 'recoverable/positioned and join_leave granted by allow_*_for_subscriber to the subscribing client',
    config: {
      channel: {
        namespaces: [
          {
            name: 'subperm',
            history_size: 10,
            history_ttl: '60s',
            allow_subscribe_for_client: true,
            allow_history_for_subscriber: true,
            presence: true,
            join_leave: true,
            allow_presence_for_subscriber: true,
          },
        ],
      },
    },
    async run(server) {
      const c = await connected(server);
      const obs = {};
      obs.flags = (await c.call({ subscribe: { channel: 'subperm:1', recoverable: true, positioned: true, join_leave: true } })).raw;
      obs.recover = (await c.call({ subscribe: { channel: 'subperm:2', recoverable: true, recover: true, offset: 0, epoch: '' } })).raw;
      await sleep(200);
      obs.ownJoin = c.pushes('subperm:1').map((p) => Object.keys(p).sort().join(','));
      c.close();
      return obs;
    },
  },
  {
    name: 'recover-without-recoverable',
    issue: 3,
    title: 'recover asked on a subscription that is not recoverable: was_recovering only',
    config: {
      channel: {
        namespaces: [
          { name: 'hs', history_size: 10, history_ttl: '60s', allow_subscribe_for_client: true },
          { name: 'nh', allow_subscribe_for_client: true },
        ],
      },
    },
    async run(server) {
      const c = await connected(server);
      const obs = {};
      obs.history = (await c.call({ subscribe: { channel: 'hs:1', recover: true, offset: 0, epoch: '' } })).raw;
      obs.noHistory = (await c.call({ subscribe: { channel: 'nh:1', recover: true, offset: 3, epoch: 'x' } })).raw;
      c.close();
      return obs;
    },
  },
  {
    name: 'history-client',
    issue: 3,
    title: 'client history command (allow_history_for_subscriber) and via centrifuge-js',
    async run(server) {
      const ch = uniqueChannel('hist:cli');
      await publishN(server, ch, [{ n: 1 }, { n: 2 }, { n: 3 }]);
      const c = await connected(server);
      const obs = {};
      obs.notSubscribed = (await c.call({ history: { channel: ch, limit: 10 } })).raw;
      await c.call({ subscribe: { channel: ch } });
      obs.limit10 = (await c.call({ history: { channel: ch, limit: 10 } })).raw;
      obs.reverseNoSince = (await c.call({ history: { channel: ch, limit: 1, reverse: true } })).raw;
      obs.reverseSinceZero = (await c.call({ history: { channel: ch, limit: 1, reverse: true, since: { offset: 0, epoch: '' } } })).raw;
      obs.wrongEpoch = (await c.call({ history: { channel: ch, limit: 10, since: { offset: 1, epoch: 'zzzzzzzz' } } })).raw;
      c.close();
      const { client } = await sdkConnected(server);
      const { sub } = await sdkSubscribe(client, ch);
      const h = await sub.history({ limit: 2, reverse: true });
      obs.sdk = { data: h.publications.map((p) => p.data), offsets: h.publications.map((p) => p.offset), offset: h.offset, hasEpoch: Boolean(h.epoch) };
      client.disconnect();
      return obs;
    },
  },

  // ---------------------------------------------------------------- issue 3: presence, join/leave
  {
    name: 'presence-join-leave',
    issue: 3,
    title: 'presence, presence_stats, join and leave pushes (client and server API)',
    async run(server) {
      const ch = uniqueChannel('pres:room');
      const a = await (async () => {
        const [c] = await rawConnect(server.wsUrl, { token: tok('alice', { info: { name: 'Alice' } }) });
        return c;
      })();
      await a.call({ subscribe: { channel: ch, join_leave: true } });
      const [b] = await rawConnect(server.wsUrl, { token: tok('bob') });
      await b.call({ subscribe: { channel: ch } });
      const obs = {};
      obs.join = (await a.waitFor((cl) => cl.messages.find((m) => m.msg.push?.join), 5000, 'join')).raw;
      const presence = await a.call({ presence: { channel: ch } });
      const p = presence.msg.presence?.presence;
      obs.presence = p ? Object.values(p).map((x) => JSON.stringify(x)).sort() : presence.raw;
      obs.presenceKeysAreClientIds = p ? Object.entries(p).every(([k, v]) => k === v.client) : null;
      obs.presenceStats = (await a.call({ presence_stats: { channel: ch } })).raw;
      const apiP = JSON.parse((await api(server, 'presence', { channel: ch })).body);
      obs.apiPresence = apiP.result ? Object.values(apiP.result.presence).map((x) => JSON.stringify(x)).sort() : apiP;
      obs.apiPresenceStats = (await api(server, 'presence_stats', { channel: ch })).body;
      obs.apiPresenceNoPresence = (await api(server, 'presence', { channel: 'chat' })).body;
      await b.call({ unsubscribe: { channel: ch } });
      obs.leave = (await a.waitFor((cl) => cl.messages.find((m) => m.msg.push?.leave), 5000, 'leave')).raw;
      obs.statsAfterLeave = (await a.call({ presence_stats: { channel: ch } })).raw;
      a.close();
      b.close();
      return obs;
    },
  },
  {
    name: 'presence-sdk',
    issue: 3,
    title: 'centrifuge-js presence(), presenceStats() and join/leave events',
    async run(server) {
      const ch = uniqueChannel('pres:sdk');
      const { client: a } = await sdkConnected(server, 'alice');
      const joins = [];
      const leaves = [];
      const sa = a.newSubscription(ch, { joinLeave: true });
      sa.on('join', (ctx) => joins.push(ctx.info.user));
      sa.on('leave', (ctx) => leaves.push(ctx.info.user));
      const s1 = once(sa, 'subscribed');
      sa.subscribe();
      await s1;
      const { client: b } = await sdkConnected(server, 'bob');
      await sdkSubscribe(b, ch);
      await waitUntil(() => joins.length >= 1, 5000, 'join');
      const presence = await sa.presence();
      const stats = await sa.presenceStats();
      b.disconnect();
      await waitUntil(() => leaves.length >= 1, 5000, 'leave');
      a.disconnect();
      return { joins, leaves, users: Object.values(presence.clients).map((c) => c.user).sort(), stats };
    },
  },

  // ---------------------------------------------------------------- issue 3: private channels
  {
    name: 'private-channel-tokens',
    issue: 3,
    title: '$ channels with subscription tokens (getToken), wrong channel/user, expired token',
    async run(server) {
      const ch = `$${uniqueChannel('priv')}`;
      const { client } = await sdkConnected(server, 'alice');
      let asked = null;
      const { pubs, ctx } = await sdkSubscribe(client, ch, {
        getToken: async (c) => {
          asked = c.channel;
          return subscriptionToken(SECRET, 'alice', c.channel, { info: { room: 'private' } });
        },
      });
      await api(server, 'publish', { channel: ch, data: { secret: 1 } });
      await waitUntil(() => pubs.length === 1, 5000, 'private publication');
      client.disconnect();
      const obs = { askedFor: asked === ch, subscribed: subscribedFields(ctx), data: pubs.map((p) => p.data) };
      const raw = async (token, channel = ch) => {
        const c = await connected(server, 'alice');
        c.send({ subscribe: { channel, token } });
        const o = await outcome(c, 800);
        return { frames: o.frames.slice(1), close: o.close };
      };
      obs.valid = await raw(subscriptionToken(SECRET, 'alice', ch));
      obs.wrongChannel = await raw(subscriptionToken(SECRET, 'alice', `${ch}x`));
      obs.wrongUser = await raw(subscriptionToken(SECRET, 'bob', ch));
      obs.expired = await raw(subscriptionToken(SECRET, 'alice', ch, { ttl: -10 }));
      obs.forged = await raw(subscriptionToken('not-the-secret', 'alice', ch));
      obs.connectionTokenAsSubToken = await raw(tok('alice'));
      obs.tokenForPublicChannel = await raw(subscriptionToken(SECRET, 'alice', 'nsless'), 'nsless');
      obs.healthyAfter = await healthy(server);
      return obs;
    },
  },

  // ---------------------------------------------------------------- issue 3: protobuf
  {
    name: 'protobuf-sdk',
    issue: 3,
    title: 'centrifuge-js protobuf build: connect, subscribe, receive, publish error, history',
    async run(server) {
      const { client, ctx } = await sdkConnected(server, 'u1', {}, { protobuf: true });
      const ch = uniqueChannel('hist:pb');
      const { pubs, sub, ctx: sctx } = await sdkSubscribe(client, ch, { recoverable: true, positioned: true });
      await api(server, 'publish', { channel: ch, data: { text: 'hello protobuf' } });
      await waitUntil(() => pubs.length === 1, 5000, 'protobuf publication');
      const dec = (d) => Buffer.from(d).toString('utf8');
      const obs = {
        transport: ctx.transport,
        subscribed: subscribedFields(sctx),
        data: pubs.map((p) => dec(p.data)),
        offsets: pubs.map((p) => p.offset),
      };
      try {
        await client.publish('chat', new TextEncoder().encode('{"x":1}'));
        obs.publishError = 'none';
      } catch (e) {
        obs.publishError = { code: e.code, message: e.message };
      }
      const h = await sub.history({ limit: 5 });
      obs.history = h.publications.map((p) => dec(p.data));
      client.disconnect();
      return obs;
    },
  },
  {
    name: 'protobuf-raw-frames',
    issue: 3,
    title: 'raw protobuf connect over subprotocol centrifuge-protobuf',
    async run(server) {
      const c = await RawClient.open(server.wsUrl, { protocols: ['centrifuge-protobuf'] });
      const obs = { protocol: c.ws.protocol };
      // Command{id:1, connect:{token}}: field 1 varint, field 4 message{field 1 string}.
      const token = Buffer.from(tok('u1', { ttl: null }));
      const connect = Buffer.concat([Buffer.from([0x0a]), varint(token.length), token]);
      const cmd = Buffer.concat([Buffer.from([0x08, 0x01, 0x22]), varint(connect.length), connect]);
      c.sendRaw(Buffer.concat([varint(cmd.length), cmd]), { binary: true });
      await c.waitFor((cl) => cl.frames.length >= 1, 5000, 'protobuf reply');
      const f = c.frames[0];
      obs.binary = f.binary;
      const bytes = Buffer.from(f.text, 'utf8');
      obs.startsWithLengthThenId1 = bytes[1] === 0x08 && bytes[2] === 0x01;
      obs.hasConnectField = bytes.includes(0x2a);
      c.sendRaw(Buffer.from([0x05, 0xff, 0xff, 0xff, 0xff, 0xff]), { binary: true });
      const o = await outcome(c, 1500);
      obs.garbageClose = o.close;
      return obs;
    },
  },

  // ---------------------------------------------------------------- issue 3: server API
  {
    name: 'api-info',
    issue: 3,
    title: 'server API info: node fields',
    async run(server) {
      const r = await api(server, 'info', {});
      const j = JSON.parse(r.body);
      const n = j.result?.nodes?.[0] || {};
      const types = Object.fromEntries(Object.entries(n).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v]));
      return { status: r.status, nodes: j.result?.nodes?.length, fields: types, legacy: JSON.parse((await api(server, '/api', { method: 'info', params: {} })).body).result ? 'result' : 'error' };
    },
  },
  {
    name: 'api-channels',
    issue: 3,
    title: 'server API channels with a pattern',
    async run(server) {
      const tag = uniqueChannel('chq');
      const a = await connected(server);
      const b = await connected(server);
      await a.call({ subscribe: { channel: `${tag}_one` } });
      await b.call({ subscribe: { channel: `${tag}_one` } });
      await b.call({ subscribe: { channel: `${tag}_two` } });
      const withPattern = (await api(server, 'channels', { pattern: `${tag}_*` })).body;
      const noMatch = (await api(server, 'channels', { pattern: 'no-such-channel-*' })).body;
      a.close();
      b.close();
      return { withPattern: JSON.stringify(sortDeep(JSON.parse(withPattern))), noMatch };
    },
  },
  {
    name: 'api-subscribe-unsubscribe-disconnect',
    issue: 3,
    title: 'server API subscribe (push), unsubscribe (push 2000), disconnect (3503 and custom)',
    async run(server) {
      const user = uniqueChannel('user');
      const [c] = await rawConnect(server.wsUrl, { token: tok(user) });
      const ch = uniqueChannel('srvsub');
      const obs = {};
      obs.subscribe = (await api(server, 'subscribe', { user, channel: ch, data: { hello: 1 } })).body;
      obs.subscribePush = (await c.waitFor((cl) => cl.messages.find((m) => m.msg.push?.subscribe), 5000, 'subscribe push')).raw;
      await api(server, 'publish', { channel: ch, data: { n: 1 } });
      obs.pubPush = (await c.waitFor((cl) => cl.messages.find((m) => m.msg.push?.pub), 5000, 'pub push')).raw;
      obs.unsubscribe = (await api(server, 'unsubscribe', { user, channel: ch })).body;
      obs.unsubscribePush = (await c.waitFor((cl) => cl.messages.find((m) => m.msg.push?.unsubscribe), 5000, 'unsubscribe push')).raw;
      obs.subscribeUnknownNs = (await api(server, 'subscribe', { user, channel: 'nope:x' })).body;
      obs.subscribeNoUser = (await api(server, 'subscribe', { channel: ch })).body;
      obs.disconnect = (await api(server, 'disconnect', { user })).body;
      obs.disconnectClose = await c.waitClose(5000);
      const [d] = await rawConnect(server.wsUrl, { token: tok(user) });
      await api(server, 'disconnect', { user, disconnect: { code: 4000, reason: 'custom reason' } });
      obs.customClose = await d.waitClose(5000);
      obs.disconnectUnknownUser = (await api(server, 'disconnect', { user: 'nobody' })).body;
      return obs;
    },
  },
  // ---------------------------------------------------------------- delta compression (fossil)
  {
    name: 'delta-fossil',
    issue: 3,
    title: 'delta: "fossil" subscriptions: SDK data, raw JSON frames (full as JSON string, then deltas), recovery, no-history namespace',
    config: {
      channel: {
        namespaces: [
          {
            name: 'delta',
            history_size: 10,
            history_ttl: '300s',
            force_positioning: true,
            allow_recovery: true,
            allow_subscribe_for_client: true,
            allowed_delta_types: ['fossil'],
          },
          { name: 'deltanh', allow_subscribe_for_client: true, allowed_delta_types: ['fossil'] },
          { name: 'nodelta', allow_subscribe_for_client: true },
        ],
      },
    },
    async run(server) {
      const payload = (n) => ({
        text: 'hello world, a chat message long enough for a fossil delta to pay off',
        user: { id: 42, name: 'Alice <alice@example.com>' },
        counter: n,
        tags: ['a', 'b', 'c'],
      });
      const obs = {};
      for (const ns of ['delta', 'deltanh']) {
        const ch = uniqueChannel(`${ns}:room`);
        const raw = await connected(server);
        const plain = await connected(server, 'u2');
        const o = {};
        o.subscribe = (await raw.call({ subscribe: { channel: ch, delta: 'fossil' } })).raw;
        await plain.call({ subscribe: { channel: ch } });
        const { client } = await sdkConnected(server, 'u3');
        const { sub, pubs, ctx } = await sdkSubscribe(client, ch, { delta: 'fossil' });
        o.sdkSubscribed = subscribedFields(ctx);
        for (let n = 1; n <= 3; n++) {
          o[`publish${n}`] = (await api(server, 'publish', { channel: ch, data: payload(n), delta: true })).body;
        }
        await waitUntil(() => pubs.length >= 3, 5000, 'sdk publications');
        await raw.waitFor((cl) => cl.pushes(ch).length >= 3, 5000, 'raw pushes');
        await plain.waitFor((cl) => cl.pushes(ch).length >= 3, 5000, 'plain pushes');
        o.sdkData = pubs.map((p) => p.data);
        o.sdkOffsets = pubs.map((p) => p.offset);
        o.rawFrames = raw.messages.filter((m) => m.msg.push?.channel === ch).map((m) => m.raw);
        o.plainFrames = plain.messages.filter((m) => m.msg.push?.channel === ch).map((m) => m.raw);
        if (ns === 'delta') {
          const r = await connected(server, 'u4');
          o.recover = (await r.call({ subscribe: { channel: ch, delta: 'fossil', recoverable: true, recover: true, offset: 1, epoch: '' } })).raw;
          await api(server, 'publish', { channel: ch, data: payload(4), delta: true });
          await r.waitFor((cl) => cl.pushes(ch).length >= 1, 5000, 'live after recovery');
          o.afterRecover = r.messages.filter((m) => m.msg.push?.channel === ch).map((m) => m.raw);
          const { sub: sub2, pubs: pubs2 } = await sdkSubscribe(client, ch + 'x', { delta: 'fossil' });
          sub2.unsubscribe();
          o.sdkSecondChannelPubs = pubs2.length;
          r.close();
        }
        sub.unsubscribe();
        client.disconnect();
        raw.close();
        plain.close();
        obs[ns] = o;
      }
      const c = await connected(server);
      obs.notAllowed = (await c.call({ subscribe: { channel: uniqueChannel('nodelta:x'), delta: 'fossil' } })).raw;
      c.close();
      return obs;
    },
  },
  {
    name: 'api-batch',
    issue: 3,
    title: 'server API batch with a failing command',
    async run(server) {
      const ch = uniqueChannel('batch');
      return {
        batch: (await api(server, 'batch', { commands: [{ publish: { channel: ch, data: { n: 1 } } }, { publish: { channel: 'nope:x', data: { n: 2 } } }, { presence_stats: { channel: ch } }] })).body,
        empty: (await api(server, 'batch', { commands: [] })).body,
      };
    },
  },
  {
    name: 'api-refresh',
    issue: 3,
    title: 'server API refresh with expired:true closes the connection',
    async run(server) {
      const user = uniqueChannel('refresh');
      const [c] = await rawConnect(server.wsUrl, { token: tok(user) });
      const r = (await api(server, 'refresh', { user, expired: true })).body;
      return { api: r, close: await c.waitClose(5000).catch(() => 'open') };
    },
  },
];

function varint(n) {
  const out = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function sortDeep(v) {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep(v[k])]));
  return v;
}
