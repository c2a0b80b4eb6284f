#!/usr/bin/env node
// Differential compatibility runner: runs every scenario against Centrifugo and Gyre,
// normalises the observations and writes docs/compat.md (one row per scenario: identical,
// or the exact difference). Differences never fail the process: this is a report.
//
//   node tests/compat/run.mjs                      both targets, writes docs/compat.md
//   node tests/compat/run.mjs --only-target gyre   Gyre alone; exit 1 if a scenario throws
//   node tests/compat/run.mjs --only-target centrifugo
//   --filter SUBSTRING   run only scenarios whose name contains it
//   --out FILE           report path (default <repo>/docs/compat.md)
//   --json FILE          also write raw normalised observations as JSON
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const integration = path.join(repo, 'tests', 'integration');

function parseArgs(argv) {
  const args = { onlyTarget: null, filter: null, out: path.join(repo, 'docs', 'compat.md'), json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--only-target') args.onlyTarget = val();
    else if (a.startsWith('--only-target=')) args.onlyTarget = a.split('=')[1];
    else if (a === '--filter') args.filter = val();
    else if (a === '--out') args.out = path.resolve(val());
    else if (a === '--json') args.json = path.resolve(val());
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.onlyTarget && !['gyre', 'centrifugo'].includes(args.onlyTarget)) throw new Error('--only-target is gyre or centrifugo');
  return args;
}

const args = parseArgs(process.argv.slice(2));

// The scenarios use the npm packages locked in tests/integration.
if (!existsSync(path.join(integration, 'node_modules', 'centrifuge'))) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: integration, stdio: ['ignore', 'ignore', 'inherit'] });
}
if (!process.env.CENTRIFUGO_BIN && args.onlyTarget !== 'gyre') {
  try {
    process.env.CENTRIFUGO_BIN = execFileSync(path.join(repo, 'tools', 'install-centrifugo.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch {
    /* reported below as a missing binary */
  }
}

const { startServer, binaryFor, deepMerge } = await import('../integration/lib/server.mjs');
const { scenarios, BASE_CONFIG } = await import('./scenarios.mjs');
const { normalize } = await import('./normalize.mjs');

const SCENARIO_TIMEOUT_MS = 30000;
const selected = scenarios.filter((s) => !args.filter || s.name.includes(args.filter));
const targets = args.onlyTarget ? [args.onlyTarget] : ['centrifugo', 'gyre'];

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

async function runTarget(target) {
  const results = new Map();
  if (!existsSync(binaryFor(target))) {
    for (const s of selected) results.set(s.name, { unavailable: `${target} binary not found at ${path.relative(repo, binaryFor(target))}` });
    return results;
  }
  // One server per distinct config; scenarios use unique channel names.
  const servers = new Map();
  try {
    for (const s of selected) {
      const config = s.config ? deepMerge(BASE_CONFIG, s.config) : BASE_CONFIG;
      const key = JSON.stringify(config);
      let entry = servers.get(key);
      if (!entry) {
        try {
          entry = { server: await startServer(config, { target }) };
        } catch (e) {
          entry = { error: e.message.split('\n')[0] };
        }
        servers.set(key, entry);
      }
      if (entry.error) {
        results.set(s.name, { exception: `server did not start: ${entry.error}` });
        continue;
      }
      const t0 = Date.now();
      try {
        const obs = await withTimeout(s.run(entry.server), SCENARIO_TIMEOUT_MS, s.name);
        results.set(s.name, { observation: normalize(JSON.parse(JSON.stringify(obs ?? null))), ms: Date.now() - t0 });
      } catch (e) {
        results.set(s.name, { exception: normalize(String(e?.message || e)), ms: Date.now() - t0 });
      }
      if (entry.server.exited()) {
        results.get(s.name).serverExited = entry.server.exited();
        servers.set(key, { error: `server exited during ${s.name}: ${JSON.stringify(entry.server.exited())}` });
      }
      process.stderr.write(`${target} ${s.name}: ${results.get(s.name).exception ? 'EXCEPTION' : 'ok'}\n`);
    }
  } finally {
    for (const { server } of servers.values()) if (server) await server.stop();
  }
  return results;
}

/** Paths where two JSON values differ, as [path, a, b]. */
function diff(a, b, p = '') {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v) => v && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diff(a[k], b[k], p ? `${p}.${k}` : k));
  }
  return [[p || '(root)', a, b]];
}

