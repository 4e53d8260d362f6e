/**
 * Turns what walk.ts collected into Samples, by the profile: codecs, skips, maps, scales, labels,
 * counters and rates. Pure apart from the CounterMemory it updates (one per device, owned by the
 * driver); `now` is the poll's start on the injected clock.
 */
import { PollError } from "../../src/core/errors.ts";
import type { Sample } from "../../src/core/types.ts";
import { blockLabels } from "../shared/blocks.ts";
import {
  type CounterValue,
  counterDelta,
  float32FromOctets,
  rate,
  rebooted,
  toCounter,
  toNumber,
  transform,
} from "./codec.ts";
import type { ColumnObject, Profile, ScalarObject, TableObject, ValueCodec } from "./profile.ts";
import type { VarBind } from "./transport.ts";
import type { Collected } from "./walk.ts";

/** Row index → last raw counter of a column and when it was read (updated in place). */
type RowCounters = Map<string, { value: CounterValue; at: number }>;

export interface CounterMemory {
  uptimeTicks?: number;
  reboots: number;
  /** Column OID → its rows' counters. */
  counters: Map<string, RowCounters>;
  /** Table → row index → the labels object of its samples, reused while the name is unchanged. */
  labels: Map<TableObject, Map<string, Readonly<Record<string, string>>>>;
}

export function newCounterMemory(): CounterMemory {
  return { reboots: 0, counters: new Map(), labels: new Map() };
}

export interface Interpretation {
  samples: Sample[];
  /** Blocks the device does not have, with what it answered (for the log). */
  unsupported: ReadonlyMap<string, string>;
  /** The agent restarted since the previous poll (sysUpTime went backwards). */
  rebooted: boolean;
}

function decode(vb: VarBind, c: ValueCodec): number | undefined {
  const raw = c.codec === "float32" ? float32FromOctets(vb.value) : toNumber(vb.type, vb.value);
  if (raw === undefined) return undefined;
  return transform(raw, c);
}

export function interpret(
  profile: Profile,
  got: Collected,
  memory: CounterMemory,
  now: number,
): Interpretation {
  const samples: Sample[] = [];
  const shape = shapeOf(profile);
  const unsupported = unsupportedBlocks(profile, got);
  let missingRequired: ScalarObject[] | undefined;
  for (const s of shape.required) {
    if (got.scalars.has(s.oid) || unsupported.has(s.block ?? "")) continue;
    missingRequired ??= [];
    missingRequired.push(s);
  }
  if (missingRequired)
    throw new PollError(
      "decode",
      `profile ${profile.name}: required object${missingRequired.length > 1 ? "s" : ""} missing: ${missingRequired
        .map((s) => `${s.metric} (${s.oid}: ${got.missing.get(s.oid) ?? "not answered"})`)
        .join(", ")}`,
    );
  const own = shape.own;
  if (own.length > 0 && unsupported.size >= own.length && own.every((b) => unsupported.has(b)))
    throw new PollError(
      "decode",
      `profile ${profile.name}: the device has none of its blocks (${own.join(", ")}; wrong profile?): ${[
        ...unsupported.values(),
      ].join("; ")}`,
    );
  for (const block of profile.blocks)
    samples.push({
      metric: "profile_block_supported",
      value: unsupported.has(block) ? 0 : 1,
      labels: blockLabels(block),
    });

  let wasRebooted = false;
  for (const s of profile.scalars) {
    const vb = got.scalars.get(s.oid);
    if (!vb) continue;
    if (s.role === "uptime") {
      const ticks = toNumber(vb.type, vb.value);
      if (ticks === undefined)
        throw new PollError("decode", `profile ${profile.name}: sysUpTime is not a number`);
      if (rebooted(memory.uptimeTicks, ticks)) {
        wasRebooted = true;
        memory.reboots++;
        memory.counters.clear();
      }
      memory.uptimeTicks = ticks;
    }
    const value = decode(vb, s);
    if (value !== undefined) samples.push({ metric: s.metric, value });
  }
  if (shape.hasUptime) samples.push({ metric: "system_reboots_total", value: memory.reboots });

  for (const table of profile.tables) {
    const labelsOf = rowLabels(table, got, memory);
    for (const column of table.columns) {
      const rows = got.columns.get(column.oid);
      if (!rows) continue;
      let counters = memory.counters.get(column.oid);
      if (!counters && column.as === "rate") {
        counters = new Map();
        memory.counters.set(column.oid, counters);
      }
      // forEach, not for-of over entries: no [index, varbind] pair per row and poll.
      rows.forEach((vb, index) => {
        const value = columnValue(column, vb, index, counters, now);
        if (value !== undefined) samples.push({ metric: column.metric, value, labels: labelsOf(index) });
      });
    }
  }
  return { samples, rebooted: wasRebooted, unsupported };
}

