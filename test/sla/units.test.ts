/**
 * Edges of the health engine, the SLA clocks, periods and policies, each against figures worked
 * out by hand.
 */
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { registerSlaMetrics } from "../../src/api/metrics.ts";
import { validateConfig } from "../../src/config/load.ts";
import type { AccountingPolicy } from "../../src/config/sla-schema.ts";
import { PollError } from "../../src/core/errors.ts";
import { availabilityForPeriod, computeAvailability, policyAt } from "../../src/ledger/availability.ts";
import { monthOf, monthPeriod } from "../../src/ledger/period.ts";
import { appendTransition, type DeviceState, timelines, transitionsBetween } from "../../src/ledger/store.ts";
import { ticketClocks } from "../../src/tickets/deadlines.ts";
import { listTickets } from "../../src/tickets/store.ts";
import { at, Harness, HOUR, MIN, NOV, tcpDevice } from "./harness.ts";

const pol = (x: Partial<AccountingPolicy>): AccountingPolicy => ({
  version: "t",
  from: "2000-01-01",
  downStates: ["down"],
  newDevices: "from-first-seen",
  aggregate: "time-weighted",
  ...x,
});
const sites = [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }];
let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

describe("SLA clocks", () => {
  const clocks = validateConfig({ sites, devices: [] }).sla.clocks;
  const reported = NOV;
  const base = {
    level: "major" as const,
    reportedAt: reported,
    acceptedAt: null,
    arrivedAt: null,
    repairedAt: null,
  };

  it("runs, warns in the last quarter, breaches after the deadline, and is met exactly at it", () => {
    expect(ticketClocks(base, clocks, reported + 5 * MIN).respond).toMatchObject({
      status: "running",
      remainingMs: 5 * MIN,
    });
    // Warning when ≤ 25 % of 10 min (2.5 min) remains.
    expect(ticketClocks(base, clocks, reported + 7.5 * MIN).respond.status).toBe("warning");
    expect(ticketClocks(base, clocks, reported + 10 * MIN + 1).respond).toMatchObject({
      status: "breached",
      remainingMs: -1,
    });
    const accepted = { ...base, acceptedAt: reported + 10 * MIN };
    expect(ticketClocks(accepted, clocks, reported + 5 * HOUR).respond).toMatchObject({
      status: "met",
      remainingMs: 0,
    });
  });

  it("uses each level's durations: on site 1 h / 2 h / 4 h, repair 4 h / 8 h / 12 h", () => {
    for (const [level, onsite, repair] of [
      ["major", 1, 4],
      ["general", 2, 8],
      ["consult", 4, 12],
    ] as const) {
      const c = ticketClocks({ ...base, level }, clocks, reported);
      expect([c.respond.deadline, c.onsite.deadline, c.repair.deadline]).toEqual([
        reported + 10 * MIN,
        reported + onsite * HOUR,
        reported + repair * HOUR,
      ]);
    }
  });

  it("stops the on-site clock at a remote repair", () => {
    const c = ticketClocks(
      { ...base, acceptedAt: reported + MIN, repairedAt: reported + 30 * MIN },
      clocks,
      reported + 9 * HOUR,
    );
    expect(c.onsite).toMatchObject({ status: "met", stoppedAt: reported + 30 * MIN });
  });
});

