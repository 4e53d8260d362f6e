/**
 * November 2026 (Asia/Shanghai) end to end on the FakeClock, through the records and report APIs:
 * the plan for December submitted, returned, revised and approved; every device inspected (check-in,
 * the seven items, readings prefilled from telemetry and confirmed), signed and countersigned, one
 * of them returned once; a hidden danger tracked to closure; a drill on its `drill` window and a
 * province joint test; a fault ticket closed and called back, dissatisfied; a complaint and a
 * written praise; the review call and the month's reports. On 2 December every line of the sheet
 * comes from the records with its evidence, and the fee follows.
 */

import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sample } from "../../src/core/types.ts";
import type { ScoreSheet } from "../../src/report/score.ts";
import type { Actor } from "../../src/tickets/engine.ts";
import { listTickets } from "../../src/tickets/store.ts";
import { at, engineer, MIN, NOV, supervisor } from "../support/harness.ts";
import { allOk, recordsWorld, signedInspection, tokens, type World } from "./support.ts";

type Rec = { id: number; state: string; version: number; digest: string; body: Record<string, unknown> };

describe("a month of maintenance records scores the whole sheet", () => {
  let w: World;
  let sheet: ScoreSheet;
  const world = (device: string, t: number) =>
    device === "console" && t >= at(10, "08:00") && t < at(10, "09:00") ? "fail" : "ok";
  const steps = new Map<number, (() => void)[]>();
  const on = (t: number, fn: () => void) => steps.set(t, [...(steps.get(t) ?? []), fn]);
  let clock = NOV;
  /** Runs the harness (polls, health, tickets) up to `t`. */
  const until = (t: number) => {
    w.h.run(clock, t, world, steps);
    clock = t;
  };
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    w = await recordsWorld();
    // The console's fault of the 10th: accepted, on site, cleared, closed by the bureau.
    const act = (action: "accept" | "arrive" | "clear" | "verify", who: Actor = engineer) => {
      const t = listTickets(w.h.db, { device: "console", state: "open" })[0]!;
      w.h.tickets.act(
        t.id,
        action,
        who,
        action === "clear" ? { cause: "PSU", handling: "replaced", responsibility: "contractor" } : {},
      );
    };
    on(at(10, "08:05"), () => act("accept"));
    on(at(10, "08:40"), () => act("arrive"));
    on(at(10, "09:10"), () => act("clear"));
    on(at(10, "09:30"), () => act("verify", supervisor));
    // The UPS and the modem report what the inspection will be prefilled with.
    const now = NOV + 5 * MIN;
    const polled = (deviceId: string, samples: Sample[]) =>
      w.status.record({ deviceId, trigger: "schedule", startedAt: now, finishedAt: now + 5, samples });
    polled("vehicle-ups", [
      { metric: "ups_battery_charge_percent", value: 100 },
      { metric: "generator_run_hours", value: 241 },
      { metric: "tcp_connect_seconds", value: 0.01 },
    ]);
    polled("fixed-modem", [
      { metric: "modem_ebno_db", value: 9.5 },
      { metric: "modem_rx_locked", value: 1 },
    ]);
  });
  afterAll(async () => w?.close());

  it("plan for next month: submitted, returned with comments, revised, approved", async () => {
    until(at(3, "10:00"));
    const visits = [
      { device: "vehicle-ups", date: "2026-12-03", engineers: ["li.engineer"] },
      { device: "fixed-modem", date: "2026-12-04", engineers: ["li.engineer"] },
      { device: "console", date: "2026-12-04", engineers: ["li.engineer"] },
    ];
    const created = await w.api<Rec>("POST", "/api/v1/records/plan", "engineer", {
      month: "2026-12",
      visits,
    });
    expect(created.status).toBe(201);
    ids.plan = created.body.id;
    // The bureau's steps need the bureau.
    expect((await w.api("POST", `/api/v1/records/${ids.plan}/submit`, "supervisor")).status).toBe(403);
    expect((await w.api<Rec>("POST", `/api/v1/records/${ids.plan}/submit`, "engineer")).body.state).toBe(
      "submitted",
    );
    until(at(4, "09:00"));
    expect((await w.api("POST", `/api/v1/records/${ids.plan}/return`, "supervisor", {})).status).toBe(400); // no comment
    const returned = await w.api<Rec>("POST", `/api/v1/records/${ids.plan}/return`, "supervisor", {
      comment: "UPS on the 5th, with the generator run",
    });
    expect(returned.body.state).toBe("returned");
    until(at(5, "09:00"));
    visits[0]!.date = "2026-12-05";
    const revised = await w.api<Rec>("PUT", `/api/v1/records/${ids.plan}`, "engineer", {
      month: "2026-12",
      visits,
    });
    expect(revised.body).toMatchObject({ version: 2, state: "draft" });
    await w.api("POST", `/api/v1/records/${ids.plan}/submit`, "engineer");
    const approved = await w.api<Rec>("POST", `/api/v1/records/${ids.plan}/approve`, "supervisor");
    expect(approved.body.state).toBe("approved");
    const view = await w.api<{
      versions: unknown[];
      signatures: { action: string; role: string; version: number; digest: string }[];
      events: unknown[];
    }>("GET", `/api/v1/records/${ids.plan}`, "engineer");
    expect(view.body.versions).toHaveLength(2);
    expect(view.body.signatures.map((s) => `${s.action}:${s.role}:v${s.version}`)).toEqual([
      "submit:engineer:v1",
      "return:supervisor:v1",
      "submit:engineer:v2",
      "approve:supervisor:v2",
    ]);
    expect(view.body.signatures[3]!.digest).toBe(approved.body.digest);
  });

  it("every device inspected on site, signed and countersigned; a hidden danger tracked to closure", async () => {
    until(at(12, "09:00"));
    for (const device of ["vehicle-ups", "fixed-modem", "console"]) {
      const created = await w.api<Rec>("POST", "/api/v1/records/inspection", "engineer", {
        device,
        engineers: ["li.engineer", "zhao.engineer"],
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      ids[device] = id;
      const readings = created.body.body.readings as {
        metric: string;
        value: number;
        source: string;
        note?: string;
      }[];
      if (device === "vehicle-ups") {
        expect(readings.find((r) => r.metric === "ups_battery_charge_percent")).toMatchObject({
          value: 100,
          source: "telemetry",
        });
        expect(readings.find((r) => r.metric === "generator_run_hours")?.note).toContain("250 h");
        expect(readings.some((r) => r.metric === "tcp_connect_seconds")).toBe(false);
      }
      if (device === "console")
        expect(readings.find((r) => r.metric === "ledger_down_transitions")?.value).toBe(1);
      // Signing before the visit is done is refused.
      expect((await w.api("POST", `/api/v1/records/${id}/sign`, "engineer")).status).toBe(409);
      await w.api("POST", `/api/v1/records/${id}/checkin`, "engineer", { position: "GPS 24.81, 113.59 ±8m" });
      const cur = (await w.api<Rec>("GET", `/api/v1/records/${id}`, "engineer")).body;
      const items =
        device === "vehicle-ups"
          ? { ...allOk, power: { status: "issue", note: "battery terminal corrosion" } }
          : allOk;
      const filled = await w.api<Rec>("PUT", `/api/v1/records/${id}`, "engineer", {
        ...cur.body,
        items,
        readingsConfirmed: true,
      });
      expect(filled.status).toBe(200);
      expect((await w.api<Rec>("POST", `/api/v1/records/${id}/sign`, "engineer")).body.state).toBe("signed");
    }
    // The bureau returns the modem's record once; the engineer corrects it and signs again.
    const modem = ids["fixed-modem"]!;
    await w.api("POST", `/api/v1/records/${modem}/return`, "supervisor", {
      comment: "Eb/No not confirmed on the far end",
    });
    const back = (await w.api<Rec>("GET", `/api/v1/records/${modem}`, "engineer")).body;
    await w.api("PUT", `/api/v1/records/${modem}`, "engineer", {
      ...back.body,
      note: "far end confirmed 9.4 dB",
    });
    await w.api("POST", `/api/v1/records/${modem}/sign`, "engineer");
    for (const device of ["vehicle-ups", "fixed-modem", "console"])
      expect(
        (await w.api<Rec>("POST", `/api/v1/records/${ids[device]}/countersign`, "supervisor")).body.state,
      ).toBe("countersigned");

    // Editing a signed record is refused and changes nothing.
    const ups = ids["vehicle-ups"]!;
    const before = (await w.api<Rec & { versions: unknown[] }>("GET", `/api/v1/records/${ups}`, "engineer"))
      .body;
    const edit = await w.api("PUT", `/api/v1/records/${ups}`, "engineer", {
      ...before.body,
      note: "changed",
    });
    expect(edit.status).toBe(409);
    const after = (await w.api<Rec & { versions: unknown[] }>("GET", `/api/v1/records/${ups}`, "engineer"))
      .body;
    expect(after).toEqual(before);

    // The hidden danger becomes a rectification item, closed on the 20th and confirmed.
    const hz = await w.api<{ rectification: Rec; ticket: number | null }>(
      "POST",
      `/api/v1/records/${ups}/hazards`,
      "engineer",
      { description: "battery terminal corrosion", plan: "replace terminals", due: "2026-11-20" },
    );
    expect(hz.status).toBe(201);
    expect(hz.body).toMatchObject({ ticket: null, rectification: { state: "open" } });
    ids.hazard = hz.body.rectification.id;
    until(at(20, "10:00"));
    const closed = await w.api<Rec>("POST", `/api/v1/records/${ids.hazard}/close`, "engineer", {
      comment: "terminals replaced, load test passed",
    });
    expect(closed.body.state).toBe("closed");
    expect(closed.body.body.closure).toMatchObject({ note: "terminals replaced, load test passed" });
    expect(
      (await w.api<Rec>("POST", `/api/v1/records/${ids.hazard}/countersign`, "supervisor")).body.state,
    ).toBe("countersigned");
  });

  it("a drill on its drill window with two engineers, a joint test, a dissatisfied call-back", async () => {
    until(at(17, "12:00"));
    const win = w.h.approvedWindow({
      kind: "drill",
      sites: ["vehicle"],
      startsAt: at(18, "09:00"),
      endsAt: at(18, "12:00"),
      why: "flood-season drill",
      approvalRef: "BUREAU-2026-77",
    });
    until(at(18, "12:30"));
    const activity = async (kind: string, body: Record<string, unknown>) => {
      const c = await w.api<Rec>("POST", `/api/v1/records/${kind}`, "engineer", body);
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      await w.api("POST", `/api/v1/records/${c.body.id}/sign`, "engineer");
      return w.api<Rec>("POST", `/api/v1/records/${c.body.id}/countersign`, "supervisor");
    };
    const drill = await activity("drill", {
      title: "防汛演练 flood drill",
      startsAt: at(18, "09:00"),
      endsAt: at(18, "12:00"),
      engineers: ["li.engineer", "zhao.engineer"],
      systems: ["fixed-modem", "video conference"],
      outcome: "done",
      window: win.id,
    });
    expect(drill.body.state).toBe("countersigned");
    expect((drill.body.body.readings as { labels: { device: string } }[])[0]?.labels.device).toBe(
      "fixed-modem",
    );
    until(at(25, "16:00"));
    const joint = await activity("joint-test", {
      title: "全省联调 province joint test",
      startsAt: at(25, "14:00"),
      endsAt: at(25, "15:30"),
      engineers: ["li.engineer"],
      systems: ["fixed-modem"],
      outcome: "done",
    });
    expect(joint.body.state).toBe("countersigned");

    const ticket = listTickets(w.h.db, { device: "console" })[0]!;
    expect(ticket.state).toBe("closed");
    const cb = await w.api<Rec>("POST", "/api/v1/records/callback", "engineer", {
      ticket: ticket.id,
      calledAt: at(25, "16:00"),
      contact: "duty office",
      satisfied: false,
      note: "slow to arrive",
    });
    expect(cb.body.state).toBe("signed");
    const events = w.h.db
      .prepare("SELECT event, detail FROM ticket_events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1")
      .get(ticket.id) as { event: string; detail: string };
    expect(events.event).toBe("callback");
    expect(JSON.parse(events.detail)).toMatchObject({ satisfied: false, note: "slow to arrive" });
  });

  it("the bureau's register: only the bureau writes it", async () => {
    const entry = (body: Record<string, unknown>, who: "engineer" | "supervisor" = "supervisor") =>
      w.api<Rec>("POST", "/api/v1/records/register", who, body);
    expect(
      (await entry({ entry: "complaint", at: at(15, "10:00"), description: "x" }, "engineer")).status,
    ).toBe(403);
    expect(
      (await entry({ entry: "accident", at: at(15, "10:00"), description: "x", deduction: 12 })).status,
    ).toBe(400);
    for (const body of [
      { entry: "complaint", at: at(15, "10:00"), description: "hotline answered late" },
      { entry: "praise", at: at(22, "10:00"), description: "letter of thanks for the drill" },
      { entry: "review-call", at: at(28, "15:00"), held: true },
      {
        entry: "report",
        at: at(28, "16:00"),
        report: "月度巡检报告",
        submittedAt: at(28, "16:00"),
        conforming: true,
      },
      {
        entry: "report",
        at: at(28, "16:00"),
        report: "月度联调报告",
        submittedAt: at(28, "16:00"),
        conforming: true,
      },
    ])
      expect((await entry(body)).status).toBe(201);
    // Each entry says what it does to its line, as the sheet counts it.
    const listed = await w.api<{ records: { body: { entry: string }; effect: unknown }[] }>(
      "GET",
      "/api/v1/records?kind=register&period=2026-11",
      "supervisor",
    );
    expect(listed.body.records.map((r) => [r.body.entry, r.effect])).toEqual(
      expect.arrayContaining([
        ["complaint", { line: "complaints", points: -5 }],
        ["praise", { line: "complaints", points: 5 }],
        ["review-call", { line: "review-call", points: 0 }],
        ["report", { line: "reports", points: 0 }],
      ]),
    );
    until(NOV + 31 * 24 * 60 * MIN); // 2 December 00:00
    const res = await w.api<ScoreSheet>("GET", "/api/v1/reports/2026-11.json", "supervisor");
    expect(res.status).toBe(200);
    sheet = (res.body as unknown as { sheet?: ScoreSheet }).sheet ?? res.body;
    // The monthly summary shows where each figure came from.
    const md = await w.app.inject({
      method: "GET",
      url: "/api/v1/reports/2026-11.md",
      headers: { authorization: `Bearer ${tokens.supervisor}` },
    });
    expect(md.body).toMatch(
      /\| 客户故障回访满意度 Call-back satisfaction \| 10 \|.*\| 9 \| 系统记录 records \|/,
    );
  });

  it("every line of the sheet comes from the records, with evidence, and the fee", () => {
    const line = (id: string) => sheet.lines.find((l) => l.id === id)!;
    expect(sheet.lines).toHaveLength(12);
    for (const l of sheet.lines) {
      expect(l.source, l.id).toBe("records");
      expect(l.override ?? null, l.id).toBeNull();
      if (!["repair-timeliness", "availability", "repeat-faults"].includes(l.id))
        expect(l.evidence.length, l.id).toBeGreaterThan(0);
    }
    const scores = Object.fromEntries(sheet.lines.map((l) => [l.id, l.score]));
    expect(scores).toEqual({
      reports: 5,
      "inspection-plan": 5,
      "review-call": 5,
      "user-data": 5,
      "repair-timeliness": 30,
      availability: 15,
      "repeat-faults": 15,
      "support-tasks": 10,
      "callback-satisfaction": 9,
      complaints: 30,
      escalated: 30,
      "production-accidents": 40,
    });
    expect(line("callback-satisfaction").evidence.join()).toContain("slow to arrive");
    expect(line("inspection-plan").evidence.join()).toContain(`plan #${ids.plan} 2026-12`);
    expect(line("inspection-plan").evidence.join()).toContain(
      `inspection #${ids["vehicle-ups"]} vehicle-ups`,
    );
    expect(line("support-tasks").evidence.join()).toMatch(/drill #\d+.*done/);
    expect(line("complaints")).toMatchObject({ deduction: 5, bonus: 5, score: 30 });
    expect(line("repair-timeliness").evidence).toHaveLength(1);
    expect(sheet.totals).toEqual({ performance: 99, service: 100 });
    expect(sheet.fee.amount).toBe(990_000);
    expect(sheet.warnings).toEqual([]);
  });
});

describe("月度巡检报告 and 月度联调报告 from the same month", () => {
  it("renders every format from the records", async () => {
    const w = await recordsWorld();
    try {
      w.h.clock.set(at(12, "09:00"));
      const id = await signedInspection(w, "console", {
        ...allOk,
        dust: { status: "issue", note: "fan filter clogged" },
      });
      await w.api("POST", `/api/v1/records/${id}/hazards`, "engineer", {
        description: "fan filter clogged",
      });
      const get = (file: string) =>
        w.app.inject({
          method: "GET",
          url: `/api/v1/records/reports/${file}`,
          headers: { authorization: `Bearer ${tokens.supervisor}` },
        });
      const md = await get("2026-11-inspection.md");
      expect(md.statusCode).toBe(200);
      expect(md.body).toContain("# 月度巡检报告 Monthly inspection report · 2026-11");
      expect(md.body).toContain("| 巡检设备 Devices inspected | 1 / 3 |");
      expect(md.body).toContain("console: 设备内部除尘 — fan filter clogged");
      expect(md.body).toContain("vehicle-ups, fixed-modem");
      const csv = await get("2026-11-inspection.csv?table=inspections");
      expect(csv.headers["content-type"]).toContain("text/csv");
      expect(csv.body.split("\r\n")[1]).toMatch(new RegExp(`^${id},console,`));
      const xlsx = await get("2026-11-inspection.xlsx");
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect(wb.worksheets.map((s) => s.name)).toEqual([
        "本月巡检总结 Inspection summary",
        "巡检记录 Inspection records",
        "隐患整改 Hidden dangers",
        "下月巡检计划 Next month's plan",
      ]);
      const html = await get("2026-11-joint-test.html");
      expect(html.body).toContain("<title>月度联调报告 Monthly joint test report · 2026-11</title>");
      expect((await get("2026-11-joint-test.csv?table=nope")).statusCode).toBe(400);
      expect((await get("2026-13-inspection.md")).statusCode).toBe(404);
      expect(
        (await w.app.inject({ method: "GET", url: "/api/v1/records/reports/2026-11-inspection.md" }))
          .statusCode,
      ).toBe(401);
    } finally {
      await w.close();
    }
  });
});
