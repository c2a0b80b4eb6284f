// Server HTTP API calls with the fetch built into Node.
export async function apiPost(server, pathOrMethod, body, { key, headers = {}, raw = false } = {}) {
  const url = pathOrMethod.startsWith('/') ? `${server.httpUrl}${pathOrMethod}` : `${server.apiUrl}/${pathOrMethod}`;
  const h = { 'Content-Type': 'application/json', ...headers };
  if (key !== undefined && key !== null) h['X-API-Key'] = key;
  const res = await fetch(url, {
    method: 'POST',
    headers: h,
    body: raw ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}