describe("health engine edges", () => {
  it("declares down after T when polls are slow, with the outage from the first failed poll", () => {
    h = new Harness({
      sites,
      devices: [tcpDevice("sw", "fixed")],
      sla: { health: { downAfterPolls: 5, downAfter: "90s" } },
    });
    // Fails at 10:00, 10:01, 10:02: 120 s ≥ 90 s at the third → down from 10:00, declared 10:02.
    h.run(at(1, "09:58"), at(1, "10:05"), (_d, t) => (t >= at(1, "10:00") ? "fail" : "ok"), new Map());
    const rows = transitionsBetween(h.db, 0, Number.MAX_SAFE_INTEGER);
    expect(rows.map((r) => [r.state, r.at, r.recordedAt])).toEqual([
      ["up", at(1, "09:58"), at(1, "09:58")],
      ["down", at(1, "10:00"), at(1, "10:02")],
    ]);
  });

  it("does not declare a short blip, and needs M good polls to come back", () => {
    h = new Harness({ sites, devices: [tcpDevice("sw", "fixed")], sla: { health: { upAfterPolls: 3 } } });
    const blip = [at(1, "10:00"), at(1, "10:02")]; // two failures: not down
    const outage = [at(1, "11:00"), at(1, "11:10")];
    // After the outage: good 11:10, fail 11:11 (resets the recovery run), good from 11:12.
    const world = (_d: string, t: number) =>
      (t >= blip[0]! && t < blip[1]!) || (t >= outage[0]! && t < outage[1]!) || t === at(1, "11:11")
        ? "fail"
        : "ok";
    h.run(at(1, "09:59"), at(1, "11:20"), world, new Map());
    const rows = transitionsBetween(h.db, 0, Number.MAX_SAFE_INTEGER);
    expect(rows.map((r) => [r.state, r.at])).toEqual([
      ["up", at(1, "09:59")],
      ["down", at(1, "11:00")],
      ["up", at(1, "11:12")], // first good poll of the run of 3 (11:12, 11:13, 11:14)
    ]);
  });

  it("makes a degraded rule its own state, counted as down only when the policy says so", () => {
    h = new Harness({
      sites,
      devices: [tcpDevice("modem", "fixed", { kind: "satellite-modem" })],
      sla: {
        devices: {
          modem: {
            rules: [
              {
                code: "ebno_low",
                severity: "degraded",
                metric: "modem_ebno_db",
                op: "<",
                value: 6,
                description: { zh: "Eb/No低", en: "Eb/No low" },
              },
            ],
          },
        },
      },
    });
    const ebno = (t: number) => (t >= at(1, "10:00") && t < at(1, "10:30") ? 4.5 : 9);
    h.run(
      at(1, "00:00"),
      at(2, "00:00"),
      (_d, t) => [{ metric: "modem_ebno_db", value: ebno(t) }],
      new Map(),
    );
    const rows = transitionsBetween(h.db, 0, Number.MAX_SAFE_INTEGER);
    expect(rows.map((r) => [r.state, r.code, r.at])).toEqual([
      ["up", null, at(1, "00:00")],
      ["degraded", "ebno_low", at(1, "10:00")],
      ["up", null, at(1, "10:30")],
    ]);
    expect(listTickets(h.db, {})).toHaveLength(0); // degraded, not a link drop: no ticket
    const tl = [
      {
        device: "modem",
        site: "fixed",
        system: "fixed",
        at: rows.map((r) => r.at),
        state: rows.map((r) => r.state),
        exclusions: [],
      },
    ];
    const day = { from: at(1, "00:00"), to: at(2, "00:00") };
    // 30 min of 1,440: 98.9583…% when degraded counts, 100 % when it does not.
    expect(computeAvailability(tl, day, pol({ downStates: ["down"] })).contract.availability).toBe(100);
    expect(
      computeAvailability(tl, day, pol({ downStates: ["down", "degraded"] })).contract.availability,
    ).toBeCloseTo((1410 / 1440) * 100, 9);
  });

  it("records a device behind a failing upstream as impacted even when it is polled first", () => {
    h = new Harness({
      sites,
      // The dependent comes first in the inventory, so it reaches N failures before its upstream.
      devices: [
        tcpDevice("phone", "fixed", { upstream: "router" }),
        tcpDevice("router", "fixed", { kind: "router", criticality: "major" }),
      ],
    });
    h.run(at(1, "09:58"), at(1, "10:10"), (_d, t) => (t >= at(1, "10:00") ? "fail" : "ok"), new Map());
    const rows = transitionsBetween(h.db, at(1, "10:00"), at(2, "00:00"));
    expect(rows.map((r) => [r.device, r.state, r.at])).toEqual([
      ["phone", "impacted", at(1, "10:00")],
      ["router", "down", at(1, "10:00")],
    ]);
    expect(listTickets(h.db, {}).map((t) => [t.device, t.level])).toEqual([["router", "major"]]);
  });
});

describe("clearance proposal", () => {
  it("keeps the measured restoration time when the device later changes between up and degraded", () => {
    h = new Harness({
      sites,
      devices: [tcpDevice("modem", "fixed", { kind: "satellite-modem", criticality: "major" })],
      sla: {
        devices: {
          modem: {
            rules: [
              {
                code: "ebno_low",
                severity: "degraded",
                metric: "modem_ebno_db",
                op: "<",
                value: 6,
                description: { zh: "Eb/No低", en: "Eb/No low" },
              },
            ],
          },
        },
      },
    });
    // Down 10:00–10:10; Eb/No low 10:20–10:25 (degraded, no ticket of its own).
    const world = (_d: string, t: number) => {
      if (t >= at(1, "10:00") && t < at(1, "10:10")) return "fail" as const;
      return [{ metric: "modem_ebno_db", value: t >= at(1, "10:20") && t < at(1, "10:25") ? 4 : 9 }];
    };
    h.run(at(1, "09:50"), at(1, "10:40"), world, new Map());
    const [t] = listTickets(h.db, {});
    expect([t!.level, t!.faultStart, t!.restoredAt]).toEqual(["major", at(1, "10:00"), at(1, "10:10")]);
    expect(h.tickets.events(t!.id).filter((e) => e.event === "restored")).toHaveLength(1);
    expect(listTickets(h.db, {})).toHaveLength(1);
  });
});

