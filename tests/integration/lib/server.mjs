// Starts a real-time server (Gyre, or the reference Centrifugo) on a free loopback port
// with a given config object, waits until it serves /health, and stops it afterwards.
//
// Which server: env GYRE_TARGET=gyre|centrifugo (default gyre), or the `target` option.
// Binaries: GYRE_BIN (default <repo>/build/dev/gyre), CENTRIFUGO_BIN (default the copy that
// tools/install-centrifugo.sh installs under <repo>/.cache/centrifugo).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST = '127.0.0.1';
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function currentTarget() {
  const t = process.env.GYRE_TARGET || 'gyre';
  if (t !== 'gyre' && t !== 'centrifugo') throw new Error(`GYRE_TARGET must be gyre or centrifugo, not ${t}`);
  return t;
}

export function binaryFor(target) {
  if (target === 'gyre') return process.env.GYRE_BIN || path.join(REPO, 'build', 'dev', 'gyre');
  if (process.env.CENTRIFUGO_BIN) return process.env.CENTRIFUGO_BIN;
  const base = path.join(REPO, '.cache', 'centrifugo');
  const preferred = path.join(base, 'v6.9.1', 'bin', 'centrifugo');
  if (existsSync(preferred)) return preferred;
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) {
      const p = path.join(base, v, 'bin', 'centrifugo');
      if (existsSync(p)) return p;
    }
  }
  return preferred;
}

export function binaryAvailable(target = currentTarget()) {
  return existsSync(binaryFor(target));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function deepMerge(base, extra) {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra || {})) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function healthy(port) {
  try {
    const res = await fetch(`http://${HOST}:${port}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Start a server.
 * @param {object} config  config object; v6 nested keys unless opts.format === 'v5'
 * @param {object} [opts]
 * @param {'gyre'|'centrifugo'} [opts.target]
 * @param {'v6'|'v5'} [opts.format]  'v5' writes the flat keys of the seed's config.json
 * @param {string[]} [opts.args]    extra command line flags
 * @param {number} [opts.startTimeoutMs]
 */
// The test runner's own settings (GYRE_BIN, GYRE_TARGET, ...) are not server configuration;
// Gyre would report them as unknown GYRE_* variables.
function serverEnvironment() {
  const env = { ...process.env };
  for (const k of ['GYRE_BIN', 'GYRE_TARGET', 'GYRE_CONFIG']) delete env[k];
  return env;
}

export async function startServer(config = {}, opts = {}) {
  const target = opts.target || currentTarget();
  const bin = binaryFor(target);
  if (!existsSync(bin)) throw new Error(`${target} binary not found at ${bin}`);
  const port = await freePort();
  const format = opts.format || 'v6';
  let full;
  if (format === 'v5') {
    full = { address: HOST, port: String(port), health: true, usage_stats_disable: true, ...config };
  } else {
    full = deepMerge(
      {
        http_server: { address: HOST, port },
        health: { enabled: true },
        usage_stats: { disabled: true },
        log: { level: 'info' },
      },
      config,
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), `${target}-test-`));
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(full, null, 2));

  const child = spawn(bin, ['--config', configPath, ...(opts.args || [])], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...serverEnvironment(), ...(opts.env || {}) },
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 200000) output = output.slice(-100000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  const cleanupDir = () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  };

  const deadline = Date.now() + (opts.startTimeoutMs || 15000);
  while (!(await healthy(port))) {
    if (exited) {
      cleanupDir();
      throw new Error(`${target} exited early (${JSON.stringify(exited)}):\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exitPromise;
      cleanupDir();
      throw new Error(`${target} did not become healthy on port ${port}:\n${output}`);
    }
    await sleep(50);
  }

  const base = `http://${HOST}:${port}`;
  return {
    target,
    port,
    config: full,
    configPath,
    httpUrl: base,
    wsUrl: `ws://${HOST}:${port}/connection/websocket`,
    apiUrl: `${base}/api`,
    output: () => output,
    exited: () => exited,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, 3000);
        await exitPromise;
        clearTimeout(t);
      }
      cleanupDir();
    },
  };
}

/** Run fn(server) with a fresh server, always stopping it. */
export async function withServer(config, fn, opts) {
  const server = await startServer(config, opts);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}
