/**
 * The report over the store (src/report/store-source.ts): issue 5's health and ticket engines run
 * November 2026 (Asia/Shanghai) minute by minute on a FakeClock (test/support/harness.ts), then the
 * ReportSource over that store must pass the report's consistency checks, and the score sheet's
 * availability and repair timeliness must be exactly what issue 5 itself says for the month
 * (availabilityForPeriod, ticketsForPeriod). Every figure is also worked out by hand below.
 *
 * Polls every 60 s; down after 3 failed polls, up after 2 good ones. A fault "[a, b)" means the polls
 * at a, a+1m, … b−1m fail: the outage recorded is b − a, declared at a+2m, when the automatic ticket
 * is reported and its clocks start (major: respond 10 min, on site 1 h, repair 4 h; general: 10 min,
 * 2 h, 8 h).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slaRoutes } from "../../src/api/http.ts";
import { validateConfig } from "../../src/config/load.ts";
import { FakeClock } from "../../src/core/clock.ts";
import { startDaemon } from "../../src/daemon.ts";
import { availabilityForPeriod } from "../../src/ledger/availability.ts";
import { monthPeriod } from "../../src/ledger/period.ts";
import { buildReport } from "../../src/report/build.ts";
import { checkReportSource } from "../../src/report/checks.ts";
import { registerReportCommand } from "../../src/report/cli.ts";
import { getFrozen } from "../../src/report/freeze.ts";
import type { ReportSource } from "../../src/report/source.ts";
import { storeReportSource } from "../../src/report/store-source.ts";
import { reportConfigOf, startReports } from "../../src/report/wire.ts";
import { openStore } from "../../src/store/db.ts";
import type { Actor, TicketAction } from "../../src/tickets/engine.ts";
import { ticketsForPeriod } from "../../src/tickets/period-summary.ts";
import { listTickets } from "../../src/tickets/store.ts";
import { runCommand } from "../support/cli.ts";
import {
  apiUsers,
  at,
  engineer,
  fixedSite,
  Harness,
  MIN,
  NOV,
  type PollResult,
  site,
  supervisor,
  tcpDevice,
  tokens,
} from "../support/harness.ts";

const inventory = {
  sites: [site("fixed"), site("trunking")],
  devices: [
    tcpDevice("core-switch", "fixed", { criticality: "major" }),
    tcpDevice("fixed-vc", "fixed", { kind: "video-terminal" }),
    tcpDevice("console", "trunking", { kind: "dispatch-console" }),
  ],
};

/** [from, to) intervals in which a device's polls fail. */
const faults: Record<string, [number, number][]> = {
  "core-switch": [
    [at(2, "10:00"), at(2, "12:00")], // T1 major, 120 min; restored in time, cleared after the deadline
    [at(15, "02:30"), at(15, "03:30")], // inside the approved window: no ticket, not counted
  ],
  "fixed-vc": [
    [at(5, "08:00"), at(5, "09:30")], // T2 general, 90 min; clearance rejected, repaired late
    [at(8, "09:00"), at(8, "10:00")], // T3 general, 60 min: repeat of T2 (within 7 days of its repair)
  ],
  console: [[at(20, "13:00"), at(20, "13:30")]], // T4 general, 30 min
};
const world = (device: string, t: number): PollResult =>
  (faults[device] ?? []).some(([a, b]) => t >= a && t < b) ? "fail" : "ok";

const FAULT_RECORD = { cause: "cause found", handling: "fixed", responsibility: "contractor" };

