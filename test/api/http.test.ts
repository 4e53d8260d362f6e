/**
 * The SLA API: bearer tokens and roles (401 without a token, 403 for the wrong role, only the
 * bureau's supervisors verify, reject and approve windows), the fault flow over HTTP, and the
 * daemon wiring end to end (a real TCP peer that stops answering opens a ticket).
 */
import { createServer, type Server } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slaRoutes } from "../../src/api/http.ts";
import { validateConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import { startDaemon } from "../../src/daemon.ts";
import { deployments } from "../../src/ledger/store.ts";
import { listTickets } from "../../src/tickets/store.ts";
import { at, Harness, MIN, site, tcpDevice } from "../support/harness.ts";

const tokens = {
  engineer: "eng-token-0123456789",
  supervisor: "sup-token-0123456789",
  viewer: "view-token-0123456789",
};

describe("SLA HTTP API", () => {
  let h: Harness;
  let app: FastifyInstance;
  const auth = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });
  /** The JSON a viewer (the wall display's token) reads at `url`. */
  const viewed = async (url: string) =>
    (await app.inject({ method: "GET", url, headers: auth("viewer") })).json();

  beforeAll(async () => {
    process.env.EMCOMM_TEST_SUP_TOKEN = tokens.supervisor;
    h = new Harness({
      sites: [site("fixed"), site("vehicle", { calendar: "deployed" })],
      devices: [tcpDevice("core-switch", "fixed", { criticality: "major" })],
      sla: {
        api: {
          tokens: [
            { name: "li.engineer", role: "engineer", token: tokens.engineer },
            { name: "wang.bureau", role: "supervisor", token: "${EMCOMM_TEST_SUP_TOKEN}" },
            { name: "wall", role: "viewer", token: tokens.viewer },
          ],
          openReadsOnLoopback: false,
        },
      },
    });
    app = Fastify();
    await app.register(slaRoutes(h));
    // A major outage: polls fail from 10:00; the ticket is reported at 10:02.
    h.run(at(1, "09:55"), at(1, "10:03"), (_d, t) => (t >= at(1, "10:00") ? "fail" : "ok"), new Map());
  });
  afterAll(async () => {
    await app?.close();
    h?.close();
  });

  it("refuses writes without a token (401), with a wrong one (401) and for viewers (403)", async () => {
    expect((await app.inject({ method: "POST", url: "/api/v1/tickets/1/accept" })).statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: "POST",
          url: "/api/v1/tickets/1/accept",
          headers: { authorization: "Bearer nope" },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ method: "POST", url: "/api/v1/tickets/1/accept", headers: auth("viewer") }))
        .statusCode,
    ).toBe(403);
    expect((await app.inject({ method: "GET", url: "/api/v1/tickets" })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: "GET", url: "/api/v1/tickets", headers: auth("viewer") })).statusCode,
    ).toBe(200);
  });

  it("runs the fault flow: only supervisors verify; clocks come back with the ticket", async () => {
    const list = (
      await app.inject({ method: "GET", url: "/api/v1/tickets?state=open", headers: auth("viewer") })
    ).json();
    expect(list.tickets).toHaveLength(1);
    const t = list.tickets[0];
    expect([t.device, t.level, t.state, t.reportedAt]).toEqual([
      "core-switch",
      "major",
      "opened",
      at(1, "10:02"),
    ]);
    expect(t.clocks.respond.deadline).toBe(at(1, "10:12"));
    expect(t.clocks.repair.deadline).toBe(at(1, "14:02"));

    h.clock.set(at(1, "10:06"));
    const accepted = await app.inject({
      method: "POST",
      url: `/api/v1/tickets/${t.id}/accept`,
      headers: auth("engineer"),
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().clocks.respond).toMatchObject({ status: "met", remainingMs: 6 * MIN });
    expect(accepted.json().handler).toBe("li.engineer");

    h.clock.set(at(1, "11:00"));
    const incomplete = await app.inject({
      method: "POST",
      url: `/api/v1/tickets/${t.id}/clear`,
      headers: auth("engineer"),
      payload: { cause: "line card reset", handling: "  " },
    });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().error).toMatch(/handling, responsibility/);
    expect(
      (await app.inject({ method: "GET", url: `/api/v1/tickets/${t.id}`, headers: auth("engineer") })).json()
        .state,
    ).toBe("accepted");
    const cleared = await app.inject({
      method: "POST",
      url: `/api/v1/tickets/${t.id}/clear`,
      headers: auth("engineer"),
      payload: { cause: "line card reset", handling: "reseated card", responsibility: "contractor" },
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().repairedAt).toBe(at(1, "11:00"));
    const byEngineer = await app.inject({
      method: "POST",
      url: `/api/v1/tickets/${t.id}/verify`,
      headers: auth("engineer"),
    });
    expect(byEngineer.statusCode).toBe(403);
    const again = await app.inject({
      method: "POST",
      url: `/api/v1/tickets/${t.id}/accept`,
      headers: auth("engineer"),
    });
    expect(again.statusCode).toBe(409);
    const verified = await app.inject({
      method: "POST",
      url: `/api/v1/tickets/${t.id}/verify`,
      headers: auth("supervisor"),
    });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().state).toBe("closed");
    const full = await viewed(`/api/v1/tickets/${t.id}`);
    expect(full.events.map((e: { event: string; actor: string }) => `${e.event}:${e.actor}`)).toEqual([
      "opened:monitor",
      "accepted:li.engineer",
      "cleared:li.engineer",
      "verified:wang.bureau",
    ]);
    expect(full.cause).toBe("line card reset");
    const ledger = await viewed("/api/v1/transitions?device=core-switch");
    expect(ledger.transitions.map((x: { state: string; at: number }) => [x.state, x.at])).toEqual([
      ["up", at(1, "09:55")],
      ["down", at(1, "10:00")],
    ]);
    const report = await viewed("/api/v1/tickets/report?month=2026-11");
    expect(report.clocks.repair).toMatchObject({ met: 1, breached: 0, percent: 100 });
  });

  it("opens manual tickets and validates input", async () => {
    const bad = await app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: auth("engineer"),
      payload: { level: "huge" },
    });
    expect(bad.statusCode).toBe(400);
    const ok = await app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: auth("engineer"),
      payload: { level: "consult", symptom: "how to add a PDT talk group", faultType: "consultation" },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ source: "manual", level: "consult", state: "opened", device: null });
  });

  it("lets only supervisors approve maintenance windows, and declares deployments", async () => {
    const w = await app.inject({
      method: "POST",
      url: "/api/v1/maintenance",
      headers: auth("engineer"),
      payload: { devices: ["core-switch"], startsAt: at(2, "02:00"), endsAt: at(2, "04:00"), why: "upgrade" },
    });
    expect(w.statusCode).toBe(201);
    expect(w.json()).toMatchObject({ status: "requested", who: "li.engineer" });
    const id = w.json().id;
    expect(
      (
        await app.inject({
          method: "POST",
          url: `/api/v1/maintenance/${id}/approve`,
          headers: auth("engineer"),
        })
      ).statusCode,
    ).toBe(403);
    const ok = await app.inject({
      method: "POST",
      url: `/api/v1/maintenance/${id}/approve`,
      headers: auth("supervisor"),
      payload: { approvalRef: "BUREAU-42" },
    });
    expect(ok.json()).toMatchObject({
      status: "approved",
      approvedBy: "wang.bureau",
      approvalRef: "BUREAU-42",
    });
    const always = await app.inject({
      method: "POST",
      url: "/api/v1/sites/fixed/deploy",
      headers: auth("engineer"),
    });
    expect(always.statusCode).toBe(409);
    expect((await app.inject({ method: "POST", url: "/api/v1/sites/vehicle/deploy" })).statusCode).toBe(401);
    const deployed = await app.inject({
      method: "POST",
      url: "/api/v1/sites/vehicle/deploy",
      headers: auth("engineer"),
      payload: { note: "flood response" },
    });
    expect(deployed.json()).toMatchObject({
      site: "vehicle",
      deployed: true,
      who: "li.engineer",
      note: "flood response",
    });
    const sitesNow = await viewed("/api/v1/sites");
    expect(sitesNow.sites.find((x: { site: string }) => x.site === "vehicle")).toMatchObject({
      inService: true,
    });
    const avail = await app.inject({
      method: "GET",
      url: "/api/v1/availability?month=2026-11",
      headers: auth("viewer"),
    });
    expect(avail.statusCode).toBe(200);
    expect(avail.json().devices[0]).toMatchObject({ device: "core-switch" });
    for (const url of ["/api/v1/availability?month=2026-13", "/api/v1/tickets/report?month=2026-13"]) {
      const bad = await app.inject({ method: "GET", url, headers: auth("viewer") });
      expect(bad.statusCode, url).toBe(400);
      expect(bad.json().error).toMatch(/month 13 does not exist/);
    }
    const states = await viewed("/api/v1/states");
    // No poll since the outage began: still down, since its first failed poll.
    expect(states.states[0]).toMatchObject({
      device: "core-switch",
      state: "down",
      since: new Date(at(1, "10:00")).toISOString(),
    });
  });
  it("validates given times: out of range is a 400, backdating beyond the limit needs the bureau, nothing changes", async () => {
    const now = at(20, "12:00");
    h.clock.set(now);
    const deploymentsBefore = deployments(h.db).length;
    const ticketsBefore = listTickets(h.db, {}).length;
    const post = (url: string, who: keyof typeof tokens, payload: object) =>
      app.inject({ method: "POST", url, headers: auth(who), payload });

    // An engineer cannot erase measured downtime by standing a site down three hours ago.
    const backdated = await post("/api/v1/sites/vehicle/standdown", "engineer", { at: now - 3 * 60 * MIN });
    expect(backdated.statusCode).toBe(403);
    expect(backdated.json().error).toMatch(/more than 15 min in the past needs the bureau/);
    for (const [payload, pattern] of [
      [{ at: 0 }, /before the store's first run/],
      [{ at: -8.64e15 }, /before the store's first run/],
      [{ at: now + 24 * 60 * MIN }, /in the future/],
    ] as const) {
      const r = await post("/api/v1/sites/vehicle/standdown", "supervisor", payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error).toMatch(pattern);
    }
    for (const payload of [
      { level: "general", symptom: "phone", reportedAt: 0 },
      { level: "general", symptom: "phone", faultStart: -8.64e15 },
      { level: "general", symptom: "phone", reportedAt: now + 24 * 60 * MIN },
      { level: "general", symptom: "phone", reportedAt: now - 5 * MIN, faultStart: now },
    ]) {
      const r = await post("/api/v1/tickets", "supervisor", payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(
      (
        await post("/api/v1/tickets", "engineer", {
          level: "general",
          symptom: "phone",
          reportedAt: now - 60 * MIN,
        })
      ).statusCode,
    ).toBe(403);
    expect(deployments(h.db)).toHaveLength(deploymentsBefore);
    expect(listTickets(h.db, {})).toHaveLength(ticketsBefore);

    // Within the limit an engineer may; beyond it the bureau may, and both times are kept.
    const recent = await post("/api/v1/sites/vehicle/standdown", "engineer", { at: now - 5 * MIN });
    expect(recent.statusCode).toBe(200);
    const bureau = await post("/api/v1/sites/vehicle/deploy", "supervisor", { at: now - 2 * MIN });
    expect(bureau.json()).toMatchObject({ at: now - 2 * MIN, recordedAt: now, who: "wang.bureau" });
  });
});

describe("daemon wiring", () => {
  let peer: Server;
  let port = 0;
  beforeAll(async () => {
    peer = createServer((s) => s.destroy());
    await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
    port = (peer.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => peer.close(() => r())));

  it("opens a ticket when a real TCP peer stops answering, visible through the API and metrics", async () => {
    const dir = (await import("node:fs")).mkdtempSync(`${(await import("node:os")).tmpdir()}/emcomm-daemon-`);
    const config = validateConfig({
      daemon: { dataDir: dir, http: { host: "127.0.0.1", port: 0 }, scheduler: { jitter: 0 } },
      sites: [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }],
      devices: [
        {
          ...tcpDevice("console", "fixed"),
          interval: "1s",
          driver: { protocol: "tcp", host: "127.0.0.1", port },
        },
      ],
      sla: { health: { downAfterPolls: 2, upAfterPolls: 1 } },
    });
    const daemon = await startDaemon({ config, log: pino({ level: "silent" }), clock: systemClock });
    try {
      const until = async (pred: () => Promise<boolean>, ms: number) => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          if (await pred()) return true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      };
      const state = async () =>
        ((await (await fetch(`${daemon.url}/api/v1/states/console`)).json()) as { state: string }).state;
      expect(await until(async () => (await state()) === "up", 5000)).toBe(true);
      await new Promise<void>((r) => peer.close(() => r()));
      expect(await until(async () => (await state()) === "down", 6000)).toBe(true);
      const tickets = (
        (await (await fetch(`${daemon.url}/api/v1/tickets`)).json()) as {
          tickets: { device: string; state: string }[];
        }
      ).tickets;
      expect(tickets.map((t: { device: string; state: string }) => [t.device, t.state])).toEqual([
        ["console", "opened"],
      ]);
      const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
      expect(metrics).toMatch(
        /emcomm_device_state\{device="console",site="fixed",kind="switch",state="down"\} 1/,
      );
      expect(metrics).toMatch(/emcomm_tickets_open\{level="general",state="opened"\} 1/);
      const ratio =
        /emcomm_availability_month_to_date_ratio\{device="console",site="fixed"\} ([\d.e-]+)/.exec(metrics);
      expect(Number(ratio?.[1])).toBeGreaterThan(0);
      expect(Number(ratio?.[1])).toBeLessThan(1); // up for a second or two, then down
      expect(metrics).toMatch(
        /emcomm_ticket_clock_remaining_seconds\{ticket="1",device="console",site="fixed",level="general",clock="respond"\} \d/,
      );
    } finally {
      await daemon.stop();
      peer = createServer();
      await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
    }
  }, 20_000);
});