describe("SLA metrics", () => {
  it("exports states, open tickets, remaining seconds (negative once breached) and breaches once", async () => {
    h = new Harness({ sites, devices: [tcpDevice("sw", "fixed", { criticality: "major" })] });
    const registry = new Registry();
    registerSlaMetrics({
      registry,
      config: h.config,
      db: h.db,
      clock: h.clock,
      health: h.health,
      tickets: h.tickets,
    });
    // Down from 10:00, reported 10:02; nobody accepts: respond deadline 10:12.
    h.run(at(1, "09:58"), at(1, "10:15"), (_d, t) => (t >= at(1, "10:00") ? "fail" : "ok"), new Map());
    const text = await registry.metrics();
    expect(text).toContain('emcomm_device_state{device="sw",site="fixed",kind="switch",state="down"} 1');
    expect(text).toContain('emcomm_device_state{device="sw",site="fixed",kind="switch",state="up"} 0');
    expect(text).toContain('emcomm_tickets_open{level="major",state="opened"} 1');
    // At 10:15: respond −3 min, on site 1 h − 13 min = 2820 s.
    expect(text).toContain(
      'emcomm_ticket_clock_remaining_seconds{ticket="1",device="sw",site="fixed",level="major",clock="respond"} -180',
    );
    expect(text).toContain(
      'emcomm_ticket_clock_remaining_seconds{ticket="1",device="sw",site="fixed",level="major",clock="onsite"} 2820',
    );
    expect(text).toContain('emcomm_ticket_breaches_total{level="major",clock="respond"} 1');
    expect(await registry.metrics()).toContain(
      'emcomm_ticket_breaches_total{level="major",clock="respond"} 1',
    );
    // Up 09:58–10:00 then down to 10:15: 2 of 17 minutes available (first seen 09:58).
    const ratio = /emcomm_availability_month_to_date_ratio\{device="sw",site="fixed"\} (\S+)/.exec(text);
    expect(Number(ratio?.[1])).toBeCloseTo(2 / 17, 9);
  });
});

describe("the monitor's own failures", () => {
  it("records a device the monitor cannot poll (config error) as unmonitored, with no ticket", () => {
    h = new Harness({ sites, devices: [tcpDevice("sw", "fixed")] });
    h.run(at(1, "09:58"), at(1, "10:00"), () => "ok", new Map());
    for (const m of [0, 1, 2, 3, 4]) {
      h.clock.set(at(1, "10:00") + m * MIN);
      h.health.observe({
        deviceId: "sw",
        trigger: "schedule",
        startedAt: h.clock.now(),
        finishedAt: h.clock.now(),
        samples: [],
        error: new PollError("config", "sw: secret EMCOMM_X is not set"),
      });
    }
    h.run(at(1, "10:05"), at(1, "10:07"), () => "ok", new Map());
    const rows = transitionsBetween(h.db, 0, Number.MAX_SAFE_INTEGER);
    expect(rows.map((r) => [r.state, r.at])).toEqual([
      ["up", at(1, "09:58")],
      ["unmonitored", at(1, "10:00")],
      ["up", at(1, "10:05")],
    ]);
    expect(listTickets(h.db, {})).toHaveLength(0);
  });
});

describe("presence signal", () => {
  it("declares the vehicle deployed from its UPS's answers and stands it down on an answer saying otherwise", () => {
    h = new Harness({
      sites: [{ id: "vehicle", name: { zh: "指挥车", en: "Vehicle" }, calendar: "deployed" }],
      devices: [tcpDevice("vehicle-ups", "vehicle", { kind: "ups" }), tcpDevice("vehicle-vc", "vehicle")],
      sla: {
        presence: { vehicle: { device: "vehicle-ups", metric: "ups_output_source", op: "==", value: 3 } },
      },
    });
    // Parked until 08:00 (nothing answers), on mains/generator (source 3) until 18:00, then the UPS
    // reports it is off (source 1) before it goes silent at 18:05.
    const world = (d: string, t: number) => {
      if (t < at(1, "08:00") || t >= at(1, "18:05")) return "fail" as const;
      if (d === "vehicle-vc") return "ok" as const;
      return [{ metric: "ups_output_source", value: t < at(1, "18:00") ? 3 : 1 }];
    };
    h.run(at(1, "06:00"), at(1, "20:00"), world, new Map());
    expect(h.health.siteInService("vehicle", at(1, "07:59"))).toBe(false);
    expect(h.health.siteInService("vehicle", at(1, "12:00"))).toBe(true);
    expect(h.health.siteInService("vehicle", at(1, "19:00"))).toBe(false);
    const rows = transitionsBetween(h.db, 0, Number.MAX_SAFE_INTEGER, "vehicle-vc");
    expect(rows.map((r) => [r.state, r.at])).toEqual([
      ["not-in-service", at(1, "06:00")],
      ["up", at(1, "08:00")],
      ["not-in-service", at(1, "18:00")],
    ]);
    expect(listTickets(h.db, {})).toHaveLength(0);
    // Ten hours in service, all up.
    const r = availabilityForPeriod(h.db, h.config, { from: at(1, "00:00"), to: at(2, "00:00") });
    expect(r.devices.map((d) => [d.device, d.expectedMs / HOUR, d.downMs])).toEqual([
      ["vehicle-ups", 10, 0],
      ["vehicle-vc", 10, 0],
    ]);
  });
});