describe("the report over issue 5's store, one November", () => {
  let h: Harness;
  let source: ReportSource;
  const period = monthPeriod("2026-11");
  const window = { start: period.from, end: period.to };

  beforeAll(() => {
    h = new Harness(inventory);
    const actions = new Map<number, (() => void)[]>();
    const on = (t: number, fn: () => void) => actions.set(t, [...(actions.get(t) ?? []), fn]);
    const act = (device: string, action: TicketAction, who: Actor = engineer, body = {}) => {
      const open = listTickets(h.db, { device, state: "open" });
      expect(open, `${device}: one open ticket to ${action}`).toHaveLength(1);
      // A clearance carries the fault record's cause, handling and responsibility (contract 一.3(6)).
      const record = action === "clear" ? FAULT_RECORD : {};
      h.tickets.act(open[0]!.id, action, who, { ...record, ...body });
    };
    // T1, reported 10:02: accepted 10:05 (≤ 10:12), on site 10:40 (≤ 11:02); restored 12:00, which
    // the clear at 14:10 takes as the repair time (≤ 14:02, met although the clear is later).
    on(at(2, "10:05"), () => act("core-switch", "accept"));
    on(at(2, "10:40"), () => act("core-switch", "arrive"));
    on(at(2, "14:10"), () => act("core-switch", "clear", engineer, { cause: "PSU", handling: "replaced" }));
    on(at(2, "15:00"), () => act("core-switch", "verify", supervisor));
    // T2, reported 08:02: accepted 08:05, on site 09:00, cleared 09:40, rejected by the bureau 10:00,
    // cleared again 17:00 with repair time 17:00 > 16:02: late. Closed 17:30.
    on(at(5, "08:05"), () => act("fixed-vc", "accept"));
    on(at(5, "09:00"), () => act("fixed-vc", "arrive"));
    on(at(5, "09:40"), () => act("fixed-vc", "clear"));
    on(at(5, "10:00"), () => act("fixed-vc", "reject", supervisor, { note: "no picture at the centre" }));
    on(at(5, "17:00"), () => act("fixed-vc", "clear", engineer, { repairedAt: at(5, "17:00") }));
    on(at(5, "17:30"), () => act("fixed-vc", "verify", supervisor));
    // T3, reported 09:02 on day 8 (2 d 16 h after T2's repair: a repeat): accepted 09:05, restored
    // 10:00, cleared 10:05 (≤ 17:02), closed 10:30; fixed remotely.
    on(at(8, "09:05"), () => act("fixed-vc", "accept"));
    on(at(8, "10:05"), () => act("fixed-vc", "clear"));
    on(at(8, "10:30"), () => act("fixed-vc", "verify", supervisor));
    // Approved maintenance on core-switch, day 15 02:00–04:00.
    on(at(14, "12:00"), () => {
      h.approvedWindow({
        kind: "maintenance",
        devices: ["core-switch"],
        startsAt: at(15, "02:00"),
        endsAt: at(15, "04:00"),
        why: "firmware upgrade",
        approvalRef: "BUREAU-2026-201",
      });
    });
    // T4, reported 13:02 on day 20: accepted 13:05, cleared 13:40 (repair 13:30 ≤ 21:02), closed 14:00.
    on(at(20, "13:05"), () => act("console", "accept"));
    on(at(20, "13:40"), () => act("console", "clear"));
    on(at(20, "14:00"), () => act("console", "verify", supervisor));
    h.run(NOV, period.to, world, actions);
    source = storeReportSource(h.db, h.config);
  });
  afterAll(() => h?.close());

  it("returns what source.ts promises: no consistency problem", async () => {
    expect(await checkReportSource(source, window)).toEqual([]);
    const devices = await source.availability(window);
    const core = devices.find((d) => d.deviceId === "core-switch")!;
    // The ledger's evidence: the day-2 outage, the window's maintenance state, clipped and in order.
    expect(core.intervals[0]).toMatchObject({ start: NOV, state: "up" });
    expect(core.intervals.at(-1)).toMatchObject({ end: period.to, state: "up" });
    expect(core.intervals.filter((i) => i.state !== "up").map((i) => [i.state, i.start, i.end])).toEqual([
      ["down", at(2, "10:00"), at(2, "12:00")],
      ["maintenance", at(15, "02:00"), at(15, "04:00")],
    ]);
    expect([core.maintenanceMs, core.unmonitoredMs]).toEqual([120 * MIN, 0]);
    const tickets = await source.tickets(window);
    expect(tickets.map((t) => [t.deviceId, t.level, t.state, t.repeatOf])).toEqual([
      ["core-switch", "major", "closed", null],
      ["fixed-vc", "general", "closed", null],
      ["fixed-vc", "general", "closed", tickets[1]!.id],
      ["console", "general", "closed", null],
    ]);
    const [t1, t2] = tickets as [(typeof tickets)[0], (typeof tickets)[0]];
    expect([t1.startedAt, t1.openedAt, t1.clearedAt, t1.verifiedAt]).toEqual([
      at(2, "10:00"),
      at(2, "10:02"),
      at(2, "14:10"),
      at(2, "15:00"),
    ]);
    expect(t1.deadlines).toEqual({ respond: at(2, "10:12"), onsite: at(2, "11:02"), repair: at(2, "14:02") });
    expect(t1.repairMs).toBe(120 * MIN); // 10:00 → the restoration at 12:00
    expect(t2.clearedAt).toBe(at(5, "17:00")); // the rejected clear at 09:40 is gone
    const windows = await source.maintenanceWindows(window);
    expect(windows.map((w) => [w.start, w.end, w.deviceIds, w.approvedBy])).toEqual([
      [at(15, "02:00"), at(15, "04:00"), ["core-switch"], supervisor.name],
    ]);
    expect(source.meta()).toEqual({ policyVersion: "2026.1", aggregate: "time-weighted" });
    // Tickets of October's window: none (all started in November).
    expect(await source.tickets({ start: period.from - 30 * 24 * 60 * MIN, end: period.from })).toEqual([]);
  });

  it("scores availability and repair timeliness exactly as issue 5 counts them", async () => {
    const { sheet } = await buildReport("2026-11", {
      source,
      config: reportConfigOf(h.config),
      clock: h.clock,
    });
    expect(sheet.warnings).toEqual([]);
    const ledger = availabilityForPeriod(h.db, h.config, period);
    const tickets = ticketsForPeriod(h.db, h.config, period);

    // Availability by hand (minutes; November = 43,200):
    //   core-switch  expected 43,200 − 120 (window) = 43,080, down 120 (day 2; day 15 is maintenance)
    //   fixed-vc     expected 43,200, down 90 + 60 = 150
    //   console      expected 43,200, down 30
    //   contract     (129,480 − 300) / 129,480 = 99.7683 %  → 99.77 on the sheet (2 decimals)
    const hand: Record<string, [number, number]> = {
      "core-switch": [43_080, 120],
      "fixed-vc": [43_200, 150],
      console: [43_200, 30],
    };
    for (const d of ledger.devices) {
      const row = sheet.availability.devices.find((r) => r.deviceId === d.device)!;
      expect([d.device, d.expectedMs / MIN, d.downMs / MIN]).toEqual([d.device, ...hand[d.device]!]);
      expect([row.expectedMs, row.downtimeMs]).toEqual([d.expectedMs, d.downMs]);
      expect(row.percent).toBe(Math.round(d.availability! * 100) / 100);
    }
    expect(ledger.contract.availability).toBeCloseTo(((129_480 - 300) / 129_480) * 100, 9);
    expect(sheet.availability.contract).toMatchObject({
      expectedMs: ledger.contract.expectedMs,
      downtimeMs: ledger.contract.downMs,
      percent: 99.77,
    });
    expect(sheet.policy.ledgerVersion).toBe(ledger.policy.version);

    // Repair timeliness by hand: T1 met (repair 12:00 ≤ 14:02, though cleared at 14:10), T2 late
    // (17:00 > 16:02), T3 met (10:00 ≤ 17:02), T4 met (13:30 ≤ 21:02): 3 of 4 = 75 %.
    expect(tickets.clocks.repair).toMatchObject({ met: 3, breached: 1, pending: 0, percent: 75 });
    expect(sheet.timeliness).toMatchObject({
      onTime: tickets.clocks.repair.met,
      late: tickets.clocks.repair.breached,
      due: 4,
      percent: tickets.clocks.repair.percent,
    });
    // Response: every ticket accepted within 10 min.
    expect(sheet.sla.respond).toMatchObject({ onTime: tickets.clocks.respond.met, late: 0 });
    // Repeat faults: T3 repeats T2, as issue 5 linked it.
    expect(sheet.repeats.map((r) => [r.ticketId, r.repeatOf, r.how])).toEqual(
      tickets.repeatFaults.map((r) => [String(r.ticket), String(r.repeatOf), "link"]),
    );
    // 75 % is 23 points under 98 % (−23 of 30); 99.77 % ≥ 99 % (15 of 15); one repeat (−3 of 15).
    const line = (id: string) => sheet.lines.find((l) => l.id === id)!;
    expect(line("repair-timeliness").score).toBe(7);
    expect(line("availability").score).toBe(15);
    expect(line("repeat-faults").score).toBe(12);
  });

  it("the sheet, the ledger and the ticket report agree as of any instant, mid-month and after", async () => {
    const config = reportConfigOf(h.config);
    for (const asOf of [
      at(2, "11:00"),
      at(5, "12:00"),
      at(8, "09:30"),
      at(20, "13:15"),
      period.to + 3_600_000,
    ]) {
      const { sheet } = await buildReport("2026-11", { source, config, clock: h.clock, asOf });
      const ledger = availabilityForPeriod(h.db, h.config, period, { asOf });
      const tickets = ticketsForPeriod(h.db, h.config, period, { at: asOf });
      const when = new Date(asOf).toISOString();
      expect(sheet.cutoff, when).toBe(Math.min(asOf, period.to));
      expect(ledger.asOf, when).toBe(Math.min(asOf, period.to));
      expect([sheet.availability.contract.expectedMs, sheet.availability.contract.downtimeMs], when).toEqual([
        ledger.contract.expectedMs,
        ledger.contract.downMs,
      ]);
      const settled = tickets.timeliness.bySettlementMonth;
      expect([sheet.timeliness.onTime, sheet.timeliness.late, sheet.timeliness.pending], when).toEqual([
        settled.met,
        settled.breached,
        settled.pending,
      ]);
      // The HTTP API answers the same, as of the same instant.
      if (asOf > h.clock.now()) continue;
      const api = Fastify();
      await api.register(slaRoutes(h));
      try {
        const av = (await api.inject(`/api/v1/availability?month=2026-11&asOf=${asOf}`)).json();
        expect([av.asOf, av.contract.expectedMs, av.contract.downMs], when).toEqual([
          ledger.asOf,
          ledger.contract.expectedMs,
          ledger.contract.downMs,
        ]);
        const tr = (await api.inject(`/api/v1/tickets/report?month=2026-11&asOf=${asOf}`)).json();
        expect(tr.timeliness.bySettlementMonth, when).toEqual(settled);
      } finally {
        await api.close();
      }
    }
  });

  /** Runs `emcomm report …` in this process; stdout and stderr captured. */
  const report = (...args: string[]) => runCommand(registerReportCommand, ["report", ...args]);

  // The CLI is given the instant (--as-of): the same result whatever today's date.
  it("emcomm report --config <daemon config> reads the same figures from the store", async () => {
    const file = join(h.dir, "emcomm.yaml");
    writeFileSync(file, JSON.stringify({ ...inventory, daemon: { dataDir: h.dir } }));
    const asOf = new Date(period.to + 3_600_000).toISOString();
    const r = await report("--period", "2026-11", "--config", file, "--as-of", asOf);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /repair timeliness 75% \(3\/4, 0 pending\), availability 99\.77%, repeat faults 1,/,
    );
    expect(r.out).toMatch(/fee not computed \(no contract total configured\)/);

    // --json: the whole sheet on stdout, the same figures.
    const j = await report("--period", "2026-11", "--config", file, "--as-of", asOf, "--json");
    expect(j.code, j.err).toBe(0);
    const { sheet } = JSON.parse(j.out);
    expect(sheet.timeliness).toMatchObject({ onTime: 3, due: 4 });
    expect(sheet.availability.contract.percent).toBe(99.77);

    // Mid-month: figures up to the as-of instant, never stretched to the month's end.
    const mid = await report(
      "--period",
      "2026-11",
      "--config",
      file,
      "--as-of",
      new Date(at(10, "12:00")).toISOString(),
      "--json",
    );
    expect(mid.code, mid.err).toBe(0);
    const partial = JSON.parse(mid.out).sheet;
    expect(partial.cutoff).toBe(at(10, "12:00"));
    const ledger = availabilityForPeriod(h.db, h.config, period, { asOf: at(10, "12:00") });
    expect(partial.availability.contract.downtimeMs).toBe(ledger.contract.downMs);
    expect(partial.availability.contract.expectedMs).toBe(ledger.contract.expectedMs);
    expect(mid.err).toMatch(/period in progress: provisional/);
  });

  it("a wrong data directory is an error naming the path, and creates nothing", async () => {
    const missing = join(h.dir, "no-such-dir");
    const file = join(h.dir, "wrong.yaml");
    writeFileSync(file, JSON.stringify({ ...inventory, daemon: { dataDir: missing } }));
    const r = await report("--period", "2026-11", "--config", file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(join(missing, "emcomm.db"));
    expect(existsSync(missing)).toBe(false);
    // An empty file where the store should be is not a store either.
    const empty = join(h.dir, "empty");
    mkdirSync(empty);
    writeFileSync(join(empty, "emcomm.db"), "");
    const e = await report("--period", "2026-11", "--config", file, "--data-dir", empty);
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/empty or not an emcomm store/);
    const v = await report("--period", "2026-11", "--verify", "--data-dir", missing);
    expect(v.code).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });
});

