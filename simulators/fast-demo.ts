/**
 * The demo (the inventory on simulators, the daemon against them) with the devices a test or a
 * bench watches polled every second: what the NOC tests and the alert-latency bench run.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { parse, stringify } from "yaml";
import { type Demo, startDemo } from "./demo.ts";

export async function startFastDemo(dir: string, fast: readonly string[]): Promise<Demo> {
  mkdirSync(join(dir, "data"), { recursive: true });
  const raw = parse(readFileSync(new URL("../config/emcomm.yaml", import.meta.url), "utf8")) as {
    devices: { id: string; interval?: string }[];
  };
  for (const d of raw.devices) if (fast.includes(d.id)) d.interval = "1s";
  const configFile = join(dir, "emcomm.yaml");
  writeFileSync(configFile, stringify(raw));
  return startDemo({ configFile, port: 0, dataDir: join(dir, "data"), log: pino({ level: "silent" }) });
}
