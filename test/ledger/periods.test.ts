/**
 * Timeline reads of the ledger, and the periods and accounting policies its figures are cut by.
 */
import { describe, expect, it } from "vitest";
import { computeAvailability, policyAt } from "../../src/ledger/availability.ts";
import { monthOf, monthPeriod } from "../../src/ledger/period.ts";
import { appendTransition, type DeviceState, timelines } from "../../src/ledger/store.ts";
import { fixedSite, harnessPerTest, policyWith, tcpDevice } from "../support/harness.ts";

const open = harnessPerTest();

describe("timeline reads", () => {
  it("returns the state before the period and the changes within it, ties in id order", () => {
    const h = open({ sites: fixedSite, devices: [tcpDevice("sw", "fixed")] });
    const add = (state: DeviceState, t: number, detail: Record<string, unknown> | null = null) =>
      appendTransition(h!.db, {
        device: "sw",
        site: "fixed",
        state,
        previous: null,
        at: t,
        recordedAt: t,
        code: null,
        cause: "t",
        detail,
      });
    add("up", 100);
    add("down", 200); // the state before the period [300, 1000)
    add("impacted", 500, { thirdParty: true });
    add("up", 400); // appended later but earlier in time
    add("down", 400); // same time: id order decides
    add("up", 1000); // at the period's end: outside
    const tl = timelines(h.db, 300, 1000).get("sw")!;
    expect(tl).toEqual({
      at: [200, 400, 400, 500],
      state: ["down", "up", "down", "impacted"],
      thirdParty: [false, false, false, true],
    });
  });
});

describe("periods and policies", () => {
  it("cuts months at midnight Asia/Shanghai", () => {
    expect(monthPeriod("2026-11")).toEqual({
      from: Date.UTC(2026, 9, 31, 16),
      to: Date.UTC(2026, 10, 30, 16),
    });
    expect(monthPeriod("2026-12").to).toBe(Date.UTC(2026, 11, 31, 16));
    expect(monthOf(Date.UTC(2026, 9, 31, 16, 0, 0))).toBe("2026-11");
    expect(monthOf(Date.UTC(2026, 9, 31, 15, 59, 59))).toBe("2026-10");
  });

  it("parses months strictly: a month that does not exist is an error, never the next year's", () => {
    for (const bad of ["2026-13", "2026-00", "2026-1", "2026", "26-11", "2026-11-01"])
      expect(() => monthPeriod(bad), bad).toThrow(RangeError);
  });

  it("uses the policy in force at the period's start, so old months recompute unchanged", () => {
    const p = (version: string, from: string) => policyWith({ version, from });
    const policies = [p("2026.1", "2026-01-01"), p("2026.2", "2026-12-01")];
    expect(policyAt(policies, monthPeriod("2026-11").from, "Asia/Shanghai").version).toBe("2026.1");
    expect(policyAt(policies, monthPeriod("2026-12").from, "Asia/Shanghai").version).toBe("2026.2");
  });

  it("aggregates by device mean when the policy says so", () => {
    const day = { from: 0, to: 1000 };
    const tl = [
      { device: "a", site: "s", system: "x", at: [0, 900], state: ["up", "down"] as const, exclusions: [] },
      {
        device: "b",
        site: "s",
        system: "x",
        at: [0],
        state: ["up"] as const,
        exclusions: [{ from: 0, to: 500 }],
      },
    ].map((t) => ({ ...t, state: [...t.state] }));
    // a: 900/1000 = 90 %; b: 500/500 = 100 %. Time-weighted 1400/1500; device mean 95.
    expect(
      computeAvailability(tl, day, policyWith({ aggregate: "time-weighted" })).contract.availability,
    ).toBeCloseTo((1400 / 1500) * 100, 9);
    expect(
      computeAvailability(tl, day, policyWith({ aggregate: "device-mean" })).contract.availability,
    ).toBeCloseTo(95, 9);
  });
});
