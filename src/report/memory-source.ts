/**
 * ReportSource over plain arrays: for tests, the benchmark and `emcomm report --source FILE` (a JSON
 * snapshot of devices, state changes, tickets and windows). It produces each device's intervals and
 * hands them to the ledger's integration (integrateDevice, src/ledger/availability.ts): the figures
 * are the ledger's, computed once, under the ledger's default policy ("memory-2": from the first
 * recorded state; `downStates` down). The snapshot's `not-in-service` and `maintenance` states stand in
 * for the store's service calendar and approved windows (excluded), like its windows and drills.
 */
import { type Interval, integrateDevice } from "../ledger/availability.ts";
import type {
  DeviceAvailability,
  DeviceState,
  MaintenanceWindow,
  ReportSource,
  ReportSourceMeta,
  ReportWindow,
  StateInterval,
  TicketRecord,
} from "./source.ts";

export interface MemoryDevice {
  id: string;
  name: { zh: string; en: string };
  site: string;
  system: string;
  kind: string;
  criticality: DeviceAvailability["criticality"];
  /** When it joined the inventory (default: always there). */
  addedAt?: number | null;
  removedAt?: number | null;
  /** A third party's device (the satellite service): shown apart, never in the contractor's figures. */
  thirdParty?: boolean;
}

export interface StateChange {
  deviceId: string;
  at: number;
  state: DeviceState;
  cause: string;
}

export interface MemorySourceData {
  policyVersion?: string;
  /** The ledger policy's settings the snapshot was taken under (defaults: down, time-weighted). */
  downStates?: ("down" | "degraded" | "impacted")[];
  aggregate?: "time-weighted" | "device-mean";
  /** The ticket system's repeat window (sla.repeatWindow, ms) for tickets without a link; absent = links only. */
  repeatWindowMs?: number;
  devices: MemoryDevice[];
  changes: StateChange[];
  tickets: TicketRecord[];
  windows: MaintenanceWindow[];
}

export class MemoryReportSource implements ReportSource {
  private readonly changesByDevice = new Map<string, StateChange[]>();

  constructor(private readonly data: MemorySourceData) {
    for (const c of data.changes) {
      const list = this.changesByDevice.get(c.deviceId) ?? [];
      list.push(c);
      this.changesByDevice.set(c.deviceId, list);
    }
    for (const list of this.changesByDevice.values()) list.sort((a, b) => a.at - b.at);
  }

  meta(): ReportSourceMeta {
    return {
      policyVersion: this.data.policyVersion ?? "memory-2",
      aggregate: this.data.aggregate ?? "time-weighted",
      ...(this.data.repeatWindowMs === undefined ? {} : { repeatWindowMs: this.data.repeatWindowMs }),
    };
  }

  async availability(window: ReportWindow): Promise<DeviceAvailability[]> {
    const out: DeviceAvailability[] = [];
    const policy = { downStates: this.data.downStates ?? ["down"], newDevices: "from-first-seen" as const };
    for (const d of this.data.devices) {
      const from = Math.max(window.start, d.addedAt ?? -Infinity);
      const to = Math.min(window.end, d.removedAt ?? Infinity);
      if (from >= to) continue;
      const intervals = this.intervals(d.id, from, to);
      const changes = this.changesByDevice.get(d.id) ?? [];
      // Outside the inventory, and the states that stand in for the store's service calendar and
      // windows (not in service, maintenance), are not expected; windows and drills covering the
      // device are excluded like the store's approved windows.
      const absent: Interval[] = [
        { from: window.start, to: from },
        { from: to, to: window.end },
        ...intervals.filter((i) => i.state === "not-in-service").map((i) => ({ from: i.start, to: i.end })),
      ];
      const planned: Interval[] = [
        ...intervals.filter((i) => i.state === "maintenance").map((i) => ({ from: i.start, to: i.end })),
        ...this.data.windows
          .filter((w) => w.start < to && w.end > from && coversDevice(w, d))
          .map((w) => ({ from: w.start, to: w.end })),
      ];
      const timeline = {
        device: d.id,
        site: d.site,
        system: d.system,
        at: changes.map((c) => c.at),
        state: changes.map((c) => c.state),
        exclusions: [...absent, ...planned],
      };
      const period = { from: window.start, to: window.end };
      const fig = integrateDevice(timeline, period, policy);
      const unplanned = integrateDevice({ ...timeline, exclusions: absent }, period, policy);
      out.push({
        deviceId: d.id,
        name: d.name,
        site: d.site,
        system: d.system,
        kind: d.kind,
        criticality: d.criticality,
        ...(d.thirdParty ? { thirdParty: true } : {}),
        addedAt: d.addedAt !== undefined && d.addedAt !== null && d.addedAt > window.start ? d.addedAt : null,
        removedAt:
          d.removedAt !== undefined && d.removedAt !== null && d.removedAt < window.end ? d.removedAt : null,
        expectedMs: fig.expectedMs,
        downtimeMs: fig.downMs,
        maintenanceMs: unplanned.expectedMs - fig.expectedMs,
        unmonitoredMs: intervals
          .filter((i) => i.state === "unmonitored")
          .reduce((sum, i) => sum + (i.end - i.start), 0),
        intervals,
      });
    }
    return out;
  }

  async tickets(window: ReportWindow): Promise<TicketRecord[]> {
    return this.data.tickets.filter(
      (t) =>
        t.startedAt < window.end &&
        ((t.verifiedAt ?? t.clearedAt ?? Infinity) >= window.start ||
          (t.deadlines.repair >= window.start && t.deadlines.repair < window.end) ||
          t.state !== "closed"),
    );
  }

  async maintenanceWindows(window: ReportWindow): Promise<MaintenanceWindow[]> {
    return this.data.windows.filter((w) => w.start < window.end && w.end > window.start);
  }

  /** The device's state intervals clipped to [from, to). */
  private intervals(deviceId: string, from: number, to: number): StateInterval[] {
    const changes = this.changesByDevice.get(deviceId) ?? [];
    // Binary search for the last change at or before `from`.
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (changes[mid]!.at <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: StateInterval[] = [];
    let state: DeviceState = lo > 0 ? changes[lo - 1]!.state : "unmonitored";
    let cause = lo > 0 ? changes[lo - 1]!.cause : "no state recorded yet";
    let at = from;
    for (let i = lo; i < changes.length && changes[i]!.at < to; i++) {
      const c = changes[i]!;
      if (c.at > at) out.push({ start: at, end: c.at, state, cause });
      state = c.state;
      cause = c.cause;
      at = Math.max(at, c.at);
    }
    if (to > at) out.push({ start: at, end: to, state, cause });
    // Merge neighbours in the same state (repeated changes to the same state).
    const merged: StateInterval[] = [];
    for (const iv of out) {
      const last = merged[merged.length - 1];
      if (last && last.state === iv.state && last.end === iv.start) last.end = iv.end;
      else merged.push({ ...iv });
    }
    return merged;
  }
}

function coversDevice(w: MaintenanceWindow, d: MemoryDevice): boolean {
  return w.deviceIds.includes(d.id) || w.sites.includes(d.site);
}
