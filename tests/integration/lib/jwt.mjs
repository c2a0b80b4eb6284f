// HS256 JSON Web Tokens for tests (connection and subscription tokens).
import { createHmac } from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

export function signHS256(claims, secret) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** Connection token for user `sub`, valid for ttl seconds (ttl null → no exp). */
export function connectionToken(secret, sub, { ttl = 3600, ...extra } = {}) {
  const claims = { sub, iat: now(), ...extra };
  if (ttl !== null) claims.exp = now() + ttl;
  return signHS256(claims, secret);
}

/** Subscription token for user `sub` and `channel`. */
export function subscriptionToken(secret, sub, channel, { ttl = 3600, ...extra } = {}) {
  const claims = { sub, channel, iat: now(), ...extra };
  if (ttl !== null) claims.exp = now() + ttl;
  return signHS256(claims, secret);
}
