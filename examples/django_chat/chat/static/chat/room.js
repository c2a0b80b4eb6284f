// Room page: recent messages come rendered from the database; this script keeps the page
// live through the real-time server (centrifuge-js, served from the npm package).
//
// - Connection JWT from Django (getToken), so token expiry and refresh are handled by the SDK.
// - Private rooms (`$room:<slug>`) ask Django for a subscription JWT; a non-member is refused
//   and the page says why.
// - The `room` namespace has history with forced recovery: after a reconnect the server
//   replays every missed publication; if it cannot (history expired) we catch up from Django.
// - Presence + join/leave keep the "Online" list current.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("page-config").textContent);
  const csrfToken = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const list = byTestId("message-list");
  const stateEl = byTestId("connection-state");
  const noticeEl = byTestId("room-notice");
  const onlineEl = byTestId("online-users");
  const form = byTestId("message-form");
  const input = byTestId("message-input");
  const sendError = byTestId("send-error");

  const seen = new Set();
  let lastId = cfg.lastMessageId || 0;
  for (const li of list.querySelectorAll('[data-testid="message"]')) seen.add(Number(li.dataset.id));

  function scrollToEnd() { list.scrollTop = list.scrollHeight; }

  function renderMessage(msg) {
    if (!msg || typeof msg.id !== "number" || seen.has(msg.id)) return;
    seen.add(msg.id);
    lastId = Math.max(lastId, msg.id);
    const li = document.createElement("li");
    li.dataset.testid = "message";
    li.setAttribute("data-testid", "message");
    li.dataset.id = String(msg.id);
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = msg.author;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = msg.text;
    const time = document.createElement("time");
    time.dateTime = msg.created_at;
    time.textContent = new Date(msg.created_at).toISOString().slice(11, 16);
    li.append(author, " ", text, " ", time);
    // Keep database order (ids) even if a live publication and a POST reply cross.
    let before = null;
    for (const other of list.children) {
      if (Number(other.dataset.id) > msg.id) { before = other; break; }
    }
    list.insertBefore(li, before);
    scrollToEnd();
  }

  function showNotice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = !text;
  }

  function setState(state, reason) {
    stateEl.dataset.state = state;
    stateEl.textContent = state;
    stateEl.title = reason || "";
  }

  async function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body || {}),
    });
  }

  // Token endpoints answer 401/403 when Django refuses: tell the SDK it is final
  // (UnauthorizedError) instead of retrying forever.
  let lastRefusal = "";
  async function fetchToken(url, body) {
    const res = await postJSON(url, body);
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      const reply = await res.json().catch(() => ({}));
      lastRefusal = reply.error || `Refused by the server (HTTP ${res.status}).`;
      throw new Centrifuge.UnauthorizedError(lastRefusal);
    }
    if (!res.ok) throw new Error(`token endpoint answered HTTP ${res.status}`);
    return (await res.json()).token;
  }

  async function catchUp() {
    const res = await fetch(`${cfg.messagesUrl}?after=${lastId}`, { credentials: "same-origin" });
    if (!res.ok) return;
    const reply = await res.json();
    for (const msg of reply.messages) renderMessage(msg);
  }

  // --- presence -------------------------------------------------------------------------
  const online = new Map(); // client id -> username
  function nameOf(info) {
    return (info.connInfo && info.connInfo.username) || info.user;
  }
  function renderOnline() {
    const names = [...new Set(online.values())].sort();
    onlineEl.replaceChildren(...names.map((name) => {
      const li = document.createElement("li");
      li.setAttribute("data-testid", "online-user");
      li.textContent = name;
      return li;
    }));
  }
  async function loadPresence(sub) {
    try {
      const result = await sub.presence();
      online.clear();
      for (const [client, info] of Object.entries(result.clients)) online.set(client, nameOf(info));
      renderOnline();
    } catch (err) {
      console.warn("presence failed", err);
    }
  }

  // --- connection -------------------------------------------------------------------------
  const centrifuge = new Centrifuge(cfg.wsUrl, {
    getToken: () => fetchToken(cfg.connectionTokenUrl),
    minReconnectDelay: 200,
    maxReconnectDelay: 3000,
  });
  centrifuge.on("state", (ctx) => setState(ctx.newState));
  centrifuge.on("connecting", (ctx) => setState("connecting", ctx.reason));
  centrifuge.on("disconnected", (ctx) => {
    setState("disconnected", ctx.reason);
    if (ctx.code === Centrifuge.disconnectedCodes?.unauthorized || ctx.code === 1) {
      showNotice(`Disconnected: ${lastRefusal || ctx.reason}. Log in again.`);
    }
  });

  const subOptions = {};
  if (cfg.isPrivate) subOptions.getToken = (ctx) => fetchToken(cfg.subscriptionTokenUrl, { channel: ctx.channel });
  const sub = centrifuge.newSubscription(cfg.channel, subOptions);
  let firstSubscribe = true;

  sub.on("publication", (ctx) => renderMessage(ctx.data));
  sub.on("subscribing", () => {
    stateEl.dataset.subscribed = "false";
    online.clear();
    renderOnline();
  });
  sub.on("subscribed", (ctx) => {
    stateEl.dataset.subscribed = "true";
    if (ctx.wasRecovering) stateEl.dataset.recovered = String(Boolean(ctx.recovered));
    if (cfg.canRead) showNotice("");
    // First subscribe: fetch what was written between page render and now. Later: the
    // server replays missed publications (recovered); if it could not, ask Django.
    if (firstSubscribe || (ctx.wasRecovering && !ctx.recovered)) catchUp();
    firstSubscribe = false;
    loadPresence(sub);
  });
  sub.on("unsubscribed", (ctx) => {
    stateEl.dataset.subscribed = "false";
    online.clear();
    renderOnline();
    if (ctx.code !== 0) showNotice(ctx.code === 1 ? lastRefusal || cfg.notAMemberText : `Unsubscribed: ${ctx.reason}`);
  });
  sub.on("error", (ctx) => {
    const err = ctx.error || {};
    if (err.code === 103) showNotice(`The server refused the subscription: permission denied. ${cfg.notAMemberText}`);
  });
  sub.on("join", (ctx) => { online.set(ctx.info.client, nameOf(ctx.info)); renderOnline(); });
  sub.on("leave", (ctx) => { online.delete(ctx.info.client); renderOnline(); });

  sub.subscribe();
  centrifuge.connect();

  // --- sending ------------------------------------------------------------------------------
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      sendError.hidden = true;
      try {
        const res = await postJSON(cfg.messagesUrl, { text });
        const reply = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error(reply.error || `HTTP ${res.status}`);
        input.value = "";
        renderMessage(reply.message);
      } catch (err) {
        sendError.textContent = `Not sent: ${err.message}`;
        sendError.hidden = false;
      }
      input.focus();
    });
  }

  // For debugging from the console.
  window.chat = { centrifuge, sub, config: cfg };
})();
