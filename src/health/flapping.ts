/**
 * Flapping: a device that went down `transitions` times within `window` is flagged (on its
 * transitions and its live view) until its downs within the window fall below that again.
 */
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { Tracker } from "./tracker.ts";

type FlappingConfig = Config["sla"]["health"]["flapping"];

/** Counts a down at `at`; flags the device (and logs it once) when it now flaps. */
export function noteDown(t: Tracker, at: number, now: number, config: FlappingConfig, log: Logger): void {
  t.downTimes.push(at);
  pruneFlapping(t, now, config);
  if (!t.flapping && t.downTimes.length >= config.transitions) {
    t.flapping = true;
    log.warn({ device: t.device.id, downs: t.downTimes.length }, "device flapping");
  }
}

/** Forgets downs older than the window; clears the flag when too few are left. */
export function pruneFlapping(t: Tracker, now: number, config: FlappingConfig): void {
  const from = now - config.window;
  t.downTimes = t.downTimes.filter((x) => x >= from);
  if (t.flapping && t.downTimes.length < config.transitions) t.flapping = false;
}
