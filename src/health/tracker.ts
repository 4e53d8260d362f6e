/**
 * What the health engine knows of one device: its raw health from its own polls (with the runs
 * of failed and good polls that lead to it), the state in effect after the overlays, and the
 * live view of it for the API and metrics. Restored from the ledger at start.
 */
import type { DeviceConfig } from "../config/schema.ts";
import type { HealthRule } from "../core/types.ts";
import {
  type DeviceState,
  downTransitionsSince,
  latestTransitions,
  type MaintenanceWindow,
} from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import type { Observation } from "./rules.ts";

export type RawState = "up" | "degraded" | "down";

/** The device's health from its own polls alone. */
export interface Raw {
  state: RawState;
  code: string | null;
  cause: string;
  linkDrop: boolean;
}

/** The recorded state: the raw health seen through the overlays. */
export interface Effective {
  state: DeviceState;
  code: string | null;
  cause: string;
  detail: Record<string, unknown>;
}

export interface Tracker {
  device: DeviceConfig;
  rules: readonly HealthRule[];
  raw: Raw | null;
  failRun: { count: number; firstAt: number; obs: Exclude<Observation, { kind: "ok" }> } | null;
  goodRun: { count: number; firstAt: number; obs: Observation } | null;
  /** After an upstream recovered: stay impacted until the device's own polls decide. */
  hold: { fails: number; firstFail: number | null } | null;
  effective: Effective | null;
  since: number | null;
  lastAt: number;
  downTimes: number[];
  flapping: boolean;
  window: MaintenanceWindow | null;
  /** The monitor itself cannot poll the device (config or internal error): never the device's fault. */
  blind: { since: number; kind: string } | null;
}

/** The live view of one device, for the API and metrics. */
export interface DeviceHealth {
  device: string;
  site: string;
  kind: string;
  /** null until the first poll decided anything. */
  state: DeviceState | null;
  since: number | null;
  code: string | null;
  /**
   * While the device's polls fail but are not yet enough to declare it down: the code it will be
   * declared down with (null otherwise), so an alert on failing polls carries its code from the start.
   */
  failing: string | null;
  cause: string | null;
  flapping: boolean;
  /** The state came from a rule flagged as a link drop, or from the far end not answering. */
  linkDrop: boolean;
  /** The outage is a third party's (own flag, or an impacted state whose root cause is). */
  thirdParty: boolean;
  upstream: string | null;
}

export function newTracker(device: DeviceConfig, rules: readonly HealthRule[]): Tracker {
  return {
    device,
    rules,
    raw: null,
    failRun: null,
    goodRun: null,
    hold: null,
    effective: null,
    since: null,
    lastAt: Number.NEGATIVE_INFINITY,
    downTimes: [],
    flapping: false,
    window: null,
    blind: null,
  };
}

/** Each device's last recorded state, and its downs within the flapping window. */
export function restoreTrackers(
  db: Db,
  trackers: ReadonlyMap<string, Tracker>,
  now: number,
  flappingWindow: number,
): void {
  const latest = latestTransitions(db);
  const recentDowns = downTransitionsSince(db, now - flappingWindow);
  for (const [device, at] of recentDowns) trackers.get(device)?.downTimes.push(at);
  for (const [device, tr] of latest) {
    const t = trackers.get(device);
    if (!t) continue;
    const raw = tr.detail?.raw as Raw | undefined;
    t.raw = raw ?? null;
    t.effective = { state: tr.state, code: tr.code, cause: tr.cause, detail: tr.detail ?? {} };
    t.since = tr.at;
    t.lastAt = tr.at;
    t.flapping = tr.detail?.flapping === true;
  }
}

export function viewOf(t: Tracker): DeviceHealth {
  const eff = t.effective;
  return {
    device: t.device.id,
    site: t.device.site,
    kind: t.device.kind,
    state: eff?.state ?? null,
    since: t.since,
    code: eff?.code ?? null,
    failing: t.failRun?.obs.pollFailed ? t.failRun.obs.code : null,
    cause: eff?.cause ?? null,
    flapping: t.flapping,
    linkDrop: eff?.state === "down" || eff?.state === "degraded" ? (t.raw?.linkDrop ?? false) : false,
    thirdParty: eff?.detail.thirdParty === true,
    upstream: typeof eff?.detail.upstream === "string" ? eff.detail.upstream : null,
  };
}
