// Connection and channel limits, and the user's personal channel (client.* limits of Centrifugo).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, HOST } from './lib/server.mjs';
import { apiPost } from './lib/api.mjs';
import { connectionToken } from './lib/jwt.mjs';
import { RawClient, rawConnect } from './lib/raw.mjs';
import { API_KEY, SECRET, seedConfigV6 } from './lib/config.mjs';
import { proveHealthy } from './lib/sdk.mjs';

// Status of a WebSocket upgrade request, without completing the handshake.
function upgradeStatus(server) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: HOST,
      port: server.port,
      path: '/connection/websocket',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('client.connection_limit', () => {
  let server;
  before(async () => {
    server = await startServer(seedConfigV6({ client: { connection_limit: 2 } }));
  });
  after(async () => server?.stop());

  test('a connection over the limit is refused with 503 and the node keeps serving', async () => {
    const [a] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u1') });
    const [b] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u2') });
    assert.equal(await upgradeStatus(server), 503);
    a.close();
    b.close();
    await a.closed;
    await b.closed;
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(await proveHealthy(server, { secret: SECRET, apiKey: API_KEY }));
  });
});

describe('client.user_connection_limit and client.channel_limit', () => {
  let server;
  before(async () => {
    server = await startServer(seedConfigV6({ client: { user_connection_limit: 1, channel_limit: 2 } }));
  });
  after(async () => server?.stop());

  test('a second connection of the same user is closed with 3504', async () => {
    const [a, ra] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'same') });
    assert.ok(ra.msg.connect);
    const b = await RawClient.open(server.wsUrl);
    b.send({ connect: { token: connectionToken(SECRET, 'same') } });
    assert.deepEqual(await b.waitClose(3000), { code: 3504, reason: 'connection limit' });
    assert.equal(b.messages.length, 0, 'no connect reply before the close');
    a.close();
  });

  test('subscribing past the channel limit answers 106', async () => {
    const [c] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'many') });
    assert.ok((await c.call({ subscribe: { channel: 'a' } })).msg.subscribe);
    assert.ok((await c.call({ subscribe: { channel: 'b' } })).msg.subscribe);
    const third = await c.call({ subscribe: { channel: 'c' } });
    assert.deepEqual(third.msg.error, { code: 106, message: 'limit exceeded' });
    c.close();
  });
});

describe('client.subscribe_to_user_personal_channel', () => {
  let server;
  before(async () => {
    server = await startServer(
      seedConfigV6({
        client: { subscribe_to_user_personal_channel: { enabled: true, personal_channel_namespace: 'personal' } },
        channel: { namespaces: [{ name: 'personal' }] },
      }),
    );
  });
  after(async () => server?.stop());

  test('the connection is subscribed to personal:#<user> and receives what is published there', async () => {
    const [c, reply] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'alice') });
    assert.deepEqual(Object.keys(reply.msg.connect.subs || {}), ['personal:#alice']);
    const res = await apiPost(server, 'publish', { channel: 'personal:#alice', data: { hi: 1 } }, { key: API_KEY });
    assert.equal(res.status, 200);
    const push = await c.waitFor((cl) => cl.messages.find((m) => m.msg.push?.pub), 3000, "publication");
    assert.deepEqual(push.msg.push, { channel: 'personal:#alice', pub: { data: { hi: 1 } } });
    c.close();
  });
});
