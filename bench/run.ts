/**
 * `npm run bench [name…]`: runs every benchmark in bench/ (each a module with a default export
 * `async () => void` that prints its own table), one after the other so they do not disturb each
 * other on a 2-core machine. Benchmarks are measurements, never pass/fail tests.
 */
import { readdirSync } from "node:fs";

const dir = new URL("./", import.meta.url);
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, "")))
  .sort();

for (const file of files) {
  console.log(`\n=== bench/${file} ===`);
  const mod = (await import(new URL(file, dir).href)) as { default?: () => Promise<void> };
  if (typeof mod.default !== "function") {
    console.log("  (no default export: skipped)");
    continue;
  }
  const started = performance.now();
  await mod.default();
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
