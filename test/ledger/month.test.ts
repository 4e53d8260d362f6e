/**
 * November 2026 (Asia/Shanghai) of a small inventory, minute by minute on a FakeClock, with every
 * situation the contract cares about. Every expected figure below is worked out by hand in the
 * comments from the scenario, never taken from the code under test.
 *
 * Polls every 60 s; down after 3 failed polls, up after 2 good ones; flapping = 4 downs in 1 h.
 * A fault "[a, b)" means polls at a, a+1m, ... b−1m fail: the outage recorded is exactly b − a
 * (first failed poll → first good poll), declared at a+2m (third failed poll), which is when an
 * automatic ticket is reported and its clocks start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availabilityForPeriod } from "../../src/ledger/availability.ts";
import { monthPeriod } from "../../src/ledger/period.ts";
import { transitionsBetween } from "../../src/ledger/store.ts";
import type { Actor, TicketAction } from "../../src/tickets/engine.ts";
import { ticketsForPeriod } from "../../src/tickets/period-summary.ts";
import type { Ticket } from "../../src/tickets/store.ts";
import { listTickets } from "../../src/tickets/store.ts";
import {
  at,
  DAY,
  engineer,
  Harness,
  MIN,
  NOV,
  type PollResult,
  site,
  supervisor,
  tcpDevice,
} from "../support/harness.ts";

const inventory = {
  sites: [
    site("fixed", { calendar: "always" }),
    site("trunking", { calendar: "always" }),
    site("vehicle", { calendar: "deployed" }),
  ],
  devices: [
    tcpDevice("core-switch", "fixed", { criticality: "major" }),
    tcpDevice("fixed-vc", "fixed", { kind: "video-terminal", upstream: "core-switch" }),
    tcpDevice("console", "trunking", { kind: "dispatch-console" }),
    tcpDevice("sat-service", "fixed", { kind: "satellite-modem", criticality: "major" }),
    tcpDevice("vsat-modem", "fixed", {
      kind: "satellite-modem",
      criticality: "major",
      upstream: "sat-service",
    }),
    tcpDevice("remote-phone", "fixed", { kind: "pbx", upstream: "vsat-modem" }),
    tcpDevice("vehicle-modem", "vehicle", { kind: "satellite-modem", criticality: "major" }),
    tcpDevice("vehicle-vc", "vehicle", { kind: "video-terminal", upstream: "vehicle-modem" }),
  ],
  sla: {
    devices: {
      "sat-service": { thirdParty: true },
      "vehicle-modem": {
        rules: [
          {
            code: "rx_unlock",
            severity: "down",
            metric: "modem_rx_locked",
            op: "==",
            value: 0,
            linkDrop: true,
            description: { zh: "解调失锁", en: "demodulator unlocked" },
          },
        ],
      },
    },
  },
};

/** [from, to) intervals in which a device's polls fail. */
const faults: Record<string, [number, number][]> = {
  "core-switch": [
    [at(1, "10:00"), at(1, "12:00")], // major fault, 120 min
    [at(10, "02:30"), at(10, "03:30")], // inside the maintenance window: not counted, no ticket
    [at(22, "10:00"), at(22, "14:00")], // major fault across the restart (gap 11:00–11:30)
  ],
  "fixed-vc": [
    [at(1, "10:00"), at(1, "12:00")], // behind core-switch: impacted
    [at(3, "08:00"), at(3, "09:30")], // own general fault, 90 min; clearance rejected
    [at(4, "09:00"), at(4, "10:00")], // repeat fault, 60 min
    [at(10, "02:30"), at(10, "03:30")], // behind core-switch in maintenance: impacted
    [at(20, "09:00"), at(20, "09:30")], // 16 days after the last repair: not a repeat, 30 min
    [at(22, "10:00"), at(22, "14:00")], // behind core-switch: impacted
  ],
  // Flapping: 5 cycles of 3 failed + 3 good polls from 14:00: downs of 3 min at :00 :06 :12 :18 :24.
  console: [0, 6, 12, 18, 24].map((m) => [at(5, "14:00") + m * MIN, at(5, "14:03") + m * MIN]),
  "sat-service": [[at(16, "00:00"), at(16, "06:00")]], // the satellite service: a third party's
  "vsat-modem": [[at(16, "00:00"), at(16, "06:00")]],
  "remote-phone": [[at(16, "00:00"), at(16, "06:00")]],
  // Behind the modem's unlock.
  "vehicle-vc": [[at(13, "10:00"), at(13, "11:00")]],
};
const deployed: [number, number] = [at(12, "08:00"), at(14, "20:00")];
const unlocked: [number, number] = [at(13, "10:00"), at(13, "11:00")];
const inside = (t: number, [a, b]: [number, number]) => t >= a && t < b;

