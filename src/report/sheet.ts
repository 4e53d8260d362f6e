/**
 * The score sheet's shape: what computeScoreSheet (score.ts) returns, what the exports render and
 * what a frozen month stores (as JSON, so only plain data: numbers are ms since the epoch, ms, percent
 * or points).
 */

import type { CalendarPeriod as Period } from "../ledger/period.ts";
import type { ManualInputs } from "./inputs.ts";
import type { ReportConfig } from "./policy.ts";
import type { RecordFigures } from "./records.ts";
import type {
  DeviceAvailability,
  MaintenanceWindow,
  SlaClock,
  StateInterval,
  TicketRecord,
} from "./source.ts";
import type { ClockVerdict } from "./verdicts.ts";

/** What one month's sheet is computed from: everything, so that it can be stored and recomputed. */
export interface MonthData {
  period: Pick<Period, "id" | "kind" | "start" | "end" | "timezone">;
  /** The figures hold as of this instant: the period's end for a closed month, else the as-of instant. */
  cutoff: number;
  /**
   * Tickets are taken as they stood at this instant: the cutoff, or the as-of instant under the
   * `started` attribution (a month's own tickets counted once they settle). Absent = the cutoff.
   */
  ticketsAsOf?: number;
  ledgerPolicyVersion: string;
  /** The ledger policy's contract figure (absent in older records: time-weighted). */
  aggregate?: "time-weighted" | "device-mean";
  /** The repeat window applied to tickets without a link, ms (absent: links only). */
  repeatWindowMs?: number;
  devices: DeviceAvailability[];
  tickets: TicketRecord[];
  windows: MaintenanceWindow[];
  inputs: ManualInputs;
  /** The maintenance records' counts as of the cutoff (absent: every counted line is manual). */
  records?: RecordFigures;
}

export interface ReportData {
  period: Pick<Period, "id" | "kind" | "start" | "end" | "timezone">;
  /** One entry for a month report; the months that have started for a year report. */
  months: MonthData[];
}

export interface Text {
  zh: string;
  en: string;
}

export interface ScoreLine {
  id: string;
  category: "performance" | "service";
  group: Text;
  name: Text;
  maxScore: number;
  target: Text;
  /** The measured value: a percentage, a count, or null when nothing was measurable. */
  measured: number | null;
  measuredText: string;
  deduction: number;
  bonus: number;
  score: number;
  rule: Text;
  /** Ticket ids, record ids or notes behind the figure. */
  evidence: string[];
  /** Where the figure comes from: the system's records, or people's entry (set by score.ts). */
  source?: "records" | "manual";
  /** The reason of a manual figure overriding the records (null: none). */
  override?: string | null;
}

export interface ClockStats {
  onTime: number;
  late: number;
  /** Open and not yet due at the cutoff (not counted). */
  pending: number;
  /** onTime ÷ (onTime + late) × 100; 100 when nothing was due. */
  percent: number;
}

export interface AvailabilityRow {
  deviceId: string;
  name: Text;
  site: string;
  system: string;
  kind: string;
  addedAt: number | null;
  expectedMs: number;
  downtimeMs: number;
  maintenanceMs: number;
  unmonitoredMs: number;
  /** Percent, null when the device was never expected in service. */
  percent: number | null;
  downIntervals: number;
}

export interface GroupAvailability {
  id: string;
  devices: number;
  expectedMs: number;
  downtimeMs: number;
  percent: number | null;
}

export interface FaultRow extends TicketRecord {
  verdicts: Record<SlaClock, ClockVerdict>;
  /** How the repair clock counts in this period's timeliness (null: not counted here). */
  timeliness: "on-time" | "late" | null;
  repeat: "link" | "derived" | null;
}

export interface RepeatRow {
  ticketId: string;
  repeatOf: string;
  deviceId: string;
  faultType: string;
  startedAt: number;
  how: "link" | "derived";
}

export interface MonthSummary {
  period: string;
  performance: number;
  service: number;
  fee: number;
}

export interface ScoreSheet {
  schema: "emcomm.score-sheet/1";
  period: { id: string; kind: "month" | "year"; timezone: string; start: number; end: number };
  /** The figures hold as of this instant (the period's end once it has ended); never extrapolated. */
  cutoff: number;
  policy: {
    scoringVersion: string;
    ledgerVersion: string;
    config: ReportConfig;
    /** The ledger's contract figure and the ticket system's repeat window (ms; null = links only). */
    aggregate: "time-weighted" | "device-mean";
    repeatWindowMs: number | null;
  };
  lines: ScoreLine[];
  totals: { performance: number; service: number };
  fee: { contractTotal: number; currency: string; amount: number; formula: string };
  timeliness: ClockStats & { due: number };
  sla: Record<SlaClock, ClockStats>;
  availability: {
    contract: { percent: number; method: string; expectedMs: number; downtimeMs: number };
    devices: AvailabilityRow[];
    /** Third parties' devices (the satellite service): the provider's availability, not counted. */
    providers?: AvailabilityRow[];
    sites: GroupAvailability[];
    systems: GroupAvailability[];
  };
  /** Per device, every interval not `up` (down, degraded, maintenance, not in service…): the evidence. */
  evidence: Record<string, StateInterval[]>;
  faults: FaultRow[];
  repeats: RepeatRow[];
  maintenanceWindows: MaintenanceWindow[];
  inputs: ManualInputs[];
  /** Inconsistencies found in the source's data (checks.ts); empty when the evidence is consistent. */
  warnings: string[];
  /** For a year: each month's totals and fee. */
  months: MonthSummary[];
}
