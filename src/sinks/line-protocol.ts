/**
 * Pure encoding of what the daemon knows into InfluxDB line protocol, following the team schema
 * (README "InfluxDB schema"): no I/O, no clock. Called by the InfluxDB sink once per poll outcome
 * (encodeOutcomeBytes: UTF-8 bytes) and once per event (text), on the daemon's thread; what it
 * returns goes into the outbox as it is.
 *
 * - Device samples: measurement = the metric name's first token before "_" (`modem`, `ups`, `if`),
 *   field key = the full metric name, float; tags device, site, kind plus the sample's own labels.
 *   Samples of one outcome that share a measurement and a tag set become one line.
 * - `poll`: fields up (integer 0/1), duration_seconds (float, not for streamed data), error_kind
 *   (string, only on failure); tags device, site, kind.
 * - `device_state`: tags device, site, kind; fields state, previous, cause; time = when it began.
 * - `ticket_event`: tags device, site, level, event; fields ticket, state, actor.
 * Every line carries an explicit timestamp (PollOutcome.startedAt), so a replayed line overwrites
 * itself on the server instead of adding a duplicate.
 *
 * Escaping follows the line-protocol reference: measurement escapes comma and space; tag keys,
 * tag values and field keys escape comma, equals sign and space; string field values escape double
 * quote and backslash. Newline, carriage return and tab are written as `\n`, `\r`, `\t` in names
 * (the parser cannot take them raw). A trailing backslash in a name would escape the separator
 * after it and is removed. Empty tag values are left out (the protocol has no empty tag).
 * Non-finite numbers (NaN, ±Infinity) cannot be written: such a field is left out, and a line left
 * with no field is not written (counted in `skipped` by encodePoints).
 */
import type { PollOutcome } from "../core/outcome.ts";
import type { Sample } from "../core/types.ts";

/** Timestamp precision of the lines: what the server is told in `precision=`. */
export type Precision = "ms" | "us" | "ns";

/** A field value: a float (number), an integer ({ int }), a string or a boolean. */
export type FieldValue = number | string | boolean | { int: number };

export interface Point {
  measurement: string;
  tags: Readonly<Record<string, string | undefined>>;
  fields: Readonly<Record<string, FieldValue>>;
  /** Milliseconds since the epoch (integer). */
  time: number;
}

/** The inventory facts every device line is tagged with. */
export interface DeviceTags {
  site: string;
  kind: string;
}

/** A change of a device's health state (the health engine derives them; the sinks record them). */
export interface StateChangeEvent {
  deviceId: string;
  site: string;
  kind: string;
  /** up | degraded | down | impacted | maintenance | not-in-service | unmonitored */
  state: string;
  previous: string;
  /** Why (a rule code, "poll timeout", "maintenance window"): bounded text, not a raw value. */
  cause: string;
  /** When the new state began (ms since the epoch). */
  at: number;
}

export const ticketEventKinds = [
  "opened",
  "accepted",
  "arrived",
  "cleared",
  "verified",
  "rejected",
  "breached",
  "commented",
  "warned",
  "restored",
  "recurred",
  "flapping",
  "updated",
] as const;
export type TicketEventKind = (typeof ticketEventKinds)[number];

/** Something that happened to a fault ticket. */
export interface TicketEvent {
  ticketId: string;
  deviceId: string;
  site: string;
  /** major | general | consult */
  level: string;
  event: TicketEventKind;
  /** The ticket's state after the event. */
  state: string;
  /** Who did it ("monitor" for automatic events). */
  actor: string;
  at: number;
}

const measurementEscapes: Record<string, string> = {
  ",": "\\,",
  " ": "\\ ",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};
