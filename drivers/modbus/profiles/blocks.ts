/**
 * Reusable pieces of Modbus device models: a block returns the register points and the metrics
 * (and health rules) they emit, and profiles compose blocks. A block used by one profile only
 * stays in that profile's file until a second one needs it.
 */
import type { HealthRule, MetricSpec } from "../../../src/core/types.ts";
import type { RegisterPoint } from "../profile.ts";

export interface Block {
  points: RegisterPoint[];
  metrics: MetricSpec[];
  rules: HealthRule[];
}

export function compose(...blocks: Block[]): Block {
  return {
    points: blocks.flatMap((b) => b.points),
    metrics: blocks.flatMap((b) => b.metrics),
    rules: blocks.flatMap((b) => b.rules),
  };
}

/** Three per-phase points of one quantity: L1/L2/L3 at `addresses`. */
export function phases(
  metric: string,
  addresses: readonly [number, number, number],
  point: Omit<RegisterPoint, "metric" | "address" | "labels">,
  label = "phase",
): RegisterPoint[] {
  return addresses.map((address, i) => ({ ...point, metric, address, labels: { [label]: `L${i + 1}` } }));
}
