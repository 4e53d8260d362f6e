/**
 * Gathers a period's snapshot from a ReportSource and computes its sheet. Called by the CLI, the API
 * route and the monthly schedule; one call per report, reading the source once per month.
 */
import type { Clock } from "../core/clock.ts";
import { monthsOf, type CalendarPeriod as Period, PeriodError, parsePeriod } from "../ledger/period.ts";
import { emptyInputs, type ManualInputs } from "./inputs.ts";
import type { ReportConfig } from "./policy.ts";
import { computeScoreSheet, type MonthData, type ReportData, type ScoreSheet } from "./score.ts";
import type { ReportSource, TicketRecord } from "./source.ts";

export interface BuildOptions {
  source: ReportSource;
  config: ReportConfig;
  clock: Clock;
  /** Manual inputs by month id ("2026-11"); missing months count as zero. */
  inputs?: readonly ManualInputs[];
}

/** The snapshot of a period: its month(s), each cut off at its end or now. */
export async function gatherReportData(period: Period, opts: BuildOptions): Promise<ReportData> {
  const now = opts.clock.now();
  if (period.start >= now) throw new PeriodError(`period ${period.id} has not started yet`);
  const byMonth = new Map((opts.inputs ?? []).map((i) => [i.period, i]));
  const months: MonthData[] = [];
  // A year covers the months that have ended (an open month's figures are not final yet), or the
  // current month alone while none has ended (January).
  const all = monthsOf(period).filter((m) => m.start < now);
  const ended = all.filter((m) => m.end <= now);
  const chosen = period.kind === "year" && ended.length > 0 ? ended : all;
  for (const m of chosen) {
    const window = { start: m.start, end: m.end };
    // Derived repeats look back at tickets cleared up to deriveWindowMs before the month.
    const ticketWindow = { start: m.start - opts.config.repeats.deriveWindowMs, end: m.end };
    const [devices, tickets, windows] = await Promise.all([
      opts.source.availability(window),
      opts.source.tickets(ticketWindow),
      opts.source.maintenanceWindows(window),
    ]);
    months.push({
      period: { id: m.id, kind: m.kind, start: m.start, end: m.end, timezone: m.timezone },
      cutoff: Math.min(m.end, now),
      ledgerPolicyVersion: opts.source.meta().policyVersion,
      devices,
      tickets: tickets.map((t) => asOf(t, Math.min(m.end, now))),
      windows,
      inputs: byMonth.get(m.id) ?? emptyInputs(m.id),
    });
  }
  return {
    period: {
      id: period.id,
      kind: period.kind,
      start: period.start,
      end: period.end,
      timezone: period.timezone,
    },
    months,
  };
}

export async function buildReport(
  periodId: string,
  opts: BuildOptions,
): Promise<{ data: ReportData; sheet: ScoreSheet }> {
  const period = parsePeriod(periodId, opts.config.timezone);
  const data = await gatherReportData(period, opts);
  return { data, sheet: computeScoreSheet(data, opts.config) };
}

/**
 * A ticket as it stood at `cutoff`: events after it are removed and the state rolled back, so a
 * closed month's snapshot (and its frozen digest) does not change when its open tickets progress
 * later. A rejection after the cutoff has already removed the rejected clear from the record (the
 * source reports the latest clear that was not rejected): the month then sees the fault unrepaired.
 */
export function asOf(t: TicketRecord, cutoff: number): TicketRecord {
  const keep = (x: number | null) => (x !== null && x <= cutoff ? x : null);
  const acceptedAt = keep(t.acceptedAt);
  const arrivedAt = keep(t.arrivedAt);
  const clearedAt = keep(t.clearedAt);
  const verifiedAt = clearedAt === null ? null : keep(t.verifiedAt);
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