const tagEscapes: Record<string, string> = { ...measurementEscapes, "=": "\\=" };
const measurementPattern = /[, \n\r\t]/g;
const tagPattern = /[,= \n\r\t]/g;
const stringPattern = /["\\]/g;

function trimBackslash(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 92) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * Escaped names by their raw text: device ids, sites, kinds, metric names and label values repeat
 * on every poll, so each is escaped once (bounded: cleared when it holds ESCAPE_CACHE_SIZE names).
 */
const ESCAPE_CACHE_SIZE = 50_000;
const measurementCache = new Map<string, string>();
const tagCache = new Map<string, string>();

function cached(cache: Map<string, string>, s: string, escapeRaw: (s: string) => string): string {
  let escaped = cache.get(s);
  if (escaped === undefined) {
    escaped = escapeRaw(s);
    if (cache.size >= ESCAPE_CACHE_SIZE) cache.clear();
    cache.set(s, escaped);
  }
  return escaped;
}

const rawMeasurement = (s: string) =>
  trimBackslash(s).replace(measurementPattern, (c) => measurementEscapes[c]!);
const rawTag = (s: string) => trimBackslash(s).replace(tagPattern, (c) => tagEscapes[c]!);

export function escapeMeasurement(s: string): string {
  return cached(measurementCache, s, rawMeasurement);
}

/** For tag keys, tag values and field keys. */
export function escapeTag(s: string): string {
  return cached(tagCache, s, rawTag);
}

export function escapeString(s: string): string {
  return `"${s.replace(stringPattern, (c) => `\\${c}`)}"`;
}

const precisionSuffix: Record<Precision, string> = { ms: "", us: "000", ns: "000000" };

/** A float field's value, or undefined when it cannot be written (NaN, Infinity); -0 is 0. */
function formatFloat(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  return value === 0 ? "0" : String(value);
}

/** Formats one field value, or undefined when it cannot be written (NaN, Infinity). */
export function formatField(value: FieldValue): string | undefined {
  if (typeof value === "number") return formatFloat(value);
  if (typeof value === "string") return escapeString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (!Number.isSafeInteger(value.int)) return undefined;
  return `${value.int}i`;
}

/**
 * One line, or undefined when no field is writable. Tags are sorted by key (what the server does
 * anyway, and it makes equal series encode equally); empty tag keys or values are left out.
 */
export function encodePoint(point: Point, precision: Precision = "ms"): string | undefined {
  const series = seriesPrefix(point);
  if (series === "") return undefined;
  let fields = "";
  for (const [key, value] of Object.entries(point.fields)) {
    const k = escapeTag(key);
    const v = formatField(value);
    if (k === "" || v === undefined) continue;
    fields += `${fields ? "," : ""}${k}=${v}`;
  }
  if (fields === "") return undefined;
  return `${series} ${fields} ${Math.trunc(point.time)}${precisionSuffix[precision]}`;
}

/**
 * "measurement,tag=value,..." of a series, escaped and with tags sorted, as one flat string; ""
 * when the measurement is empty.
 */
function buildSeriesPrefix(measurement: string, tags: Readonly<Record<string, string | undefined>>): string {
  const head = escapeMeasurement(measurement);
  if (head === "") return "";
  const parts = [head];
  for (const k of Object.keys(tags).sort()) {
    const value = tags[k];
    if (value === undefined) continue;
    const ek = escapeTag(k);
    const ev = escapeTag(value);
    if (ek !== "" && ev !== "") parts.push(",", ek, "=", ev);
  }
  return parts.join("");
}

/**
 * buildSeriesPrefix of a point, cached by the raw measurement and tags (bounded like the name
 * caches): for events and encodePoint's callers; outcomes keep their prefixes in their plans.
 */
const seriesCache = new Map<string, string>();

function seriesPrefix(point: Point): string {
  let key = point.measurement;
  for (const k in point.tags) {
    const v = point.tags[k];
    if (v !== undefined) key += `\u0000${k}\u0001${v}`;
  }
  let prefix = seriesCache.get(key);
  if (prefix !== undefined) return prefix;
  prefix = buildSeriesPrefix(point.measurement, point.tags);
  if (seriesCache.size >= ESCAPE_CACHE_SIZE) seriesCache.clear();
  seriesCache.set(key, prefix);
  return prefix;
}

/** The measurement of a device metric: its name's first token before "_". */
export function measurementOf(metric: string): string {
  const i = metric.indexOf("_");
  return i > 0 ? metric.slice(0, i) : metric;
}

/** Tags reserved for the inventory; a sample label of the same name cannot override them. */
const coreTags = new Set(["device", "site", "kind"]);

/**
 * A sample's series: its measurement, its tags (the device's, then its own labels but for the
 * inventory's) and a key that tells series apart, the same for labels of the same content.
 */
function seriesOfSample(
  sample: Sample,
  base: Readonly<Record<string, string>>,
): { measurement: string; tags: Record<string, string>; key: string } {
  const measurement = measurementOf(sample.metric);
  const tags: Record<string, string> = { ...base };
  let key = measurement;
  if (sample.labels)
    for (const name of Object.keys(sample.labels).sort()) {
      if (coreTags.has(name)) continue;
      tags[name] = sample.labels[name]!;
      key += `\u0000${name}\u0000${sample.labels[name]}`;
    }
  return { measurement, tags, key };
}

/**
 * The points of one poll outcome: the `poll` line and one line per (measurement, label set).
 * Pure; `time` of every point is outcome.startedAt.
 */
export function outcomePoints(outcome: PollOutcome, device: DeviceTags): Point[] {
  const base = { device: outcome.deviceId, site: device.site, kind: device.kind };
  const time = outcome.startedAt;
  const poll: Record<string, FieldValue> = { up: { int: outcome.error ? 0 : 1 } };
  if (outcome.trigger !== "stream")
    poll.duration_seconds = Math.max(0, outcome.finishedAt - outcome.startedAt) / 1000;
  if (outcome.error) poll.error_kind = outcome.error.kind;
  const points: Point[] = [{ measurement: "poll", tags: base, fields: poll, time }];
  const grouped = new Map<string, { tags: Record<string, string>; fields: Record<string, FieldValue> }>();
  for (const sample of outcome.samples) {
    const { tags, key } = seriesOfSample(sample, base);
    let group = grouped.get(key);
    if (!group) {
      group = { tags, fields: {} };
      grouped.set(key, group);
    }
    group.fields[sample.metric] = sample.value;
  }
  for (const [key, group] of grouped)
    points.push({ measurement: key.split("\u0000", 1)[0]!, tags: group.tags, fields: group.fields, time });
  return points;
}

/**
 * How one device's samples become lines, for as long as its driver hands over the same samples in
 * the same order (the same metric names and labels objects): the slot of each sample's value and
 * the bytes of its lines. A sample that repeats a metric of its series overwrites the earlier value
 * (as in outcomePoints). A poll whose samples differ builds a new plan.
 *
 * Laid out for the cache: a device's plan is read once per poll, long after the last time, so every
 * memory line it spans is a miss. In the daemon an SNMP outcome (34 samples, 11 lines) took 14 µs to
 * encode from a plan of one array and buffer per line and per field, and 3.5 µs when encoded again
 * at once. So the plan is a few flat pieces: the fixed bytes of all its lines in one template, read
 * front to back, and one Int32Array that says where each line's fields go.
 */
interface Plan {
  /** Per sample, its metric name and its labels object, one after the other (see planFits). */
  shape: (string | object | undefined)[];
  /**
   * The fixed bytes, UTF-8, in the order they are written: per line "\n" and its prefix
   * ("measurement,tags"; empty: no writable line), then each of its fields' key and "=".
   */
  template: Buffer;
  /**
   * First, per sample, the slot of its value. Then per line: where its prefix ends in the template
   * and how many fields it has, and per field where its key ends in the template and its slot. Each
   * piece of the template starts where the one before ends.
   */
  program: Int32Array;
  slots: number;
  lines: number;
  fields: number;
}

/** One outcome's values by slot while it is written (shared: one outcome is written at a time). */
let values = new Float64Array(256);

/** The longest text of a float field (String of a number: "-1.2345678901234567e-300" is 24). */
const MAX_NUMBER_BYTES = 32;

/** Field keys with their "=", by metric name: shared by every device (bounded like the name caches). */
const fieldKeys = new Map<string, string | null>();

/** The field key of a metric with its "=", or null when its name escapes to nothing. */
function fieldKey(metric: string): string | null {
  let key = fieldKeys.get(metric);
  if (key === undefined) {
    const escaped = escapeTag(metric);
    key = escaped === "" ? null : `${escaped}=`;
    if (fieldKeys.size >= ESCAPE_CACHE_SIZE) fieldKeys.clear();
    fieldKeys.set(metric, key);
  }
  return key;
}

/** Per device: the poll line's prefix (UTF-8) and the plan. Reset when the device's site or kind changes. */
interface DeviceSeries {
  site: string;
  kind: string;
  poll: Buffer;
  plan: Plan | undefined;
}
const deviceSeries = new Map<string, DeviceSeries>();

function seriesOfDevice(deviceId: string, device: DeviceTags): DeviceSeries {
  let entry = deviceSeries.get(deviceId);
  if (entry === undefined || entry.site !== device.site || entry.kind !== device.kind) {
    const poll = buildSeriesPrefix("poll", { device: deviceId, site: device.site, kind: device.kind });
    entry = { site: device.site, kind: device.kind, poll: Buffer.from(poll), plan: undefined };
    if (deviceSeries.size >= ESCAPE_CACHE_SIZE) deviceSeries.clear();
    deviceSeries.set(deviceId, entry);
  }
  return entry;
}

function planFits(plan: Plan, samples: readonly Sample[]): boolean {
  const shape = plan.shape;
  if (shape.length !== 2 * samples.length) return false;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    if (sample.metric !== shape[2 * i] || sample.labels !== shape[2 * i + 1]) return false;
  }
  return true;
}

