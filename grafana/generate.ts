/**
 * `npm run dashboards`: writes grafana/dashboards/<name>.json from grafana/src/*.ts.
 * The files are generated: edit the TypeScript. test/grafana/dashboards.test.ts fails when they drift.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dashboards } from "./src/index.ts";

export function render(dash: unknown): string {
  return `${JSON.stringify(dash, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL("./dashboards/", import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  for (const [name, dash] of Object.entries(dashboards)) {
    writeFileSync(`${dir}${name}.json`, render(dash));
    console.log(`grafana/dashboards/${name}.json`);
  }
}
