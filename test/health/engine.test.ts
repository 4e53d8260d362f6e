/**
 * Edges of the health engine, the monitor's own failures (never a device's), and the presence
 * signal, each against figures worked out by hand.
 */
import { describe, expect, it } from "vitest";
import { PollError } from "../../src/core/errors.ts";
import { availabilityForPeriod, computeAvailability } from "../../src/ledger/availability.ts";
import { transitionsBetween } from "../../src/ledger/store.ts";
import { listTickets } from "../../src/tickets/store.ts";
import {
  at,
  ebnoLowRule,
  fixedSite,
  HOUR,
  harnessPerTest,
  MIN,
  policyWith,
  tcpDevice,
} from "../support/harness.ts";

const open = harnessPerTest();

describe("health engine edges", () => {
  it("declares down after T when polls are slow, with the outage from the first failed poll", () => {
    const h = open({
      sites: fixedSite,
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
    const h = open({
      sites: fixedSite,
      devices: [tcpDevice("sw", "fixed")],
      sla: { health: { upAfterPolls: 3 } },
    });
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
    const h = open({
      sites: fixedSite,
      devices: [tcpDevice("modem", "fixed", { kind: "satellite-modem" })],
      sla: {
        devices: {
          modem: {
            rules: [ebnoLowRule],
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
    expect(computeAvailability(tl, day, policyWith({ downStates: ["down"] })).contract.availability).toBe(
      100,
    );
    expect(
      computeAvailability(tl, day, policyWith({ downStates: ["down", "degraded"] })).contract.availability,
    ).toBeCloseTo((1410 / 1440) * 100, 9);
  });

  it("records a device behind a failing upstream as impacted even when it is polled first", () => {
    const h = open({
      sites: fixedSite,
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

describe("the monitor's own failures", () => {
  it("records a device the monitor cannot poll (config error) as unmonitored, with no ticket", () => {
    const h = open({ sites: fixedSite, devices: [tcpDevice("sw", "fixed")] });
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
    const h = open({
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