/** A new plan for these samples: lines in the order their series first appear (as outcomePoints). */
function buildPlan(deviceId: string, device: DeviceTags, samples: readonly Sample[]): Plan {
  const lineOf = new Map<
    string,
    { fields: Map<string, number>; prefix: string; keys: string[]; slots: number[] }
  >();
  const lines: { prefix: string; keys: string[]; slots: number[] }[] = [];
  const base = { device: deviceId, site: device.site, kind: device.kind };
  const shape: (string | object | undefined)[] = [];
  // Plan.program: first each sample's slot, then the lines (below).
  const program: number[] = [];
  let slotCount = 0;
  for (const sample of samples) {
    const { measurement, tags, key } = seriesOfSample(sample, base);
    let line = lineOf.get(key);
    if (line === undefined) {
      line = { fields: new Map(), prefix: buildSeriesPrefix(measurement, tags), keys: [], slots: [] };
      lineOf.set(key, line);
      lines.push(line);
    }
    let slot = line.fields.get(sample.metric);
    if (slot === undefined) {
      slot = slotCount++;
      line.fields.set(sample.metric, slot);
      const field = fieldKey(sample.metric);
      if (line.prefix !== "" && field !== null) {
        line.keys.push(field);
        line.slots.push(slot);
      }
    }
    shape.push(sample.metric, sample.labels);
    program.push(slot);
  }
  let text = "";
  let bytes = 0;
  let fields = 0;
  for (const line of lines) {
    text += `\n${line.prefix}`;
    bytes += 1 + Buffer.byteLength(line.prefix);
    program.push(bytes, line.keys.length);
    for (let j = 0; j < line.keys.length; j++) {
      text += line.keys[j];
      bytes += Buffer.byteLength(line.keys[j]!);
      program.push(bytes, line.slots[j]!);
    }
    fields += line.keys.length;
  }
  return {
    shape: shape.slice(), // without the room to grow that push left
    template: Buffer.from(text),
    program: Int32Array.from(program),
    slots: slotCount,
    lines: lines.length,
    fields,
  };
}

