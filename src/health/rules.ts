/**
 * What one poll says about a device: ok, degraded (a degraded rule matched) or down (the poll
 * failed, or a down rule matched). Pure; called by the health engine for every PollOutcome.
 */
import type { PollOutcome } from "../core/outcome.ts";
import type { HealthRule, Sample } from "../core/types.ts";

export type Observation =
  | { kind: "ok" }
  | { kind: "degraded" | "down"; code: string; cause: string; linkDrop: boolean };

function compare(a: number, op: HealthRule["op"], b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}

function labelsMatch(sample: Sample, labels: HealthRule["labels"]): boolean {
  if (!labels) return true;
  for (const [k, v] of Object.entries(labels)) if (sample.labels?.[k] !== v) return false;
  return true;
}

/** The first matching sample of the rule's metric (and labels) decides; no sample, no match. */
export function ruleMatches(rule: HealthRule, samples: readonly Sample[]): boolean {
  const s = samples.find((x) => x.metric === rule.metric && labelsMatch(x, rule.labels));
  return s !== undefined && compare(s.value, rule.op, rule.value);
}

/** Down rules win over degraded ones; among each, the first in declaration order. */
export function observe(outcome: PollOutcome, rules: readonly HealthRule[]): Observation {
  if (outcome.error)
    return {
      kind: "down",
      code: "unreachable",
      cause: `no answer (${outcome.error.kind})`,
      linkDrop: true,
    };
  let degraded: HealthRule | undefined;
  for (const rule of rules) {
    if (!ruleMatches(rule, outcome.samples)) continue;
    if (rule.severity === "down")
      return { kind: "down", code: rule.code, cause: rule.description.en, linkDrop: rule.linkDrop ?? false };
    degraded ??= rule;
  }
  if (degraded)
    return {
      kind: "degraded",
      code: degraded.code,
      cause: degraded.description.en,
      linkDrop: degraded.linkDrop ?? false,
    };
  return { kind: "ok" };
}
