/**
 * Properties of the availability integration (fast-check): bounded, monotone in downtime, and
 * additive over a split period, for random timelines, exclusions and policies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccountingPolicy } from "../../src/config/sla-schema.ts";
import {
  aggregate,
  type DeviceTimeline,
  integrateDevice,
  notDeployedIntervals,
  union,
} from "../../src/ledger/availability.ts";
import { deviceStates } from "../../src/ledger/store.ts";

const P = { from: 1_000_000, to: 1_000_000 + 30 * 86_400_000 };
const span = P.to - P.from;

const timeline = fc
  .record({
    changes: fc.array(
      fc.record({
        at: fc.integer({ min: P.from - span / 4, max: P.to + span / 4 }),
        state: fc.constantFrom(...deviceStates),
        thirdParty: fc.boolean(),
      }),
      { maxLength: 40 },
    ),
    exclusions: fc.array(
      fc
        .tuple(fc.integer({ min: P.from - span / 4, max: P.to }), fc.integer({ min: 1, max: span / 3 }))
        .map(([from, len]) => ({ from, to: from + len })),
      { maxLength: 6 },
    ),
  })
  .map(({ changes, exclusions }): DeviceTimeline => {
    const sorted = [...changes].sort((a, b) => a.at - b.at);
    return {
      device: "d",
      site: "s",
      system: "x",
      at: sorted.map((c) => c.at),
      state: sorted.map((c) => c.state),
      thirdParty: sorted.map((c) => c.thirdParty),
      exclusions,
    };
  });

const policy = fc.record({
  downStates: fc.subarray(["down", "degraded", "impacted"] as const, { minLength: 1 }),
  newDevices: fc.constantFrom("from-first-seen", "whole-period") as fc.Arbitrary<
    AccountingPolicy["newDevices"]
  >,
});

describe("availability ledger properties", () => {
  it("stays within [0, 100] and its parts add up", () => {
    fc.assert(
      fc.property(timeline, policy, (tl, pol) => {
        const r = integrateDevice(tl, P, pol);
        expect(r.expectedMs + r.excludedMs).toBe(span);
        expect(r.downMs).toBeGreaterThanOrEqual(0);
        expect(r.downMs).toBeLessThanOrEqual(r.expectedMs);
        if (r.availability !== null) {
          expect(r.availability).toBeGreaterThanOrEqual(0);
          expect(r.availability).toBeLessThanOrEqual(100);
        } else expect(r.expectedMs).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("never rises when an up segment becomes down", () => {
    fc.assert(
      fc.property(timeline, policy, fc.nat(), (tl, pol, pick) => {
        const ups = tl.state.flatMap((s, i) => (s === "up" ? [i] : []));
        fc.pre(ups.length > 0);
        const i = ups[pick % ups.length]!;
        const worse = { ...tl, state: tl.state.map((s, j) => (j === i ? "down" : s)) };
        const b = integrateDevice(worse, P, {
          ...pol,
          downStates: [...new Set([...pol.downStates, "down" as const])],
        });
        const a2 = integrateDevice(tl, P, {
          ...pol,
          downStates: [...new Set([...pol.downStates, "down" as const])],
        });
        expect(b.downMs).toBeGreaterThanOrEqual(a2.downMs);
        if (a2.availability !== null && b.availability !== null)
          expect(b.availability).toBeLessThanOrEqual(a2.availability + 1e-9);
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same figure for a period as for its two halves recombined", () => {
    fc.assert(
      fc.property(timeline, policy, fc.integer({ min: P.from + 1, max: P.to - 1 }), (tl, pol, cut) => {
        const whole = integrateDevice(tl, P, pol);
        const first = integrateDevice(tl, { from: P.from, to: cut }, pol);
        const second = integrateDevice(tl, { from: cut, to: P.to }, pol);
        expect(first.expectedMs + second.expectedMs).toBe(whole.expectedMs);
        expect(first.downMs + second.downMs).toBe(whole.downMs);
        const recombined = aggregate([first, second], "time-weighted");
        if (whole.availability === null) expect(recombined.availability).toBeNull();
        else expect(recombined.availability).toBeCloseTo(whole.availability, 9);
      }),
      { numRuns: 500 },
    );
  });

  it("unions and deployment calendars are well formed", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ deployed: fc.boolean(), at: fc.integer({ min: P.from - span, max: P.to + span }) }),
          {
            maxLength: 12,
          },
        ),
        (decl) => {
          const off = notDeployedIntervals(decl, P);
          for (let i = 0; i < off.length; i++) {
            expect(off[i]!.to).toBeGreaterThan(off[i]!.from);
            if (i > 0) expect(off[i]!.from).toBeGreaterThan(off[i - 1]!.to);
          }
          expect(union(off, P)).toEqual(off);
        },
      ),
    );
  });
});
