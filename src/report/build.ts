/**
 * Gathers a period's snapshot from a ReportSource and computes its sheet. Called by the CLI, the API
 * route and the monthly schedule; one call per report, reading the source once per month.
 */
import type { Clock } from "../core/clock.ts";
import { monthsOf, type CalendarPeriod as Period, PeriodError, parsePeriod } from "../ledger/period.ts";
import { emptyInputs, type ManualInputs } from "./inputs.ts";
import type { ReportConfig } from "./policy.ts";
import type { RecordFigures } from "./records.ts";
import { computeScoreSheet, type MonthData, type ReportData, type ScoreSheet } from "./score.ts";
import type { ReportSource } from "./source.ts";
import { ticketAsOf } from "./verdicts.ts";

export interface BuildOptions {
  source: ReportSource;
  config: ReportConfig;
  clock: Clock;
  /** Manual inputs by month id ("2026-11"); missing months count as zero. */
  inputs?: readonly ManualInputs[];
  /** The maintenance records' figures of a month as of `cutoff` (src/records/figures.ts); absent: none. */
  records?: (month: Period, cutoff: number) => RecordFigures;
  /**
   * The instant the figures are computed as of (default: the clock's now). A period that has not
   * ended at this instant is computed up to it, never extrapolated to its end.
   */
  asOf?: number;
}

/**
 * The snapshot of a period as of an instant: its month(s), each cut off at its end or at the as-of
 * instant, whichever comes first. Tickets are taken as they stood at the cutoff, except under the
 * `started` attribution, where a month counts its own tickets as they stand at the as-of instant (a
 * ticket still open at the month's end is pending there and counted once it settles).
 */
export async function gatherReportData(period: Period, opts: BuildOptions): Promise<ReportData> {
  const now = opts.asOf ?? opts.clock.now();
  if (!Number.isFinite(now)) throw new PeriodError("the as-of instant is not a time");
  if (period.start >= now)
    throw new PeriodError(`period ${period.id} has not started as of ${new Date(now).toISOString()}`);
  const byMonth = new Map((opts.inputs ?? []).map((i) => [i.period, i]));
  const months: MonthData[] = [];
  // A year covers the months that have ended (an open month's figures are not final yet), or the
  // current month alone while none has ended (January).
  const all = monthsOf(period).filter((m) => m.start < now);
  const ended = all.filter((m) => m.end <= now);
  const chosen = period.kind === "year" && ended.length > 0 ? ended : all;
  for (const m of chosen) {
    const cutoff = Math.min(m.end, now);
    const window = { start: m.start, end: cutoff };
    const meta = opts.source.meta();
    // Replayed repeats look back at tickets repaired up to the repeat window before the month.
    const ticketWindow = { start: m.start - (meta.repeatWindowMs ?? 0), end: m.end };
    const [devices, tickets, windows] = await Promise.all([
      opts.source.availability(window),
      opts.source.tickets(ticketWindow),
      opts.source.maintenanceWindows(window),
    ]);
    const known = opts.config.timeliness.attribution === "started" ? ticketsKnownAt(tickets, m, now) : cutoff;
    // The policy that produced the figures (the store's source knows it once it has computed them).
    const used = opts.source.meta();
    months.push({
      period: { id: m.id, kind: m.kind, start: m.start, end: m.end, timezone: m.timezone },
      cutoff,
      ...(known === cutoff ? {} : { ticketsAsOf: known }),
      ledgerPolicyVersion: used.policyVersion,
      aggregate: used.aggregate ?? "time-weighted",
      ...(used.repeatWindowMs === undefined ? {} : { repeatWindowMs: used.repeatWindowMs }),
      devices,
      tickets: tickets.map((t) => ticketAsOf(t, known)),
      windows,
      inputs: byMonth.get(m.id) ?? emptyInputs(m.id),
      ...(opts.records ? { records: opts.records(m, Math.min(m.end, now)) } : {}),
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
 * Under `started`, how far a month's own tickets are followed: up to the as-of instant, but no further
 * than the month's end or the last repair deadline of a ticket started in it (whichever is later).
 * Past that every one of them is decided, so recomputing the month later gives the same snapshot
 * (and frozen digest) unless a record changed.
 */
function ticketsKnownAt(
  tickets: readonly { startedAt: number; deadlines: { repair: number } }[],
  month: { start: number; end: number },
  asOf: number,
): number {
  let last = month.end;
  for (const t of tickets)
    if (t.startedAt >= month.start && t.startedAt < month.end) last = Math.max(last, t.deadlines.repair + 1);
  return Math.min(asOf, last);
}
