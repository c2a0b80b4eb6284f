// The seed's own config.json uses Centrifugo v5 flat keys ("port", "token_hmac_secret_key",
// "api_key", "allow_subscribe_for_client", ...). Gyre accepts them; Centrifugo v6 ignores
// them, so these tests run against Gyre only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { currentTarget, startServer } from './lib/server.mjs';
import { apiPost } from './lib/api.mjs';
import { connectionToken } from './lib/jwt.mjs';
import { RawClient } from './lib/raw.mjs';
import { collect, newClient, once, waitUntil } from './lib/sdk.mjs';
import { ALLOWED_ORIGIN, API_KEY, SECRET, seedConfigV5 } from './lib/config.mjs';

const skip = currentTarget() !== 'gyre' ? 'v5 flat config is a Gyre feature (Centrifugo v6 ignores v5 keys)' : false;

describe('seed config.json with v5 flat keys', { skip }, () => {
  let server;
  before(async () => {
    server = await startServer(seedConfigV5(), { format: 'v5' });
  });
  after(async () => {
    await server?.stop();
  });

  test('the seed flow works: token connect, subscribe chat, X-API-Key publish', async () => {
    const client = newClient(server, { token: connectionToken(SECRET, '42') });
    try {
      const connected = once(client, 'connected', 5000, ['disconnected']);
      client.connect();
      await connected;
      const chat = client.newSubscription('chat');
      const pubs = collect(chat);
      const subscribed = once(chat, 'subscribed', 5000, ['unsubscribed']);
      chat.subscribe();
      await subscribed;
      const res = await apiPost(server, 'publish', { channel: 'chat', data: { text: 'hello' } }, { key: API_KEY });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { result: {} });
      await waitUntil(() => pubs.length === 1, 5000, 'publication');
      assert.deepEqual(pubs[0].data, { text: 'hello' });
    } finally {
      client.disconnect();
    }
  });

  test('api_key is enforced', async () => {
    const res = await apiPost(server, 'publish', { channel: 'chat', data: { text: 'x' } }, { key: 'wrong' });
    assert.equal(res.status, 401);
  });

  test('token_hmac_secret_key is enforced', async () => {
    const c = await RawClient.open(server.wsUrl);
    c.send({ connect: { token: connectionToken('other', '42') } });
    assert.deepEqual(await c.waitClose(), { code: 3500, reason: 'invalid token' });
  });

  test('allowed_origins admits the seed origin and rejects others with 403', async () => {
    const ok = await RawClient.open(server.wsUrl, { origin: ALLOWED_ORIGIN });
    ok.close();
    await assert.rejects(RawClient.open(server.wsUrl, { origin: 'https://evil.example' }), (err) => err.statusCode === 403);
  });
});
