// End-to-end test of the chat demo in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser is downloaded).
//
// Needs a running demo (run_demo.sh; run_tests.sh does all of it). Reads:
//   DEMO_URL, SERVER_API_URL, SERVER_API_KEY, DEMO_PASSWORD   (or DEMO_ENV_FILE=<run dir>/demo.env)
//   CHAT_PYTHON (python of the venv, to read the database), DATABASE_URL (same as the demo's)
//   ARTIFACTS_DIR (screenshots; default <repo>/test-artifacts/django_chat)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const chatDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = path.resolve(chatDir, "../..");

function loadEnvFile(file) {
  if (!file || !fs.existsSync(file)) return {};
  const out = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
const fileEnv = loadEnvFile(process.env.DEMO_ENV_FILE || path.join(chatDir, ".run/demo/demo.env"));
const env = (name, fallback) => process.env[name] || fileEnv[name] || fallback;

const DEMO_URL = env("DEMO_URL");
const API_URL = env("SERVER_API_URL");
const API_KEY = env("SERVER_API_KEY");
const PASSWORD = env("DEMO_PASSWORD", "gyre-demo-pass");
const PYTHON = env("CHAT_PYTHON", path.join(repoDir, ".venv/bin/python"));
const ARTIFACTS = env("ARTIFACTS_DIR", path.join(repoDir, "test-artifacts/django_chat"));
const CHROMIUM = env("CHROMIUM", "/usr/bin/chromium");

assert.ok(DEMO_URL && API_URL && API_KEY, "start the demo first (run_demo.sh) or run run_tests.sh");
fs.mkdirSync(ARTIFACTS, { recursive: true });

let browser;
const contexts = {};
const pages = {};

function note(text) {
  console.log(`# ${text}`);
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Runs Python in the Django project against the demo's database.
function djangoShell(code) {
  const res = spawnSync(PYTHON, ["manage.py", "shell", "-c", code], {
    cwd: chatDir,
    env: env("DATABASE_URL") ? { ...process.env, DATABASE_URL: env("DATABASE_URL") } : process.env,
    encoding: "utf8",
  });
  assert.equal(res.status, 0, `manage.py shell failed: ${res.stderr}`);
  // Django 5.2's shell may print a line about automatic imports first: keep the last line.
  return res.stdout.trim().split("\n").pop();
}

async function serverApi(method, params) {
  const res = await fetch(`${API_URL}/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-API-Key": API_KEY },
    body: JSON.stringify(params),
  });
  assert.equal(res.status, 200, `server API ${method}: HTTP ${res.status}`);
  const body = await res.json();
  assert.ok(!body.error, `server API ${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function newUserPage(username) {
  const context = await browser.newContext({
    baseURL: DEMO_URL,
    viewport: { width: 1100, height: 760 },
    // deploy/local_cluster.sh serves a self-signed certificate.
    ignoreHTTPSErrors: env("IGNORE_HTTPS_ERRORS") === "1",
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => note(`[${username}] page error: ${err.message}`));
  await page.goto("/login/");
  await page.getByTestId("username").fill(username);
  await page.getByTestId("password").fill(PASSWORD);
  await page.getByTestId("login-button").click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  contexts[username] = context;
  pages[username] = page;
  return page;
}

async function openRoomFromList(page, slug) {
  await page.goto("/");
  await page.locator(`[data-testid="room-link"][data-room="${slug}"]`).click();
  await page.waitForURL(`**/rooms/${slug}/`);
}

const stateOf = (page) => page.getByTestId("connection-state").getAttribute("data-state");

async function waitLive(page, timeout = 10000) {
  await page.waitForSelector('[data-testid="connection-state"][data-state="connected"][data-subscribed="true"]', { timeout });
}

async function messageTexts(page) {
  return page.locator('[data-testid="message-list"] [data-testid="message"] .text').allTextContents();
}

async function onlineUsers(page) {
  return page.getByTestId("online-users").locator('[data-testid="online-user"]').allTextContents();
}

async function waitOnline(page, expected, timeout = 5000) {
  await page.waitForFunction(
    (names) => {
      const got = [...document.querySelectorAll('[data-testid="online-users"] [data-testid="online-user"]')].map((el) => el.textContent);
      return JSON.stringify(got) === JSON.stringify(names);
    },
    expected,
    { timeout },
  );
}

async function send(page, text) {
  await page.getByTestId("message-input").fill(text);
  await page.getByTestId("send-button").click();
}

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"],
  });
});

after(async () => {
  for (const context of Object.values(contexts)) await context.close().catch(() => {});
  if (browser) await browser.close();
});

const stamp = Date.now().toString(36);

test("two members chat live; messages are stored; presence shows both", async () => {
  const alice = await newUserPage("alice");
  const bob = await newUserPage("bob");
  await openRoomFromList(alice, "lobby");
  await openRoomFromList(bob, "lobby");
  await waitLive(alice);
  await waitLive(bob);

  await waitOnline(alice, ["alice", "bob"]);
  await waitOnline(bob, ["alice", "bob"]);

  const text = `hello bob ${stamp}`;
  const t0 = Date.now();
  await send(alice, text);
  await bob.locator('[data-testid="message"] .text', { hasText: text }).waitFor({ timeout: 1000 });
  const elapsed = Date.now() - t0;
  note(`message reached the other browser in ${elapsed} ms`);
  assert.ok(elapsed < 1000, `delivery took ${elapsed} ms`);

  const stored = djangoShell(
    `from chat.models import Message; m = Message.objects.get(text=${JSON.stringify(text)}); print(m.author.username, m.room.slug)`,
  );
  assert.equal(stored, "alice lobby");
  await screenshot(alice, "01-alice-lobby");
  await screenshot(bob, "01-bob-lobby");
});

test("a member who loses the connection gets every missed message on return, without reload", async () => {
  const alice = pages.alice;
  const bob = pages.bob;
  await bob.evaluate(() => { window.__sameDocument = true; });
  const bobId = djangoShell("from django.contrib.auth.models import User; print(User.objects.get(username='bob').pk)");

  await contexts.bob.setOffline(true);
  // Chromium's offline emulation blocks new requests but may leave an open WebSocket alone.
  // E2E_FORCE_SERVER_DROP=1 always takes the server-side path below (to exercise it).
  const forceServerDrop = env("E2E_FORCE_SERVER_DROP") === "1";
  let dropped = false;
  if (!forceServerDrop) try {
    await bob.waitForFunction(
      () => document.querySelector('[data-testid="connection-state"]').dataset.state !== "connected",
      null, { timeout: 3000 },
    );
    dropped = true;
  } catch {
    dropped = false;
  }
  if (dropped) {
    note("setOffline(true) closed the existing WebSocket");
  } else {
    // Drop it the way a failing network path would end it for the server: the server closes
    // bob's connection (reconnectable code 3100), and offline emulation keeps every reconnect
    // attempt failing until the context is back online.
    note(forceServerDrop
      ? "dropping the connection with the server API disconnect (E2E_FORCE_SERVER_DROP=1)"
      : "setOffline(true) left the WebSocket open; dropping it with the server API disconnect");
    await serverApi("disconnect", { user: bobId, disconnect: { code: 3100, reason: "network drop (e2e)" } });
    await bob.waitForFunction(
      () => document.querySelector('[data-testid="connection-state"]').dataset.state !== "connected",
      null, { timeout: 5000 },
    );
  }
  await waitOnline(alice, ["alice"]);
  await screenshot(bob, "02-bob-offline");

  const missed = [1, 2, 3].map((i) => `missed ${i} ${stamp}`);
  for (const text of missed) {
    await send(alice, text);
    await alice.locator('[data-testid="message"] .text', { hasText: text }).waitFor({ timeout: 2000 });
  }
  await alice.waitForTimeout(1000);
  assert.notEqual(await stateOf(bob), "connected", "bob must still be offline");
  const whileOffline = await messageTexts(bob);
  for (const text of missed) assert.ok(!whileOffline.includes(text), `bob got "${text}" while offline`);

  await contexts.bob.setOffline(false);
  await waitLive(bob, 15000);
  await bob.locator('[data-testid="message"] .text', { hasText: missed[2] }).waitFor({ timeout: 5000 });
  const texts = await messageTexts(bob);
  const positions = missed.map((text) => texts.indexOf(text));
  assert.ok(positions.every((p) => p >= 0), `missing messages: ${JSON.stringify(texts.slice(-5))}`);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), "messages out of order");
  assert.equal(positions[2] - positions[0], 2, "the three messages are consecutive");
  assert.equal(await bob.evaluate(() => window.__sameDocument), true, "page was reloaded");
  assert.equal(
    await bob.getByTestId("connection-state").getAttribute("data-recovered"), "true",
    "the server replayed the missed publications (recovery)",
  );
  await waitOnline(alice, ["alice", "bob"]);
  await waitOnline(bob, ["alice", "bob"]);
  await screenshot(bob, "03-bob-recovered");
});

