// The leanest-server reference for gyre-bench: a minimal Centrifugo-protocol (JSON only)
// pub/sub server on uWebSockets.js. It does what the benchmark scenarios need and nothing more:
// connect with an HS256 JWT (signature checked), subscribe, client publish, HTTP API publish,
// and app-level pings at the configured interval. Fan-out uses uWS topics, which batch writes
// per loop turn (corking), like Gyre's coalescer.
//
// usage: node server.mjs --port 8000 [--secret S] [--api-key K] [--ping-interval-s 10]
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const uWS = require('@trufflesuite/uws-js-unofficial');

const args = process.argv.slice(2);
function arg(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}
const port = Number(arg('--port', '8000'));
const secret = arg('--secret', 'bench-secret');
const apiKey = arg('--api-key', 'bench-api-key');
const pingIntervalS = Number(arg('--ping-interval-s', '10'));
const PING_TOPIC = '\u0000ping';

// Returns the `sub` claim of a valid HS256 token, or null.
function verifyToken(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
  const got = Buffer.from(parts[2], 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    if (claims.exp && claims.exp < Date.now() / 1000) return null;
    return String(claims.sub ?? '');
  } catch {
    return null;
  }
}

function pushFrame(channel, data) {
  return `{"push":{"channel":${JSON.stringify(channel)},"pub":{"data":${JSON.stringify(data)}}}}`;
}

const app = uWS.App();
app.ws('/connection/websocket', {
  compression: uWS.DISABLED,
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 1024 * 1024,
  closeOnBackpressureLimit: true,
  idleTimeout: 0,
  open: (ws) => {
    ws.getUserData().user = null;
  },
  message: (ws, message) => {
    const text = Buffer.from(message).toString();
    const replies = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      let cmd;
      try {
        cmd = JSON.parse(line);
      } catch {
        ws.end(3501, 'bad request');
        return;
      }
      const state = ws.getUserData();
      if (cmd.connect) {
        const user = verifyToken(cmd.connect.token);
        if (user === null) {
          ws.end(3500, 'invalid token');
          return;
        }
        state.user = user;
        ws.subscribe(PING_TOPIC);
        replies.push(JSON.stringify({
          id: cmd.id,
          connect: { client: randomUUID(), version: 'uws-peer', ping: pingIntervalS, pong: true },
        }));
      } else if (state.user === null) {
        ws.end(3501, 'bad request');
        return;
      } else if (cmd.subscribe) {
        ws.subscribe(cmd.subscribe.channel);
        replies.push(`{"id":${cmd.id},"subscribe":{}}`);
      } else if (cmd.publish) {
        app.publish(cmd.publish.channel, pushFrame(cmd.publish.channel, cmd.publish.data), false);
        replies.push(`{"id":${cmd.id},"publish":{}}`);
      }
      // `{}` is a pong: nothing to do.
    }
    if (replies.length > 0) ws.send(replies.join('\n'), false);
  },
});

app.post('/api/publish', (res, req) => {
  const key = req.getHeader('x-api-key');
  let body = [];
  res.onAborted(() => {
    res.aborted = true;
  });
  res.onData((chunk, last) => {
    body.push(Buffer.from(chunk));
    if (!last) return;
    if (res.aborted) return;
    if (key !== apiKey) {
      res.writeStatus('401 Unauthorized').end();
      return;
    }
    let params;
    try {
      params = JSON.parse(Buffer.concat(body).toString());
    } catch {
      res.writeStatus('400 Bad Request').end('bad request');
      return;
    }
    app.publish(params.channel, pushFrame(params.channel, params.data), false);
    res.writeHeader('Content-Type', 'application/json').end('{"result":{}}');
  });
});

setInterval(() => app.publish(PING_TOPIC, '{}', false), pingIntervalS * 1000);

app.listen('127.0.0.1', port, (token) => {
  if (!token) {
    console.error(`uws peer: cannot listen on 127.0.0.1:${port}`);
    process.exit(1);
  }
  console.error(`uws peer listening on 127.0.0.1:${port}`);
});
