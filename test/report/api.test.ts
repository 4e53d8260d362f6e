/**
 * The report API (Fastify inject) and the monthly schedule's job, on the golden November.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import Fastify from "fastify";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { getFrozen, saveInputs } from "../../src/report/freeze.ts";
import { MemoryReportSource } from "../../src/report/memory-source.ts";
import { reportConfig } from "../../src/report/policy.ts";
import { reportRoutes } from "../../src/report/routes.ts";
import { type MonthlyReportDeps, scheduleMonthlyReports } from "../../src/report/schedule.ts";
import { openStore } from "../../src/store/db.ts";
import { at, november, novemberInputs } from "./fixtures.ts";

const config = reportConfig({ fee: { contractTotal: 1_000_000 } });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function app() {
  const db = openStore(":memory:");
  const clock = new FakeClock(at(2, 3, 0, 12));
  const a = Fastify();
  await a.register(
    reportRoutes({
      source: new MemoryReportSource(november()),
      config,
      clock,
      db,
      authorize: (req) => (req.headers.authorization === "Bearer ok" ? "supervisor" : null),
    }),
  );
  return { a, db };
}

describe("report API", () => {
  it("computes as of ?asOf= (mid-month: up to it, never extrapolated); a bad instant or month is a 400", async () => {
    const { a, db } = await app();
    try {
      const mid = at(20, 12);
      const r = await a.inject(`/api/v1/reports/2026-11.json?asOf=${new Date(mid).toISOString()}`);
      expect(r.statusCode).toBe(200);
      const sheet = r.json();
      expect(sheet.cutoff).toBe(mid);
      const full = (await a.inject("/api/v1/reports/2026-11.json")).json();
      expect(sheet.availability.contract.expectedMs).toBeLessThan(full.availability.contract.expectedMs);
      expect((await a.inject("/api/v1/reports/2026-11.json?asOf=soon")).statusCode).toBe(400);
      expect((await a.inject("/api/v1/reports/2026-13.json")).statusCode).toBe(400);
    } finally {
      await a.close();
      db.close();
    }
  });

  it("serves every format; inputs and freeze need authorization; frozen months are served frozen", async () => {
    const { a, db } = await app();
    const put = (body: unknown, auth = "Bearer ok") =>
      a.inject({
        method: "PUT",
        url: "/api/v1/reports/2026-11/inputs",
        payload: body as object,
        headers: { authorization: auth },
      });
    expect((await put(novemberInputs, "Bearer no")).statusCode).toBe(403);
    const bad = await put({ ...novemberInputs, complaints: -2, praise: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/complaints: not negative/);
    expect(bad.json().error).toMatch(/unknown indicator\(s\): praise/);
    expect((await put({ ...novemberInputs, period: "2026-10" })).statusCode).toBe(400);
    expect((await put(novemberInputs)).statusCode).toBe(200);

    const json = await a.inject("/api/v1/reports/2026-11.json");
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ totals: { performance: 57, service: 83 }, frozen: null });
    const xlsx = await a.inject("/api/v1/reports/2026-11.xlsx");
    expect(xlsx.headers["content-type"]).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.length).toBeGreaterThan(5);
    const csv = await a.inject("/api/v1/reports/2026-11.csv?table=faults");
    expect(csv.body).toContain("T4");
    expect((await a.inject("/api/v1/reports/2026-11.csv?table=nope")).statusCode).toBe(400);
    expect((await a.inject("/api/v1/reports/2026-11.md")).body).toContain("本月各类维护和总结分析报表");
    expect((await a.inject("/api/v1/reports/2026-11.html")).headers["content-type"]).toMatch(/text\/html/);
    expect((await a.inject("/api/v1/reports/2026-13.json")).statusCode).toBe(400);
    expect((await a.inject("/api/v1/reports/2026-11.pdf")).statusCode).toBe(404);

    expect((await a.inject({ method: "POST", url: "/api/v1/reports/2026-11/freeze" })).statusCode).toBe(403);
    const fr = await a.inject({
      method: "POST",
      url: "/api/v1/reports/2026-11/freeze",
      headers: { authorization: "Bearer ok" },
    });
    expect(fr.statusCode).toBe(201);
    const digest = fr.json().digest as string;
    const sealed = new ExcelJS.Workbook();
    await sealed.xlsx.load(
      (await a.inject("/api/v1/reports/2026-11.xlsx")).rawPayload as unknown as ArrayBuffer,
    );
    expect(String(sealed.worksheets[0]!.getCell(1, 1).value)).toContain(
      `frozen revision 1, sha256 ${digest}`,
    );
    // Inputs change after the freeze: the frozen month is still served as frozen…
    saveInputs(db, { ...novemberInputs, complaints: 4 }, { actor: "x", clock: new FakeClock() });
    expect((await a.inject("/api/v1/reports/2026-11.json")).json()).toMatchObject({
      totals: { service: 83 },
      frozen: { revision: 1, digest },
    });
    // …the live view shows the change, and freezing it needs a reason (409), then is revision 2.
    expect((await a.inject("/api/v1/reports/2026-11.json?live=1")).json().totals.service).toBe(73); // 30 − 4×5 + 2×5 = 20; 20 + 20 + 33
    const again = {
      method: "POST" as const,
      url: "/api/v1/reports/2026-11/freeze",
      headers: { authorization: "Bearer ok" },
    };
    expect((await a.inject(again)).statusCode).toBe(409);
    expect((await a.inject({ ...again, payload: { reason: "complaints corrected" } })).json()).toMatchObject({
      revision: 2,
    });
    const revs = (await a.inject("/api/v1/reports/2026-11/revisions")).json();
    expect(revs.revisions.map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
    expect((await a.inject("/api/v1/reports/2026-11.json?revision=1")).json().totals.service).toBe(83);
    await a.close();
  });
});

describe("monthly schedule", () => {
  /** The schedule over the synthetic November under `c`, its clock at `now` (default: FakeClock's start). */
  const novemberSchedule = (
    o: Omit<MonthlyReportDeps, "source" | "clock" | "log" | "config">,
    now?: number,
    c = config,
  ) =>
    scheduleMonthlyReports({
      source: new MemoryReportSource(november()),
      config: c,
      clock: new FakeClock(now),
      log: pino({ level: "silent" }),
      ...o,
    });

  it("on Dec 1 reports and freezes November, writing every export", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "emcomm-report-"));
    dirs.push(outDir);
    const db = openStore(":memory:");
    const reports = novemberSchedule({ outDir, db }, at(1, 2, 30, 12));
    // November was not frozen yet: the catch-up run started at once; runNow joins it.
    expect(await reports.runNow()).toEqual(["2026-11"]);
    await reports.stop();
    const revisions = db.prepare("SELECT COUNT(*) AS n FROM report_revisions").get() as { n: number };
    expect(revisions.n).toBe(1);
    // Started again in December: November is frozen, nothing runs.
    const audits = () => (db.prepare("SELECT COUNT(*) AS n FROM report_audit").get() as { n: number }).n;
    const before = audits();
    const again = novemberSchedule({ outDir, db }, at(5, 0, 0, 12));
    await new Promise((r) => setTimeout(r, 50));
    await again.stop();
    expect(audits()).toBe(before);
    expect(readdirSync(join(outDir, "2026-11")).sort()).toContain("2026-11.xlsx");
    // No inputs entered: basic management 20 + timeliness 4 + availability 14 + repeats 12 + 10 + 10.
    expect(getFrozen(db, "2026-11")?.sheet.totals.performance).toBe(70);
  });

  it("under the started rule, a frozen month with pending tickets gets a new revision once they settle", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "emcomm-report-"));
    dirs.push(outDir);
    const db = openStore(":memory:");
    const started = reportConfig({
      fee: { contractTotal: 1_000_000 },
      timeliness: { attribution: "started" },
    });
    const run = async (now: number) => {
      const r = novemberSchedule({ outDir, db }, now, started);
      await r.runNow();
      await r.stop();
    };
    await run(at(1, 2, 30, 12)); // Dec 1 02:30: T6 (started Nov 30 20:00, due Dec 1 04:00) is pending
    expect(getFrozen(db, "2026-11")?.sheet.timeliness).toMatchObject({ pending: 1, late: 2 });
    await run(Date.UTC(2026, 11, 31, 18, 30)); // Jan 1 02:30: December reported, November revised
    const revised = getFrozen(db, "2026-11")!;
    expect(revised.revision).toBe(2);
    expect(revised.reason).toMatch(/started attribution\): T6$/);
    expect(revised.sheet.timeliness).toMatchObject({ pending: 0, late: 3 });
    // Nothing left pending: a later run changes nothing.
    await run(Date.UTC(2027, 0, 31, 18, 30));
    expect(getFrozen(db, "2026-11")!.revision).toBe(2);
  });

  it("rejects an invalid cron expression", () => {
    expect(() => novemberSchedule({ outDir: "/nonexistent", cronExpression: "every month" })).toThrow(
      /not a cron expression/,
    );
  });
});

