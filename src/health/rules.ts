/**
 * What one poll says about a device: ok, degraded (a degraded rule matched) or down (the poll
 * failed, or a down rule matched). Pure; called by the health engine for every PollOutcome.
 */
import type { PollErrorKind } from "../core/errors.ts";
import type { PollOutcome } from "../core/outcome.ts";
import type { HealthRule, Sample } from "../core/types.ts";

export type Observation =
  | { kind: "ok" }
  | {
      kind: "degraded" | "down";
      code: string;
      cause: string;
      linkDrop: boolean;
      /** The poll itself failed (no answer, refused, garbage), rather than a rule matching. */
      pollFailed?: true;
    };

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

/**
 * The fault code of a failed poll, from its cause: the one place tickets, the console, the alert
 * labels and the report take it from. A device alarm's code is its profile rule's (rx_unlock,
 * genset_fail_to_start…). The monitor's own faults (config, internal) never get here: the health
 * engine records them as unmonitored, and they open no ticket.
 */
export const pollFaults: Partial<Record<PollErrorKind, { code: string; cause: string }>> = {
  timeout: { code: "unreachable", cause: "no answer" },
  unreachable: { code: "unreachable", cause: "no answer" },
  auth: { code: "auth", cause: "credentials refused" },
  protocol: { code: "protocol", cause: "answer not understood" },
  device: { code: "protocol", cause: "device answered with an error" },
  decode: { code: "protocol", cause: "answer does not match the profile" },
  stale: { code: "stale", cause: "reports stopped" },
};

/** Down rules win over degraded ones; among each, the first in declaration order. */
export function observe(outcome: PollOutcome, rules: readonly HealthRule[]): Observation {
  if (outcome.error) {
    const fault = pollFaults[outcome.error.kind] ?? pollFaults.unreachable!;
    return {
      kind: "down",
      code: fault.code,
      cause: `${fault.cause} (${outcome.error.kind})`,
      linkDrop: true,
      pollFailed: true,
    };
  }
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
