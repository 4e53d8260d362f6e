/**
 * Pure decoding of Modbus register words into numbers: no I/O, tested table-style in
 * codec.test.ts. A register is a 16-bit word as the device sent it (big-endian on the wire).
 *
 * Word/byte orders for 32-bit values, named by where the bytes A (most significant) … D land:
 *   ABCD  big-endian, high word first (Modbus default, DSE GenComm)
 *   CDAB  word swap (low word first; many PLCs, "little-endian word order")
 *   BADC  byte swap within each word
 *   DCBA  little-endian
 * For 16-bit types only the byte order matters: AB (default) or BA.
 */
export const valueTypes = ["u16", "i16", "u32", "i32", "f32", "bit", "nibbles"] as const;
export type ValueType = (typeof valueTypes)[number];
export const wordOrders = ["ABCD", "CDAB", "BADC", "DCBA"] as const;
export type WordOrder = (typeof wordOrders)[number];

/** Registers a value of this type occupies (`nibbles` spans `words`, a bit one register). */
export function registerCount(type: ValueType, words = 1): number {
  if (type === "u32" || type === "i32" || type === "f32") return 2;
  if (type === "nibbles") return words;
  return 1;
}

/** The 4 bytes A B C D of a 32-bit value from two registers read in `order`. */
function bytes32(w0: number, w1: number, order: WordOrder): Buffer {
  const wire = Buffer.alloc(4);
  wire.writeUInt16BE(w0 & 0xffff, 0);
  wire.writeUInt16BE(w1 & 0xffff, 2);
  const [p, q, r, s] = [wire[0]!, wire[1]!, wire[2]!, wire[3]!];
  switch (order) {
    case "ABCD":
      return Buffer.from([p, q, r, s]);
    case "CDAB":
      return Buffer.from([r, s, p, q]);
    case "BADC":
      return Buffer.from([q, p, s, r]);
    case "DCBA":
      return Buffer.from([s, r, q, p]);
  }
}

function swap16(w: number): number {
  return ((w & 0xff) << 8) | ((w >> 8) & 0xff);
}

/**
 * The raw number in `words` (starting at index 0) as `type`, before scaling.
 * `order` ABCD/CDAB keep 16-bit byte order; BADC/DCBA swap bytes of 16-bit values too.
 * Throws RangeError when `words` is too short (the caller maps that to a protocol error).
 */
export function decodeRaw(words: readonly number[], type: ValueType, order: WordOrder = "ABCD"): number {
  const need = type === "nibbles" ? 1 : registerCount(type);
  if (words.length < need) throw new RangeError(`${type} needs ${need} registers, got ${words.length}`);
  const byteSwap = order === "BADC" || order === "DCBA";
  const w = (i: number) => (byteSwap ? swap16(words[i]!) : words[i]! & 0xffff);
  switch (type) {
    case "u16":
    case "bit":
    case "nibbles":
      return w(0);
    case "i16": {
      const v = w(0);
      return v >= 0x8000 ? v - 0x10000 : v;
    }
    case "u32":
      return bytes32(words[0]!, words[1]!, order).readUInt32BE(0);
    case "i32":
      return bytes32(words[0]!, words[1]!, order).readInt32BE(0);
    case "f32":
      return bytes32(words[0]!, words[1]!, order).readFloatBE(0);
  }
}

/** Bit `bit` (0 = least significant) of a register: 1 or 0. */
export function bitOf(word: number, bit: number): number {
  return (word >> bit) & 1;
}

/**
 * The 4-bit fields of `words`, first field in the high nibble of the first register (how DSE
 * GenComm packs its alarm list: 4 alarms per register).
 */
export function nibbles(words: readonly number[]): number[] {
  const out: number[] = [];
  for (const word of words) for (let shift = 12; shift >= 0; shift -= 4) out.push((word >> shift) & 0xf);
  return out;
}

/**
 * GenComm "no value" sentinels: the top 8 values of the register width (−1 unimplemented,
 * −2 over range, −3 under range, −4 transducer fault, … −8 reserved), masked to the type.
 */
export function isGenCommSentinel(raw: number, type: ValueType): boolean {
  switch (type) {
    case "u16":
      return raw >= 0xfff8;
    case "i16":
      return raw >= 0x7ff8;
    case "u32":
      return raw >= 0xfffffff8;
    case "i32":
      return raw >= 0x7ffffff8;
    default:
      return false;
  }
}

/** Scaling applied after decoding: value × scale + offset. */
export function scaleValue(raw: number, scale = 1, offset = 0): number {
  const v = raw * scale + offset;
  // Keep decimal scales readable: 2305 × 0.1 is 230.5, not 230.50000000000003.
  return Number.isInteger(scale) ? v : Number.parseFloat(v.toPrecision(12));
}

/** The registers that carry `value` as `type` in `order` (the inverse of decodeRaw; simulators use it). */
export function encodeValue(value: number, type: ValueType, order: WordOrder = "ABCD"): number[] {
  const byteSwap = order === "BADC" || order === "DCBA";
  if (type === "u16" || type === "i16" || type === "bit" || type === "nibbles") {
    const w = Math.round(value) & 0xffff;
    return [byteSwap ? swap16(w) : w];
  }
  const abcd = Buffer.alloc(4);
  if (type === "f32") abcd.writeFloatBE(value, 0);
  else if (type === "i32") abcd.writeInt32BE(Math.round(value), 0);
  else abcd.writeUInt32BE(Math.round(value) >>> 0, 0);
  const [a, b, c, d] = [abcd[0]!, abcd[1]!, abcd[2]!, abcd[3]!];
  const wire =
    order === "ABCD"
      ? [a, b, c, d]
      : order === "CDAB"
        ? [c, d, a, b]
        : order === "BADC"
          ? [b, a, d, c]
          : [d, c, b, a];
  return [(wire[0]! << 8) | wire[1]!, (wire[2]! << 8) | wire[3]!];
}
