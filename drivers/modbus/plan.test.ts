import { describe, expect, it } from "vitest";
import { planReads } from "./plan.ts";
import type { RegisterPoint } from "./profile.ts";
import { dseGenerator } from "./profiles/dse-generator.ts";

const p = (address: number, extra: Partial<RegisterPoint> = {}): RegisterPoint => ({
  metric: `m${address}`,
  address,
  ...extra,
});

describe("planReads", () => {
  it("joins contiguous registers into one read", () => {
    const reads = planReads([p(0), p(1), p(2, { type: "u32" })], { maxRegistersPerRead: 125 });
    expect(reads.map((r) => [r.table, r.address, r.count])).toEqual([["holding", 0, 4]]);
  });

  it("splits at gaps larger than maxGap and at maxRegistersPerRead", () => {
    const points = [p(0), p(1), p(5), p(6), p(7)];
    expect(planReads(points, { maxRegistersPerRead: 125 }).map((r) => [r.address, r.count])).toEqual([
      [0, 2],
      [5, 3],
    ]);
    expect(
      planReads(points, { maxRegistersPerRead: 125, maxGap: 3 }).map((r) => [r.address, r.count]),
    ).toEqual([[0, 8]]);
    expect(planReads(points, { maxRegistersPerRead: 3, maxGap: 3 }).map((r) => [r.address, r.count])).toEqual(
      [
        [0, 2],
        [5, 3],
      ],
    );
  });

  it("never splits a 32-bit value and keeps tables and optional points apart", () => {
    const reads = planReads(
      [p(0), p(1, { type: "f32" }), p(3, { table: "input" }), p(2, { optional: true })],
      {
        maxRegistersPerRead: 2,
      },
    );
    expect(reads.map((r) => [r.table, r.address, r.count, r.optional])).toEqual([
      ["holding", 0, 1, false],
      ["holding", 1, 2, false],
      ["holding", 2, 1, true],
      ["input", 3, 1, false],
    ]);
  });

  it("reads the whole DSE generator profile in a few requests", () => {
    const reads = planReads(dseGenerator.points, { maxRegistersPerRead: 125, maxGap: dseGenerator.maxGap });
    expect(reads.map((r) => [r.address, r.count])).toEqual([
      [772, 1],
      [1408, 1],
      [1024, 14],
      [1059, 7],
      [1558, 1],
      [1798, 12],
      [2049, 25],
    ]);
  });

  it("never joins two blocks in one read, however close", () => {
    const reads = planReads([p(0, { block: "a" }), p(1, { block: "b" }), p(2, { block: "a" })], {
      maxRegistersPerRead: 125,
      maxGap: 16,
    });
    expect(reads.map((r) => [r.block, r.address, r.count])).toEqual([
      ["a", 0, 3],
      ["b", 1, 1],
    ]);
  });
});