describe("reports in the daemon (startReports)", () => {
  it("takes the policy from the daemon config's reports: block and serves the routes", async () => {
    const { parseConfigText } = await import("../../src/config/load.ts");
    const { startReports } = await import("../../src/report/wire.ts");
    const config = parseConfigText(
      [
        "daemon: { timezone: Asia/Shanghai }",
        "sites: [{ id: vsat-fixed, name: { zh: 固定站, en: Fixed } }]",
        "devices: []",
        "reports: { fee: { contractTotal: 2000000 }, fractionRule: ceil }",
      ].join("\n"),
    );
    const db = openStore(":memory:");
    const clock = new FakeClock(at(2, 3, 0, 12));
    const log = pino({ level: "silent" });
    // An explicit null source adds nothing; the default is the store (test/report/store-source.test.ts).
    expect(startReports({ config, db, clock, log, source: null }).routes).toEqual([]);
    const reports = startReports({
      config,
      db,
      clock,
      log,
      source: new MemoryReportSource(november()),
      schedule: false,
    });
    const a = Fastify();
    for (const r of reports.routes) await a.register(r);
    const s = (await a.inject("/api/v1/reports/2026-11.json")).json();
    expect(s.policy.config).toMatchObject({
      timezone: "Asia/Shanghai",
      fractionRule: "ceil",
      fee: { contractTotal: 2_000_000 },
    });
    // No inputs entered: ceil rule → timeliness 30 − 27 = 3, availability 15 − 2 = 13: 20 + 3 + 13 + 12 + 10 + 10.
    expect(s.totals).toEqual({ performance: 68, service: 100 });
    expect(s.fee.amount).toBe(1_360_000);
    // Read-only without an authorize hook.
    expect(
      (await a.inject({ method: "PUT", url: "/api/v1/reports/2026-11/inputs", payload: {} })).statusCode,
    ).toBe(404);
    await a.close();
    await reports.stop();
  });
});
