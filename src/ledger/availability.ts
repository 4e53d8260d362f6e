/**
 * Availability integrated from the ledger's intervals, never from samples:
 *
 *   availability = (expected-in-service time − downtime) / expected-in-service time × 100
 *
 * Expected time is the period minus every excluded interval: approved maintenance windows and
 * drills, time outside the site's service calendar (a `deployed` site stood down), daemon outages
 * (unmonitored), the state `unmonitored`, `impacted` unless the
 * policy counts it (never when its upstream is a third party's), and, under the `from-first-seen`
 * policy, the time before a device's first recorded state. Downtime is the time in the policy's
 * down states that is not excluded.
 *
 * `computeAvailability` is pure (the property tests drive it); `availabilityForPeriod` reads the
 * store and the config and calls it. Same store + same config → the same figures, to the ms.
 */

import type { Config } from "../config/schema.ts";
import type { AccountingPolicy } from "../config/sla-schema.ts";
import { zonedTime } from "../core/zoned-time.ts";
import type { Db } from "../store/db.ts";
import type { Period } from "./period.ts";
import {
  type DeviceState,
  deployments,
  timelines,
  unmonitoredGaps,
  windowCovers,
  windowsBetween,
} from "./store.ts";

export interface Interval {
  from: number;
  to: number;
}

/** A device's state changes: the state before `at[0]` is unknown (never seen). */
export interface DeviceTimeline {
  device: string;
  site: string;
  system: string;
  at: readonly number[];
  state: readonly DeviceState[];
  /** Per entry: whether an `impacted` state's root cause is a third party's device. */
  thirdParty?: readonly boolean[];
  /** Intervals excluded from expected time (windows, calendar, daemon outages), any order. */
  exclusions: readonly Interval[];
  /**
   * A third party's device (sla.devices.<id>.thirdParty, the satellite service): integrated as the
   * provider's availability (its own outages count against the provider) and kept out of the
   * contractor's site, system and contract figures.
   */
  provider?: boolean;
}

export interface AvailabilityFigure {
  /** Expected-in-service time within the period, ms. */
  expectedMs: number;
  /** Downtime within expected time, ms. */
  downMs: number;
  /** Percent 0..100, or null when nothing was expected in service (no denominator). */
  availability: number | null;
}

export interface DeviceAvailability extends AvailabilityFigure {
  device: string;
  site: string;
  system: string;
  /** Excluded time (maintenance, calendar, unmonitored, unknown, impacted not counted), ms. */
  excludedMs: number;
  /** Counted down intervals (after exclusions), clipped to the period: the evidence. */
  outages: Interval[];
  /** A third party's device: the provider's figure, not the contractor's. */
  provider?: boolean;
}

export interface GroupAvailability extends AvailabilityFigure {
  devices: number;
}

/** What `availabilityForPeriod` returns; the monthly report reads this shape. */
export interface AvailabilityReport {
  /** The span integrated: the asked period, ending at the as-of instant if that came first. */
  period: Period;
  /** The figures hold up to this instant (the period's end once it has ended): never extrapolated. */
  asOf: number;
  timezone: string;
  /** The accounting policy that produced these figures (its version goes on the report). */
  policy: AccountingPolicy;
  /** The contractor's devices: what the sites, systems and contract figures are made of. */
  devices: DeviceAvailability[];
  /** Third parties' devices (the satellite service), shown apart with their outages as evidence. */
  providers: DeviceAvailability[];
  sites: Record<string, GroupAvailability>;
  systems: Record<string, GroupAvailability>;
  contract: GroupAvailability;
}

/**
 * States excluded by themselves. `maintenance` and `not-in-service` are live views of the windows
 * and deployment tables, which are the authority here (a window approved afterwards still counts;
 * time between a deployment and the first poll is in service), so they are neither down nor excluded.
 */
const alwaysExcluded: ReadonlySet<DeviceState> = new Set(["unmonitored"]);

/**
 * Sorted, merged union of intervals clipped to the period. Never changes an interval: one that lies
 * within the period and merges with none is returned as it is (a year of a fleet has a few hundred
 * thousand), the others as new ones.
 */
export function union(intervals: readonly Interval[], period: Period): Interval[] {
  const clipped: Interval[] = [];
  for (const i of intervals) {
    if (i.from >= period.from && i.to <= period.to) {
      if (i.to > i.from) clipped.push(i);
      continue;
    }
    const from = Math.max(i.from, period.from);
    const to = Math.min(i.to, period.to);
    if (to > from) clipped.push({ from, to });
  }
  clipped.sort(byStart);
  const out: Interval[] = [];
  for (const i of clipped) {
    const last = out[out.length - 1];
    if (!last || i.from > last.to) out.push(i);
    else if (i.to > last.to) out[out.length - 1] = { from: last.from, to: i.to };
  }
  return out;
}

