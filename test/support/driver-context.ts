/** A DriverContext for driver tests: real or fake clock, silent logger, fresh shared resources. */
import { pino } from "pino";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { createSharedResources } from "../../src/core/resources.ts";
import type { DriverContext } from "../../src/core/types.ts";

export function testContext(clock: Clock = systemClock): DriverContext & { closeAll(): Promise<void> } {
  const resources = createSharedResources();
  return { clock, log: pino({ level: "silent" }), resources, closeAll: () => resources.closeAll() };
}

/** The DriverDevice fields around a driver block. */
export function testDevice<O>(id: string, options: O, timeoutMs = 2000) {
  return { id, site: "lab", kind: "test", intervalMs: 10_000, timeoutMs, options };
}

/** Waits (in real time) until `check()` is true; throws with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A StreamSink that records what it hears. */
export function recordingSink() {
  const batches: { samples: import("../../src/core/types.ts").Sample[]; at?: number }[] = [];
  const errors: { error: Error; at?: number; counters?: import("../../src/core/types.ts").Sample[] }[] = [];
  return {
    batches,
    errors,
    samples: (samples: import("../../src/core/types.ts").Sample[], at?: number) =>
      batches.push({ samples, at }),
    error: (error: Error, at?: number, counters?: import("../../src/core/types.ts").Sample[]) =>
      errors.push(counters ? { error, at, counters } : { error, at }),
    value: (metric: string, i = batches.length - 1) =>
      batches[i]?.samples.find((s) => s.metric === metric)?.value,
  };
}
