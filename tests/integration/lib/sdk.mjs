// centrifuge-js (the browser SDK the seed uses) running in Node, plus small waiting helpers.
import { Centrifuge } from 'centrifuge';
import { Centrifuge as CentrifugeProtobuf } from 'centrifuge/build/protobuf';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { apiPost } from './api.mjs';
import { connectionToken } from './jwt.mjs';

/** A ws WebSocket class that remembers every socket it opens, so tests can cut the transport. */
export function trackingWebSocket() {
  const sockets = [];
  class Tracked extends WebSocket {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  }
  return { WebSocket: Tracked, sockets };
}

export function newClient(server, options = {}, { protobuf = false } = {}) {
  const Impl = protobuf ? CentrifugeProtobuf : Centrifuge;
  return new Impl(server.wsUrl, { websocket: WebSocket, minReconnectDelay: 200, maxReconnectDelay: 1000, ...options });
}

/** Resolve with the first `event` emitted by `emitter`, reject after timeoutMs or on `failOn`. */
export function once(emitter, event, timeoutMs = 5000, failOn = []) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timeout waiting for ${event}`));
    }, timeoutMs);
    const onEvent = (ctx) => {
      cleanup();
      resolve(ctx);
    };
    const fails = failOn.map((name) => {
      const fn = (ctx) => {
        cleanup();
        const err = new Error(`${name} while waiting for ${event}: ${JSON.stringify(ctx)}`);
        err.ctx = ctx;
        reject(err);
      };
      emitter.on(name, fn);
      return [name, fn];
    });
    function cleanup() {
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      for (const [name, fn] of fails) emitter.removeListener(name, fn);
    }
    emitter.on(event, onEvent);
  });
}

/** Collect publications of a subscription into an array. */
export function collect(sub) {
  const pubs = [];
  sub.on('publication', (ctx) => pubs.push(ctx));
  return pubs;
}

export async function waitUntil(fn, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A channel name unique to this run: `<prefix>.r<6 hex>` (tests/compat normalises the tail). */
export function uniqueChannel(prefix = 'probe') {
  return `${prefix}.r${randomBytes(3).toString('hex')}`;
}

/**
 * Prove the server still serves: a fresh centrifuge-js client connects with a token,
 * subscribes to a channel, the backend publishes over the HTTP API, and the publication arrives.
 */
export async function proveHealthy(server, { secret, apiKey, channel, user = 'healthy-user' } = {}) {
  const ch = channel || uniqueChannel('healthy');
  const client = newClient(server, { token: connectionToken(secret, user) });
  try {
    const connected = once(client, 'connected', 5000, ['disconnected']);
    client.connect();
    await connected;
    const sub = client.newSubscription(ch);
    const subscribed = once(sub, 'subscribed', 5000, ['unsubscribed']);
    sub.subscribe();
    await subscribed;
    const got = once(sub, 'publication', 5000);
    const res = await apiPost(server, 'publish', { channel: ch, data: { text: 'still alive' } }, { key: apiKey });
    if (res.status !== 200 || res.json?.error) throw new Error(`publish failed: ${res.status} ${res.text}`);
    const pub = await got;
    if (JSON.stringify(pub.data) !== JSON.stringify({ text: 'still alive' })) {
      throw new Error(`unexpected publication ${JSON.stringify(pub.data)}`);
    }
    return true;
  } finally {
    client.disconnect();
  }
}
