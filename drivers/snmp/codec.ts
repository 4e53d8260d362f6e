/**
 * Pure decoding of SNMP values: no I/O, no clock. Called by interpret.ts for every varbind of a
 * poll; tested table-style in codec.test.ts. Counters are plain numbers while they are exact (below
 * 2^53, which a Counter32 always is) and bigint above, so Counter64 stays exact without paying for
 * bigint arithmetic on every poll.
 */

export const COUNTER32_MODULUS = 2n ** 32n;
export const COUNTER64_MODULUS = 2n ** 64n;

/** net-snmp ObjectType numbers that are not values but "there is nothing here". */
export const exceptionTypes: Readonly<Record<number, string>> = {
  128: "noSuchObject",
  129: "noSuchInstance",
  130: "endOfMibView",
};

/** Whether a varbind type is one of exceptionTypes (128–130): a comparison, as every varbind of a walk asks. */
export function isExceptionType(type: number): boolean {
  return type >= 128 && type <= 130;
}

/** A varbind value as a number (Integer, Gauge, TimeTicks, Counter32, Counter64 buffer, numeric text). */
export function toNumber(type: number, value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (Buffer.isBuffer(value)) {
    if (type === 70) return Number(toCounter(value));
    const text = value.toString("latin1").trim();
    if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
    return undefined;
  }
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A counter read: a number while exactly representable, a bigint above 2^53. */
export type CounterValue = number | bigint;

/**
 * A counter's value (Counter32 number, Counter64 buffer of up to 8 bytes big-endian, digits) as a
 * number when it is below 2^53, else as a bigint. Throws on anything that is not a counter.
 */
export function toCounter(value: unknown): CounterValue {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (Buffer.isBuffer(value) && value.length <= 8) {
    let n = 0;
    for (let i = 0; i < value.length; i++) n = n * 256 + value[i]!;
    if (n <= Number.MAX_SAFE_INTEGER) return n;
  }
  const n = toBigInt(value);
  return n <= MAX_SAFE ? Number(n) : n;
}

/** Counter value as bigint: Counter64 arrives from net-snmp as a big-endian Buffer of up to 8 bytes. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  if (Buffer.isBuffer(value)) {
    let n = 0n;
    for (const byte of value) n = (n << 8n) | BigInt(byte);
    return n;
  }
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  throw new TypeError("not a counter value");
}

/**
 * IEEE-754 single float carried in an OCTET STRING (Hytera repeater MIB, Newtec Float32TC): four
 * raw bytes big-endian, or their hex text ("41 3C 00 00", "0x413C0000").
 */
export function float32FromOctets(value: unknown): number | undefined {
  let bytes: Buffer | undefined;
  if (Buffer.isBuffer(value) && value.length === 4) bytes = value;
  else {
    const text = Buffer.isBuffer(value) ? value.toString("latin1") : typeof value === "string" ? value : "";
    const hex = text.replace(/^0x/i, "").replace(/[\s:]/g, "");
    if (/^[0-9a-fA-F]{8}$/.test(hex)) bytes = Buffer.from(hex, "hex");
  }
  if (!bytes) return undefined;
  const f = bytes.readFloatBE(0);
  return Number.isFinite(f) ? f : undefined;
}

/**
 * Increase of a counter between two reads. A smaller current value of a Counter32 is a wrap (one
 * pass through 2^32) unless the agent rebooted; a smaller Counter64 is always a reset (2^64 at
 * line rate takes centuries). Returns undefined when no delta can be trusted (reset, reboot).
 */
export function counterDelta(
  previous: CounterValue,
  current: CounterValue,
  bits: 32 | 64,
  rebooted = false,
): CounterValue | undefined {
  if (rebooted) return undefined;
  if (typeof previous === "number" && typeof current === "number") {
    if (current >= previous) return current - previous;
    return bits === 32 ? current + 2 ** 32 - previous : undefined;
  }
  const p = BigInt(previous);
  const c = BigInt(current);
  if (c >= p) return c - p;
  if (bits === 32) return c + COUNTER32_MODULUS - p;
  return undefined;
}

/** Per-second rate of a counter delta over `elapsedMs`, times `scale` (8 for octets → bits). */
export function rate(delta: CounterValue | undefined, elapsedMs: number, scale = 1): number | undefined {
  if (delta === undefined || elapsedMs <= 0) return undefined;
  return (Number(delta) * scale * 1000) / elapsedMs;
}

/**
 * Whether the agent restarted between two reads of sysUpTime (TimeTicks, 1/100 s). TimeTicks wrap
 * after 497 days: a drop from near 2^32 to near zero is a wrap, not a reboot.
 */
export function rebooted(previousTicks: number | undefined, currentTicks: number): boolean {
  if (previousTicks === undefined) return false;
  if (currentTicks >= previousTicks) return false;
  const nearWrap = previousTicks > 2 ** 32 - 8_640_000 && currentTicks < 8_640_000;
  return !nearWrap;
}

/** Applies a raw → value map (enums to 1/0, sentinels), then a scale. undefined = skip this value. */
export function transform(
  raw: number,
  opts: {
    map?: Readonly<Record<number, number>>;
    mapDefault?: number;
    scale?: number;
    skip?: readonly number[];
  },
): number | undefined {
  if (opts.skip?.includes(raw)) return undefined;
  let v = raw;
  if (opts.map) {
    const mapped = opts.map[raw];
    if (mapped !== undefined) v = mapped;
    else if (opts.mapDefault !== undefined) v = opts.mapDefault;
    else return undefined;
  }
  return opts.scale === undefined ? v : applyScale(v, opts.scale);
}

/** v × scale, dividing for decimal fractions (0.01) so 305 reads 3.05, not 3.0500000000000003. */
export function applyScale(v: number, scale: number): number {
  const inverse = Math.round(1 / scale);
  return scale < 1 && Math.abs(1 / scale - inverse) < 1e-6 * inverse ? v / inverse : v * scale;
}

/** True when `oid` is `prefix` or lies below it (compares whole arcs, not characters). */
export function oidUnder(oid: string, prefix: string): boolean {
  if (oid.length === prefix.length) return oid === prefix;
  return oid.length > prefix.length && oid.charCodeAt(prefix.length) === DOT && oid.startsWith(prefix);
}

const DOT = ".".charCodeAt(0);

/** Compares two numeric OIDs arc by arc: negative when a sorts first. */
export function compareOids(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