/** `a` minus `b`, both sorted and disjoint. */
function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const x of a) {
    let start = x.from;
    while (j < b.length && b[j]!.to <= start) j++;
    let k = j;
    while (k < b.length && b[k]!.from < x.to) {
      if (b[k]!.from > start) out.push({ from: start, to: b[k]!.from });
      start = Math.max(start, b[k]!.to);
      k++;
    }
    if (start < x.to) out.push({ from: start, to: x.to });
  }
  return out;
}

const byStart = (a: Interval, b: Interval) => a.from - b.from;

function total(xs: readonly Interval[]): number {
  let sum = 0;
  for (const i of xs) sum += i.to - i.from;
  return sum;
}

/** One device over one period under one policy. Pure. */
export function integrateDevice(
  timeline: DeviceTimeline,
  period: Period,
  policy: Pick<AccountingPolicy, "downStates" | "newDevices">,
): DeviceAvailability {
  const down = new Set<DeviceState>(policy.downStates);
  const excluded: Interval[] = [...timeline.exclusions];
  const downIntervals: Interval[] = [];
  const n = timeline.at.length;
  const first = n > 0 ? timeline.at[0]! : Number.POSITIVE_INFINITY;
  if (policy.newDevices === "from-first-seen" && first > period.from)
    excluded.push({ from: period.from, to: Math.min(first, period.to) });
  for (let i = 0; i < n; i++) {
    const from = timeline.at[i]!;
    const to = i + 1 < n ? timeline.at[i + 1]! : period.to;
    if (to <= period.from || from >= period.to || to <= from) continue;
    const state = timeline.state[i]!;
    const seg = { from: Math.max(from, period.from), to: Math.min(to, period.to) };
    // A third party's outage (the satellite service, or a device impacted by it) is never the
    // contractor's; on the provider's own figure it is the provider's downtime.
    if (alwaysExcluded.has(state) || (!timeline.provider && timeline.thirdParty?.[i] && state !== "up"))
      excluded.push(seg);
    else if (state === "impacted") {
      if (!down.has("impacted")) excluded.push(seg);
      else downIntervals.push(seg);
    } else if (down.has(state)) downIntervals.push(seg);
  }
  const excl = union(excluded, period);
  const outages = subtract(union(downIntervals, period), excl);
  const excludedMs = total(excl);
  const expectedMs = period.to - period.from - excludedMs;
  const downMs = total(outages);
  return {
    device: timeline.device,
    site: timeline.site,
    system: timeline.system,
    ...(timeline.provider ? { provider: true } : {}),
    expectedMs,
    downMs,
    excludedMs,
    availability: expectedMs > 0 ? ((expectedMs - downMs) / expectedMs) * 100 : null,
    outages,
  };
}

/** Combines device figures into a group figure under the policy's aggregation. */
export function aggregate(
  figures: readonly AvailabilityFigure[],
  how: AccountingPolicy["aggregate"],
): GroupAvailability {
  let expectedMs = 0;
  let downMs = 0;
  let sum = 0;
  let counted = 0;
  for (const f of figures) {
    expectedMs += f.expectedMs;
    downMs += f.downMs;
    if (f.availability !== null) {
      sum += f.availability;
      counted++;
    }
  }
  let availability: number | null;
  if (how === "device-mean") availability = counted > 0 ? sum / counted : null;
  else availability = expectedMs > 0 ? ((expectedMs - downMs) / expectedMs) * 100 : null;
  return { expectedMs, downMs, availability, devices: figures.length };
}

/** Pure: every device, site, system and the contract for one period. */
export function computeAvailability(
  timelinesList: readonly DeviceTimeline[],
  period: Period,
  policy: AccountingPolicy,
  timezone = "Asia/Shanghai",
): AvailabilityReport {
  if (!(period.to > period.from)) throw new RangeError("a period must end after it starts");
  const all = timelinesList.map((t) => integrateDevice(t, period, policy));
  const devices = all.filter((d) => !d.provider);
  const group = (key: "site" | "system") => {
    const by = new Map<string, DeviceAvailability[]>();
    for (const d of devices) {
      const members = by.get(d[key]);
      if (members) members.push(d);
      else by.set(d[key], [d]);
    }
    return Object.fromEntries([...by].map(([k, v]) => [k, aggregate(v, policy.aggregate)]));
  };
  return {
    period,
    asOf: period.to,
    timezone,
    policy,
    devices,
    providers: all.filter((d) => d.provider),
    sites: group("site"),
    systems: group("system"),
    contract: aggregate(devices, policy.aggregate),
  };
}

