/**
 * What a Modbus device model is, as data: the register points to read and how each becomes a
 * sample, plus the metrics and health rules of the core's DeviceModel. Profiles under profiles/
 * are built from the blocks in profiles/blocks.ts; the driver interprets them generically.
 */
import type { DeviceModel } from "../../src/core/types.ts";
import type { ValueType, WordOrder } from "./codec.ts";

/** Modbus data tables and the function code that reads each. */
export const tables = { coil: 1, discrete: 2, holding: 3, input: 4 } as const;
export type Table = keyof typeof tables;

export interface RegisterPoint {
  metric: string;
  labels?: Readonly<Record<string, string>>;
  /** Default holding (function code 3). Coils and discrete inputs give 0/1. */
  table?: Table;
  /** 0-based protocol address (GenComm page × 256 + offset). */
  address: number;
  /** Default u16. */
  type?: ValueType;
  /** Default ABCD (big-endian, high word first). */
  order?: WordOrder;
  /** value × scale + offset, after decoding. */
  scale?: number;
  offset?: number;
  /** type "bit": which bit of the register (0 = least significant). */
  bit?: number;
  /** type "nibbles": how many registers of packed 4-bit fields. */
  words?: number;
  /** type "nibbles": test only the field at this index (0 = high nibble of the first register). */
  nibble?: number;
  /** The sample is 1 when the decoded value (or any tested nibble) is one of these, else 0. */
  anyOf?: readonly number[];
  /** A device may not implement it: an illegal-address exception on its read only drops it. */
  optional?: boolean;
  /**
   * The profile block it belongs to (set by compose()). Blocks are read apart; a block the device
   * does not have (illegal data address) is reported unsupported and the rest of the poll stands.
   */
  block?: string;
}

/** A 0/1 sample computed from others of the same poll: 1 when any condition holds. */
export interface DerivedFlag {
  metric: string;
  /** Each condition: the sample of `metric` is one of `anyOf`, or above `above`. */
  any: readonly { metric: string; anyOf?: readonly number[]; above?: number }[];
}

export interface ModbusProfile extends DeviceModel {
  points: readonly RegisterPoint[];
  /** Values that mean "no value" and are dropped rather than reported (GenComm's top-8 codes). */
  sentinels?: "gencomm";
  /** Unused registers a read may span to join two ranges (only where the device answers them). */
  maxGap?: number;
  /** Flags computed from the samples read (e.g. running from engine state or speed). */
  derived?: readonly DerivedFlag[];
  /** Where the register map comes from: a public source, or "assumed" with what to verify. */
  source: string;
}
