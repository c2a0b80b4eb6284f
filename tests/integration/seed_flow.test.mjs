// The seed's flow: Django publishes to /api/publish with X-API-Key, the browser holds a
// centrifuge-js connection authenticated with an HS256 token and subscribes to "chat".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CentClient } from 'cent.js';
import { startServer } from './lib/server.mjs';
import { apiPost } from './lib/api.mjs';
import { connectionToken } from './lib/jwt.mjs';
import { collect, newClient, once, uniqueChannel, waitUntil } from './lib/sdk.mjs';
import { API_KEY, SECRET, seedConfigV6 } from './lib/config.mjs';

describe('seed flow (centrifuge-js + HTTP API)', () => {
  let server;
  let client;
  let chat;
  let pubs;

  before(async () => {
    server = await startServer(seedConfigV6());
    client = newClient(server, { token: connectionToken(SECRET, '42') });
    const connected = once(client, 'connected', 5000, ['disconnected']);
    client.connect();
    const ctx = await connected;
    assert.equal(ctx.transport, 'websocket');
    assert.match(ctx.client, /^[0-9a-f-]{36}$/);
    chat = client.newSubscription('chat');
    pubs = collect(chat);
    const subscribed = once(chat, 'subscribed', 5000, ['unsubscribed']);
    chat.subscribe();
    await subscribed;
  });

  after(async () => {
    client?.disconnect();
    await server?.stop();
  });

  let seen = 0; // publications of "chat" already checked

  async function expectPublication(data) {
    await waitUntil(() => pubs.length > seen, 5000, 'publication');
    const pub = pubs[seen];
    seen += 1;
    assert.equal(pub.channel, 'chat');
    assert.deepEqual(pub.data, data);
    return pub;
  }

  test('POST /api/publish with X-API-Key delivers the publication', async () => {
    const res = await apiPost(server, 'publish', { channel: 'chat', data: { text: 'hello' } }, { key: API_KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { result: {} });
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const pub = await expectPublication({ text: 'hello' });
    assert.equal(pub.info, undefined, 'server API publications carry no client info');
  });

  test('Authorization: apikey <key> is accepted', async () => {
    const res = await apiPost(server, 'publish', { channel: 'chat', data: { text: 'via header' } }, {
      headers: { Authorization: `apikey ${API_KEY}` },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { result: {} });
    await expectPublication({ text: 'via header' });
  });

  test('the single /api endpoint with {"method":"publish","params":{...}}', async () => {
    const res = await apiPost(server, '/api', { method: 'publish', params: { channel: 'chat', data: { text: 'legacy' } } }, { key: API_KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { result: {} });
    await expectPublication({ text: 'legacy' });
  });

  test('/api/broadcast delivers to every listed channel and reports per channel', async () => {
    const other = uniqueChannel('room');
    const sub2 = client.newSubscription(other);
    const pubs2 = collect(sub2);
    const subscribed = once(sub2, 'subscribed');
    sub2.subscribe();
    await subscribed;
    const res = await apiPost(server, 'broadcast', { channels: ['chat', other], data: { text: 'to all' } }, { key: API_KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { result: { responses: [{ result: {} }, { result: {} }] } });
    await expectPublication({ text: 'to all' });
    await waitUntil(() => pubs2.length === 1, 5000, 'broadcast publication');
    assert.deepEqual(pubs2[0].data, { text: 'to all' });
    sub2.unsubscribe();
    client.removeSubscription(sub2);
  });

  test('broadcast reports an unknown namespace per channel with 102', async () => {
    const res = await apiPost(server, 'broadcast', { channels: ['chat', 'nope:x'], data: { text: 'partial' } }, { key: API_KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {
      result: { responses: [{ result: {} }, { error: { code: 102, message: 'unknown channel' } }] },
    });
    await expectPublication({ text: 'partial' });
  });

  test('cent.js publish and broadcast', async () => {
    const cent = new CentClient({ url: server.apiUrl, apiKey: API_KEY });
    assert.deepEqual(await cent.publish({ channel: 'chat', data: { text: 'from cent.js' } }), {});
    await expectPublication({ text: 'from cent.js' });
    const b = await cent.broadcast({ channels: ['chat'], data: { text: 'cent.js broadcast' } });
    assert.deepEqual(b, { responses: [{ result: {} }] });
    await expectPublication({ text: 'cent.js broadcast' });
    const piped = await cent.pipeline([
      { method: 'publish', params: { channel: 'chat', data: { text: 'p1' } } },
      { method: 'publish', params: { channel: 'chat', data: { text: 'p2' } } },
    ]);
    assert.deepEqual(piped, [{}, {}]);
    await expectPublication({ text: 'p1' });
    await expectPublication({ text: 'p2' });
  });

  test('publications arrive in publish order', async () => {
    const start = seen;
    for (let i = 0; i < 20; i++) {
      const res = await apiPost(server, 'publish', { channel: 'chat', data: { n: i } }, { key: API_KEY });
      assert.equal(res.status, 200);
    }
    await waitUntil(() => pubs.length >= start + 20, 5000, '20 publications');
    assert.deepEqual(pubs.slice(start).map((p) => p.data.n), [...Array(20).keys()]);
    seen = pubs.length;
  });
});
