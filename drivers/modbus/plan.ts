/**
 * Which reads a poll makes: the profile's points grouped per table and coalesced into as few
 * requests as the device allows (maxRegistersPerRead, maxGap). Pure; tested in plan.test.ts.
 */
import { registerCount } from "./codec.ts";
import type { RegisterPoint, Table } from "./profile.ts";

export interface PlannedRead {
  table: Table;
  address: number;
  count: number;
  points: readonly RegisterPoint[];
  /** Every point of the read is optional: an illegal-address answer drops them instead of failing. */
  optional: boolean;
  /** The profile block of every point of the read (reads never span two blocks). */
  block: string;
}

/** Coils and discrete inputs: the protocol's own limit per request. */
const MAX_BITS_PER_READ = 2000;

export function pointSpan(p: RegisterPoint): number {
  if (p.table === "coil" || p.table === "discrete") return 1;
  return registerCount(p.type ?? "u16", p.words);
}

export function planReads(
  points: readonly RegisterPoint[],
  limits: { maxRegistersPerRead: number; maxGap?: number },
): PlannedRead[] {
  // Reads are planned per table and per block, so a block the device lacks costs only its own reads.
  const groups = new Map<string, { table: Table; block: string; list: RegisterPoint[] }>();
  for (const p of points) {
    const table = p.table ?? "holding";
    const block = p.block ?? "main";
    const key = `${table}\u0000${block}`;
    const g = groups.get(key) ?? { table, block, list: [] };
    g.list.push(p);
    groups.set(key, g);
  }
  const reads: PlannedRead[] = [];
  for (const { table, block, list } of groups.values()) {
    const max = table === "coil" || table === "discrete" ? MAX_BITS_PER_READ : limits.maxRegistersPerRead;
    // Optional points are read apart, so a model without them does not lose the others.
    for (const optional of [false, true]) {
      const sorted = list
        .filter((p) => (p.optional ?? false) === optional)
        .sort((a, b) => a.address - b.address);
      // The read being grown; pushed when started, so reads stay in address order.
      let current: (PlannedRead & { points: RegisterPoint[] }) | undefined;
      for (const p of sorted) {
        const end = p.address + pointSpan(p);
        if (end - p.address > max)
          throw new RangeError(`point ${p.metric} spans ${end - p.address} registers, above ${max} per read`);
        const currentEnd = current ? current.address + current.count : 0;
        if (
          current &&
          p.address <= currentEnd + (limits.maxGap ?? 0) &&
          Math.max(end, currentEnd) - current.address <= max
        ) {
          current.count = Math.max(end, currentEnd) - current.address;
          current.points.push(p);
          continue;
        }
        current = { table, address: p.address, count: end - p.address, points: [p], optional, block };
        reads.push(current);
      }
    }
  }
  return reads;
}
