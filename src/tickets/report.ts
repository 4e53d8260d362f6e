/**
 * Tickets of a period with their SLA verdicts, for the monthly score sheet: fault repair
 * timeliness (≥ 98 % in the contract), response and on-site verdicts, repeat faults (target 0).
 * Pure reads of the store; verdicts are evaluated at `at` (default: the period's end), so a past
 * month gives the same figures however late it is recomputed, once its tickets are settled.
 */
import type { Config, FaultLevel } from "../config/schema.ts";
import type { Period } from "../ledger/period.ts";
import type { Db } from "../store/db.ts";
import { type ClockName, type ClockStatus, clockNames, ticketClocks } from "./clocks.ts";
import { listTickets, type Ticket } from "./store.ts";

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
  /** Per clock; `repair` is the contract's fault repair timeliness. */
  clocks: Record<ClockName, ClockSummary>;
  /** Tickets flagged as repeat faults (重复故障), each with the ticket it repeats. */
  repeatFaults: { ticket: number; repeatOf: number; device: string | null; code: string }[];
}

export function ticketsForPeriod(
  db: Db,
  config: Pick<Config, "sla">,
  period: Period,
  options: { at?: number } = {},
): TicketsReport {
  const at = options.at ?? period.to;
  const tickets = listTickets(db, { from: period.from, to: period.to }).map((t) => ({
    ...t,
    clocks: ticketClocks(t, config.sla.clocks, at),
  }));
  const byLevel: Record<FaultLevel, number> = { major: 0, general: 0, consult: 0 };
  const clocks = Object.fromEntries(
    clockNames.map((c) => [c, { met: 0, breached: 0, pending: 0, percent: null }]),
  ) as Record<ClockName, ClockSummary>;
  for (const t of tickets) {
    byLevel[t.level]++;
    for (const c of clockNames) {
      const s = t.clocks[c];
      if (s.breached) clocks[c].breached++;
      else if (s.stoppedAt !== null) clocks[c].met++;
      else clocks[c].pending++;
    }
  }
  for (const c of clockNames) {
    const decided = clocks[c].met + clocks[c].breached;
    clocks[c].percent = decided > 0 ? (clocks[c].met / decided) * 100 : null;
  }
  return {
    period,
    at,
    tickets,
    byLevel,
    clocks,
    repeatFaults: tickets
      .filter((t) => t.repeatOf !== null)
      .map((t) => ({ ticket: t.id, repeatOf: t.repeatOf!, device: t.device, code: t.code })),
  };
}