function columnValue(
  column: ColumnObject,
  vb: VarBind,
  index: string,
  counters: RowCounters | undefined,
  now: number,
): number | undefined {
  if (column.as !== "rate" || !counters) return decode(vb, column);
  let current: CounterValue;
  try {
    current = toCounter(vb.value);
  } catch {
    return undefined;
  }
  const previous = counters.get(index);
  if (!previous) {
    counters.set(index, { value: current, at: now });
    return undefined;
  }
  const delta = counterDelta(previous.value, current, column.bits ?? 32);
  const elapsed = now - previous.at;
  previous.value = current;
  previous.at = now;
  return rate(delta, elapsed, column.scale ?? 1);
}

/**
 * Row index → the labels object of the row's samples ({ ifname: "Gi1/0/1" }). The object of a row
 * is kept across polls and reused while its label text is unchanged, so a steady table allocates
 * no labels (and consumers may cache by it).
 */
function rowLabels(
  table: TableObject,
  got: Collected,
  memory: CounterMemory,
): (index: string) => Readonly<Record<string, string>> {
  let rows = memory.labels.get(table);
  if (!rows) {
    rows = new Map();
    memory.labels.set(table, rows);
  }
  const label = table.label;
  const labelOf = tableLabels(table.labelOid ? got.columns.get(table.labelOid) : undefined);
  const known = rows;
  // Every column of the table asks for the same rows: each row's labels are worked out once per poll.
  const thisPoll = new Map<string, Readonly<Record<string, string>>>();
  return (index) => {
    let labels = thisPoll.get(index);
    if (labels !== undefined) return labels;
    const text = labelOf(index);
    labels = known.get(index);
    if (labels?.[label] !== text) {
      labels = Object.freeze({ [label]: text });
      known.set(index, labels);
    }
    thisPoll.set(index, labels);
    return labels;
  };
}

/**
 * Row index → label value: the label column's text (ifName, entPhysicalName), or the index when it
 * is empty or absent. Names that repeat within the table get their index appended ("Fan #2"), so
 * two rows never share one series.
 */
export function tableLabels(labelRows: ReadonlyMap<string, VarBind> | undefined): (index: string) => string {
  const texts = new Map<string, string>();
  const counts = new Map<string, number>();
  labelRows?.forEach((vb, index) => {
    const raw = Buffer.isBuffer(vb.value)
      ? vb.value.toString("utf8")
      : typeof vb.value === "string"
        ? vb.value
        : "";
    const t = raw.replace(/\0+$/, "").trim();
    if (!t) return;
    texts.set(index, t);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  });
  return (index) => {
    const t = texts.get(index);
    if (t === undefined) return index;
    return counts.get(t)! > 1 ? `${t} #${index}` : t;
  };
}

/**
 * Blocks the device does not have (never "system"): every required scalar of the block missing (noSuchObject,
 * noSuchInstance, endOfMibView), or, for a block without required scalars, nothing of it answered
 * (no optional scalar, no table row). A block with some required scalars present and others
 * missing is not unsupported: that is a broken answer, and fails the poll.
 */
export function unsupportedBlocks(profile: Profile, got: Collected): ReadonlyMap<string, string> {
  let out: Map<string, string> | undefined;
  for (const { name: block, scalars, required, columns } of shapeOf(profile).blocks) {
    let why: string | undefined;
    if (required.length > 0) {
      if (required.every((s) => !got.scalars.has(s.oid)))
        why = `${block}: ${required.map((s) => `${s.metric} (${s.oid}: ${got.missing.get(s.oid) ?? "not answered"})`).join(", ")}`;
    } else if (
      scalars.length + columns.length > 0 &&
      !scalars.some((s) => got.scalars.has(s.oid)) &&
      !columns.some((c) => (got.columns.get(c.oid)?.size ?? 0) > 0)
    )
      why = `${block}: no object of it answered`;
    if (why === undefined) continue;
    out ??= new Map();
    out.set(block, why);
  }
  return out ?? NONE_UNSUPPORTED;
}

/** What a device that has every block of its profile answers (one shared empty map). */
const NONE_UNSUPPORTED: ReadonlyMap<string, string> = new Map();

/** What interpret() reads of a profile on every poll, worked out once per profile. */
interface ProfileShape {
  /** Required scalars, in profile order. */
  required: readonly ScalarObject[];
  /** The blocks other than "system" (the agent itself: without sysUpTime the answer is broken, not partial). */
  own: readonly string[];
  /** Each of those blocks' scalars, required scalars and table columns. */
  blocks: readonly {
    name: string;
    scalars: readonly ScalarObject[];
    required: readonly ScalarObject[];
    columns: readonly ColumnObject[];
  }[];
  hasUptime: boolean;
}

const shapes = new WeakMap<Profile, ProfileShape>();
function shapeOf(profile: Profile): ProfileShape {
  let shape = shapes.get(profile);
  if (shape) return shape;
  const own = profile.blocks.filter((b) => b !== "system");
  shape = {
    required: profile.scalars.filter((s) => s.required !== false),
    own,
    blocks: own.map((name) => {
      const scalars = profile.scalars.filter((s) => s.block === name);
      return {
        name,
        scalars,
        required: scalars.filter((s) => s.required !== false),
        columns: profile.tables.filter((t) => t.block === name).flatMap((t) => t.columns),
      };
    }),
    hasUptime: profile.scalars.some((s) => s.role === "uptime"),
  };
  shapes.set(profile, shape);
  return shape;
}
