// The README's quick start, run as written in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser is downloaded):
//   gyre with examples/seed/config.json, examples/quickstart/ served by `python3 -m http.server`,
//   the page opened with `?token=<gyre gentoken -c examples/seed/config.json -u 42 -q>`, then the
//   README's publish body POSTed to /api/publish with `X-API-Key: your_api_key`: the page shows
//   {"text":"hello"}. A wrong API key gets 401 and the page keeps working.
//
// Everything listens on 127.0.0.1 and free ports: gyre gets `--http_server.port`, and the page
// origin is added to the seed's allowed_origins with `--client.allowed_origins`; the page gets
// the WebSocket URL through its `?ws=` parameter (default ws://localhost:8000, the README's).
//
// Environment: GYRE_BIN (default <repo>/build/dev/gyre), CHROMIUM (default /usr/bin/chromium),
// ARTIFACTS_DIR (default <repo>/test-artifacts; the screenshot is quickstart.png).
// examples/quickstart/node_modules must be installed (tests/e2e/run.sh runs npm ci there).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const GYRE_BIN = process.env.GYRE_BIN || path.join(repoDir, "build/dev/gyre");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = process.env.ARTIFACTS_DIR || path.join(repoDir, "test-artifacts");
const SEED_CONFIG = path.join(repoDir, "examples/seed/config.json");
const QUICKSTART_DIR = path.join(repoDir, "examples/quickstart");
const HOST = "127.0.0.1";

// The README's publish, byte for byte: curl -d sends this body as a form content type.
const README_BODY = '{"channel":"chat","data":{"text":"hello"}}';
const README_KEY = "your_api_key";
const SHOW_TIMEOUT_MS = 2000;

const children = [];
let browser;
let page;
let apiUrl;
const pageErrors = [];
const consoleLines = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Starts a long-running process; its output is kept and printed if the test fails.
function start(name, cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  const entry = { name, child, output: "", exited: null };
  child.stdout.on("data", (d) => (entry.output += d));
  child.stderr.on("data", (d) => (entry.output += d));
  child.on("exit", (code, signal) => (entry.exited = signal || code));
  children.push(entry);
  return entry;
}

function dumpOutputs() {
  for (const line of consoleLines) console.log(`# page console ${line}`);
  for (const { name, output, exited } of children) {
    console.log(`# --- ${name} (exit: ${exited ?? "running"}) ---`);
    for (const line of output.trimEnd().split("\n").slice(-30)) console.log(`# ${line}`);
  }
}

