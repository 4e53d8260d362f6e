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
 * Whether the ticket's verdict on `clock` counts in the month [start, end) under the attribution
 * rule, and how: `on-time`, `late`, or null (not counted in this month). `v` is the verdict at the
 * month's cutoff (the ticket as known then), `before` the verdict of the ticket as it stood at the
 * month's start.
 *
 * `settled`: the month in which the verdict became decided (met or breached): undecided at the
 * month's start, decided at its cutoff. Deciding is final (a decided clock never becomes pending
 * again), so over a run of months every ticket counts exactly once, even when its repair is
 * recorded after the month it was done in. `started`: the month its fault started in, with the
 * verdict as known at the as-of instant; still pending there, it is not counted yet (or counted on
 * time under `openNotDue: on-time`) and counts when the month is recomputed after it settles.
 */
export function countIn(
  t: TicketRecord,
  v: ClockVerdict,
  before: ClockVerdict,
  start: number,
  end: number,
  policy: ReportConfig["timeliness"],
): "on-time" | "late" | null {
  if (v.verdict === "n/a") return null;
  if (policy.attribution === "settled") {
    if (v.verdict === "pending" || before.verdict === "met" || before.verdict === "breached") return null;
    return v.verdict === "met" ? "on-time" : "late";
  }
  if (t.startedAt < start || t.startedAt >= end) return null;
  if (v.verdict === "pending") return policy.openNotDue === "on-time" ? "on-time" : null;
  return v.verdict === "met" ? "on-time" : "late";
}

/** A ticket's time if it is known by `cutoff`, else null. */
const keepUpTo = (x: number | null, cutoff: number): number | null => (x !== null && x <= cutoff ? x : null);

/**
 * A ticket as it stood at `cutoff`: events after it are removed and the state rolled back, so a
 * closed month's snapshot (and its frozen digest) does not change when its open tickets progress
 * later. A rejection after the cutoff has already removed the rejected clear from the record (the
 * source reports the latest clear that was not rejected): the month then sees the fault unrepaired.
 */
export function ticketAsOf(t: TicketRecord, cutoff: number): TicketRecord {
  const acceptedAt = keepUpTo(t.acceptedAt, cutoff);
  const arrivedAt = keepUpTo(t.arrivedAt, cutoff);
  const clearedAt = keepUpTo(t.clearedAt, cutoff);
  const verifiedAt = clearedAt === null ? null : keepUpTo(t.verifiedAt, cutoff);
  if (
    acceptedAt === t.acceptedAt &&
    arrivedAt === t.arrivedAt &&
    clearedAt === t.clearedAt &&
    verifiedAt === t.verifiedAt
  )
    return t;
  let state = t.state;
  if (state !== "cancelled" && state !== "rejected") {
    if (verifiedAt !== null) state = "closed";
    else if (clearedAt !== null) state = "cleared";
    else if (arrivedAt !== null) state = "onsite";
    else if (acceptedAt !== null) state = "accepted";
    else state = "open";
  }
  return {
    ...t,
    acceptedAt,
    arrivedAt,
    clearedAt,
    verifiedAt,
    repairMs: clearedAt === null ? null : t.repairMs,
    state,
  };
}
