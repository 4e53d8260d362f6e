/**
 * The ReportSource over the daemon's store: the availability ledger (state_transitions,
 * maintenance_windows, site_deployments, daemon_runs through `availabilityForPeriod`) and its tickets
 * (tickets, with clocks from src/tickets/deadlines.ts). Built by `startReports` (the API and the monthly
 * schedule) and by `emcomm report --config <daemon config>`; reads the store synchronously, once per
 * report and month, never writes.
 *
 * What comes from where:
 * - expectedMs and downtimeMs are availabilityForPeriod's figures for the device, unchanged (the
 *   ledger's accounting policy decides; its version is `meta().policyVersion`).
 * - maintenanceMs is the expected time the approved windows and drills took out: the device's
 *   expected time computed without them minus with them.
 * - unmonitoredMs is the time nobody watched (daemon gaps, the `unmonitored` state, and before the
 *   first recorded state when the policy expects service only from then on).
 * - intervals are the ledger's state changes with their causes, clipped to the window, time-ordered,
 *   neighbours in the same state merged; before a device's first state it is `unmonitored`.
 * - a ticket's startedAt is the fault's start (故障起始时间), its deadlines are the ticket clocks (they
 *   run from the report of the fault), clearedAt is the latest clear not rejected (a rejection
 *   empties it in the store), verifiedAt its closing, repairMs the record's repair time (which may be
 *   the measured restoration, before the clear) from the fault's start, repeatOf the ticket engine's link.
 */
import type { Config } from "../config/schema.ts";
import type { AccountingPolicy } from "../config/sla-schema.ts";
import { availabilityForPeriod, type Interval, union } from "../ledger/availability.ts";
import { NEVER_SEEN, stateIntervals, unmonitoredGaps, windowsBetween } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { ticketClocks } from "../tickets/deadlines.ts";
import { readTickets, type Ticket } from "../tickets/store.ts";
import type {
  DeviceAvailability,
  MaintenanceWindow,
  ReportSource,
  ReportSourceMeta,
  ReportWindow,
  StateInterval,
  TicketRecord,
  TicketState,
} from "./source.ts";

export type StoreSourceConfig = Pick<Config, "sites" | "devices" | "sla" | "daemon">;

export function storeReportSource(db: Db, config: StoreSourceConfig): ReportSource {
  return new StoreReportSource(db, config);
}

class StoreReportSource implements ReportSource {
  /** The policy of the last availability() call: the one that produced the figures. */
  private lastPolicy: AccountingPolicy | null = null;
  private readonly devices: Map<string, StoreSourceConfig["devices"][number]>;

  constructor(
    private readonly db: Db,
    private readonly config: StoreSourceConfig,
  ) {
    this.devices = new Map(config.devices.map((d) => [d.id, d]));
  }

  meta(): ReportSourceMeta {
    // Before any figure was computed: the policy most recently put in force.
    const policy =
      this.lastPolicy ?? [...this.config.sla.policies].sort((a, b) => (a.from < b.from ? 1 : -1))[0]!;
    // Repeats are the ticket engine's links (it applies sla.repeatWindow when it opens a ticket).
    return { policyVersion: policy.version, aggregate: policy.aggregate };
  }

  async availability(window: ReportWindow): Promise<DeviceAvailability[]> {
    const period = { from: window.start, to: window.end };
    const report = availabilityForPeriod(this.db, this.config, period);
    const noWindows = availabilityForPeriod(this.db, this.config, period, {
      policyVersion: report.policy.version,
      windows: false,
    });
    this.lastPolicy = report.policy;
    const withoutWindows = new Map(
      [...noWindows.devices, ...noWindows.providers].map((d) => [d.device, d.expectedMs]),
    );
    const intervals = this.intervals(window);
    const gaps = unmonitoredGaps(this.db);
    return [...report.devices, ...report.providers].map((fig) => {
      const device = this.devices.get(fig.device)!;
      const ivs = intervals.get(fig.device) ?? [
        {
          start: window.start,
          end: window.end,
          state: "unmonitored" as const,
          cause: "no state recorded yet",
        },
      ];
      const unwatched: Interval[] = [...gaps];
      for (const iv of ivs)
        if (
          iv.state === "unmonitored" &&
          (iv.cause !== NEVER_SEEN || report.policy.newDevices !== "whole-period")
        )
          unwatched.push({ from: iv.start, to: iv.end });
      return {
        deviceId: fig.device,
        name: device.name,
        site: fig.site,
        system: fig.system,
        kind: device.kind,
        criticality: device.criticality,
        ...(fig.provider ? { thirdParty: true } : {}),
        addedAt: null,
        removedAt: null,
        expectedMs: fig.expectedMs,
        downtimeMs: fig.downMs,
        maintenanceMs: (withoutWindows.get(fig.device) ?? fig.expectedMs) - fig.expectedMs,
        unmonitoredMs: union(unwatched, period).reduce((s, i) => s + (i.to - i.from), 0),
        intervals: ivs,
      };
    });
  }

