/**
 * What the benches share: medians, CPU time, and the figures each bench records for the one table
 * `npm run bench` prints at the end (bench/run.ts). Not a bench: run.ts runs only bench/*.ts.
 *
 * A bench records its figures once, when it has measured them: they are printed at once, and when
 * $BENCH_RESULTS names a directory (run.ts gives each run its own) written there as
 * `<bench>.figures.json`, for run.ts to put in the table beside the other benches' figures.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One measured figure beside what it was before this work (anchor) and what it should be (goal). */
export interface Figure {
  name: string;
  /** A number (null when it could not be measured, e.g. a peer is missing) or a composite text. */
  value: number | string | null;
  unit: string;
  /** The figure before this work (from the issue that set the goal), or "not measured". */
  anchor: string;
  /** "" for a figure that is only reported. */
  goal: string;
  /** Whether the goal was met; undefined for a figure without a goal. */
  met?: boolean;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** `n` rounded to `digits` decimals, or null when it is not a finite number (nothing measured). */
export function rounded(n: number, digits: number): number | null {
  return Number.isFinite(n) ? Number(n.toFixed(digits)) : null;
}

/** CPU milliseconds (user + system) this process has used so far. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU seconds (user + system) another process has used so far, from /proc. */
export function procCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type GcOptions = { type: "minor" | "major" };
const v8Gc = (globalThis as { gc?: (options?: GcOptions) => void }).gc;

/**
 * Collects this process's young garbage, a scavenge (node --expose-gc, as run.ts starts benches),
 * else does nothing; called before a measured phase, so no phase pays for another's garbage. Not
 * a full collection: a mark-compact deoptimizes compiled code that holds objects it frees (V8's
 * "weak objects": net-snmp's BER reader and writer among them), so the phase after one runs that
 * code interpreted and compiles it again, a cost a daemon pays once per major collection, not once
 * per few hundred polls.
 */
export const collectYoungGarbage: () => void = v8Gc ? () => v8Gc({ type: "minor" }) : () => {};

/** A figure as one line: "name: value unit (anchor …; goal …: met)". */
export function describeFigure(f: Figure): string {
  const value = f.value === null ? "n/a" : `${f.value}${f.unit ? ` ${f.unit}` : ""}`;
  const goal = f.goal
    ? `; goal ${f.goal}: ${f.met === undefined ? "reported" : f.met ? "met" : "MISSED"}`
    : "";
  return `${f.name}: ${value} (anchor ${f.anchor || "none"}${goal})`;
}

/** Prints `figures` and hands them to run.ts's table through $BENCH_RESULTS. */
export function recordFigures(bench: string, figures: readonly Figure[]): void {
  for (const f of figures) console.log(`  ${describeFigure(f)}`);
  const dir = process.env.BENCH_RESULTS;
  if (dir) writeFileSync(join(dir, `${bench}.figures.json`), JSON.stringify(figures));
}