describe("the report API on a started daemon", () => {
  let peer: Server;
  let dir: string;
  beforeAll(async () => {
    peer = createServer((s) => s.destroy());
    await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
    dir = mkdtempSync(join(tmpdir(), "emcomm-report-"));
  });
  afterAll(async () => {
    await new Promise<void>((r) => peer.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the store's November, reads by token, inputs and freeze by supervisors only", async () => {
    const config = validateConfig({
      daemon: { dataDir: dir, http: { host: "127.0.0.1", port: 0 }, scheduler: { jitter: 0 } },
      sites: fixedSite,
      devices: [
        {
          ...tcpDevice("console", "fixed"),
          driver: { protocol: "tcp", host: "127.0.0.1", port: (peer.address() as { port: number }).port },
        },
      ],
      sla: { api: apiUsers },
    });
    const clock = new FakeClock(at(32, "09:00")); // 2 December: November has ended
    const daemon = await startDaemon({ config, log: pino({ level: "silent" }), clock });
    try {
      const bearer = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });
      const get = (headers: Record<string, string> = {}) =>
        fetch(`${daemon.url}/api/v1/reports/2026-11.json`, { headers });
      expect((await get()).status).toBe(401); // reads need a token off the loopback exemption
      const res = await get(bearer("engineer"));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { period: { id: string }; policy: { ledgerVersion: string } };
      expect(body.period.id).toBe("2026-11");
      expect(body.policy.ledgerVersion).toBe("2026.1");
      const put = (headers: Record<string, string>) =>
        fetch(`${daemon.url}/api/v1/reports/2026-11/inputs`, {
          method: "PUT",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ period: "2026-11", complaints: 1 }),
        });
      expect((await put(bearer("engineer"))).status).toBe(403);
      expect((await put(bearer("supervisor"))).status).toBe(200);
      // A new store watched none of November: the start did not freeze it from no evidence.
      const revisions = await fetch(`${daemon.url}/api/v1/reports/2026-11/revisions`, {
        headers: bearer("engineer"),
      });
      expect(((await revisions.json()) as { revisions: unknown[] }).revisions).toEqual([]);
    } finally {
      await daemon.stop();
    }
  }, 20_000);

  it("catches up at start a month that a daemon run watched, and freezes it", async () => {
    const store = mkdtempSync(join(tmpdir(), "emcomm-report-"));
    const config = validateConfig({
      daemon: { dataDir: store },
      sites: [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }],
      devices: [tcpDevice("console", "fixed")],
    });
    const db = openStore(store);
    try {
      db.prepare(
        "INSERT INTO daemon_runs (started_at, heartbeat_at, stopped_at, version, config_digest) VALUES (?, ?, ?, 't', 't')",
      ).run(at(10, "00:00"), at(11, "00:00"), at(11, "00:00"));
      const reports = startReports({
        config,
        db,
        clock: new FakeClock(at(32, "09:00")),
        log: pino({ level: "silent" }),
      });
      const until = Date.now() + 10_000;
      while (!getFrozen(db, "2026-11") && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await reports.stop();
      expect(getFrozen(db, "2026-11")?.frozenBy).toBe("schedule");
    } finally {
      db.close();
      rmSync(store, { recursive: true, force: true });
    }
  }, 20_000);
});
