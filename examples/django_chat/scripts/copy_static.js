// Copies the browser build of centrifuge-js from node_modules into Django's static files
// (chat/static/vendor/centrifuge.js). Run after `npm ci`; the copy is not committed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const pkgDir = path.join(root, "node_modules", "centrifuge");
const candidates = ["dist/centrifuge.js", "build/centrifuge.js"];
const source = candidates.map((p) => path.join(pkgDir, p)).find((p) => fs.existsSync(p));
if (!source) {
  console.error(`centrifuge browser bundle not found in ${pkgDir} (looked for ${candidates.join(", ")})`);
  process.exit(1);
}
const destDir = path.join(root, "chat", "static", "vendor");
fs.mkdirSync(destDir, { recursive: true });
fs.copyFileSync(source, path.join(destDir, "centrifuge.js"));
const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
console.log(`copied centrifuge ${version} ${path.relative(root, source)} -> chat/static/vendor/centrifuge.js`);
