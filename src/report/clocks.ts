/**
 * SLA verdicts of one ticket's three clocks (respond, on site, repair), judged at a cutoff instant.
 * Pure. A clock is `met` when its event happened by its deadline, `breached` when it happened late or
 * the deadline passed without it, `pending` when neither yet, `n/a` when it does not apply (no on-site
 * visit needed, cancelled ticket). Each met/breached verdict has the instant it was decided
 * (`settledAt`): the event if in time, else the deadline; that instant places it in a period.
 */
import type { ReportConfig } from "./policy.ts";
import type { SlaClock, TicketRecord } from "./source.ts";

export type Verdict = "met" | "breached" | "pending" | "n/a";

export interface ClockVerdict {
  verdict: Verdict;
  deadline: number;
  /** When the clock's event happened (accepted, arrived, repaired), if by the cutoff. */
  doneAt: number | null;
  /** When the verdict was decided; null while pending or n/a. */
  settledAt: number | null;
  /** Late by (ms) if breached and done; ms past the deadline at the cutoff if breached and not done. */
  lateMs: number | null;
}

export const slaClocks: readonly SlaClock[] = ["respond", "onsite", "repair"];

/**
 * When the ticket counts as repaired under the policy, or null. A rejected clear is not a repair.
 * Under `cleared`, the repair time is the fault record's (故障修复时间: startedAt + repairMs) when the
 * ticket system states one, else the clear: the ticket engine records the measured restoration as the repair
 * time and its repair clock stops there, so the sheet's timeliness is the ticket system's.
 */
export function repairedAt(t: TicketRecord, policy: ReportConfig["timeliness"]): number | null {
  if (policy.repairedAt === "verified") return t.state === "closed" ? t.verifiedAt : null;
  if (t.state !== "cleared" && t.state !== "closed") return null;
  return t.clearedAt !== null && t.repairMs !== null ? t.startedAt + t.repairMs : t.clearedAt;
}

export function clockVerdict(
  t: TicketRecord,
  clock: SlaClock,
  cutoff: number,
  policy: ReportConfig["timeliness"],
): ClockVerdict {
  const deadline = t.deadlines[clock];
  const na: ClockVerdict = { verdict: "n/a", deadline, doneAt: null, settledAt: null, lateMs: null };
  if (t.state === "cancelled") return na;
  let done: number | null;
  if (clock === "respond") done = t.acceptedAt;
  else if (clock === "onsite") {
    if (!t.onsiteRequired && t.arrivedAt === null) return na;
    done = t.arrivedAt;
  } else done = repairedAt(t, policy);
  if (done !== null && done > cutoff) done = null;
  if (done !== null) {
    return done <= deadline
      ? { verdict: "met", deadline, doneAt: done, settledAt: done, lateMs: null }
      : { verdict: "breached", deadline, doneAt: done, settledAt: deadline, lateMs: done - deadline };
  }
  if (deadline < cutoff)
    return { verdict: "breached", deadline, doneAt: null, settledAt: deadline, lateMs: cutoff - deadline };
  return { verdict: "pending", deadline, doneAt: null, settledAt: null, lateMs: null };
}

/**
 * Whether the ticket's verdict on `clock` counts in [start, end) under the attribution rule, and how:
 * `on-time`, `late`, or null (not counted in this period).
 */
export function countIn(
  t: TicketRecord,
  v: ClockVerdict,
  start: number,
  end: number,
  policy: ReportConfig["timeliness"],
): "on-time" | "late" | null {
  if (v.verdict === "n/a") return null;
  if (policy.attribution === "settled") {
    if (v.settledAt === null || v.settledAt < start || v.settledAt >= end) return null;
    return v.verdict === "met" ? "on-time" : "late";
  }
  if (t.startedAt < start || t.startedAt >= end) return null;
  if (v.verdict === "pending") return policy.openNotDue === "on-time" ? "on-time" : null;
  return v.verdict === "met" ? "on-time" : "late";
}
