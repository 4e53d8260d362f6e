/**
 * The union of intervals that availability integrates over: against point-by-point counting on
 * small integer spans, and leaving its input unchanged (exclusions are shared between devices).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Interval, union } from "../../src/ledger/availability.ts";

const P = { from: 10, to: 90 };
const interval = fc
  .record({ from: fc.integer({ min: 0, max: 100 }), length: fc.integer({ min: -5, max: 40 }) })
  .map(({ from, length }): Interval => ({ from, to: from + length }));

describe("union", () => {
  it("covers exactly the instants of the period some interval covers, sorted, disjoint, input unchanged", () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), (xs) => {
        const before = structuredClone(xs);
        const out = union(xs, P);
        expect(xs).toEqual(before);
        for (let i = 0; i < out.length; i++) {
          expect(out[i]!.from).toBeGreaterThanOrEqual(P.from);
          expect(out[i]!.to).toBeLessThanOrEqual(P.to);
          expect(out[i]!.to).toBeGreaterThan(out[i]!.from);
          if (i > 0) expect(out[i]!.from).toBeGreaterThan(out[i - 1]!.to);
        }
        for (let t = 0; t < 100; t++) {
          const covered = t >= P.from && t < P.to && xs.some((x) => x.from <= t && t < x.to);
          expect(out.some((x) => x.from <= t && t < x.to)).toBe(covered);
        }
        // Merging never changes an interval it was given, one it returned earlier included.
        const returned = structuredClone(out);
        union([...out, { from: P.from + 1, to: P.to }], P);
        expect(out).toEqual(returned);
      }),
      { numRuns: 500 },
    );
  });
});
