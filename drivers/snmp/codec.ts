/**
 * Pure decoding of SNMP values: no I/O, no clock. Called by interpret.ts for every varbind of a
 * poll; tested table-style in codec.test.ts. Counters are kept as bigint so Counter64 stays exact.
 */

export const COUNTER32_MODULUS = 2n ** 32n;
export const COUNTER64_MODULUS = 2n ** 64n;

/** net-snmp ObjectType numbers that are not values but "there is nothing here". */
export const exceptionTypes: Readonly<Record<number, string>> = {
  128: "noSuchObject",
  129: "noSuchInstance",
  130: "endOfMibView",
};

/** A varbind value as a number (Integer, Gauge, TimeTicks, Counter32, Counter64 buffer, numeric text). */
export function toNumber(type: number, value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (Buffer.isBuffer(value)) {
    if (type === 70) return Number(toBigInt(value));
    const text = value.toString("latin1").trim();
    if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
    return undefined;
  }
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
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
  previous: bigint,
  current: bigint,
  bits: 32 | 64,
  rebooted = false,
): bigint | undefined {
  if (rebooted) return undefined;
  if (current >= previous) return current - previous;
  if (bits === 32) return current + COUNTER32_MODULUS - previous;
  return undefined;
}

/** Per-second rate of a counter delta over `elapsedMs`, times `scale` (8 for octets → bits). */
export function rate(delta: bigint | undefined, elapsedMs: number, scale = 1): number | undefined {
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
  return oid === prefix || oid.startsWith(`${prefix}.`);
}

/** Compares two numeric OIDs arc by arc: negative when a sorts first. */
export function compareOids(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
