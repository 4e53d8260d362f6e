/**
 * The contract's three SLA clocks of a ticket (一.3(6)), computed from its stored timestamps and
 * a `now`, never from timers: a restart cannot lose or restart them. Every clock starts when the
 * fault was reported (`reportedAt`; for automatic tickets, when the fault was declared) and keeps
 * running through rejections.
 *
 *   respond  stops at acceptedAt
 *   onsite   stops at arrivedAt (or at the repair time, when it was repaired remotely)
 *   repair   stops at repairedAt (set by a clearance; cleared again by a rejection)
 */

import type { FaultLevel } from "../config/schema.ts";
import type { SlaConfig } from "../config/sla-schema.ts";

export const clockNames = ["respond", "onsite", "repair"] as const;
export type ClockName = (typeof clockNames)[number];

export interface ClockStatus {
  clock: ClockName;
  startedAt: number;
  /** ms since epoch. */
  deadline: number;
  /** When the clock stopped, or null while it runs. */
  stoppedAt: number | null;
  /** deadline − (stoppedAt ?? now), ms; negative once breached. */
  remainingMs: number;
  /** running: in time; warning: less than warnRemaining of its duration left; met / breached. */
  status: "running" | "warning" | "met" | "breached";
  breached: boolean;
}

export interface ClockedTicket {
  level: FaultLevel;
  reportedAt: number;
  acceptedAt: number | null;
  arrivedAt: number | null;
  repairedAt: number | null;
}

export function ticketClocks(
  ticket: ClockedTicket,
  clocks: SlaConfig["clocks"],
  now: number,
): Record<ClockName, ClockStatus> {
  const limits = clocks[ticket.level];
  const stops: Record<ClockName, number | null> = {
    respond: ticket.acceptedAt,
    onsite: ticket.arrivedAt ?? ticket.repairedAt,
    repair: ticket.repairedAt,
  };
  const out = {} as Record<ClockName, ClockStatus>;
  for (const clock of clockNames) {
    const length = limits[clock];
    const deadline = ticket.reportedAt + length;
    const stoppedAt = stops[clock];
    const remainingMs = deadline - (stoppedAt ?? now);
    let status: ClockStatus["status"];
    if (remainingMs < 0) status = "breached";
    else if (stoppedAt !== null) status = "met";
    else if (remainingMs <= length * clocks.warnRemaining) status = "warning";
    else status = "running";
    out[clock] = {
      clock,
      startedAt: ticket.reportedAt,
      deadline,
      stoppedAt,
      remainingMs,
      status,
      breached: remainingMs < 0,
    };
  }
  return out;
}
