/**
 * What the report needs from the rest of the system, for one period. The availability ledger and the
 * tickets implement this over the store; `MemoryReportSource` (memory-source.ts) implements
 * it over plain arrays for tests, the benchmark and `emcomm report --source FILE`.
 *
 * Called once per report (and once per month of a year report), never concurrently for the same
 * period; it may read the store synchronously and return resolved promises. All instants are ms since
 * the epoch; all durations ms. Everything returned is clipped to the asked period unless said otherwise.
 */
import type { FaultLevel } from "../config/schema.ts";

export interface ReportWindow {
  /** Inclusive start, ms since the epoch. */
  start: number;
  /** Exclusive end, ms since the epoch. */
  end: number;
}

/** The ledger's device states (emcomm_device_state's `state` label), defined once by the ledger. */
import type { DeviceState } from "../ledger/store.ts";

export { type DeviceState, deviceStates } from "../ledger/store.ts";

/** One interval of a device's state, clipped to the period: the evidence behind its figures. */
export interface StateInterval {
  start: number;
  end: number;
  state: DeviceState;
  /** Why the state began: "poll timeout", "modem_rx_locked=0", "maintenance mw-12", "site stood down"… */
  cause: string;
}

/**
 * One device's availability in the period. The ledger decides what counts (its accounting policy,
 * versioned in `ReportSourceMeta.policyVersion`); the report only aggregates and shows the evidence.
 * Invariant: expectedMs + maintenanceMs + (not-in-service and unmonitored time) = the part of the period
 * the device existed in the inventory; downtimeMs ≤ expectedMs.
 */
export interface DeviceAvailability {
  deviceId: string;
  name: { zh: string; en: string };
  site: string;
  /** The contract's equipment group (config `system`), e.g. ku-vehicle. */
  system: string;
  kind: string;
  criticality: FaultLevel;
  /**
   * A third party's device (sla.devices.<id>.thirdParty: the satellite service): its figures are the
   * provider's, shown apart and never part of the contractor's.
   */
  thirdParty?: boolean;
  /** When the device joined the inventory, if inside the period (a device added mid-month). */
  addedAt?: number | null;
  /** When it left the inventory, if inside the period. */
  removedAt?: number | null;
  /** Time it was expected in service, maintenance windows already taken out: the denominator. */
  expectedMs: number;
  /** Downtime counted against the contractor, within expectedMs: the numerator's complement. */
  downtimeMs: number;
  /** Expected-in-service time excluded because a maintenance window or drill covered it. */
  maintenanceMs: number;
  /** Time the monitor itself was not watching (never downtime), if the ledger tracks it. */
  unmonitoredMs?: number;
  /** The intervals behind the three figures, in time order, clipped to the period. */
  intervals: StateInterval[];
}

/** Ticket states of the fault flow (附件一): opened → accepted → on site → cleared → closed, or rejected back. */
export const ticketStates = [
  "open",
  "accepted",
  "onsite",
  "cleared",
  "closed",
  "rejected",
  "cancelled",
] as const;
export type TicketState = (typeof ticketStates)[number];

export type SlaClock = "respond" | "onsite" | "repair";

/** A fault record with every field the contract (一.3(6)) asks of it, plus the SLA clocks. */
export interface TicketRecord {
  id: string;
  deviceId: string;
  site: string;
  system: string;
  level: FaultLevel;
  /** 故障现象 */
  symptom: string;
  /** 故障类型 (e.g. link, power, hardware, software, transmission, config) */
  faultType: string;
  /** 故障起始时间: when the fault began (the clocks start here). */
  startedAt: number;
  /** When the ticket was opened (monitoring or the bureau's report). */
  openedAt: number;
  /** Accepted by the contractor: the response. */
  acceptedAt: number | null;
  /** Contractor on site. Null if never on site. */
  arrivedAt: number | null;
  /** 销障: reported cleared (the latest clear that was not rejected). */
  clearedAt: number | null;
  /** The bureau's test passed: closed (结单). */
  verifiedAt: number | null;
  /** 故障修复时间 as the ticket system states it (ms from start to the accepted clear), or null if open. */
  repairMs: number | null;
  /** 故障原因分析 */
  cause: string;
  /** 故障处理情况 */
  handling: string;
  /** 责任分析 */
  responsibility: string;
  /** 经验教训 */
  lessons: string;
  /** 故障处理人 */
  handler: string;
  /** Id of the earlier ticket this one repeats (重复故障), as the ticket system linked it. */
  repeatOf: string | null;
  state: TicketState;
  /** Whether the fault needed anyone on site (a remote fix has no on-site clock). */
  onsiteRequired: boolean;
  /** Each clock's deadline (ms since the epoch), after any pauses the ticket policy allows. */
  deadlines: Record<SlaClock, number>;
}

/** A planned maintenance window or drill: neither opens tickets nor counts as downtime. */
export interface MaintenanceWindow {
  id: string;
  kind: "maintenance" | "drill";
  start: number;
  end: number;
  /** Devices it covers; empty = every device of `sites`. */
  deviceIds: string[];
  sites: string[];
  reason: string;
  approvedBy: string;
}

export interface ReportSourceMeta {
  /** Version of the ledger's availability accounting policy (goes into the frozen record). */
  policyVersion: string;
  /** How the ledger's policy combines devices into the contract figure (sla.policies[].aggregate). */
  aggregate?: "time-weighted" | "device-mean";
  /**
   * For tickets that carry no repeat link (replays): the repeat window (sla.repeatWindow) to apply
   * the ticket system's rule with. Absent: the ticket system's links are the repeats.
   */
  repeatWindowMs?: number;
}

export interface ReportSource {
  meta(): ReportSourceMeta;
  /** Every device in the inventory at any time in the window, with its figures clipped to it. */
  availability(window: ReportWindow): Promise<DeviceAvailability[]>;
  /**
   * Tickets that matter to the window: every ticket whose fault started before `window.end` and that
   * was not closed before `window.start`, or whose repair deadline falls in the window. Not clipped.
   */
  tickets(window: ReportWindow): Promise<TicketRecord[]>;
  /** Maintenance windows and drills overlapping the window (not clipped). */
  maintenanceWindows(window: ReportWindow): Promise<MaintenanceWindow[]>;
}
