/**
 * Shorthands for writing device models as data, shared by every protocol's profiles: a metric is
 * declared with gauge()/counter(), a health condition with rule(). Protocol-neutral knowledge (what
 * a BUC's alarms mean) lives beside this file so that the same device judged over SNMP or Modbus
 * gets the same state.
 */
import type { HealthRule, MetricSpec } from "../../src/core/types.ts";

export function gauge(name: string, unit: string, help: string, labels?: readonly string[]): MetricSpec {
  return labels ? { name, unit, help, type: "gauge", labels } : { name, unit, help, type: "gauge" };
}

export function counter(name: string, unit: string, help: string, labels?: readonly string[]): MetricSpec {
  return labels ? { name, unit, help, type: "counter", labels } : { name, unit, help, type: "counter" };
}

export function rule(
  code: string,
  severity: HealthRule["severity"],
  metric: string,
  op: HealthRule["op"],
  value: number,
  zh: string,
  en: string,
  extra: Partial<Pick<HealthRule, "linkDrop" | "labels">> = {},
): HealthRule {
  return { code, severity, metric, op, value, description: { zh, en }, ...extra };
}

/**
 * Emitted by drivers whose profiles are made of blocks: 1 when the block was read, 0 when the
 * device does not have it (illegal data address, noSuchObject, 404); the rest of the poll stands.
 */
export const BLOCK_SUPPORTED: MetricSpec = gauge(
  "profile_block_supported",
  "bool",
  "1 when the device has this block of its profile, 0 when it answered that it does not.",
  ["block"],
);