  async tickets(window: ReportWindow): Promise<TicketRecord[]> {
    return ticketRecordsFor(this.db, this.config, window);
  }

  async maintenanceWindows(window: ReportWindow): Promise<MaintenanceWindow[]> {
    // Only approved windows count (requested or cancelled ones exclude nothing).
    return windowsBetween(this.db, window.start, window.end, true).map((w) => ({
      id: String(w.id),
      kind: w.kind,
      start: w.startsAt,
      end: w.endsAt,
      deviceIds: w.devices,
      sites: w.sites,
      reason: w.why,
      approvedBy: w.approvedBy ?? "",
    }));
  }

  /** Every device's state intervals clipped to the window, with the ledger's causes. */
  private intervals(window: ReportWindow): Map<string, StateInterval[]> {
    return new Map(
      this.config.devices.map((d) => [d.id, stateIntervals(this.db, d.id, window.start, window.end)]),
    );
  }
}

/**
 * The tickets that matter to a window (source.ts's rule), as the report's records: read once,
 * synchronously. Also what the ticket report (src/tickets/period-summary.ts) judges, so both count alike.
 */
export function ticketRecordsFor(
  db: Db,
  config: Pick<Config, "devices" | "sla">,
  window: ReportWindow,
): TicketRecord[] {
  return ticketCandidates(db, config, window)
    .map((t) => ticketRecord(t, config))
    .filter((t) => mattersTo(t, window));
}

/** Whether a ticket matters to the window (source.ts's rule). */
export function mattersTo(t: TicketRecord, window: ReportWindow): boolean {
  return (
    t.startedAt < window.end &&
    ((t.verifiedAt ?? t.clearedAt ?? Number.POSITIVE_INFINITY) >= window.start ||
      (t.deadlines.repair >= window.start && t.deadlines.repair < window.end) ||
      t.state !== "closed")
  );
}

/**
 * The store's tickets that may matter to the window (a superset of source.ts's rule, by index; every
 * ticket reported in the window is among them), in id order.
 */
export function ticketCandidates(db: Db, config: Pick<Config, "sla">, window: ReportWindow): Ticket[] {
  const clocks = config.sla.clocks;
  const longest = Math.max(clocks.major.repair, clocks.general.repair, clocks.consult.repair);
  return readTickets(
    db,
    "WHERE fault_start < ? AND (closed_at IS NULL OR closed_at >= ? OR reported_at >= ?) ORDER BY id",
    window.end,
    window.start,
    window.start - longest,
  );
}

const byIdCache = new WeakMap<object, Map<string, Config["devices"][number]>>();
/** The inventory by device id, built once per config. */
function devicesById(devices: Config["devices"]): Map<string, Config["devices"][number]> {
  let m = byIdCache.get(devices);
  if (!m) {
    m = new Map(devices.map((d) => [d.id, d]));
    byIdCache.set(devices, m);
  }
  return m;
}

/** A ticket of the store as the report reads it (clocks from src/tickets/deadlines.ts). */
export function ticketRecord(t: Ticket, config: Pick<Config, "devices" | "sla">): TicketRecord {
  const deadlines = ticketClocks(t, config.sla.clocks, t.reportedAt);
  const device = t.device ? devicesById(config.devices).get(t.device) : undefined;
  return {
    id: String(t.id),
    deviceId: t.device ?? "",
    site: t.site ?? device?.site ?? "",
    system: device?.system ?? "",
    level: t.level,
    symptom: t.symptom,
    faultType: t.faultType ?? t.code,
    startedAt: t.faultStart,
    openedAt: t.reportedAt,
    acceptedAt: t.acceptedAt,
    arrivedAt: t.arrivedAt,
    clearedAt: t.clearedAt,
    verifiedAt: t.state === "closed" ? t.closedAt : null,
    repairMs: t.clearedAt !== null && t.repairedAt !== null ? t.repairedAt - t.faultStart : null,
    cause: t.cause ?? "",
    handling: t.handling ?? "",
    responsibility: t.responsibility ?? "",
    lessons: t.lessons ?? "",
    handler: t.handler ?? "",
    repeatOf: t.repeatOf === null ? null : String(t.repeatOf),
    state: stateOf[t.state],
    // Issue 5 has no "remote only" flag: the on-site clock applies until the fault is repaired
    // without a visit (its on-site clock then stops at the repair; the report shows n/a).
    onsiteRequired: t.arrivedAt !== null || t.repairedAt === null,
    deadlines: {
      respond: deadlines.respond.deadline,
      onsite: deadlines.onsite.deadline,
      repair: deadlines.repair.deadline,
    },
  };
}

const stateOf: Record<Ticket["state"], TicketState> = {
  opened: "open",
  accepted: "accepted",
  onsite: "onsite",
  cleared: "cleared",
  closed: "closed",
};