function world(device: string, t: number): PollResult {
  const site = inventory.devices.find((d) => d.id === device)!.site;
  if (site === "vehicle" && !inside(t, deployed)) return "fail"; // parked, switched off
  if (device === "vehicle-modem") return [{ metric: "modem_rx_locked", value: inside(t, unlocked) ? 0 : 1 }];
  return (faults[device] ?? []).some((f) => inside(t, f)) ? "fail" : "ok";
}

const FAULT_RECORD = { cause: "cause found", handling: "fixed", responsibility: "contractor" };

describe("a month of the contract on a fake clock", () => {
  let h: Harness;
  const period = monthPeriod("2026-11");
  const byDevice = (id: string) => listTickets(h.db, { device: id });
  let restartChecks: { before: Ticket[]; transitionsBefore: number; heartbeat: number } | undefined;

  beforeAll(() => {
    h = new Harness(inventory);
    const actions = new Map<number, (() => void)[]>();
    const on = (t: number, fn: () => void) => actions.set(t, [...(actions.get(t) ?? []), fn]);
    const act = (
      device: string,
      action: TicketAction,
      who: Actor = engineer,
      body: Record<string, unknown> = {},
    ) => {
      const open = listTickets(h.db, { device, state: "open" });
      expect(open, `${device}: one open ticket to ${action}`).toHaveLength(1);
      // A clearance carries the fault record's cause, handling and responsibility (contract 一.3(6)).
      const record = action === "clear" ? FAULT_RECORD : {};
      h.tickets.act(open[0]!.id, action, who, { ...record, ...body });
    };
    // 1. core-switch major fault: reported 10:02.
    on(at(1, "10:05"), () => act("core-switch", "accept"));
    on(at(1, "10:50"), () => act("core-switch", "arrive"));
    on(at(1, "12:10"), () =>
      act("core-switch", "clear", engineer, { cause: "PSU failed", handling: "replaced PSU" }),
    );
    on(at(1, "13:00"), () => act("core-switch", "verify", supervisor));
    // 2. fixed-vc general fault, reported 08:02: accepted late, clearance rejected, repaired late.
    on(at(3, "08:32"), () => act("fixed-vc", "accept"));
    on(at(3, "09:02"), () => act("fixed-vc", "arrive"));
    on(at(3, "09:42"), () => act("fixed-vc", "clear"));
    on(at(3, "10:02"), () =>
      act("fixed-vc", "reject", supervisor, { note: "no video to the command centre" }),
    );
    on(at(3, "16:30"), () => act("fixed-vc", "clear", engineer, { repairedAt: at(3, "16:30") }));
    on(at(3, "17:00"), () => act("fixed-vc", "verify", supervisor));
    // 3. repeat fault of fixed-vc, reported 09:02 on day 4.
    on(at(4, "09:05"), () => act("fixed-vc", "accept"));
    on(at(4, "10:05"), () => act("fixed-vc", "clear"));
    on(at(4, "11:00"), () => act("fixed-vc", "verify", supervisor));
    // 4. console flapping, reported 14:02.
    on(at(5, "14:10"), () => act("console", "accept"));
    on(at(5, "16:00"), () => act("console", "clear"));
    on(at(5, "16:30"), () => act("console", "verify", supervisor));
    // Maintenance window on core-switch, day 10 02:00–04:00, requested and approved beforehand.
    on(at(9, "12:00"), () => {
      h.approvedWindow({
        kind: "maintenance",
        devices: ["core-switch"],
        startsAt: at(10, "02:00"),
        endsAt: at(10, "04:00"),
        why: "firmware upgrade",
        approvalRef: "BUREAU-2026-117",
      });
    });
    // Vehicle deployed day 12 08:00 → stood down day 14 20:00; modem unlock day 13 10:00–11:00.
    on(deployed[0], () => h.health.declareSite("vehicle", true, "zhang.duty", "flood response"));
    on(deployed[1], () => h.health.declareSite("vehicle", false, "zhang.duty"));
    on(at(13, "10:08"), () => act("vehicle-modem", "accept"));
    on(at(13, "10:40"), () => act("vehicle-modem", "arrive"));
    on(at(13, "11:05"), () => act("vehicle-modem", "clear"));
    on(at(13, "12:00"), () => act("vehicle-modem", "verify", supervisor));
    // 6. fixed-vc again on day 20.
    on(at(20, "09:03"), () => act("fixed-vc", "accept"));
    on(at(20, "09:35"), () => act("fixed-vc", "clear"));
    on(at(20, "10:00"), () => act("fixed-vc", "verify", supervisor));
    // 7. core-switch fault on day 22, reported 10:02, accepted 10:05; the daemon dies at 11:00.
    on(at(22, "10:05"), () => act("core-switch", "accept"));
    on(at(22, "14:10"), () => act("core-switch", "clear"));
    on(at(22, "15:00"), () => act("core-switch", "verify", supervisor));

    // 8. A consultation by phone (技术咨询), day 25: reported 09:00, answered 09:05, solved remotely 12:00.
    on(at(25, "09:00"), () => {
      h.tickets.openManual(
        {
          level: "consult",
          symptom: "how to add a talk group on the dispatch console",
          faultType: "consultation",
        },
        engineer,
      );
    });
    const consult = () => listTickets(h.db, { level: "consult" })[0]!.id;
    on(at(25, "09:05"), () => h.tickets.act(consult(), "accept", engineer));
    on(at(25, "12:00"), () =>
      h.tickets.act(consult(), "clear", engineer, { ...FAULT_RECORD, handling: "talked through by phone" }),
    );
    on(at(25, "13:00"), () => h.tickets.act(consult(), "verify", supervisor));

    const crashAt = at(22, "11:00");
    const restartAt = at(22, "11:30");
    h.run(NOV, crashAt, world, actions);
    const before = listTickets(h.db, {});
    const transitionsBefore = transitionsBetween(h.db, 0, Number.MAX_SAFE_INTEGER).length;
    const heartbeat = h.crash(); // kill -9: no clean stop
    h.clock.set(restartAt);
    h.boot(heartbeat);
    restartChecks = { before, transitionsBefore, heartbeat };
    h.run(restartAt, period.to, world, actions);
  });

  afterAll(() => h?.close());

  it("opens exactly the expected tickets, one per fault, none for impacted, third-party, maintenance or parked", () => {
    const all = listTickets(h.db, {});
    expect(all.map((t) => [t.device, t.code, t.level, t.state])).toEqual([
      ["core-switch", "unreachable", "major", "closed"],
      ["fixed-vc", "unreachable", "general", "closed"],
      ["fixed-vc", "unreachable", "general", "closed"],
      ["console", "unreachable", "general", "closed"],
      ["vehicle-modem", "rx_unlock", "major", "closed"],
      ["fixed-vc", "unreachable", "general", "closed"],
      ["core-switch", "unreachable", "major", "closed"],
      [null, "manual", "consult", "closed"],
    ]);
    const [t1, t2, t3, t4, t5, t6, t7, t8] = all as [
      Ticket,
      Ticket,
      Ticket,
      Ticket,
      Ticket,
      Ticket,
      Ticket,
      Ticket,
    ];
    expect([t8.reportedAt, t8.repairedAt, t8.closedAt]).toEqual([
      at(25, "09:00"),
      at(25, "12:00"),
      at(25, "13:00"),
    ]);
    // Clocks start at declaration (third failed poll), the fault at the first failed poll.
    expect([t1.reportedAt, t1.faultStart]).toEqual([at(1, "10:02"), at(1, "10:00")]);
    expect(t1.restoredAt).toBe(at(1, "12:00"));
    expect(t1.repairedAt).toBe(at(1, "12:00")); // the measured restoration, proposed by the recovery
    expect(t2.rejections).toBe(1);
    expect(t2.repairedAt).toBe(at(3, "16:30"));
    expect(t3.repeatOf).toBe(t2.id); // day 4 09:00 is 16.5 h after the repair on day 3 16:30
    expect(t6.repeatOf).toBeNull(); // 16 days after day 4 10:00: outside the 7-day window
    expect(t4.flapping).toBe(true);
    expect(t4.restoredAt).toBe(at(5, "14:27")); // the last recovery of the flapping run
    expect(t5.faultStart).toBe(at(13, "10:00"));
    expect(t7.reportedAt).toBe(at(22, "10:02"));
  });

  it("keeps tickets, clocks and transitions across a kill -9 and restart", () => {
    const { before, transitionsBefore, heartbeat } = restartChecks!;
    const open = before.filter((t) => t.state !== "closed");
    expect(open.map((t) => [t.device, t.reportedAt, t.acceptedAt])).toEqual([
      ["core-switch", at(22, "10:02"), at(22, "10:05")],
    ]);
    const after = listTickets(h.db, {}).find((t) => t.id === open[0]!.id)!;
    expect([after.reportedAt, after.acceptedAt, after.faultStart]).toEqual([
      at(22, "10:02"),
      at(22, "10:05"),
      at(22, "10:00"),
    ]);
    const all = transitionsBetween(h.db, 0, Number.MAX_SAFE_INTEGER);
    expect(all.length).toBeGreaterThan(transitionsBefore);
    const core = transitionsBetween(h.db, at(22, "00:00"), at(23, "00:00"), "core-switch");
    expect(core.map((t) => [t.state, t.at])).toEqual([
      ["down", at(22, "10:00")],
      ["unmonitored", heartbeat],
      ["down", at(22, "11:30")],
      ["up", at(22, "14:00")],
    ]);
  });

  it("records the upstream satellite outage as impacted behind a third party", () => {
    const rows = transitionsBetween(h.db, at(16, "00:00"), at(16, "07:00"));
    expect(rows.map((t) => [t.device, t.state, t.at])).toEqual([
      ["remote-phone", "impacted", at(16, "00:00")],
      ["remote-phone", "up", at(16, "06:00")],
      ["sat-service", "down", at(16, "00:00")],
      ["sat-service", "up", at(16, "06:00")],
      ["vsat-modem", "impacted", at(16, "00:00")],
      ["vsat-modem", "up", at(16, "06:00")],
    ]);
    expect(rows.find((t) => t.device === "remote-phone")!.detail).toMatchObject({
      upstream: "sat-service",
      thirdParty: true,
    });
  });

  it("computes November's availability as worked out by hand", () => {
    const report = availabilityForPeriod(h.db, h.config, period);
    const month = 30 * 24 * 60; // 43,200 min
    const gap = 30; // day 22 11:00–11:30, unmonitored
    // [expected min, down min] per device:
    const hand: Record<string, [number, number]> = {
      // 120 (window) and 30 (gap) excluded; down 120 (day 1) + 60 + 150 (day 22, around the gap).
      "core-switch": [month - 120 - gap, 120 + 60 + 150],
      // impacted 120 (day 1) + 60 (day 10) + 210 (day 22) excluded, plus the gap; down 90 + 60 + 30.
      "fixed-vc": [month - 120 - 60 - 210 - gap, 90 + 60 + 30],
      console: [month - gap, 15],
      // Everything impacted by the third party's outage: excluded, 360 min.
      "vsat-modem": [month - 360 - gap, 0],
      "remote-phone": [month - 360 - gap, 0],
      // In service only while deployed: 2.5 days = 3,600 min; down 60 (unlock).
      "vehicle-modem": [3600, 60],
      "vehicle-vc": [3600 - 60, 0],
    };
    expect(report.devices.map((d) => d.device)).not.toContain("sat-service");
    for (const d of report.devices) {
      const [expected, down] = hand[d.device]!;
      expect([d.device, d.expectedMs / MIN, d.downMs / MIN]).toEqual([d.device, expected, down]);
      expect(d.availability).toBeCloseTo(((expected - down) / expected) * 100, 9);
    }
    expect(report.devices.find((d) => d.device === "core-switch")!.availability).toBeCloseTo(99.233449, 5);
    // The satellite service is the provider's: its 360 min outage is its own figure, shown apart.
    expect(report.providers).toEqual([
      expect.objectContaining({
        device: "sat-service",
        provider: true,
        expectedMs: (month - gap) * MIN,
        downMs: 360 * MIN,
      }),
    ]);
    expect(report.providers[0]!.outages).toEqual([{ from: at(16, "00:00"), to: at(16, "06:00") }]);
    const sumExpected = 43050 + 42780 + 43170 + 2 * 42810 + 3600 + 3540; // 221,760: the contractor's devices
    const sumDown = 330 + 180 + 15 + 60; // 585
    expect(report.contract.availability).toBeCloseTo(((sumExpected - sumDown) / sumExpected) * 100, 9);
    expect(report.sites.vehicle!.availability).toBeCloseTo(((7140 - 60) / 7140) * 100, 9);
    expect(report.policy.version).toBe("2026.1");
    expect(report.period).toEqual({ from: NOV, to: NOV + 30 * DAY });
  });

  it("gives the SLA verdicts worked out by hand", () => {
    const r = ticketsForPeriod(h.db, h.config, period);
    // respond (10 min): only ticket 2 (accepted 30 min after 08:02) is late.
    expect(r.clocks.respond).toMatchObject({ met: 7, breached: 1, pending: 0 });
    // onsite, as the score sheet judges it (src/report/verdicts.ts, one implementation): a fault
    // repaired without a visit has no on-site clock, so ticket 7 (never arrived, repaired remotely
    // at 14:00) and the consultation solved remotely are not counted; the 3 visits were in time.
    expect(r.clocks.onsite).toMatchObject({ met: 3, breached: 0, pending: 0 });
    // repair: ticket 2 repaired 16:30 > 08:02 + 8 h; ticket 7 repaired 14:00 ≤ 10:02 + 4 h;
    // the consultation 12:00 ≤ 09:00 + 12 h.
    expect(r.clocks.repair).toMatchObject({ met: 7, breached: 1 });
    expect(r.clocks.repair.percent).toBeCloseTo((7 / 8) * 100, 9); // 87.5 %: below the contract's 98 %
    // Labelled both ways; every ticket here is reported and settled within November.
    expect(r.timeliness.byReportedMonth).toEqual(r.clocks.repair);
    expect(r.timeliness.bySettlementMonth).toMatchObject({ met: 7, breached: 1, attribution: "settled" });
    expect(r.byLevel).toEqual({ major: 3, general: 4, consult: 1 });
    expect(r.repeatFaults).toEqual([{ ticket: 3, repeatOf: 2, device: "fixed-vc", code: "unreachable" }]);
  });

  it("keeps an audit trail with the rejection and the flapping flag", () => {
    const t2 = byDevice("fixed-vc")[0]!;
    expect(h.tickets.events(t2.id).map((e) => e.event)).toEqual([
      "opened",
      "warned", // respond: ≤ 2.5 of its 10 min left at the 08:10 tick
      "breached", // respond, deadline 08:12
      "accepted",
      "arrived", // 09:02: the on-site clock stops before its warning (09:32)
      "restored", // recovery from 09:30, declared 09:31
      "cleared",
      "rejected",
      "warned", // repair: ≤ 2 of its 8 h left at 14:02
      "breached", // repair, deadline 16:02
      "cleared",
      "verified",
    ]);
    const clockEvents = h.tickets
      .events(t2.id)
      .filter((e) => e.event === "warned" || e.event === "breached")
      .map((e) => [e.event, e.detail?.clock, e.at]);
    expect(clockEvents).toEqual([
      ["warned", "respond", at(3, "08:10")],
      ["breached", "respond", at(3, "08:12")],
      ["warned", "repair", at(3, "14:02")],
      ["breached", "repair", at(3, "16:02")],
    ]);
    const t4 = byDevice("console")[0]!;
    const events = h.tickets.events(t4.id).map((e) => e.event);
    expect(events.filter((e) => e === "recurred")).toHaveLength(4);
    expect(events).toContain("flapping");
    expect(() => h.db.prepare("DELETE FROM ticket_events").run()).toThrow(/append-only/);
    expect(() => h.db.prepare("UPDATE state_transitions SET state = 'up'").run()).toThrow(/append-only/);
  });
});
