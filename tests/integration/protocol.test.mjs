// Client protocol details on a raw WebSocket: heartbeat, several commands per frame,
// and the exact shape of replies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { apiPost } from './lib/api.mjs';
import { connectionToken } from './lib/jwt.mjs';
import { RawClient, rawConnect } from './lib/raw.mjs';
import { API_KEY, SECRET, seedConfigV6 } from './lib/config.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('ping/pong', () => {
  let server;
  before(async () => {
    server = await startServer(seedConfigV6({ client: { ping_interval: '2s', pong_timeout: '1s' } }));
  });
  after(async () => {
    await server?.stop();
  });

  test('connect result advertises ping interval and pong', async () => {
    const [c, reply] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u1', { ttl: null }) });
    c.close();
    assert.deepEqual(Object.keys(reply.msg.connect).sort(), ['client', 'ping', 'pong', 'version']);
    assert.equal(reply.msg.connect.ping, 2);
    assert.equal(reply.msg.connect.pong, true);
  });

  test('a client that never answers pings is closed with 3012 "no pong"', async () => {
    const started = Date.now();
    const [c] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u1') });
    const closed = await c.waitClose(8000);
    assert.deepEqual(closed, { code: 3012, reason: 'no pong' });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1000 && elapsed < 5000, `closed after ${elapsed} ms`);
    const pings = c.messages.filter((m) => m.raw === '{}');
    assert.equal(pings.length, 1, 'exactly one ping, sent as {}');
  });

  test('a client that answers every ping stays connected and usable', async () => {
    const c = await RawClient.open(server.wsUrl);
    c.autoPong = true;
    await c.call({ connect: { token: connectionToken(SECRET, 'u1') } });
    await sleep(5500);
    assert.equal(c.closeInfo, undefined);
    assert.ok(c.messages.filter((m) => m.raw === '{}').length >= 2, 'at least two pings in 5.5 s');
    const sub = await c.call({ subscribe: { channel: 'chat' } });
    assert.equal(sub.raw, JSON.stringify({ id: 2, subscribe: {} }));
    c.close();
  });
});

describe('framing and reply shapes', () => {
  let server;
  before(async () => {
    server = await startServer(
      seedConfigV6({
        channel: {
          namespaces: [
            { name: 'hist', history_size: 10, history_ttl: '300s', allow_subscribe_for_client: true, allow_history_for_subscriber: true, allow_recovery: true },
          ],
        },
      }),
    );
  });
  after(async () => {
    await server?.stop();
  });

  test('several commands in one frame get replies in order', async () => {
    const [c] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u1') });
    const ids = c.send(
      { subscribe: { channel: 'a' } },
      { subscribe: { channel: 'b' } },
      { unsubscribe: { channel: 'a' } },
      { subscribe: { channel: 'nope:x' } },
      { publish: { channel: 'b', data: { x: 1 } } },
    );
    await c.reply(ids[4]);
    const replies = c.messages.slice(1).map((m) => m.raw);
    assert.deepEqual(replies, [
      `{"id":${ids[0]},"subscribe":{}}`,
      `{"id":${ids[1]},"subscribe":{}}`,
      `{"id":${ids[2]},"unsubscribe":{}}`,
      `{"id":${ids[3]},"error":{"code":102,"message":"unknown channel"}}`,
      `{"id":${ids[4]},"error":{"code":103,"message":"permission denied"}}`,
    ]);
    c.close();
  });

  test('connect reply with an expiring token has exactly client, version, expires, ttl, ping, pong', async () => {
    const [c, reply] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u1', { ttl: 600 }) });
    c.close();
    const r = reply.msg.connect;
    assert.deepEqual(Object.keys(r), ['client', 'version', 'expires', 'ttl', 'ping', 'pong']);
    assert.match(r.client, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(typeof r.version, 'string');
    assert.equal(r.expires, true);
    assert.ok(r.ttl > 590 && r.ttl <= 600, `ttl ${r.ttl}`);
    assert.deepEqual([r.ping, r.pong], [25, true]);
  });

  test('publication push bytes and recoverable subscribe result', async () => {
    const [c] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u1') });
    const ch = `hist:r${Date.now()}`;
    const sub = await c.call({ subscribe: { channel: ch, recoverable: true, positioned: true } });
    assert.match(sub.raw, /^\{"id":2,"subscribe":\{"recoverable":true,"epoch":"[A-Za-z]{8}","positioned":true\}\}$/);
    const epoch = sub.msg.subscribe.epoch;
    const res = await apiPost(server, 'publish', { channel: ch, data: { text: 'hello' } }, { key: API_KEY });
    assert.equal(res.status, 200);
    assert.equal(res.text, `{"result":{"offset":1,"epoch":"${epoch}"}}`);
    const push = await c.waitFor((cl) => cl.messages.find((m) => m.msg.push), 5000, 'push');
    // Centrifugo v6.9.1 also writes the stream epoch into each publication of a history channel.
    assert.equal(push.raw, `{"push":{"channel":"${ch}","pub":{"data":{"text":"hello"},"offset":1,"epoch":"${epoch}"}}}`);
    c.close();
  });
});
