/**
 * ReportSource over plain arrays: for tests, the benchmark and `emcomm report --source FILE` (a JSON
 * snapshot). It also serves as the reference of what the availability ledger must return: figures derived
 * from state changes, the period and maintenance windows as described in source.ts.
 *
 * Accounting (this implementation's, version "memory-1"): before a device's first state change its
 * state is `unmonitored`. up, degraded and impacted are expected in service and not down; down is
 * expected and down; maintenance, and any expected time a maintenance window or drill covers, is
 * maintenance-excluded; not-in-service counts for nothing; unmonitored is reported, never downtime.
 */
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
}

export interface StateChange {
  deviceId: string;
  at: number;
  state: DeviceState;
  cause: string;
}

export interface MemorySourceData {
  policyVersion?: string;
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
    return { policyVersion: this.data.policyVersion ?? "memory-1" };
  }

  async availability(window: ReportWindow): Promise<DeviceAvailability[]> {
    const out: DeviceAvailability[] = [];
    for (const d of this.data.devices) {
      const from = Math.max(window.start, d.addedAt ?? -Infinity);
      const to = Math.min(window.end, d.removedAt ?? Infinity);
      if (from >= to) continue;
      const covering = this.data.windows
        .filter((w) => w.start < to && w.end > from && coversDevice(w, d))
        .map((w) => [Math.max(w.start, from), Math.min(w.end, to)] as const)
        .sort((a, b) => a[0] - b[0]);
      const intervals = this.intervals(d.id, from, to);
      let expectedMs = 0;
      let downtimeMs = 0;
      let maintenanceMs = 0;
      let unmonitoredMs = 0;
      for (const iv of intervals) {
        const len = iv.end - iv.start;
        if (iv.state === "not-in-service") continue;
        if (iv.state === "unmonitored") {
          unmonitoredMs += len;
          continue;
        }
        if (iv.state === "maintenance") {
          maintenanceMs += len;
          continue;
        }
        const covered = overlap(covering, iv.start, iv.end);
        maintenanceMs += covered;
        expectedMs += len - covered;
        if (iv.state === "down") downtimeMs += len - covered;
      }
      out.push({
        deviceId: d.id,
        name: d.name,
        site: d.site,
        system: d.system,
        kind: d.kind,
        criticality: d.criticality,
        addedAt: d.addedAt !== undefined && d.addedAt !== null && d.addedAt > window.start ? d.addedAt : null,
        removedAt:
          d.removedAt !== undefined && d.removedAt !== null && d.removedAt < window.end ? d.removedAt : null,
        expectedMs,
        downtimeMs,
        maintenanceMs,
        unmonitoredMs,
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

/** Total length of the (sorted, possibly overlapping) ranges inside [a, b). */
function overlap(ranges: readonly (readonly [number, number])[], a: number, b: number): number {
  let total = 0;
  let cursor = a;
  for (const [s, e] of ranges) {
    if (e <= cursor) continue;
    if (s >= b) break;
    const from = Math.max(s, cursor);
    const to = Math.min(e, b);
    if (to > from) {
      total += to - from;
      cursor = to;
    }
  }
  return total;
}
