/**
 * The monthly schedule writes the records' documents beside the score sheet: on the FakeClock, an
 * inspection and a province joint test signed in November, and at 02:30 on 1 December the month's
 * directory holds 月度巡检报告 and 月度联调报告 in every format, wired as the daemon wires them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Records, startRecords } from "../../src/records/index.ts";
import { checklistIds } from "../../src/records/kinds.ts";
import { startReports } from "../../src/report/wire.ts";
import { at, engineer, Harness, MIN, supervisor } from "../support/harness.ts";
import { inventory } from "./support.ts";

describe("the monthly schedule writes the records' reports", () => {
  let h: Harness;
  let records: Records;
  let reports: ReturnType<typeof startReports>;
  const dir = () => join(h.dir, "reports", "2026-11");
  const files = () => readdirSync(dir()).sort();

  beforeAll(() => {
    h = new Harness(inventory, at(30, "20:00"));
    records = startRecords({ config: h.config, db: h.db, clock: h.clock, log: h.log });
    const e = records.engine;
    const visit = e.create("inspection", { device: "vehicle-ups", engineers: ["li.engineer"] }, engineer);
    e.checkin(visit.id, engineer);
    e.edit(
      visit.id,
      {
        ...(e.get(visit.id).body as object),
        items: Object.fromEntries(checklistIds.map((i) => [i, { status: "ok" }])),
        readingsConfirmed: true,
      },
      engineer,
    );
    e.act(visit.id, "sign", engineer);
    e.act(visit.id, "countersign", supervisor);
    const joint = e.create(
      "joint-test",
      {
        title: "全省联调 province joint test",
        startsAt: at(30, "14:00"),
        endsAt: at(30, "15:30"),
        engineers: ["li.engineer"],
        systems: ["fixed-modem"],
        outcome: "done",
      },
      engineer,
    );
    e.act(joint.id, "sign", engineer);
    reports = startReports({
      config: h.config,
      db: h.db,
      clock: h.clock,
      log: h.log,
      records: records.figures,
      recordReports: records.writeReports,
    });
  });
  afterAll(async () => {
    await reports.stop();
    h.close();
  });

  it("nothing before 02:30 on the 1st; then both documents in every format", async () => {
    await h.clock.advance(at(31, "02:29") - h.clock.now());
    expect(() => files()).toThrow(/ENOENT/);
    await h.clock.advance(1 * MIN);
    await reports.stop();
    const written = files();
    expect(written).toContain("2026-11.xlsx");
    for (const report of ["inspection", "joint-test"])
      for (const ext of ["json", "xlsx", "md", "html"]) expect(written).toContain(`2026-11-${report}.${ext}`);
    expect(written.filter((f) => /^2026-11-inspection-.+\.csv$/.test(f)).length).toBeGreaterThan(0);
    expect(written.filter((f) => /^2026-11-joint-test-.+\.csv$/.test(f)).length).toBeGreaterThan(0);

    const inspection = JSON.parse(readFileSync(join(dir(), "2026-11-inspection.json"), "utf8"));
    expect(inspection.title.zh).toBe("月度巡检报告");
    expect(JSON.stringify(inspection.tables)).toContain("vehicle-ups");
    const joint = JSON.parse(readFileSync(join(dir(), "2026-11-joint-test.json"), "utf8"));
    expect(joint.title.zh).toBe("月度联调报告");
    expect(JSON.stringify(joint.tables)).toContain("全省联调 province joint test");
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(join(dir(), "2026-11-joint-test.xlsx"));
    expect(book.worksheets.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir(), "2026-11-inspection.html"), "utf8")).toContain("月度巡检报告");
  });
});
