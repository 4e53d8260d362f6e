/**
 * What the contract deducts when the records say it: no plan for next month at the month's end,
 * a device left uninspected, a drill short of engineers, no joint test, no review call; a manual
 * figure only as an override with a reason; corrections of signed records; who may do what.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScoreLine, ScoreSheet } from "../../src/report/score.ts";
import { at, engineer, NOV } from "../support/harness.ts";
import { recordsWorld, signedDrill, signedInspection, type World } from "./support.ts";

type Rec = { id: number; state: string; version: number; digest: string; body: Record<string, unknown> };
const DEC_2 = NOV + 31 * 24 * 3600_000;

describe("deductions from the records", () => {
  let w: World;
  beforeEach(async () => {
    w = await recordsWorld();
  });
  afterEach(async () => w.close());

  const inspect = async (device: string) => {
    const id = await signedInspection(w, device);
    expect((await w.api<Rec>("GET", `/api/v1/records/${id}`, "engineer")).body.state).toBe("signed");
    return id;
  };
  const sheetAt = async (t: number) => {
    w.h.clock.set(t);
    const res = await w.api<ScoreSheet>("GET", "/api/v1/reports/2026-11.json?live=1", "supervisor");
    expect(res.status).toBe(200);
    const sheet = res.body;
    return { sheet, line: (id: string) => sheet.lines.find((l) => l.id === id) as ScoreLine };
  };

  it("plan missing at month end (−2), a device uninspected (−1), a drill short of engineers and no joint test (−2 each), no review call (−2)", async () => {
    w.h.clock.set(at(12, "09:00"));
    await inspect("vehicle-ups");
    await inspect("fixed-modem");
    await signedDrill(w, "fire drill", ["li.engineer"]);

    // Before the month ends nothing is missing yet: the plan, the console and the joint test may come.
    const live = await sheetAt(at(25, "12:00"));
    expect(live.line("inspection-plan").score).toBe(5);
    expect(live.line("support-tasks").score).toBe(8); // the short drill already counts

    const { sheet, line } = await sheetAt(DEC_2);
    expect(line("inspection-plan")).toMatchObject({ score: 2, source: "records" });
    expect(line("inspection-plan").evidence.join("\n")).toContain("2026-12");
    expect(line("inspection-plan").evidence.join("\n")).toContain("not inspected: console");
    expect(line("support-tasks")).toMatchObject({ score: 6 });
    expect(line("support-tasks").evidence.join("\n")).toMatch(/fire drill.*1 < 2/);
    expect(line("support-tasks").evidence.join("\n")).toContain("no province joint test");
    expect(line("review-call").score).toBe(3);
    expect(sheet.totals.performance).toBe(100 - 3 - 4 - 2);
  });

  it("a manual figure counts only as an override with its reason, and shows as one", async () => {
    w.h.clock.set(at(20, "10:00"));
    const put = (inputs: Record<string, unknown>) =>
      w.api("PUT", "/api/v1/reports/2026-11/inputs", "supervisor", { period: "2026-11", ...inputs });
    expect((await put({ overrides: { availability: "no" } })).status).toBe(400); // a measured line
    expect((await put({ overrides: { "user-data": "" } })).status).toBe(400); // no reason
    expect((await put({ userDataErrors: 1, complaints: 2 })).status).toBe(200);
    let s = await sheetAt(at(20, "11:00"));
    expect(s.line("user-data")).toMatchObject({ score: 5, source: "records" });
    expect(s.sheet.warnings.join("\n")).toContain("user-data: the manual userDataErrors is ignored");
    expect(
      (await put({ userDataErrors: 1, overrides: { "user-data": "bureau audit of 19 Nov" } })).status,
    ).toBe(200);
    s = await sheetAt(at(20, "12:00"));
    expect(s.line("user-data")).toMatchObject({
      score: 3,
      source: "manual",
      override: "bureau audit of 19 Nov",
    });
    expect(s.line("user-data").evidence.join()).toContain("bureau audit of 19 Nov");
    expect(s.line("complaints")).toMatchObject({ score: 30, source: "records" });
  });

  it("a signed record: edits refused (409, nothing changes), a correction is a new version with a reason", async () => {
    w.h.clock.set(at(15, "10:00"));
    const entry = await w.api<Rec>("POST", "/api/v1/records/register", "supervisor", {
      entry: "complaint",
      at: at(15, "09:00"),
      description: "hotline busy",
    });
    const id = entry.body.id;
    const body = { entry: "complaint", at: at(15, "09:00"), description: "hotline busy for 20 min" };
    expect((await w.api("PUT", `/api/v1/records/${id}`, "supervisor", body)).status).toBe(409);
    expect((await w.api("POST", `/api/v1/records/${id}/correct`, "supervisor", { body })).status).toBe(400);
    const unchanged = (await w.api<Rec>("GET", `/api/v1/records/${id}`, "supervisor")).body;
    expect(unchanged).toMatchObject({ version: 1, digest: entry.body.digest });
    const fixed = await w.api<Rec>("POST", `/api/v1/records/${id}/correct`, "supervisor", {
      body,
      reason: "duration added from the call log",
    });
    expect(fixed.body).toMatchObject({ version: 2, state: "signed" });
    const view = (
      await w.api<{
        versions: { version: number; reason: string | null; digest: string }[];
        signatures: { version: number; digest: string; comment: string | null }[];
      }>("GET", `/api/v1/records/${id}`, "supervisor")
    ).body;
    expect(view.versions.map((v) => v.reason)).toEqual([null, "duration added from the call log"]);
    expect(view.signatures.map((s) => [s.version, s.digest])).toEqual([
      [1, view.versions[0]!.digest],
      [2, view.versions[1]!.digest],
    ]);
    // The store itself refuses to rewrite a version or a signature.
    expect(() =>
      w.h.db.prepare("UPDATE record_versions SET body_json = '{}' WHERE record_id = ?").run(id),
    ).toThrow(/immutable/);
    expect(() => w.h.db.prepare("DELETE FROM record_signatures WHERE record_id = ?").run(id)).toThrow(
      /immutable/,
    );
  });

  it("who may do what; bad input is a 4xx naming the problem", async () => {
    w.h.clock.set(at(5, "10:00"));
    expect((await w.api("POST", "/api/v1/records/plan", "nobody", {})).status).toBe(401);
    expect((await w.api("GET", "/api/v1/records", "nobody")).status).toBe(401);
    expect((await w.api("POST", "/api/v1/records/widget", "engineer", {})).status).toBe(404);
    const bad = await w.api<{ issues: string[] }>("POST", "/api/v1/records/plan", "engineer", {
      month: "2026-13",
      visits: [],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.join()).toMatch(/month.*YYYY-MM/);
    const ghost = await w.api<{ error: string }>("POST", "/api/v1/records/inspection", "engineer", {
      device: "no-such",
      engineers: ["a"],
    });
    expect(ghost).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining("no device no-such") },
    });
    const noWindow = await w.api("POST", "/api/v1/records/drill", "engineer", {
      title: "d",
      startsAt: at(6, "09:00"),
      endsAt: at(6, "10:00"),
      engineers: ["a", "b"],
    });
    expect(noWindow.status).toBe(400);
    const issue = await w.api<{ issues: string[] }>("POST", "/api/v1/records/inspection", "engineer", {
      device: "console",
      engineers: ["a"],
      items: { dust: { status: "issue" } },
    });
    expect(issue.body.issues.join()).toContain("items.dust.note: an issue needs a note");
    const t = w.h.tickets.openManual({ level: "general", symptom: "no dial tone" }, engineer);
    const early = await w.api("POST", "/api/v1/records/callback", "engineer", {
      ticket: t.id,
      calledAt: at(5, "10:00"),
      contact: "duty office",
      satisfied: true,
    });
    expect(early.status).toBe(409); // call back once it is closed
    expect((await w.api("GET", "/api/v1/records?kind=callback", "engineer")).body).toEqual({ records: [] });
  });
});

describe("a broken finding", () => {
  it("opens a fault ticket beside the rectification item; a bad item opens nothing", async () => {
    const w = await recordsWorld();
    try {
      w.h.clock.set(at(9, "10:00"));
      const insp = await w.api<Rec>("POST", "/api/v1/records/inspection", "engineer", {
        device: "fixed-modem",
        engineers: ["li.engineer"],
      });
      const bad = await w.api("POST", `/api/v1/records/${insp.body.id}/hazards`, "engineer", {
        description: "LNB connector cracked",
        broken: true,
        due: "next week",
      });
      expect(bad.status).toBe(400);
      expect(w.h.db.prepare("SELECT COUNT(*) FROM tickets").pluck().get()).toBe(0);
      const ok = await w.api<{ rectification: Rec; ticket: number }>(
        "POST",
        `/api/v1/records/${insp.body.id}/hazards`,
        "engineer",
        { description: "LNB connector cracked", broken: true, level: "general" },
      );
      expect(ok.status).toBe(201);
      const ticket = w.h.db.prepare("SELECT * FROM tickets WHERE id = ?").get(ok.body.ticket) as Record<
        string,
        unknown
      >;
      expect(ticket).toMatchObject({
        device: "fixed-modem",
        level: "general",
        symptom: "LNB connector cracked",
        state: "opened",
      });
      expect(ok.body.rectification.body).toMatchObject({ ticket: ok.body.ticket, inspection: insp.body.id });
    } finally {
      await w.close();
    }
  });
});
