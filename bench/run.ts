/**
 * `npm run bench [name…]`: runs every benchmark in bench/ (fleet, latency, modbus, outbox, report,
 * sla, snmp; or the ones named) one after the other, each in its own process, so they neither share
 * a heap nor disturb each other on a 2-core machine. Benchmarks are measurements, not tests.
 *
 * Each bench prints its own figures and records those with an anchor or a goal as JSON in
 * $BENCH_RESULTS, a directory of this run only (bench/support/figures.ts). At the end this prints
 * one table, every figure beside its anchor and goal, all measured in this run, and exits 1 when a
 * figure missed its goal or a bench failed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Figure } from "./support/figures.ts";

const dir = new URL("./", import.meta.url).pathname;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.replace(/\.ts$/, ""))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
const unknown = wanted.filter((name) => !benches.includes(name));
if (unknown.length > 0) {
  console.error(`no such bench: ${unknown.join(", ")} (bench/*.ts: run.ts and helpers aside)`);
  process.exit(2);
}

const results = mkdtempSync(join(tmpdir(), "emcomm-bench-results-"));
const failed: string[] = [];
const rows: (Figure & { bench: string })[] = [];
try {
  for (const bench of benches) {
    console.log(`\n=== bench/${bench}.ts ===`);
    const started = performance.now();
    const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", `${dir}${bench}.ts`], {
      stdio: "inherit",
      env: { ...process.env, BENCH_RESULTS: results },
    });
    if (r.status !== 0) failed.push(bench);
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s, exit ${r.status ?? r.signal})`);
    const file = join(results, `${bench}.figures.json`);
    if (existsSync(file))
      for (const f of JSON.parse(readFileSync(file, "utf8")) as Figure[]) rows.push({ bench, ...f });
    if (bench === "sink-overhead") rows.push({ bench, ...sinkOverhead(results) });
  }
} finally {
  rmSync(results, { recursive: true, force: true });
}

if (rows.length > 0) printTable(rows);
const missed = rows.filter((r) => r.met === false);
if (missed.length > 0) console.log(`${missed.length} figure(s) missed their goal`);
if (failed.length > 0) console.log(`bench(es) failed: ${failed.join(", ")}`);
if (missed.length > 0 || failed.length > 0) process.exitCode = 1;

/**
 * The sink-overhead bench's "sink overhead % of poll CPU", from the file it writes to $BENCH_RESULTS
 * (`sink-overhead.json`: the median of its estimates in `sinkOverheadPercent`, their count in
 * `estimates`), as a figure of the table.
 */
function sinkOverhead(results: string): Figure {
  const name = "InfluxDB sink overhead, % of the daemon's CPU per SNMP poll";
  const figure = { unit: "%", anchor: "11–29 %", goal: "< 5 %" };
  const file = join(results, "sink-overhead.json");
  if (!existsSync(file)) return { ...figure, name: `${name} (not measured in this run)`, value: null };
  const measured = JSON.parse(readFileSync(file, "utf8")) as {
    sinkOverheadPercent: number;
    estimates: number;
  };
  const percent = measured.sinkOverheadPercent;
  return {
    ...figure,
    name: `${name} (median of ${measured.estimates} estimates)`,
    value: percent,
    met: percent < 5,
  };
}

/** The summary: every figure of this run beside its anchor (before this work) and its goal. */
function printTable(figures: readonly (Figure & { bench: string })[]): void {
  const head = ["bench", "figure", "measured", "anchor", "goal", ""];
  const cells = [
    head,
    ...figures.map((f) => [
      f.bench,
      f.name,
      f.value === null ? "n/a" : `${f.value}${f.unit ? ` ${f.unit}` : ""}`,
      f.anchor,
      f.goal,
      f.met === undefined ? "" : f.met ? "met" : "MISSED",
    ]),
  ];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  console.log("\nSummary of this run: every figure beside its anchor (before this work) and its goal");
  for (const c of cells) console.log(`  ${c.map((x, i) => x.padEnd(widths[i]!)).join(" │ ")}`.trimEnd());
}