describe("timeline reads", () => {
  it("returns the state before the period and the changes within it, ties in id order", () => {
    h = new Harness({ sites, devices: [tcpDevice("sw", "fixed")] });
    const add = (state: DeviceState, t: number, detail: Record<string, unknown> | null = null) =>
      appendTransition(h!.db, {
        device: "sw",
        site: "fixed",
        state,
        previous: null,
        at: t,
        recordedAt: t,
        code: null,
        cause: "t",
        detail,
      });
    add("up", 100);
    add("down", 200); // the state before the period [300, 1000)
    add("impacted", 500, { thirdParty: true });
    add("up", 400); // appended later but earlier in time
    add("down", 400); // same time: id order decides
    add("up", 1000); // at the period's end: outside
    const tl = timelines(h.db, 300, 1000).get("sw")!;
    expect(tl).toEqual({
      at: [200, 400, 400, 500],
      state: ["down", "up", "down", "impacted"],
      thirdParty: [false, false, false, true],
    });
  });
});

describe("config", () => {
  it("refuses an upstream cycle and overrides of unknown devices", () => {
    expect(() =>
      validateConfig({
        sites,
        devices: [tcpDevice("a", "fixed", { upstream: "b" }), tcpDevice("b", "fixed", { upstream: "a" })],
        sla: { devices: { nope: { thirdParty: true } } },
      }),
    ).toThrow(/upstream chain without a cycle[\s\S]*sla\.devices\.nope/);
  });
});

describe("periods and policies", () => {
  it("cuts months at midnight Asia/Shanghai", () => {
    expect(monthPeriod("2026-11")).toEqual({
      from: Date.UTC(2026, 9, 31, 16),
      to: Date.UTC(2026, 10, 30, 16),
    });
    expect(monthPeriod("2026-12").to).toBe(Date.UTC(2026, 11, 31, 16));
    expect(monthOf(Date.UTC(2026, 9, 31, 16, 0, 0))).toBe("2026-11");
    expect(monthOf(Date.UTC(2026, 9, 31, 15, 59, 59))).toBe("2026-10");
  });

  it("parses months strictly: a month that does not exist is an error, never the next year's", () => {
    for (const bad of ["2026-13", "2026-00", "2026-1", "2026", "26-11", "2026-11-01"])
      expect(() => monthPeriod(bad), bad).toThrow(RangeError);
  });

  it("uses the policy in force at the period's start, so old months recompute unchanged", () => {
    const p = (version: string, from: string) => pol({ version, from });
    const policies = [p("2026.1", "2026-01-01"), p("2026.2", "2026-12-01")];
    expect(policyAt(policies, monthPeriod("2026-11").from, "Asia/Shanghai").version).toBe("2026.1");
    expect(policyAt(policies, monthPeriod("2026-12").from, "Asia/Shanghai").version).toBe("2026.2");
  });

  it("aggregates by device mean when the policy says so", () => {
    const day = { from: 0, to: 1000 };
    const tl = [
      { device: "a", site: "s", system: "x", at: [0, 900], state: ["up", "down"] as const, exclusions: [] },
      {
        device: "b",
        site: "s",
        system: "x",
        at: [0],
        state: ["up"] as const,
        exclusions: [{ from: 0, to: 500 }],
      },
    ].map((t) => ({ ...t, state: [...t.state] }));
    // a: 900/1000 = 90 %; b: 500/500 = 100 %. Time-weighted 1400/1500; device mean 95.
    expect(
      computeAvailability(tl, day, pol({ aggregate: "time-weighted" })).contract.availability,
    ).toBeCloseTo((1400 / 1500) * 100, 9);
    expect(computeAvailability(tl, day, pol({ aggregate: "device-mean" })).contract.availability).toBeCloseTo(
      95,
      9,
    );
  });
});
