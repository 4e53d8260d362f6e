// `npm test`: the whole suite on a fresh clone. Installs what it needs, then lint, type check and
// every test (unit, driver cases, integration against real peers, end to end).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { ensureDebianPeers, ensureNpm } from "./ensure.mjs";

const root = new URL("..", import.meta.url).pathname;
ensureNpm();
ensureDebianPeers();

const step = (name, cmd, args) => {
  console.log(`› ${name}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root });
  return r.status === 0;
};

let ok = step("lint and format (biome)", "npx", ["biome", "check", "."]);
ok = step("type check (tsc)", "npx", ["tsc", "--noEmit"]) && ok;
mkdirSync(`${root}.tmp`, { recursive: true });
const extra = process.argv.slice(2);
ok =
  step("tests (vitest)", "npx", [
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    "--outputFile.json=.tmp/vitest.json",
    ...extra,
  ]) && ok;
try {
  const r = JSON.parse(readFileSync(`${root}.tmp/vitest.json`, "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
} catch {}
process.exit(ok ? 0 : 1);
