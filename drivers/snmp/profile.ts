/**
 * Device knowledge as data. A profile is a list of blocks (system, ifMib, upsRfc1628, …); a block
 * says which OIDs to read, how to scale and name them, which metrics it emits and which conditions
 * mean down or degraded. One generic collector (walk.ts) and interpreter (interpret.ts) run every
 * profile; adding a device model should need a new block file, not new code.
 */
import type { HealthRule, MetricSpec, Sample } from "../../src/core/types.ts";
import { BLOCK_SUPPORTED, rule } from "../shared/model.ts";

/** How a raw value becomes the sample value. Applied in this order: codec, skip, map, scale. */
export interface ValueCodec {
  /** "number" (default): INTEGER/Gauge/TimeTicks/numeric text; "float32": 4 octets IEEE-754. */
  codec?: "number" | "float32";
  /** Raw values that mean "not available" (65535 on H3C temperatures): no sample is emitted. */
  skip?: readonly number[];
  /** Raw → value (enum to 1/0). A raw value not in the map is skipped unless mapDefault is set. */
  map?: Readonly<Record<number, number>>;
  mapDefault?: number;
  scale?: number;
}

export interface ScalarObject extends ValueCodec {
  metric: string;
  /** Instance OID, e.g. 1.3.6.1.2.1.1.3.0. */
  oid: string;
  /** A missing required object fails the poll (decode); a missing optional one is left out. Default true. */
  required?: boolean;
  /** sysUpTime: read for reboot detection (TimeTicks). */
  role?: "uptime";
  /** The block it came from (set by composeProfile). */
  block?: string;
}

export interface ColumnObject extends ValueCodec {
  metric: string;
  /** Column OID (the table entry OID plus the column number); rows are its instances. */
  oid: string;
  /**
   * "gauge" (default): the value itself. "counter": the raw counter (exported as *_total).
   * "rate": per-second increase between polls (Counter32 wrap and Counter64 handled), times scale.
   */
  as?: "gauge" | "counter" | "rate";
  bits?: 32 | 64;
}

export interface TableObject {
  /** The sample label that tells rows apart (ifname, entity, line, fan, psu, port). */
  label: string;
  /** A column with the same index whose text is the label value (ifName, entPhysicalName); else the index. */
  labelOid?: string;
  columns: readonly ColumnObject[];
  /** The block it came from (set by composeProfile). */
  block?: string;
}

export interface Block {
  name: string;
  metrics: readonly MetricSpec[];
  scalars?: readonly ScalarObject[];
  tables?: readonly TableObject[];
  rules?: readonly HealthRule[];
}

/** A profile as the driver runs it: the union of its blocks, after per-device overrides. */
export interface Profile {
  name: string;
  blocks: readonly string[];
  metrics: readonly MetricSpec[];
  scalars: readonly ScalarObject[];
  tables: readonly TableObject[];
  rules: readonly HealthRule[];
}

export function composeProfile(name: string, blocks: readonly Block[]): Profile {
  const metrics = new Map<string, MetricSpec>();
  for (const b of blocks) for (const m of b.metrics) metrics.set(m.name, m);
  return {
    name,
    blocks: blocks.map((b) => b.name),
    metrics: [...metrics.values()],
    scalars: blocks.flatMap((b) => (b.scalars ?? []).map((x) => ({ ...x, block: b.name }))),
    tables: blocks.flatMap((b) => (b.tables ?? []).map((x) => ({ ...x, block: b.name }))),
    rules: blocks.flatMap((b) => b.rules ?? []),
  };
}

/**
 * The device's own profile: `oids` re-points objects by metric name (the vendor-neutral satellite
 * maps are assumptions), `thresholds` replaces rule values by rule code.
 */
export function customizeProfile(
  profile: Profile,
  oids: Readonly<Record<string, string>> = {},
  thresholds: Readonly<Record<string, number>> = {},
  uplinks: readonly string[] = [],
): Profile {
  // Devices without overrides share their model's profile (and what is worked out from it once).
  if (Object.keys(oids).length + Object.keys(thresholds).length + uplinks.length === 0) return profile;
  const uplinkRules = uplinks.map((ifname) =>
    rule(
      `uplink_down:${ifname}`,
      "down",
      "if_oper_up",
      "==",
      0,
      `上联端口${ifname}中断`,
      `Uplink ${ifname} down`,
      {
        linkDrop: true,
        labels: { ifname },
      },
    ),
  );
  return {
    ...profile,
    scalars: profile.scalars.map((s) => (oids[s.metric] ? { ...s, oid: oids[s.metric]! } : s)),
    tables: profile.tables.map((t) => ({
      ...t,
      columns: t.columns.map((c) => (oids[c.metric] ? { ...c, oid: oids[c.metric]! } : c)),
    })),
    rules: [...profile.rules, ...uplinkRules].map((r) =>
      thresholds[r.code] !== undefined ? { ...r, value: thresholds[r.code]! } : r,
    ),
  };
}

/** Shorthands for MetricSpec and HealthRule tables in block files (shared with every protocol). */
export { counter, gauge, rule } from "../shared/model.ts";

/** Samples whose metric is not declared, or that carry a label the metric does not declare. */
export function undeclared(profile: Profile, samples: Sample[]): string[] {
  const specs = new Map([...profile.metrics, BLOCK_SUPPORTED].map((m) => [m.name, m]));
  return samples.flatMap((s) => {
    const spec = specs.get(s.metric);
    if (!spec) return [s.metric];
    const extra = Object.keys(s.labels ?? {}).filter((l) => !spec.labels?.includes(l));
    return extra.length ? [`${s.metric}{${extra.join(",")}}`] : [];
  });
}
