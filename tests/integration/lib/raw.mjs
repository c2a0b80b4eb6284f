// A raw WebSocket client speaking the JSON client protocol frame by frame, for tests
// that need exact bytes, close codes and misbehaviour the SDKs never produce.
import WebSocket from 'ws';

export class RawClient {
  constructor(ws) {
    this.ws = ws;
    this.frames = []; // every received frame: {binary, text}
    this.messages = []; // every decoded message, in order
    this.waiters = [];
    this.autoPong = false;
    this.nextId = 1;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this._notify();
      });
    });
    ws.on('error', (err) => {
      this.error = err;
      this._notify();
    });
    ws.on('message', (data, isBinary) => {
      const text = Buffer.from(data).toString('utf8');
      this.frames.push({ binary: isBinary, text });
      if (!isBinary) {
        for (const line of text.trim().split('\n')) {
          if (line === '') continue;
          let msg;
          try {
            msg = JSON.parse(line);
          } catch {
            msg = { unparsable: line };
          }
          this.messages.push({ msg, raw: line });
          if (this.autoPong && Object.keys(msg).length === 0) this.ws.send('{}');
        }
      }
      this._notify();
    });
  }

  static open(url, { protocols, headers, origin } = {}) {
    return new Promise((resolve, reject) => {
      const opts = { headers: headers || {} };
      if (origin) opts.origin = origin;
      const ws = new WebSocket(url, protocols || [], opts);
      const client = new RawClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (req, res) => {
        const err = new Error(`unexpected response ${res.statusCode}`);
        err.statusCode = res.statusCode;
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          err.body = body;
          reject(err);
        });
      });
      ws.once('error', reject);
    });
  }

  _notify() {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Wait until predicate(this) is truthy; resolve with its value. */
  waitFor(predicate, timeoutMs = 5000, what = 'condition') {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), timeoutMs);
      const check = () => {
        let v;
        try {
          v = predicate(this);
        } catch (e) {
          clearTimeout(timer);
          reject(e);
          return;
        }
        if (v) {
          clearTimeout(timer);
          resolve(v);
        } else if (this.closeInfo && !predicate.allowClosed) {
          clearTimeout(timer);
          reject(new Error(`connection closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting for ${what}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  sendRaw(data, opts) {
    this.ws.send(data, opts);
  }

  /** Send one or more commands in a single frame; assigns ids where missing (id:0 keeps none). */
  send(...cmds) {
    const out = cmds.map((c) => {
      if (c.id === undefined) return { id: this.nextId++, ...c };
      return c;
    });
    this.ws.send(out.map((c) => JSON.stringify(c)).join('\n'));
    return out.map((c) => c.id);
  }

  reply(id, timeoutMs = 5000) {
    return this.waitFor(
      (c) => c.messages.find((m) => m.msg.id === id),
      timeoutMs,
      `reply ${id}`,
    );
  }

  /** Send a command and wait for its reply; returns {msg, raw}. */
  async call(cmd, timeoutMs) {
    const [id] = this.send(cmd);
    return this.reply(id, timeoutMs);
  }

  pushes(channel) {
    return this.messages.filter((m) => m.msg.push && (!channel || m.msg.push.channel === channel)).map((m) => m.msg.push);
  }

  waitClose(timeoutMs = 5000) {
    return Promise.race([
      this.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout waiting for close')), timeoutMs)),
    ]);
  }

  close() {
    try {
      this.ws.terminate();
    } catch {
      /* ignore */
    }
  }
}

/** Open a raw client and connect with the given ConnectRequest; returns [client, reply]. */
export async function rawConnect(url, connectReq = {}, opts) {
  const c = await RawClient.open(url, opts);
  const reply = await c.call({ connect: connectReq });
  return [c, reply];
}