/**
 * Where outcomes are encoded: consecutive slices of shared chunks outside the JS heap. A body waits
 * in memory until the server has it (a second or more): as a string it would be copied by every
 * young-generation collection it lives through and then promoted; as a slice only its small view
 * object is.
 */
const CHUNK_BYTES = 64 * 1024;
let chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
let chunkAt = 0;

/** Makes sure the current chunk has `bytes` left. */
function reserve(bytes: number): void {
  if (chunk.length - chunkAt >= bytes) return;
  chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes));
  chunkAt = 0;
}

/** Writes an ASCII string (numbers, timestamps) at `at`; returns where it ends. */
function writeAscii(buf: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/**
 * Writes a float field's value as String(value) would (-0 as 0) at `at`; returns where it ends, or
 * -1 when it cannot be written (NaN, Infinity). Integers below 10^15 (counters, states) are written
 * digit by digit, without a string.
 */
function writeFloat(buf: Buffer, at: number, value: number): number {
  if (value === 0) {
    buf[at] = 48;
    return at + 1;
  }
  if (Number.isInteger(value) && value < 1e15 && value > -1e15) {
    let v = value;
    if (v < 0) {
      buf[at++] = 45;
      v = -v;
    }
    let end = at + 1;
    for (let p = 10; p <= v; p *= 10) end++;
    for (let i = end - 1; i >= at; i--) {
      const digit = v % 10;
      buf[i] = 48 + digit;
      v = (v - digit) / 10;
    }
    return end;
  }
  if (!Number.isFinite(value)) return -1;
  return writeAscii(buf, at, String(value));
}

const UP = Buffer.from(" up=1i");
const DOWN = Buffer.from(" up=0i");
const DURATION = Buffer.from(",duration_seconds=");
const ERROR_KIND = Buffer.from(",error_kind=");
const SPACE = 32;
const COMMA = 44;

/**
 * One poll outcome as line protocol, its lines separated by "\n", written as UTF-8 bytes straight
 * from the device's plan (see Plan): exactly `encodePoints(outcomePoints(outcome, device))`. What the
 * InfluxDB sink runs on every poll. `body` is a slice of a shared chunk (see reserve): keep it, do
 * not write into it. `points` counts the lines, `skipped` the lines left out for want of a writable
 * field.
 */
export function encodeOutcomeBytes(
  outcome: PollOutcome,
  device: DeviceTags,
  precision: Precision = "ms",
): { body: Buffer; points: number; skipped: number } {
  const entry = seriesOfDevice(outcome.deviceId, device);
  const time = `${Math.trunc(outcome.startedAt)}${precisionSuffix[precision]}`;
  const samples = outcome.samples;
  let plan = entry.plan;
  if (samples.length > 0 && (plan === undefined || !planFits(plan, samples))) {
    plan = buildPlan(outcome.deviceId, device, samples);
    entry.plan = plan;
  }
  const errorKind = outcome.error ? escapeString(outcome.error.kind) : "";
  let room = entry.poll.length + 96 + Buffer.byteLength(errorKind) + time.length;
  if (samples.length > 0 && plan !== undefined)
    room += plan.template.length + plan.lines * (time.length + 1) + plan.fields * (MAX_NUMBER_BYTES + 1);
  reserve(room);
  const buf = chunk;
  const start = chunkAt;
  buf.set(entry.poll, start);
  let at = start + entry.poll.length;
  const up = outcome.error ? DOWN : UP;
  buf.set(up, at);
  at += up.length;
  if (outcome.trigger !== "stream") {
    buf.set(DURATION, at);
    const end = writeFloat(
      buf,
      at + DURATION.length,
      Math.max(0, outcome.finishedAt - outcome.startedAt) / 1000,
    );
    if (end >= 0) at = end;
  }
  if (outcome.error) {
    buf.set(ERROR_KIND, at);
    at += ERROR_KIND.length;
    at += buf.write(errorKind, at, "utf8");
  }
  buf[at++] = SPACE;
  at = writeAscii(buf, at, time);
  let points = 1;
  let skipped = 0;
  if (samples.length > 0 && plan !== undefined) {
    const { template, program } = plan;
    if (values.length < plan.slots) values = new Float64Array(plan.slots);
    for (let i = 0; i < samples.length; i++) {
      const value = samples[i]!.value;
      values[program[i]!] = typeof value === "number" ? value : Number.NaN;
    }
    let t = 0;
    let p = samples.length;
    for (let line = 0; line < plan.lines; line++) {
      const lineStart = at;
      const prefixEnd = program[p++]!;
      const fields = program[p++]!;
      while (t < prefixEnd) buf[at++] = template[t++]!;
      let written = 0;
      for (let j = 0; j < fields; j++) {
        const keyEnd = program[p++]!;
        const slot = program[p++]!;
        // The separator goes at `at` once the value is known to be writable.
        let end = at + 1;
        while (t < keyEnd) buf[end++] = template[t++]!;
        end = writeFloat(buf, end, values[slot]!);
        if (end < 0) continue;
        buf[at] = written === 0 ? SPACE : COMMA;
        at = end;
        written++;
      }
      if (written === 0) {
        at = lineStart;
        skipped++;
        continue;
      }
      buf[at++] = SPACE;
      at = writeAscii(buf, at, time);
      points++;
    }
  }
  chunkAt = at;
  return { body: buf.subarray(start, at), points, skipped };
}

/**
 * encodeOutcomeBytes as a string, with its UTF-8 size in `bytes` (for callers and tests that want
 * text).
 */
export function encodeOutcomeBody(
  outcome: PollOutcome,
  device: DeviceTags,
  precision: Precision = "ms",
): { body: string; bytes: number; points: number; skipped: number } {
  const { body, points, skipped } = encodeOutcomeBytes(outcome, device, precision);
  return { body: body.toString("utf8"), bytes: body.length, points, skipped };
}

/** encodeOutcomeBody's lines, one string each (for callers that want them apart). */
export function encodeOutcome(
  outcome: PollOutcome,
  device: DeviceTags,
  precision: Precision = "ms",
): { lines: string[]; skipped: number } {
  const { body, skipped } = encodeOutcomeBody(outcome, device, precision);
  return { lines: body.split("\n"), skipped };
}

export function stateChangePoint(e: StateChangeEvent): Point {
  return {
    measurement: "device_state",
    tags: { device: e.deviceId, site: e.site, kind: e.kind },
    fields: { state: e.state, previous: e.previous, cause: e.cause },
    time: e.at,
  };
}

export function ticketEventPoint(e: TicketEvent): Point {
  return {
    measurement: "ticket_event",
    tags: { device: e.deviceId, site: e.site, level: e.level, event: e.event },
    fields: { ticket: e.ticketId, state: e.state, actor: e.actor },
    time: e.at,
  };
}

/** Encodes points; `skipped` counts points that had no writable field. */
export function encodePoints(
  points: readonly Point[],
  precision: Precision = "ms",
): { lines: string[]; skipped: number } {
  const lines: string[] = [];
  let skipped = 0;
  for (const p of points) {
    const line = encodePoint(p, precision);
    if (line === undefined) skipped++;
    else lines.push(line);
  }
  return { lines, skipped };
}
