/**
 * `npm run bench [name…]`: runs every benchmark script in bench/ (snmp, modbus, sla, report, outbox…)
 * one after the other, each in its own process, so they neither share a heap nor disturb each other
 * on a 2-core machine. Each script prints its own figures; benchmarks are measurements, not tests.
 * Figures one script hands to a later one's summary (the outbox bench's sink overhead, read by the
 * snmp bench's final table) go as JSON files to $BENCH_RESULTS, a directory of this run only.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = new URL("./", import.meta.url).pathname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, "")))
  .sort();

const results = mkdtempSync(join(tmpdir(), "emcomm-bench-results-"));
let failed = 0;
for (const file of files) {
  console.log(`\n=== bench/${file} ===`);
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", `${dir}${file}`], {
    stdio: "inherit",
    env: { ...process.env, BENCH_RESULTS: results },
  });
  if (r.status !== 0) failed++;
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s, exit ${r.status})`);
}
rmSync(results, { recursive: true, force: true });
if (failed > 0) console.log(`\n${failed} benchmark(s) missed their goal or failed`);
