// The gyre binary's commands and start-up checks: a broken config stops start-up with exit code
// 1 and a message naming the key; the helper commands print what Centrifugo's print.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { binaryFor, freePort, HOST } from './lib/server.mjs';
import { spawn } from 'node:child_process';

const GYRE = binaryFor('gyre');
const skip = process.env.GYRE_TARGET === 'centrifugo' ? 'gyre binary only' : false;

function gyre(args, env = {}) {
  const r = spawnSync(GYRE, args, { encoding: 'utf8', timeout: 10000, env: { PATH: process.env.PATH, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tempConfig(text, name = 'config.json') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gyre-cli-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function verifyHs256(token, secret) {
  const [h, p, s] = token.split('.');
  const want = crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  assert.equal(s, want, 'signature');
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}

describe('start-up with a broken config', { skip }, () => {
  test('a wrong type names the key and exits 1', () => {
    const file = tempConfig(JSON.stringify({ client: { channel_limit: 'abc' } }));
    const r = gyre(['--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /client\.channel_limit/);
    assert.match(r.err, /expected integer/);
  });

  test('malformed JSON names the line and column', () => {
    const file = tempConfig('{\n  "api_key": "x",\n  oops\n}');
    const r = gyre(['--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /line 3/);
  });

  test('an invalid value from the environment names the variable', () => {
    const file = tempConfig('{}');
    const r = gyre(['--config', file], { CENTRIFUGO_HTTP_SERVER_PORT: 'eighty' });
    assert.equal(r.code, 1);
    assert.match(r.err, /CENTRIFUGO_HTTP_SERVER_PORT/);
  });

  test('a missing config file given explicitly is an error', () => {
    const r = gyre(['--config', '/nonexistent/gyre.json']);
    assert.equal(r.code, 1);
    assert.match(r.err, /config file not found/);
  });
});

describe('serve', { skip }, () => {
  test('`gyre serve -c FILE` runs the server like `gyre --config FILE`', async () => {
    const port = await freePort();
    const file = tempConfig(JSON.stringify({ api_key: 'k', health: true, address: HOST, port: String(port) }));
    const child = spawn(GYRE, ['serve', '-c', file], { stdio: 'ignore' });
    try {
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await fetch(`http://${HOST}:${port}/health`).then((r) => r.status, () => 0);
      }
      assert.equal(status, 200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('helper commands', { skip }, () => {
  test('version', () => {
    const r = gyre(['version']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Gyre v\d+\.\d+\.\d+/);
  });

  test('genconfig writes a v6 config with random secrets, mode 0600, and refuses to overwrite', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gyre-gen-'));
    const file = path.join(dir, 'config.json');
    const r = gyre(['genconfig', '-c', file]);
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    assert.ok(cfg.client.token.hmac_secret_key.length >= 80);
    assert.ok(cfg.http_api.key.length >= 80);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = gyre(['genconfig', '-c', file]);
    assert.equal(again.code, 1);
    assert.equal(again.err.trim(), `error: output config file already exists: ${file}`);
    assert.equal(gyre(['checkconfig', '-c', file]).code, 0);
  });

  test('checkconfig is silent on a valid config and names the key otherwise', () => {
    const ok = tempConfig(JSON.stringify({ token_hmac_secret_key: 's', api_key: 'k' }));
    const good = gyre(['checkconfig', '-c', ok]);
    assert.equal(good.code, 0);
    assert.equal(good.out + good.err.replace(/.*warn.*\n?/g, ''), '');
    const bad = tempConfig(JSON.stringify({ channel: { namespaces: [{ name: 'chat', history_size: 10 }] } }));
    const r = gyre(['checkconfig', '-c', bad]);
    assert.equal(r.code, 1);
    assert.match(r.err, /history_ttl/);
  });

  test('gentoken prints an HS256 token for the user with the default TTL', () => {
    const file = tempConfig(JSON.stringify({ client: { token: { hmac_secret_key: 'sekret' } } }));
    const r = gyre(['gentoken', '-c', file, '-u', '42']);
    assert.equal(r.code, 0);
    const [head, token] = r.out.trim().split('\n');
    assert.equal(head, 'HMAC SHA-256 JWT for user "42" with expiration TTL 168h0m0s:');
    const claims = verifyHs256(token, 'sekret');
    assert.equal(claims.sub, '42');
    assert.equal(claims.exp - claims.iat, 604800);
    const quiet = gyre(['gentoken', '-c', file, '-u', '42', '-q']);
    assert.equal(quiet.out.trim().split('.').length, 3);
    const checked = gyre(['checktoken', '-c', file, quiet.out.trim()]);
    assert.equal(checked.code, 0);
    assert.match(checked.out, /^valid token for user 42\npayload: /);
  });

  test('gensubtoken requires a channel and puts it in the claims', () => {
    const file = tempConfig(JSON.stringify({ client: { token: { hmac_secret_key: 'sekret' } } }));
    const missing = gyre(['gensubtoken', '-c', file, '-u', '42']);
    assert.equal(missing.code, 1);
    assert.equal(missing.err.trim(), 'channel is required');
    const r = gyre(['gensubtoken', '-c', file, '-u', '42', '-s', '$room:1', '-q']);
    assert.equal(r.code, 0);
    const claims = verifyHs256(r.out.trim(), 'sekret');
    assert.equal(claims.channel, '$room:1');
  });

  test('checktoken refuses a forged token', () => {
    const file = tempConfig(JSON.stringify({ client: { token: { hmac_secret_key: 'sekret' } } }));
    const other = tempConfig(JSON.stringify({ client: { token: { hmac_secret_key: 'other' } } }));
    const token = gyre(['gentoken', '-c', other, '-u', '1', '-q']).out.trim();
    const r = gyre(['checktoken', '-c', file, token]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: /);
  });
});