/** The policy in force at `at`: the one with the latest `from` (local date) not after it. */
export function policyAt(
  policies: readonly AccountingPolicy[],
  at: number,
  timezone: string,
): AccountingPolicy {
  let best: AccountingPolicy | undefined;
  let bestFrom = Number.NEGATIVE_INFINITY;
  for (const p of policies) {
    const [y, m, d] = p.from.split("-").map(Number) as [number, number, number];
    const from = zonedTime(y, m, d, timezone);
    if (from <= at && from >= bestFrom) {
      best = p;
      bestFrom = from;
    }
  }
  return best ?? policies[0]!;
}

/** Complement of the deployed intervals of a `deployed`-calendar site (not deployed before any declaration). */
export function notDeployedIntervals(
  declarations: readonly { deployed: boolean; at: number }[],
  period: Period,
): Interval[] {
  const out: Interval[] = [];
  let deployed = false;
  let since = Number.NEGATIVE_INFINITY;
  for (const d of [...declarations].sort((a, b) => a.at - b.at)) {
    if (d.deployed === deployed) continue;
    if (!deployed) out.push({ from: since, to: d.at });
    deployed = d.deployed;
    since = d.at;
  }
  if (!deployed) out.push({ from: since, to: Number.POSITIVE_INFINITY });
  return union(out, period);
}

/**
 * Availability of every device of the inventory, its sites, systems and the whole contract for
 * [from, to) (ms since epoch; use monthPeriod("2026-11") for a contract month), from the store.
 * The policy is the one of config.sla.policies in force at `from` unless `policyVersion` names one.
 * With `asOf`, a period that has not ended by then is integrated up to it (month-to-date), never
 * stretched to its end; the report's `period.to` and `asOf` say where it stopped.
 */
export function availabilityForPeriod(
  db: Db,
  config: Pick<Config, "sites" | "devices" | "sla" | "daemon">,
  asked: Period,
  options: {
    policyVersion?: string;
    /**
     * Leave approved maintenance windows and drills out of the exclusions (default true: they are
     * excluded). The monthly report (src/report/store-source.ts) computes once without them to
     * tell how much expected time the windows took out.
     */
    windows?: boolean;
    /** Integrate only up to this instant (e.g. now). */
    asOf?: number;
  } = {},
): AvailabilityReport {
  const tz = config.daemon.timezone;
  const asOf = options.asOf ?? asked.to;
  if (!(asOf > asked.from))
    throw new RangeError(
      `the period starting ${new Date(asked.from).toISOString()} has not started as of ${new Date(asOf).toISOString()}`,
    );
  const period = { from: asked.from, to: Math.min(asked.to, asOf) };
  const policy = options.policyVersion
    ? config.sla.policies.find((p) => p.version === options.policyVersion)
    : policyAt(config.sla.policies, period.from, tz);
  if (!policy) throw new RangeError(`no accounting policy ${options.policyVersion}`);
  const tl = timelines(
    db,
    period.from,
    period.to,
    config.devices.map((d) => d.id),
  );
  const gaps = unmonitoredGaps(db);
  const windows = options.windows === false ? [] : windowsBetween(db, period.from, period.to, true);
  const siteCalendar = new Map(config.sites.map((s) => [s.id, s.calendar]));
  const allDeployments = deployments(db);
  const offSite = new Map<string, Interval[]>();
  for (const site of config.sites)
    if (site.calendar === "deployed")
      offSite.set(
        site.id,
        notDeployedIntervals(
          allDeployments.filter((d) => d.site === site.id),
          period,
        ),
      );
  const list: DeviceTimeline[] = config.devices.map((device) => {
    const t = tl.get(device.id);
    const exclusions: Interval[] = [...gaps];
    for (const w of windows)
      if (windowCovers(w, device.id, device.site)) exclusions.push({ from: w.startsAt, to: w.endsAt });
    if (device.calendar === "site" && siteCalendar.get(device.site) === "deployed")
      exclusions.push(...(offSite.get(device.site) ?? []));
    return {
      device: device.id,
      site: device.site,
      system: device.system,
      at: t?.at ?? [],
      state: t?.state ?? [],
      thirdParty: t?.thirdParty ?? [],
      exclusions,
      ...(config.sla.devices[device.id]?.thirdParty ? { provider: true } : {}),
    };
  });
  return computeAvailability(list, period, policy, tz);
}
