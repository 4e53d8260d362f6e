/**
 * A simulated Modbus device: its register tables at a moment, given its active faults. Models
 * are pure functions of time and faults plus a little state (fuel, counters) they keep.
 */
import type { Table } from "../../drivers/modbus/profile.ts";

export interface SimModel {
  /** Faults of this model beyond the ones every Modbus simulator has. */
  readonly faults: readonly string[];
  /** The registers (or bits as 0/1) defined now, by table. */
  tables(now: number, has: (fault: string) => boolean): Partial<Record<Table, Map<number, number>>>;
}

/**
 * Values for a read: a read touching no defined address is an illegal-address exception (2);
 * undefined addresses inside a read of defined ones answer 0xFFFF ("unimplemented" in GenComm).
 */
export function readRange(
  table: Map<number, number> | undefined,
  address: number,
  count: number,
): { values: number[] } | { exception: number } {
  if (!table) return { exception: 2 };
  const values: number[] = [];
  let any = false;
  for (let a = address; a < address + count; a++) {
    const v = table.get(a);
    if (v !== undefined) any = true;
    values.push(v ?? 0xffff);
  }
  return any ? { values } : { exception: 2 };
}

/** Writes `words` into `map` from `address` on. */
export function put(map: Map<number, number>, address: number, words: readonly number[]): void {
  for (const [i, w] of words.entries()) map.set(address + i, w & 0xffff);
}
