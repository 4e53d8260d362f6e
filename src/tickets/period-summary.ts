/**
 * Tickets of a period with their SLA verdicts (GET /api/v1/tickets/report, `emcomm tickets report`,
 * the console): response, on-site and repair verdicts, repair timeliness, repeat faults. The verdicts
 * and the counting are the score sheet's own (src/report/verdicts.ts), so the two never disagree:
 *
 * - `clocks` and `timeliness.byReportedMonth`: the tickets reported in the period, each judged as it
 *   stands at `at` (a clock still running and not yet due is pending; a remote repair has no on-site
 *   clock).
 * - `timeliness.bySettlementMonth`: what the score sheet counts for the period under the report
 *   policy's attribution (reports.timeliness), as of `at`.
 *
 * Pure reads of the store; `at` defaults to the period's end.
 */
import type { Config, FaultLevel } from "../config/schema.ts";
import type { Period } from "../ledger/period.ts";
import { reportConfigSchema } from "../report/policy.ts";
import type { SlaClock } from "../report/source.ts";
import { mattersTo, ticketCandidates, ticketRecord } from "../report/store-source.ts";
import { clockVerdict, countIn, slaClocks, ticketAsOf } from "../report/verdicts.ts";
import type { Db } from "../store/db.ts";
import { type ClockName, type ClockStatus, clockNames, ticketClocks } from "./deadlines.ts";
import type { Ticket } from "./store.ts";

export interface TicketVerdict extends Ticket {
  clocks: Record<ClockName, ClockStatus>;
}

export interface ClockSummary {
  /** Tickets whose clock stopped in time. */
  met: number;
  /** Tickets whose clock stopped late or is past its deadline at `at`. */
  breached: number;
  /** Still running and not yet due at `at`: not counted either way. */
  pending: number;
  /** met / (met + breached) × 100, or null with no decided ticket. */
  percent: number | null;
}

/** What `ticketsForPeriod` returns. */
export interface TicketsReport {
  period: Period;
  /** When the verdicts were evaluated (ms since epoch). */
  at: number;
  /** Tickets reported in [from, to), oldest first, each with its clocks at `at`. */
  tickets: TicketVerdict[];
  byLevel: Record<FaultLevel, number>;
  /** Per clock, tickets reported in the period; `repair` is fault repair timeliness by reported month. */
  clocks: Record<ClockName, ClockSummary>;
  /** Repair timeliness two ways, labelled; `bySettlementMonth` is the score sheet's figure. */
  timeliness: {
    byReportedMonth: ClockSummary;
    bySettlementMonth: ClockSummary & { attribution: "settled" | "started" };
  };
  /** Tickets flagged as repeat faults (重复故障), each with the ticket it repeats. */
  repeatFaults: { ticket: number; repeatOf: number; device: string | null; code: string }[];
}

export function ticketsForPeriod(
  db: Db,
  config: Pick<Config, "sla" | "devices"> & { reports?: Config["reports"] },
  period: Period,
  options: { at?: number } = {},
): TicketsReport {
  const at = options.at ?? period.to;
  const policy = reportConfigSchema.parse(config.reports ?? {}).timeliness;
  // One read: every ticket that may matter to the period, each turned into the sheet's record once.
  const window = { start: period.from, end: period.to };
  const candidates = ticketCandidates(db, config, window).map((t) => ({
    t,
    record: ticketRecord(t, config),
  }));
  const reported = candidates.filter(({ t }) => t.reportedAt >= period.from && t.reportedAt < period.to);
  // The tickets were read for this summary alone: each takes its clocks in place, not in a copy.
  const tickets: TicketVerdict[] = reported.map(({ t }) =>
    Object.assign(t, { clocks: ticketClocks(t, config.sla.clocks, at) }),
  );
  const byLevel: Record<FaultLevel, number> = { major: 0, general: 0, consult: 0 };
  const empty = (): ClockSummary => ({ met: 0, breached: 0, pending: 0, percent: null });
  const clocks = Object.fromEntries(clockNames.map((c) => [c, empty()])) as Record<ClockName, ClockSummary>;
  for (const { t, record: raw } of reported) {
    byLevel[t.level]++;
    const record = ticketAsOf(raw, at);
    for (const c of slaClocks) {
      const v = clockVerdict(record, c as SlaClock, at, policy).verdict;
      if (v === "met") clocks[c].met++;
      else if (v === "breached") clocks[c].breached++;
      else if (v === "pending") clocks[c].pending++;
    }
  }
  for (const c of clockNames) clocks[c].percent = percent(clocks[c]);

  // The sheet's count for the period: the same verdicts, attributed by the policy's rule.
  const cutoff = Math.min(period.to, at);
  const known = policy.attribution === "started" ? at : cutoff;
  const settled = { ...empty(), attribution: policy.attribution };
  for (const { record: raw } of candidates) {
    if (!mattersTo(raw, window)) continue;
    const t = ticketAsOf(raw, known);
    if (t.startedAt >= cutoff) continue;
    const v = clockVerdict(t, "repair", known, policy);
    const before = clockVerdict(ticketAsOf(t, period.from), "repair", period.from, policy);
    const counted = countIn(t, v, before, period.from, period.to, policy);
    if (counted === "on-time") settled.met++;
    else if (counted === "late") settled.breached++;
    else if (v.verdict === "pending") settled.pending++;
  }
  settled.percent = percent(settled);

  return {
    period,
    at,
    tickets,
    byLevel,
    clocks,
    timeliness: { byReportedMonth: clocks.repair, bySettlementMonth: settled },
    repeatFaults: tickets
      .filter((t) => t.repeatOf !== null)
      .map((t) => ({ ticket: t.id, repeatOf: t.repeatOf!, device: t.device, code: t.code })),
  };
}

function percent(s: ClockSummary): number | null {
  const decided = s.met + s.breached;
  return decided > 0 ? (s.met / decided) * 100 : null;
}
