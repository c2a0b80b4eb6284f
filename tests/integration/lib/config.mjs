// Configs used by the tests: the seed's config.json (v5 flat keys) and its v6 nested twin.
export const SECRET = 'your_token_hmac_secret_key';
export const API_KEY = 'your_api_key';
export const ADMIN_PASSWORD = 'your_admin_pwd';
export const ADMIN_SECRET = 'your_admin_secret';
export const ALLOWED_ORIGIN = 'https://your_domain.extension';

/** The seed's config.json, made valid JSON (port is filled in by the server helper). */
export function seedConfigV5(extra = {}) {
  return {
    token_hmac_secret_key: SECRET,
    admin_password: ADMIN_PASSWORD,
    admin_secret: ADMIN_SECRET,
    api_key: API_KEY,
    admin: true,
    allowed_origins: [ALLOWED_ORIGIN],
    allow_subscribe_for_client: true,
    ...extra,
  };
}

/** The same settings in Centrifugo v6 nested form. */
export function seedConfigV6(extra = {}) {
  return deep(
    {
      client: { token: { hmac_secret_key: SECRET }, allowed_origins: [ALLOWED_ORIGIN] },
      admin: { enabled: true, password: ADMIN_PASSWORD, secret: ADMIN_SECRET },
      http_api: { key: API_KEY },
      channel: { without_namespace: { allow_subscribe_for_client: true } },
    },
    extra,
  );
}

function deep(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? deep(out[k], v) : v;
  }
  return out;
}
