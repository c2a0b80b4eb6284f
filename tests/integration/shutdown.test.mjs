// Graceful shutdown: on SIGTERM every client is told to reconnect elsewhere (3001 "shutdown").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { connectionToken } from './lib/jwt.mjs';
import { rawConnect } from './lib/raw.mjs';
import { SECRET, seedConfigV6 } from './lib/config.mjs';

test('SIGTERM closes every connection with 3001 "shutdown" and the process exits', async () => {
  const server = await startServer(seedConfigV6({ shutdown: { timeout: '5s' } }));
  const [a] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u1') });
  const [b] = await rawConnect(server.wsUrl, { token: connectionToken(SECRET, 'u2') });
  await b.call({ subscribe: { channel: 'chat' } });
  await server.stop();
  assert.deepEqual(await a.waitClose(5000), { code: 3001, reason: 'shutdown' });
  assert.deepEqual(await b.waitClose(5000), { code: 3001, reason: 'shutdown' });
  assert.ok(server.exited(), 'the server process has exited');
});
