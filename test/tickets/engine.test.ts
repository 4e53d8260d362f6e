/**
 * The SLA clocks of a ticket and its clearance proposal, against figures worked out by hand.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.ts";
import { ticketClocks } from "../../src/tickets/deadlines.ts";
import { listTickets } from "../../src/tickets/store.ts";
import { at, ebnoLowRule, fixedSite, HOUR, harnessPerTest, MIN, NOV, tcpDevice } from "../support/harness.ts";

const open = harnessPerTest();

describe("SLA clocks", () => {
  const clocks = validateConfig({ sites: fixedSite, devices: [] }).sla.clocks;
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

describe("clearance proposal", () => {
  it("keeps the measured restoration time when the device later changes between up and degraded", () => {
    const h = open({
      sites: fixedSite,
      devices: [tcpDevice("modem", "fixed", { kind: "satellite-modem", criticality: "major" })],
      sla: {
        devices: {
          modem: {
            rules: [ebnoLowRule],
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