const show = (v) => (v === undefined ? '(absent)' : JSON.stringify(v));
const cell = (s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function compare(c, g) {
  if (c.unavailable || g.unavailable) return { status: 'not run', detail: (c.unavailable || g.unavailable) };
  if (c.exception && g.exception && c.exception === g.exception) return { status: 'identical', detail: 'both threw the same exception' };
  if (c.exception) return { status: 'centrifugo error', detail: `Centrifugo: ${c.exception}` };
  if (g.exception) return { status: 'different', detail: `Gyre threw: ${g.exception}`, diffs: [] };
  const d = diff(c.observation, g.observation);
  if (d.length === 0) return { status: 'identical', detail: '' };
  return { status: 'different', detail: `${d.length} field(s) differ`, diffs: d };
}

const all = {};
for (const t of targets) all[t] = await runTarget(t);

if (args.json) {
  const out = {};
  for (const s of selected) out[s.name] = Object.fromEntries(targets.map((t) => [t, all[t].get(s.name)]));
  writeFileSync(args.json, `${JSON.stringify(out, null, 2)}\n`);
}

if (args.onlyTarget) {
  let failures = 0;
  for (const s of selected) {
    const r = all[args.onlyTarget].get(s.name);
    if (r.exception || r.unavailable) failures++;
    console.log(`${r.exception || r.unavailable ? 'FAIL' : 'ok  '} ${s.name}${r.exception ? `: ${r.exception}` : ''}${r.unavailable ? `: ${r.unavailable}` : ''}`);
  }
  console.log(`${selected.length - failures} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

// Report.
const rows = selected.map((s) => ({ s, ...compare(all.centrifugo.get(s.name), all.gyre.get(s.name)) }));
const count = (st) => rows.filter((r) => r.status === st).length;
const lines = [];
lines.push('# Compatibility with Centrifugo');
lines.push('');
lines.push('Generated by `node tests/compat/run.mjs`: every scenario runs against the reference Centrifugo');
lines.push('(v6.9.1) and against Gyre with the same config; observations are normalised (client ids,');
lines.push('epochs, tokens, versions and ttls become placeholders) and compared. Scenarios live in');
lines.push('`tests/compat/scenarios.mjs`; issue 2 is the seed flow and bad input, issue 3 history, recovery,');
lines.push('presence, private channels, protobuf and the rest of the server API.');
lines.push('');
lines.push(`Generated: ${new Date().toISOString().slice(0, 10)}. Scenarios: ${rows.length}; identical: ${count('identical')}; different: ${count('different')}; not run: ${count('not run')}; failed on Centrifugo: ${count('centrifugo error')}.`);
lines.push('');
lines.push('| scenario | issue | what | result |');
lines.push('|---|---|---|---|');
for (const r of rows) {
  const res = r.status === 'identical' ? 'identical' : `**${r.status}**${r.detail ? `: ${cell(r.detail)}` : ''}`;
  lines.push(`| \`${r.s.name}\` | ${r.s.issue} | ${cell(r.s.title)} | ${res} |`);
}
const differing = rows.filter((r) => r.diffs);
if (differing.length) {
  lines.push('');
  lines.push('## Differences');
  for (const r of differing) {
    lines.push('');
    lines.push(`### ${r.s.name}`);
    lines.push('');
    if (r.diffs.length === 0) {
      lines.push(`- ${cell(r.detail)}`);
      lines.push(`- Centrifugo observed: \`${cell(show(all.centrifugo.get(r.s.name).observation))}\``);
    }
    for (const [p, a, b] of r.diffs) {
      lines.push(`- \`${p}\`: Centrifugo \`${cell(show(a))}\`, Gyre \`${cell(show(b))}\``);
    }
  }
}
const centrifugoErrors = rows.filter((r) => r.status === 'centrifugo error');
if (centrifugoErrors.length) {
  lines.push('');
  lines.push('## Scenarios that failed on Centrifugo itself');
  lines.push('');
  for (const r of centrifugoErrors) lines.push(`- \`${r.s.name}\`: ${cell(r.detail)}`);
}
// The reference behaviour itself: what Centrifugo answered, normalised, per scenario.
const reference = rows.filter((r) => all.centrifugo.get(r.s.name)?.observation !== undefined);
if (reference.length) {
  lines.push('');
  lines.push('## Reference observations (Centrifugo, normalised)');
  for (const r of reference) {
    lines.push('');
    lines.push(`<details><summary><code>${r.s.name}</code></summary>`);
    lines.push('');
    lines.push('```json');
    lines.push(JSON.stringify(all.centrifugo.get(r.s.name).observation, null, 1));
    lines.push('```');
    lines.push('');
    lines.push('</details>');
  }
}
mkdirSync(path.dirname(args.out), { recursive: true });
writeFileSync(args.out, `${lines.join('\n')}\n`);
console.log(`compat: ${rows.length} scenarios, ${count('identical')} identical, ${count('different')} different, ${count('not run')} not run -> ${path.relative(process.cwd(), args.out) || args.out}`);
