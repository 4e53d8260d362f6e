/**
 * The monthly schedule on the injected clock: nothing runs before 02:30 on the 1st (contract
 * zone), then the month that ended is reported and frozen, once, and the next run waits for the
 * next month.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { getFrozen } from "../../src/report/freeze.ts";
import { MemoryReportSource } from "../../src/report/memory-source.ts";
import { reportConfig } from "../../src/report/policy.ts";
import { scheduleMonthlyReports } from "../../src/report/schedule.ts";
import { openStore } from "../../src/store/db.ts";
import { at, MIN, november } from "./fixtures.ts";

const config = reportConfig({ fee: { contractTotal: 1_000_000 } });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The schedule over the golden November on a fresh store, starting at `start` (no catch-up). */
function scheduled(start: number) {
  const outDir = mkdtempSync(join(tmpdir(), "emcomm-schedule-"));
  dirs.push(outDir);
  const db = openStore(":memory:");
  const clock = new FakeClock(start);
  const reports = scheduleMonthlyReports({
    source: new MemoryReportSource(november()),
    config,
    clock,
    log: pino({ level: "silent" }),
    outDir,
    db,
    catchUp: false,
  });
  return { outDir, db, clock, reports };
}

describe("monthly schedule on the clock", () => {
  it("at 02:30 on the 1st freezes the month that ended, and only then", async () => {
    // 30 November 22:00 in the contract zone (Asia/Shanghai).
    const { outDir, db, clock, reports } = scheduled(at(30, 22, 0));
    const revisions = () =>
      (db.prepare("SELECT COUNT(*) AS n FROM report_revisions").get() as { n: number }).n;
    await clock.advance(at(1, 2, 29, 12) - clock.now());
    expect(revisions()).toBe(0);
    expect(getFrozen(db, "2026-11")).toBeNull();

    await clock.advance(1 * MIN);
    // The run started at 02:30; stop() lets it finish.
    await reports.stop();
    const frozen = getFrozen(db, "2026-11");
    expect(frozen?.frozenBy).toBe("schedule");
    expect(frozen?.frozenAt).toBe(at(1, 2, 30, 12));
    expect(revisions()).toBe(1);
    expect(readdirSync(join(outDir, "2026-11"))).toContain("2026-11.xlsx");
  });

  it("then waits until the next month's 1st at 02:30", async () => {
    const { db, clock, reports } = scheduled(at(1, 2, 31, 12));
    // Through December: no run (the schedule's next time is 1 January 02:30).
    await clock.advance(at(1, 2, 29, 13) - clock.now());
    expect(getFrozen(db, "2026-12")).toBeNull();
    expect(getFrozen(db, "2026-11")).toBeNull();
    // 1 January 02:30: December, and in January the year that ended too.
    await clock.advance(1 * MIN);
    await reports.stop();
    expect(getFrozen(db, "2026-12")?.frozenAt).toBe(at(1, 2, 30, 13));
    expect(getFrozen(db, "2026")?.frozenAt).toBe(at(1, 2, 30, 13));
    expect(getFrozen(db, "2026-11")).toBeNull();
  });
});
