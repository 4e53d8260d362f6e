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
