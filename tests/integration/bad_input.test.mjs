// Bad input from clients and backends: each case gets Centrifugo's exact code, and
// afterwards a fresh client still connects, subscribes and receives.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { apiPost } from './lib/api.mjs';
import { connectionToken } from './lib/jwt.mjs';
import { RawClient, rawConnect } from './lib/raw.mjs';
import { proveHealthy } from './lib/sdk.mjs';
import { ALLOWED_ORIGIN, API_KEY, SECRET, seedConfigV6 } from './lib/config.mjs';

const BAD_REQUEST = { code: 3501, reason: 'bad request' };

describe('bad input', () => {
  let server;
  const token = () => connectionToken(SECRET, 'u1');
  const open = [];

  before(async () => {
    server = await startServer(seedConfigV6());
  });
  afterEach(async () => {
    while (open.length) open.pop().close();
    await proveHealthy(server, { secret: SECRET, apiKey: API_KEY });
  });
  after(async () => {
    await server?.stop();
  });

  async function fresh(opts) {
    const c = await RawClient.open(server.wsUrl, opts);
    open.push(c);
    return c;
  }
  async function connected() {
    const [c, reply] = await rawConnect(server.wsUrl, { token: token() });
    open.push(c);
    assert.ok(reply.msg.connect, `connect failed: ${reply.raw}`);
    return c;
  }

  test('malformed JSON frame → close 3501 bad request', async () => {
    const c = await fresh();
    c.sendRaw('{"id":1,"connect":');
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('malformed JSON frame after connect → close 3501', async () => {
    const c = await connected();
    c.sendRaw('not json at all');
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('binary frame holding JSON in JSON mode is decoded like text', async () => {
    // Centrifugo decodes the payload of a binary frame with the connection's codec (JSON).
    const c = await fresh();
    c.sendRaw(Buffer.from(JSON.stringify({ id: 1, connect: { token: token() } })), { binary: true });
    const reply = await c.reply(1);
    assert.ok(reply.msg.connect, reply.raw);
    assert.equal(c.frames[0].binary, false, 'JSON replies go in text frames');
  });

  test('binary frame with non-JSON bytes → close 3501', async () => {
    const c = await fresh();
    c.sendRaw(Buffer.from([0x0a, 0x05, 0x01, 0x02, 0xff]), { binary: true });
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('empty frame → close 3501', async () => {
    const c = await connected();
    c.sendRaw('');
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('frame larger than websocket.message_size_limit (65536) → close 1009', async () => {
    const c = await fresh();
    c.sendRaw(JSON.stringify({ id: 1, connect: { token: token(), data: { pad: 'a'.repeat(70000) } } }));
    assert.deepEqual(await c.waitClose(), { code: 1009, reason: '' });
  });

  test('frame of exactly 65536 bytes is accepted', async () => {
    const c = await fresh();
    const t = token();
    const base = JSON.stringify({ id: 1, connect: { token: t, data: { pad: '' } } });
    const frame = JSON.stringify({ id: 1, connect: { token: t, data: { pad: 'a'.repeat(65536 - base.length) } } });
    assert.equal(Buffer.byteLength(frame), 65536);
    c.sendRaw(frame);
    const reply = await c.reply(1);
    assert.ok(reply.msg.connect, reply.raw);
  });

  test('unknown command → close 3501', async () => {
    const c = await connected();
    c.sendRaw(JSON.stringify({ id: 2, frobnicate: { channel: 'chat' } }));
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('command before connect → close 3501', async () => {
    const c = await fresh();
    c.send({ subscribe: { channel: 'chat' } });
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('command with id 0 that is not a pong → close 3501', async () => {
    const c = await connected();
    c.sendRaw(JSON.stringify({ subscribe: { channel: 'chat' } }));
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('second connect on a connected client → close 3501', async () => {
    const c = await connected();
    c.send({ connect: { token: token() } });
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('ping command → close 3501', async () => {
    const c = await connected();
    c.send({ ping: {} });
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('token signed with another key → close 3500 invalid token', async () => {
    const c = await fresh();
    c.send({ connect: { token: connectionToken('not-the-secret', 'u1') } });
    assert.deepEqual(await c.waitClose(), { code: 3500, reason: 'invalid token' });
  });

  test('garbage token → close 3500 invalid token', async () => {
    const c = await fresh();
    c.send({ connect: { token: 'abc.def.ghi' } });
    assert.deepEqual(await c.waitClose(), { code: 3500, reason: 'invalid token' });
  });

  test('expired token → connect error 109 token expired, connection stays open', async () => {
    const c = await fresh();
    const reply = await c.call({ connect: { token: connectionToken(SECRET, 'u1', { ttl: -10 }) } });
    assert.equal(reply.raw, JSON.stringify({ id: 1, error: { code: 109, message: 'token expired' } }));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.closeInfo, undefined);
  });

  test('missing token → close 3501', async () => {
    const c = await fresh();
    c.send({ connect: {} });
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('foreign Origin with allowed_origins set → HTTP 403 on upgrade', async () => {
    await assert.rejects(fresh({ origin: 'https://evil.example' }), (err) => err.statusCode === 403);
  });

  test('allowed Origin and no Origin are accepted', async () => {
    const a = await fresh({ origin: ALLOWED_ORIGIN });
    const b = await fresh();
    assert.equal(a.ws.readyState, 1);
    assert.equal(b.ws.readyState, 1);
  });

  test('wrong API key → 401 with empty body', async () => {
    const res = await apiPost(server, 'publish', { channel: 'chat', data: { text: 'x' } }, { key: 'wrong' });
    assert.equal(res.status, 401);
    assert.equal(res.text, '');
  });

  test('missing API key → 401', async () => {
    const res = await apiPost(server, 'publish', { channel: 'chat', data: { text: 'x' } });
    assert.equal(res.status, 401);
    const legacy = await apiPost(server, '/api', { method: 'publish', params: { channel: 'chat', data: {} } });
    assert.equal(legacy.status, 401);
    const scheme = await apiPost(server, 'publish', { channel: 'chat', data: {} }, { headers: { Authorization: 'bearer ' + API_KEY } });
    assert.equal(scheme.status, 401);
  });

  test('malformed API body → 400', async () => {
    const res = await apiPost(server, 'publish', '{"channel":', { key: API_KEY, raw: true });
    assert.equal(res.status, 400);
    const legacy = await apiPost(server, '/api', '{"method":', { key: API_KEY, raw: true });
    assert.equal(legacy.status, 400);
  });

  test('API publish errors: empty channel 107, unknown namespace 102, empty data 107', async () => {
    const empty = await apiPost(server, 'publish', { channel: '', data: { a: 1 } }, { key: API_KEY });
    assert.deepEqual([empty.status, empty.json], [200, { error: { code: 107, message: 'bad request' } }]);
    const ns = await apiPost(server, 'publish', { channel: 'nope:x', data: { a: 1 } }, { key: API_KEY });
    assert.deepEqual([ns.status, ns.json], [200, { error: { code: 102, message: 'unknown channel' } }]);
    const nodata = await apiPost(server, 'publish', { channel: 'chat' }, { key: API_KEY });
    assert.deepEqual([nodata.status, nodata.json], [200, { error: { code: 107, message: 'bad request' } }]);
  });

  test('client publish without permission → error 103', async () => {
    const c = await connected();
    const reply = await c.call({ publish: { channel: 'chat', data: { text: 'x' } } });
    assert.equal(reply.raw, JSON.stringify({ id: 2, error: { code: 103, message: 'permission denied' } }));
  });

  test('subscribe to unknown namespace → error 102', async () => {
    const c = await connected();
    const reply = await c.call({ subscribe: { channel: 'nope:room' } });
    assert.equal(reply.raw, JSON.stringify({ id: 2, error: { code: 102, message: 'unknown channel' } }));
  });

  test('subscribe to private channel without token → error 103', async () => {
    const c = await connected();
    const reply = await c.call({ subscribe: { channel: '$secret' } });
    assert.equal(reply.raw, JSON.stringify({ id: 2, error: { code: 103, message: 'permission denied' } }));
  });

  test('subscribe twice → error 105', async () => {
    const c = await connected();
    await c.call({ subscribe: { channel: 'chat' } });
    const reply = await c.call({ subscribe: { channel: 'chat' } });
    assert.equal(reply.raw, JSON.stringify({ id: 3, error: { code: 105, message: 'already subscribed' } }));
  });

  test('empty channel in subscribe → close 3501', async () => {
    const c = await connected();
    c.send({ subscribe: { channel: '' } });
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });

  test('pong without a ping → close 3501', async () => {
    const c = await connected();
    c.sendRaw('{}');
    assert.deepEqual(await c.waitClose(), BAD_REQUEST);
  });
});