test("a non-member cannot read a private room, and the page says why", async () => {
  const alice = pages.alice;
  await alice.goto("/rooms/secret/");
  await waitLive(alice);

  const carol = await newUserPage("carol");
  const roomLinks = await carol.locator('[data-testid="room-link"]').evaluateAll((els) => els.map((e) => e.dataset.room));
  assert.ok(!roomLinks.includes("secret"), "private room is not listed for a non-member");
  await carol.goto("/rooms/secret/");
  const notice = carol.getByTestId("room-notice");
  await notice.waitFor({ state: "visible" });
  assert.match(await notice.textContent(), /private.*not a member/i);
  // The page's subscription attempt is refused by Django's token endpoint.
  await carol.waitForFunction(() => window.chat && window.chat.sub.state === "unsubscribed", null, { timeout: 5000 });

  // Without a subscription token the server itself refuses the `$` channel (error 103).
  const refusal = await carol.evaluate(async (channel) => {
    const { centrifuge, sub } = window.chat;
    await new Promise((resolve) => (centrifuge.state === "connected" ? resolve() : centrifuge.once("connected", resolve)));
    centrifuge.removeSubscription(sub);
    const raw = centrifuge.newSubscription(channel);
    const outcome = new Promise((resolve) => {
      raw.on("subscribed", () => resolve({ subscribed: true }));
      raw.on("error", (ctx) => resolve({ code: ctx.error.code, message: ctx.error.message }));
      raw.on("unsubscribed", (ctx) => resolve({ code: ctx.code, message: ctx.reason }));
    });
    raw.on("publication", (ctx) => { window.__leaked = (window.__leaked || 0) + 1; });
    raw.subscribe();
    return outcome;
  }, "$room:secret");
  note(`server answer to a token-less subscribe: ${JSON.stringify(refusal)}`);
  assert.equal(refusal.code, 103, "permission denied");

  const secretText = `for members only ${stamp}`;
  await send(alice, secretText);
  await alice.locator('[data-testid="message"] .text', { hasText: secretText }).waitFor({ timeout: 2000 });
  await carol.waitForTimeout(1500);
  assert.equal(await carol.locator('[data-testid="message"]').count(), 0, "no messages reach a non-member");
  assert.equal(await carol.evaluate(() => window.__leaked || 0), 0);

  const tokenReply = await carol.evaluate(async () => {
    const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    const res = await fetch("/rt/subscription-token/", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ channel: "$room:secret" }),
    });
    return res.status;
  });
  assert.equal(tokenReply, 403);
  await screenshot(carol, "04-carol-refused");
  await screenshot(alice, "04-alice-secret");
});
