/**
 * `npm run bench`: runs every bench module in this folder (each exports `run()`), in name order.
 * `npm run bench -- outbox` runs only the modules whose name contains "outbox".
 */
import { readdirSync } from "node:fs";

const filter = process.argv.slice(2);
const dir = new URL(".", import.meta.url);
const modules = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
for (const file of modules) {
  const mod = (await import(new URL(file, dir).href)) as { run?: () => Promise<void> };
  if (typeof mod.run === "function") await mod.run();
}
process.exit(0);
