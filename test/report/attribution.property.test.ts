/**
 * Every ticket is counted exactly once over a run of months, under every attribution rule the policy
 * offers: random tickets start near month boundaries (October 2026 to January 2027), are accepted,
 * repaired and cleared (often cleared days after the measured repair, across a month's end) or never
 * repaired; each month's sheet is computed through buildReport as the schedule would, and each
 * ticket's repair and response verdicts must appear in exactly one month.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { parsePeriod } from "../../src/ledger/period.ts";
import { buildReport } from "../../src/report/build.ts";
import { MemoryReportSource } from "../../src/report/memory-source.ts";
import { type ReportConfigInput, reportConfig } from "../../src/report/policy.ts";
import type { TicketRecord } from "../../src/report/source.ts";
import { at, H, MIN, ticket } from "./fixtures.ts";

const months = ["2026-10", "2026-11", "2026-12", "2027-01"];
const FIRST = at(28, 0, 0, 10);
const LAST = at(3, 0, 0, 12);
const AFTER = Date.UTC(2027, 1, 10); // every month ended, every deadline passed

const ticketArb = fc.record({
  level: fc.constantFrom("major" as const, "general" as const, "consult" as const),
  // Starts cluster around the ends of October and November.
  start: fc.oneof(
    fc.integer({ min: FIRST, max: LAST }),
    fc.integer({ min: at(1, 0, 0, 11) - 14 * H, max: at(1, 0, 0, 11) + 2 * H }),
    fc.integer({ min: at(1, 0, 0, 12) - 14 * H, max: at(1, 0, 0, 12) + 2 * H }),
  ),
  acceptMin: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
  /** Measured repair after the start, or never repaired. */
  repairMin: fc.option(fc.integer({ min: 5, max: 16 * 60 }), { nil: null }),
  /** The clear is recorded this long after the measured repair (often across a month's end). */
  clearDelayMin: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  verified: fc.boolean(),
});

type TicketGen = ReturnType<typeof ticketArb.generate>["value"];

function record(i: number, g: TicketGen): TicketRecord {
  const repaired = g.repairMin === null ? null : g.start + g.repairMin * MIN;
  const clearedAt = repaired === null ? null : repaired + g.clearDelayMin * MIN;
  const verifiedAt = clearedAt !== null && g.verified ? clearedAt + 30 * MIN : null;
  const acceptedAt = g.acceptMin === null ? null : g.start + g.acceptMin * MIN;
  return ticket({
    id: `T${i}`,
    deviceId: `d${i % 3}`,
    level: g.level,
    startedAt: g.start,
    acceptedAt,
    clearedAt,
    verifiedAt,
    repairMs: repaired === null ? null : repaired - g.start,
    onsiteRequired: false,
    state: verifiedAt !== null ? "closed" : clearedAt !== null ? "cleared" : acceptedAt ? "accepted" : "open",
  });
}

async function countedPerTicket(tickets: TicketRecord[], policy: ReportConfigInput, asOf: number) {
  const source = new MemoryReportSource({ devices: [], changes: [], windows: [], tickets });
  const config = reportConfig(policy);
  const seen = { repair: new Map<string, number>() };
  const totals = { repair: 0, respond: 0 };
  for (const month of months) {
    const { sheet } = await buildReport(month, { source, config, clock: new FakeClock(asOf) });
    for (const f of sheet.faults)
      if (f.timeliness !== null) seen.repair.set(f.id, (seen.repair.get(f.id) ?? 0) + 1);
    totals.repair += sheet.sla.repair.onTime + sheet.sla.repair.late;
    totals.respond += sheet.sla.respond.onTime + sheet.sla.respond.late;
  }
  return { seen, totals };
}

describe("attribution over a run of months", () => {
  for (const rule of [
    { timeliness: { attribution: "settled" } },
    { timeliness: { attribution: "started" } },
    { timeliness: { attribution: "settled", repairedAt: "verified" } },
    { timeliness: { attribution: "started", openNotDue: "on-time" } },
  ] as ReportConfigInput[]) {
    it(`counts each ticket exactly once (${JSON.stringify(rule.timeliness)})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(ticketArb, { minLength: 1, maxLength: 12 }), async (gens) => {
          const tickets = gens.map((g, i) => record(i, g));
          const { seen, totals } = await countedPerTicket(tickets, rule, AFTER);
          for (const t of tickets) expect(seen.repair.get(t.id) ?? 0, `${t.id} repair`).toBe(1);
          expect(totals.repair).toBe(tickets.length);
          expect(totals.respond).toBe(tickets.length);
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  }

  it("a month in progress counts nothing twice and loses nothing already decided", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ticketArb, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: at(1, 0, 0, 11), max: at(20, 0, 0, 12) }),
        async (gens, asOf) => {
          const tickets = gens.map((g, i) => record(i, g)).filter((t) => t.startedAt < asOf);
          const source = new MemoryReportSource({ devices: [], changes: [], windows: [], tickets });
          const config = reportConfig({});
          const counted = new Map<string, number>();
          for (const month of months) {
            if (parsePeriod(month).start >= asOf) continue; // not started as of asOf
            const { sheet } = await buildReport(month, { source, config, clock: new FakeClock(asOf) });
            expect(sheet.cutoff).toBeLessThanOrEqual(asOf);
            for (const f of sheet.faults)
              if (f.timeliness !== null) counted.set(f.id, (counted.get(f.id) ?? 0) + 1);
          }
          for (const t of tickets) {
            const decided = t.deadlines.repair < asOf || (t.clearedAt !== null && t.clearedAt <= asOf);
            expect(counted.get(t.id) ?? 0, t.id).toBe(decided ? 1 : 0);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
