/**
 * Golden score sheets of the synthetic November in fixtures.ts, worked out by hand below. If one of
 * these numbers changes, a rule changed: bump SCORING_POLICY_VERSION and say why.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { buildReport } from "../../src/report/build.ts";
import { parseManualInputs } from "../../src/report/inputs.ts";
import { MemoryReportSource } from "../../src/report/memory-source.ts";
import { type ReportConfigInput, reportConfig } from "../../src/report/policy.ts";
import type { ScoreSheet } from "../../src/report/score.ts";
import { at, H, november, novemberInputs, ticket } from "./fixtures.ts";

async function sheetFor(policy: ReportConfigInput = {}, now = at(2, 3, 0, 12)): Promise<ScoreSheet> {
  const config = reportConfig({ fee: { contractTotal: 1_000_000 }, ...policy });
  const { sheet } = await buildReport("2026-11", {
    source: new MemoryReportSource(november()),
    config,
    clock: new FakeClock(now),
    inputs: [parseManualInputs(novemberInputs)],
  });
  return sheet;
}

const line = (s: ScoreSheet, id: string) => {
  const l = s.lines.find((x) => x.id === id);
  if (!l) throw new Error(`no line ${id}`);
  return l;
};

describe("golden November 2026", () => {
  it("availability per device: outage, vehicle stood down half the month, device added mid-month, window", async () => {
    const s = await sheetFor();
    const by = Object.fromEntries(s.availability.devices.map((d) => [d.deviceId, d]));
    // fixed-modem: 30 days = 720 h expected, 36 h down → 684/720 = 95 %.
    expect(by["fixed-modem"]).toMatchObject({
      expectedMs: 720 * H,
      downtimeMs: 36 * H,
      maintenanceMs: 0,
      percent: 95,
    });
    // vehicle-modem: not in service Nov 1..15 (not expected, not down); 15 days = 360 h expected, 3.6 h down.
    expect(by["vehicle-modem"]).toMatchObject({ expectedMs: 360 * H, downtimeMs: 3.6 * H, percent: 99 });
    // mine-switch: added Nov 11 → 20 days = 480 h; the 10 h window is excluded → 470 h expected;
    // down 14.7 h, 10 h of it inside the window → 4.7 h downtime → 465.3/470 = 99 %.
    expect(by["mine-switch"]).toMatchObject({
      expectedMs: 470 * H,
      downtimeMs: 4.7 * H,
      maintenanceMs: 10 * H,
      percent: 99,
      addedAt: at(11),
    });
    // Contract figure (pooled): (1550 − 44.3) / 1550 = 97.1419… %.
    expect(s.availability.contract.expectedMs).toBe(1550 * H);
    expect(s.availability.contract.downtimeMs).toBe(44.3 * H);
    expect(s.availability.contract.percent).toBe(97.14);
    expect(s.availability.sites.find((g) => g.id === "vehicle")?.percent).toBe(99);
    expect(s.availability.systems.map((g) => [g.id, g.devices, g.percent])).toEqual([
      ["ku-vehicle", 1, 99],
      ["mine-rescue", 1, 99],
      ["vsat-fixed", 1, 95],
    ]);
    // The evidence: every interval that is not `up`, with its cause.
    expect(s.evidence["vehicle-modem"]).toEqual([
      { start: at(1), end: at(16), state: "not-in-service", cause: "vehicle stood down" },
      { start: at(20, 8), end: at(20, 11, 36), state: "down", cause: "poll timeout" },
    ]);
    expect(s.maintenanceWindows.map((w) => w.id)).toEqual(["mw-1"]);
    expect(s.warnings).toEqual([]);
  });

  it("clocks: each breach lands on its clock; month-boundary and open tickets follow the settled rule", async () => {
    const s = await sheetFor();
    const v = Object.fromEntries(s.faults.map((f) => [f.id, f]));
    expect(v.T1?.verdicts.respond.verdict).toBe("met");
    expect(v.T2?.verdicts.respond.verdict).toBe("breached"); // accepted after 15 min > 10 min
    expect(v.T3?.verdicts.onsite.verdict).toBe("breached"); // on site after 3 h > 2 h
    expect(v.T4?.verdicts.repair.verdict).toBe("breached"); // repaired after 6 h > 4 h
    expect(v.T4?.verdicts.repair.lateMs).toBe(2 * H);
    expect(v.T5?.verdicts.onsite.verdict).toBe("n/a"); // remote fix
    expect(v.T6?.verdicts.repair.verdict).toBe("pending"); // due Dec 1 04:00
    expect(v.T6?.timeliness).toBeNull();
    expect(v.T7?.timeliness).toBe("on-time"); // started Oct 31 22:00, repaired Nov 1 05:00 (due 06:00)
    expect(v.T8?.verdicts.repair.verdict).toBe("breached"); // consult due Nov 28 22:00, still open
    // Repair: on time T1 T2 T3 T5 T7 = 5, late T4 T8 = 2 → 5/7 = 71.43 %.
    expect(s.timeliness).toMatchObject({ onTime: 5, late: 2, due: 7, pending: 1, percent: 71.43 });
    // Respond: T7 was accepted in October (not counted); T2 late; T1 T3 T4 T5 T6 T8 met → 6/7.
    expect(s.sla.respond).toMatchObject({ onTime: 6, late: 1, percent: 85.71 });
    // On site: T5, T7 remote (n/a); T3 late; T1 T2 T4 T6 T8 met → 5/6.
    expect(s.sla.onsite).toMatchObject({ onTime: 5, late: 1, percent: 83.33 });
    expect(s.repeats).toEqual([
      {
        ticketId: "T5",
        repeatOf: "T4",
        deviceId: "fixed-modem",
        faultType: "link",
        startedAt: at(12),
        how: "link",
      },
    ]);
  });

  it("the whole sheet under the default (floor) fraction rule", async () => {
    const s = await sheetFor();
    const scores = Object.fromEntries(s.lines.map((l) => [l.id, l.score]));
    expect(scores).toEqual({
      reports: 2, // 5 − 2 (missing) − 1 (non-conforming)
      "inspection-plan": 4, // 5 − 1 (not carried out)
      "review-call": 5,
      "user-data": 0, // 5 − 3×2, down to 0
      "repair-timeliness": 4, // 98 − 71.43 = 26.57 points below → floor 26 → 30 − 26
      availability: 14, // 99 − 97.14 = 1.86 below → floor 1 → 15 − 1
      "repeat-faults": 12, // 15 − 3 × 1
      "support-tasks": 8, // 10 − 2
      "callback-satisfaction": 8, // 10 − 2 × 1
      complaints: 30, // 30 − 5 + 2 × 5 = 35, at most 30
      escalated: 20, // 30 − 10
      "production-accidents": 33, // 40 − 7
    });
    expect(line(s, "complaints")).toMatchObject({ deduction: 5, bonus: 5 });
    expect(s.totals).toEqual({ performance: 57, service: 83 });
    // 1 000 000 × 0.57 × 0.83
    expect(s.fee.amount).toBe(473_100);
  });

  it("other fraction rules", async () => {
    const ceil = await sheetFor({ fractionRule: "ceil" });
    expect(line(ceil, "repair-timeliness").score).toBe(3); // 26.57 → 27
    expect(line(ceil, "availability").score).toBe(13); // 1.86 → 2
    expect(ceil.totals.performance).toBe(55);
    const prop = await sheetFor({ fractionRule: "proportional" });
    // 98 − 500/7 = 26.5714… → 26.57; 99 − 97.1419… = 1.8580… → 1.86
    expect(line(prop, "repair-timeliness").deduction).toBe(26.57);
    expect(line(prop, "availability").deduction).toBe(1.86);
  });

  it("the started attribution moves T7 to October and counts the pending T6 only if told", async () => {
    const monthEnd = at(1, 0, 0, 12);
    const s = await sheetFor({ timeliness: { attribution: "started" } }, monthEnd);
    // T1 T2 T3 T5 on time, T4 T8 late, T6 pending excluded, T7 started in October.
    expect(s.timeliness).toMatchObject({ onTime: 4, late: 2, due: 6, pending: 1 });
    const s2 = await sheetFor({ timeliness: { attribution: "started", openNotDue: "on-time" } }, monthEnd);
    expect(s2.timeliness).toMatchObject({ onTime: 5, late: 2, due: 7 });
    // Later, T6 has passed its deadline unrepaired: November counts it late, it is not lost.
    const later = await sheetFor({ timeliness: { attribution: "started" } });
    expect(later.timeliness).toMatchObject({ onTime: 4, late: 3, due: 7, pending: 0 });
    expect(later.faults.find((f) => f.id === "T6")?.timeliness).toBe("late");
  });

  it("a report made mid-month sees only what happened so far", async () => {
    // On Nov 15 12:00: T1 (on time), T4 (late), T5 (on time) are settled; T3 is not yet due.
    const s = await sheetFor({}, at(15, 12));
    expect(s.cutoff).toBe(at(15, 12));
    expect(s.timeliness).toMatchObject({ onTime: 3, late: 1, due: 4 });
  });
});

describe("a third party's device", () => {
  it("is shown apart as the provider's availability and never raises the contractor's figure", async () => {
    const data = november();
    data.devices.push({
      id: "sat-service",
      name: { zh: "卫星服务", en: "Satellite service" },
      site: "vsat-fixed",
      system: "vsat-fixed",
      kind: "satellite-service",
      criticality: "major",
      thirdParty: true,
    });
    data.changes.push(
      { deviceId: "sat-service", at: at(1), state: "up", cause: "first poll" },
      { deviceId: "sat-service", at: at(16), state: "down", cause: "provider outage" },
      { deviceId: "sat-service", at: at(16, 6), state: "up", cause: "restored" },
    );
    const config = reportConfig({});
    const clock = new FakeClock(at(2, 3, 0, 12));
    const without = (
      await buildReport("2026-11", { source: new MemoryReportSource(november()), config, clock })
    ).sheet;
    const { sheet } = await buildReport("2026-11", { source: new MemoryReportSource(data), config, clock });
    expect(sheet.availability.devices.map((d) => d.deviceId)).not.toContain("sat-service");
    expect(sheet.availability.contract).toEqual(without.availability.contract);
    expect(sheet.availability.sites).toEqual(without.availability.sites);
    expect(sheet.availability.providers).toEqual([
      expect.objectContaining({ deviceId: "sat-service", downtimeMs: 6 * H, expectedMs: 720 * H }),
    ]);
    expect(sheet.evidence["sat-service"]).toEqual([
      expect.objectContaining({ state: "down", start: at(16), end: at(16, 6), cause: "provider outage" }),
    ]);
  });
});

describe("golden year 2026 (reported on Dec 2: the months that ended, January..November)", () => {
  async function year(method: "mean-of-months" | "whole-year") {
    const { sheet } = await buildReport("2026", {
      source: new MemoryReportSource(november()),
      config: reportConfig({ fee: { contractTotal: 1_000_000 }, year: { method } }),
      clock: new FakeClock(at(2, 3, 0, 12)),
      inputs: [parseManualInputs(novemberInputs)],
    });
    return sheet;
  }

  it("mean of months: ten clean months at 100/100 and November at 57/83", async () => {
    const s = await year("mean-of-months");
    expect(s.months.map((m) => m.period)).toEqual(
      Array.from({ length: 11 }, (_, i) => `2026-${String(i + 1).padStart(2, "0")}`),
    );
    expect(s.months.slice(0, 10).every((m) => m.performance === 100 && m.service === 100)).toBe(true);
    expect(s.months[10]).toMatchObject({ performance: 57, service: 83 });
    // (10 × 100 + 57) / 11 = 96.0909… ; (10 × 100 + 83) / 11 = 98.4545…
    expect(s.totals).toEqual({ performance: 96.09, service: 98.45 });
    expect(s.fee.amount).toBe(946_006.05); // 1 000 000 × 0.9609 × 0.9845
  });

  it("whole year: the rules once over the year's statistics", async () => {
    const s = await year("whole-year");
    // Availability: fixed-modem Oct 1..Dec 1 = 1464 h (36 h down), vehicle 360 h (3.6), mine 470 h (4.7):
    // (2294 − 44.3) / 2294 = 98.069 % → 0.93 below 99 → floor 0 → 15.
    expect(s.availability.contract.expectedMs).toBe(2294 * H);
    expect(s.availability.contract.percent).toBe(98.07);
    const scores = Object.fromEntries(s.lines.map((l) => [l.id, l.score]));
    expect(scores).toMatchObject({ "repair-timeliness": 4, availability: 15, "repeat-faults": 12 });
    // 2 + 4 + 5 + 0 + 4 + 15 + 12 + 8 + 8
    expect(s.totals).toEqual({ performance: 58, service: 83 });
  });
});

describe("derived repeat faults", () => {
  it("the same fault type on the same device within the window after a clear, looking back across the month boundary", async () => {
    const data = november();
    // Every fixture ticket is type "link" except T1, made "power" here; T0 (fixed-modem, power) was
    // cleared Oct 28 12:00, before the month: the report must look back for it.
    data.tickets = data.tickets.map((t) => (t.id === "T1" ? { ...t, faultType: "power" } : t));
    data.tickets.push(
      ticket({
        id: "T0",
        deviceId: "fixed-modem",
        level: "general",
        faultType: "power",
        startedAt: at(28, 10, 0, 10),
        acceptedAt: at(28, 10, 5, 10),
        clearedAt: at(28, 12, 0, 10),
        verifiedAt: at(28, 13, 0, 10),
        onsiteRequired: false,
      }),
    );
    const run = async (days: number) => {
      const { sheet } = await buildReport("2026-11", {
        source: new MemoryReportSource({ ...data, repeatWindowMs: days * 24 * H }),
        config: reportConfig({}),
        clock: new FakeClock(at(2, 3, 0, 12)),
      });
      expect(sheet.faults.map((f) => f.id)).not.toContain("T0"); // evidence only, not a fault of November
      return sheet.repeats.map((r) => `${r.ticketId}→${r.repeatOf}:${r.how}`);
    };
    // Gaps after the earlier clear: T1←T0 5.9 d; T2←T7 19.1 d; T8←T3 12.8 d; T6←T5 18.8 d; T4 has no
    // earlier link ticket on fixed-modem (T1 is power). T5→T4 is linked by the ticket system.
    expect(await run(30)).toEqual([
      "T1→T0:derived",
      "T5→T4:link",
      "T2→T7:derived",
      "T8→T3:derived",
      "T6→T5:derived",
    ]);
    expect(await run(7)).toEqual(["T1→T0:derived", "T5→T4:link"]);
    expect(await run(5)).toEqual(["T5→T4:link"]);
    expect(await run(0)).toEqual(["T5→T4:link"]);
  });
});

describe("data checks", () => {
  it("inconsistent evidence is listed in the sheet, not hidden", async () => {
    const { checkMonthData } = await import("../../src/report/checks.ts");
    const data = november();
    data.tickets = data.tickets.map((t) =>
      t.id === "T1" ? { ...t, clearedAt: t.startedAt - 1 } : t.id === "T2" ? { ...t, repeatOf: "T2" } : t,
    );
    const source = new MemoryReportSource(data);
    const window = { start: at(1), end: at(1, 0, 0, 12) };
    const devices = await source.availability(window);
    devices[0] = { ...devices[0]!, downtimeMs: devices[0]!.expectedMs + 1 };
    const problems = checkMonthData({
      period: {
        id: "2026-11",
        kind: "month",
        start: window.start,
        end: window.end,
        timezone: "Asia/Shanghai",
      },
      devices,
      tickets: await source.tickets(window),
      windows: await source.maintenanceWindows(window),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^device fixed-modem: downtime \d+ ms exceeds expected/),
      expect.stringMatching(/^device fixed-modem: downtime \d+ ms exceeds its down intervals/),
      "ticket T1: clearedAt is before the fault started",
      "ticket T2: repeats itself",
    ]);
    const s = await sheetFor();
    expect(s.warnings).toEqual([]);
  });

  it("MemoryReportSource keeps the ReportSource contract (what an adapter's test asserts too)", async () => {
    const { checkReportSource } = await import("../../src/report/checks.ts");
    const source = new MemoryReportSource(november());
    for (const window of [
      { start: at(1, 0, 0, 10), end: at(1) },
      { start: at(1), end: at(1, 0, 0, 12) },
      { start: at(12, 5), end: at(20, 9) },
    ])
      expect(await checkReportSource(source, window)).toEqual([]);
  });
});