// Waits until `url` answers any HTTP response (the process behind it is listening).
async function waitHttp(entry, url, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (entry.exited !== null) throw new Error(`${entry.name} exited (${entry.exited}):\n${entry.output}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${entry.name} not answering on ${url}:\n${entry.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function publish(body, apiKey) {
  return fetch(`${apiUrl}/publish`, {
    method: "POST",
    headers: { "X-API-Key": apiKey, "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
}

// Publishes and waits for the page's list to read `expected` (texts of its <li>), at most 2 s.
async function publishAndExpectShown(body, expected) {
  const t0 = Date.now();
  const res = await publish(body, README_KEY);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '{"result":{}}');
  await page
    .waitForFunction(
      (want) => {
        const got = [...document.querySelectorAll("#messages li")].map((li) => li.textContent);
        return JSON.stringify(got) === JSON.stringify(want);
      },
      expected,
      { timeout: Math.max(1, SHOW_TIMEOUT_MS - (Date.now() - t0)), polling: 20 },
    )
    .catch(async (err) => {
      const got = await page.$$eval("#messages li", (lis) => lis.map((li) => li.textContent));
      throw new Error(`page shows ${JSON.stringify(got)}, want ${JSON.stringify(expected)}: ${err.message}`);
    });
  return Date.now() - t0;
}

before(async () => {
  assert.ok(fs.existsSync(GYRE_BIN), `gyre binary missing: ${GYRE_BIN} (build it or set GYRE_BIN)`);
  assert.ok(fs.existsSync(CHROMIUM), `Chromium missing: ${CHROMIUM} (apt-get install chromium)`);
  assert.ok(
    fs.existsSync(path.join(QUICKSTART_DIR, "node_modules/centrifuge/dist/centrifuge.js")),
    "examples/quickstart/node_modules missing: run npm ci there (tests/e2e/run.sh does)",
  );

  const gyrePort = await freePort();
  const webPort = await freePort();
  const origin = `http://${HOST}:${webPort}`;
  apiUrl = `http://${HOST}:${gyrePort}/api`;

  // The seed's allowed_origins plus this page's origin (a list flag is one space-separated value).
  const seed = JSON.parse(fs.readFileSync(SEED_CONFIG, "utf8"));
  const origins = [...seed.allowed_origins, origin].join(" ");
  // GYRE_BIN is this test's setting, not gyre's: kept out of its environment (GYRE_* is config).
  const { GYRE_BIN: _, ...gyreEnv } = process.env;
  const gyre = start(
    "gyre",
    GYRE_BIN,
    [
      "--config", SEED_CONFIG,
      "--http_server.address", HOST,
      "--http_server.port", String(gyrePort),
      "--client.allowed_origins", origins,
    ],
    { env: gyreEnv },
  );
  const web = start("http.server", "python3", ["-m", "http.server", String(webPort), "--bind", HOST], {
    cwd: QUICKSTART_DIR,
  });
  await Promise.all([waitHttp(gyre, `http://${HOST}:${gyrePort}/`), waitHttp(web, `${origin}/`)]);

  // The README's token command.
  const gen = spawnSync(GYRE_BIN, ["gentoken", "-c", SEED_CONFIG, "-u", "42", "-q"], { encoding: "utf8" });
  assert.equal(gen.status, 0, `gyre gentoken failed: ${gen.stderr}`);
  const token = gen.stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, `gentoken -q printed ${JSON.stringify(gen.stdout)}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage({ viewport: { width: 640, height: 360 } });
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  const ws = `ws://${HOST}:${gyrePort}/connection/websocket`;
  await page.goto(`${origin}/?token=${encodeURIComponent(token)}&ws=${encodeURIComponent(ws)}`);
});

after(async () => {
  if (page) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "quickstart.png"), fullPage: true }).catch(() => {});
  }
  await browser?.close().catch(() => {});
  for (const { child, exited } of children) if (exited === null) child.kill("SIGTERM");
  await Promise.all(
    children.map(({ child, exited }) => (exited === null ? new Promise((r) => child.once("exit", r)) : null)),
  );
});

test("the quick start page connects and shows the README's publish", async (t) => {
  try {
    await page
      .waitForFunction(() => document.getElementById("state").textContent === "connected", null, {
        timeout: 10000,
      })
      .catch(async (err) => {
        throw new Error(`page state is "${await page.textContent("#state")}", want "connected": ${err.message}`);
      });
    // The `chat` subscription goes out right after connect; publish once the server holds it, as
    // a reader of the README would (a publication before that is not delivered to the page).
    await page.waitForFunction(() => sub.state === "subscribed", null, { timeout: 5000 });

    const ms = await publishAndExpectShown(README_BODY, ['{"text":"hello"}']);
    t.diagnostic(`{"text":"hello"} shown ${ms} ms after the publish request`);

    const wrong = await publish(README_BODY, "not_the_api_key");
    assert.equal(wrong.status, 401, "publish with a wrong X-API-Key");
    await wrong.arrayBuffer();

    await publishAndExpectShown('{"channel":"chat","data":{"text":"hello again"}}', [
      '{"text":"hello"}',
      '{"text":"hello again"}',
    ]);
    assert.equal(await page.textContent("#state"), "connected");
    assert.deepEqual(pageErrors, [], "errors in the page");
  } catch (err) {
    dumpOutputs();
    throw err;
  }
});
