// Replaces volatile values (client ids, epochs, tokens, versions, times) in an observation
// with stable placeholders. Equal values get equal placeholders within one observation, so
// "the same epoch twice" still compares equal while the concrete value does not matter.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;
const CHANNEL_TAIL = /\.r[0-9a-f]{6}(?![0-9a-f])/g; // from uniqueChannel()
const VOLATILE_KEYS = new Set(['version', 'ttl', 'uptime', 'name', 'time', 'expire_at', 'cpu', 'rss']);

export function makeNormalizer() {
  const maps = { uuid: new Map(), epoch: new Map(), token: new Map() };
  const label = (kind, v) => {
    const m = maps[kind];
    if (!m.has(v)) m.set(v, `<${kind}${m.size + 1}>`);
    return m.get(v);
  };
  const str = (s) =>
    s
      .replace(CHANNEL_TAIL, '.r<id>')
      .replace(JWT, (t) => label('token', t))
      .replace(UUID, (u) => label('uuid', u))
      .replace(/"epoch":"([^"]*)"/g, (_, e) => (e ? `"epoch":"${label('epoch', e)}"` : '"epoch":""'))
      .replace(/"version":"[^"]*"/g, '"version":"<version>"')
      .replace(/"ttl":\d+/g, '"ttl":"<ttl>"')
      .replace(/"uptime":\d+/g, '"uptime":"<n>"')
      .replace(/"time":\d+/g, '"time":"<n>"');
  const walk = (v, key) => {
    if (typeof v === 'string') {
      if (key === 'epoch' && v) return label('epoch', v);
      if (VOLATILE_KEYS.has(key)) return `<${key}>`;
      return str(v);
    }
    if (typeof v === 'number' && VOLATILE_KEYS.has(key)) return `<${key}>`;
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) out[str(k)] = walk(x, k);
      return out;
    }
    return v;
  };
  return walk;
}

export function normalize(observation) {
  return makeNormalizer()(observation, undefined);
}
