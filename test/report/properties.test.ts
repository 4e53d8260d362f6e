/**
 * Properties of the score sheet over random months: every line within 0..its maximum, totals within
 * 0..100; more downtime, more late repairs or more counted failures never raise a score; the fee is
 * the product the contract states; the fraction rules are ordered floor ≤ round ≤ ceil.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePeriod } from "../../src/ledger/period.ts";
import { countKeys, emptyInputs, type ManualInputs } from "../../src/report/inputs.ts";
import { fractionRules, type ReportConfig, reportConfig } from "../../src/report/policy.ts";
import { computeScoreSheet, feeAmount, type MonthData, type ScoreSheet } from "../../src/report/score.ts";
import type { DeviceAvailability, TicketRecord } from "../../src/report/source.ts";
import { H, MIN, ticket } from "./fixtures.ts";

const P = parsePeriod("2026-11");
const DAY = 24 * H;

const deviceArb = fc
  .record({
    expectedMs: fc.integer({ min: 0, max: 30 * DAY }),
    downFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ expectedMs, downFraction }) => ({ expectedMs, downtimeMs: Math.floor(expectedMs * downFraction) }));

const ticketArb = fc.record({
  level: fc.constantFrom("major" as const, "general" as const, "consult" as const),
  start: fc.integer({ min: P.start, max: P.end - 2 * DAY }),
  respondMin: fc.integer({ min: 1, max: 30 }),
  onsiteMin: fc.integer({ min: 10, max: 300 }),
  repairMin: fc.option(fc.integer({ min: 20, max: 900 }), { nil: null }),
  onsite: fc.boolean(),
  repeat: fc.boolean(),
});

const countsArb = fc.record({
  reportsMissing: fc.nat(4),
  reportsNonConforming: fc.nat(6),
  inspectionPlansNotSubmitted: fc.nat(3),
  inspectionPlansNotCarriedOut: fc.nat(6),
  reviewCallsMissed: fc.nat(3),
  userDataErrors: fc.nat(4),
  supportTasksFailed: fc.nat(6),
  dissatisfiedCallbacks: fc.nat(12),
  complaints: fc.nat(8),
  writtenPraise: fc.nat(8),
  escalatedComplaints: fc.nat(4),
  accidents: fc.array(fc.integer({ min: 5, max: 10 }), { maxLength: 6 }),
});

type TicketGen = ReturnType<typeof ticketArb.generate>["value"];
type CountsGen = ReturnType<typeof countsArb.generate>["value"];

const monthArb = fc.record({
  devices: fc.array(deviceArb, { minLength: 1, maxLength: 8 }),
  tickets: fc.array(ticketArb, { maxLength: 12 }),
  counts: countsArb,
  contractTotal: fc.integer({ min: 0, max: 10_000_000 }),
  rule: fc.constantFrom(...fractionRules),
});

function device(i: number, d: { expectedMs: number; downtimeMs: number }): DeviceAvailability {
  return {
    deviceId: `d${i}`,
    name: { zh: `设备${i}`, en: `device ${i}` },
    site: i % 2 ? "vehicle" : "vsat-fixed",
    system: "sys",
    kind: "switch",
    criticality: "general",
    expectedMs: d.expectedMs,
    downtimeMs: d.downtimeMs,
    maintenanceMs: 0,
    intervals: [],
  };
}

function toTicket(t: TicketGen, i: number): TicketRecord {
  return ticket({
    id: `t${i}`,
    deviceId: "d0",
    level: t.level,
    startedAt: t.start,
    acceptedAt: t.start + t.respondMin * MIN,
    arrivedAt: t.onsite ? t.start + t.onsiteMin * MIN : null,
    onsiteRequired: t.onsite,
    clearedAt: t.repairMin === null ? null : t.start + t.repairMin * MIN,
    repeatOf: t.repeat && i > 0 ? `t${i - 1}` : null,
  });
}

function inputs(c: CountsGen): ManualInputs {
  const { accidents, ...counts } = c;
  return {
    ...emptyInputs("2026-11"),
    ...counts,
    productionAccidents: accidents.map((d) => ({ description: "x", deduction: d })),
  };
}

function month(devices: DeviceAvailability[], tickets: TicketRecord[], inp: ManualInputs): MonthData {
  return {
    period: { id: P.id, kind: "month", start: P.start, end: P.end, timezone: P.timezone },
    cutoff: P.end,
    ledgerPolicyVersion: "prop",
    devices,
    tickets,
    windows: [],
    inputs: inp,
  };
}

function sheet(m: MonthData, config: ReportConfig): ScoreSheet {
  return computeScoreSheet({ period: m.period, months: [m] }, config);
}

const score = (s: ScoreSheet, id: string) => s.lines.find((l) => l.id === id)!.score;

describe("score sheet properties", () => {
  it("every line within 0..max, totals within 0..100, fee is total × performance/100 × service/100", () => {
    fc.assert(
      fc.property(monthArb, (g) => {
        const config = reportConfig({ fractionRule: g.rule, fee: { contractTotal: g.contractTotal } });
        const s = sheet(
          month(
            g.devices.map((d, i) => device(i, d)),
            g.tickets.map(toTicket),
            inputs(g.counts),
          ),
          config,
        );
        for (const l of s.lines) {
          expect(l.score).toBeGreaterThanOrEqual(0);
          expect(l.score).toBeLessThanOrEqual(l.maxScore);
          expect(l.deduction).toBeGreaterThanOrEqual(0);
        }
        expect(s.lines.filter((l) => l.category === "performance").reduce((a, l) => a + l.maxScore, 0)).toBe(
          100,
        );
        expect(s.lines.filter((l) => l.category === "service").reduce((a, l) => a + l.maxScore, 0)).toBe(100);
        for (const t of [s.totals.performance, s.totals.service]) {
          expect(t).toBeGreaterThanOrEqual(0);
          expect(t).toBeLessThanOrEqual(100);
        }
        const exact = (g.contractTotal * s.totals.performance * s.totals.service) / 10_000;
        expect(Math.abs(s.fee.amount - exact)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(s.fee.amount).toBeLessThanOrEqual(g.contractTotal);
      }),
      { numRuns: 300 },
    );
  });

  it("more downtime never raises a score", () => {
    fc.assert(
      fc.property(monthArb, fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (g, which, more) => {
        const config = reportConfig({ fractionRule: g.rule });
        const devices = g.devices.map((d, i) => device(i, d));
        const before = sheet(month(devices, [], inputs(g.counts)), config);
        const k = which % devices.length;
        const d = devices[k]!;
        const worse = devices.map((x, i) =>
          i === k ? { ...d, downtimeMs: d.downtimeMs + Math.floor((d.expectedMs - d.downtimeMs) * more) } : x,
        );
        const after = sheet(month(worse, [], inputs(g.counts)), config);
        expect(score(after, "availability")).toBeLessThanOrEqual(score(before, "availability"));
        expect(after.totals.performance).toBeLessThanOrEqual(before.totals.performance);
      }),
      { numRuns: 300 },
    );
  });

  it("more late repairs never raise a score (a repair made late, or a late ticket added)", () => {
    fc.assert(
      fc.property(monthArb, fc.nat(), ticketArb, (g, which, extra) => {
        const config = reportConfig({ fractionRule: g.rule });
        const devices = g.devices.map((d, i) => device(i, d));
        const tickets = g.tickets.map(toTicket);
        const before = sheet(month(devices, tickets, inputs(g.counts)), config);
        // Make one ticket's repair late (cleared 1 min after its deadline: still inside the month).
        if (tickets.length > 0) {
          const k = which % tickets.length;
          const t = tickets[k]!;
          const late = { ...t, clearedAt: t.deadlines.repair + MIN, state: "closed" as const };
          const after = sheet(
            month(
              devices,
              tickets.map((x, i) => (i === k ? late : x)),
              inputs(g.counts),
            ),
            config,
          );
          expect(score(after, "repair-timeliness")).toBeLessThanOrEqual(score(before, "repair-timeliness"));
          expect(after.timeliness.late).toBeGreaterThanOrEqual(before.timeliness.late);
        }
        const added = toTicket({ ...extra, repairMin: 24 * 60, repeat: false }, 999);
        const after2 = sheet(month(devices, [...tickets, added], inputs(g.counts)), config);
        expect(score(after2, "repair-timeliness")).toBeLessThanOrEqual(score(before, "repair-timeliness"));
      }),
      { numRuns: 300 },
    );
  });

  it("more counted failures never raise a score; praise never lowers one", () => {
    const failures = countKeys.filter((k) => k !== "writtenPraise");
    fc.assert(
      fc.property(monthArb, fc.constantFrom(...failures), fc.integer({ min: 1, max: 5 }), (g, key, n) => {
        const config = reportConfig();
        const devices = g.devices.map((d, i) => device(i, d));
        const base = inputs(g.counts);
        const before = sheet(month(devices, [], base), config);
        const after = sheet(month(devices, [], { ...base, [key]: base[key] + n }), config);
        expect(after.totals.performance + after.totals.service).toBeLessThanOrEqual(
          before.totals.performance + before.totals.service,
        );
        const praised = sheet(month(devices, [], { ...base, writtenPraise: base.writtenPraise + n }), config);
        expect(praised.totals.service).toBeGreaterThanOrEqual(before.totals.service);
      }),
      { numRuns: 200 },
    );
  });

  it("fraction rules are ordered: floor ≤ round ≤ ceil, proportional within floor..ceil", () => {
    fc.assert(
      fc.property(monthArb, (g) => {
        const m = month(
          g.devices.map((d, i) => device(i, d)),
          g.tickets.map(toTicket),
          inputs(g.counts),
        );
        const d = Object.fromEntries(
          fractionRules.map((r) => {
            const s = sheet(m, reportConfig({ fractionRule: r }));
            return [
              r,
              ["repair-timeliness", "availability"].map((id) => s.lines.find((l) => l.id === id)!.deduction),
            ];
          }),
        );
        for (const i of [0, 1]) {
          expect(d.floor![i]).toBeLessThanOrEqual(d.round![i]!);
          expect(d.round![i]).toBeLessThanOrEqual(d.ceil![i]!);
          expect(d.floor![i]).toBeLessThanOrEqual(d.proportional![i]! + 1e-9);
          expect(d.proportional![i]).toBeLessThanOrEqual(d.ceil![i]! + 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a year scored as the mean of its months lies between its worst and best month", () => {
    fc.assert(
      fc.property(fc.array(monthArb, { minLength: 1, maxLength: 4 }), (gs) => {
        const months = gs.map((g, i) => {
          const p = parsePeriod(`2026-0${i + 1}`);
          const base = month(
            g.devices.map((d, k) => device(k, d)),
            [],
            { ...inputs(g.counts), period: p.id },
          );
          return { ...base, period: { ...base.period, id: p.id, start: p.start, end: p.end }, cutoff: p.end };
        });
        const y = parsePeriod("2026");
        const s = computeScoreSheet(
          { period: { id: y.id, kind: "year", start: y.start, end: y.end, timezone: y.timezone }, months },
          reportConfig(),
        );
        for (const k of ["performance", "service"] as const) {
          const monthly = s.months.map((m) => m[k]);
          expect(s.totals[k]).toBeGreaterThanOrEqual(Math.min(...monthly) - 0.01);
          expect(s.totals[k]).toBeLessThanOrEqual(Math.max(...monthly) + 0.01);
        }
        for (const l of s.lines) expect(l.score).toBeLessThanOrEqual(l.maxScore);
      }),
      { numRuns: 100 },
    );
  });

  it("feeAmount is the contract's product, to the cent", () => {
    expect(feeAmount(1_000_000, 57, 83)).toBe(473_100);
    expect(feeAmount(1_234_567, 99.5, 97)).toBe(1_191_542.34); // 1234567 × 0.96515 = 1191542.3400…
    expect(feeAmount(0, 100, 100)).toBe(0);
  });
});
