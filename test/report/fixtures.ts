/**
 * A synthetic November 2026 (Asia/Shanghai) whose score sheet is worked out by hand in
 * golden.test.ts. Three devices, eight tickets, one maintenance window:
 *  - fixed-modem (vsat-fixed): in service all month (720 h), down 36 h from Nov 5 00:00 → 95 %.
 *  - vehicle-modem (vehicle): vehicle out of service until Nov 16 00:00 (half the month), then in
 *    service 360 h, down 3.6 h from Nov 20 08:00 → 99 %.
 *  - mine-switch (mine-rescue): added to the inventory Nov 11 00:00 (480 h), maintenance window
 *    Nov 12 00:00–10:00 during which it is down (excluded), then down 4.7 h more → 465.3/470 = 99 %.
 *  - Tickets: T1 all clocks met; T2 response breached; T3 on-site breached; T4 repair breached;
 *    T5 repeat of T4 (remote fix); T6 open at month end, not yet due; T7 started in October,
 *    repaired on time on Nov 1; T8 consult, not repaired by its deadline Nov 28 22:00.
 */
import type { ManualInputsInput } from "../../src/report/inputs.ts";
import type { MemorySourceData } from "../../src/report/memory-source.ts";
import type { TicketRecord } from "../../src/report/source.ts";

/** An instant in Asia/Shanghai (UTC+8), November 2026 unless `month` says otherwise (1-based). */
export const at = (day: number, hh = 0, mm = 0, month = 11) => Date.UTC(2026, month - 1, day, hh - 8, mm);
export const MIN = 60_000;
export const H = 3_600_000;

const limits = {
  major: { respond: 10 * MIN, onsite: 1 * H, repair: 4 * H },
  general: { respond: 10 * MIN, onsite: 2 * H, repair: 8 * H },
  consult: { respond: 10 * MIN, onsite: 4 * H, repair: 12 * H },
} as const;

export function ticket(
  p: Partial<TicketRecord> & Pick<TicketRecord, "id" | "deviceId" | "level" | "startedAt">,
): TicketRecord {
  const l = limits[p.level];
  return {
    site: "site",
    system: "system",
    symptom: "link down",
    faultType: "link",
    openedAt: p.startedAt,
    acceptedAt: null,
    arrivedAt: null,
    clearedAt: null,
    verifiedAt: null,
    repairMs: p.clearedAt ? p.clearedAt - p.startedAt : null,
    cause: "",
    handling: "",
    responsibility: "",
    lessons: "",
    handler: "张工",
    repeatOf: null,
    state: p.clearedAt ? "closed" : p.acceptedAt ? "accepted" : "open",
    onsiteRequired: true,
    deadlines: {
      respond: p.startedAt + l.respond,
      onsite: p.startedAt + l.onsite,
      repair: p.startedAt + l.repair,
    },
    ...p,
  };
}

export function november(): MemorySourceData {
  const s1 = at(3, 10);
  const s2 = at(20, 8);
  const s3 = at(15, 9);
  const s4 = at(10, 0);
  const s5 = at(12, 0);
  const s6 = at(30, 20);
  const s7 = at(31, 22, 0, 10);
  const s8 = at(28, 10);
  return {
    policyVersion: "golden-1",
    devices: [
      {
        id: "fixed-modem",
        name: { zh: "固定站调制解调器", en: "Fixed modem" },
        site: "vsat-fixed",
        system: "vsat-fixed",
        kind: "satellite-modem",
        criticality: "major",
      },
      {
        id: "vehicle-modem",
        name: { zh: "车载调制解调器", en: "Vehicle modem" },
        site: "vehicle",
        system: "ku-vehicle",
        kind: "satellite-modem",
        criticality: "major",
      },
      {
        id: "mine-switch",
        name: { zh: "矿山交换机", en: "Mine switch" },
        site: "mine-rescue",
        system: "mine-rescue",
        kind: "switch",
        criticality: "general",
        addedAt: at(11),
      },
    ],
    changes: [
      { deviceId: "fixed-modem", at: at(1, 0, 0, 10), state: "up", cause: "poll ok" },
      { deviceId: "fixed-modem", at: at(5), state: "down", cause: "modem_rx_locked=0" },
      { deviceId: "fixed-modem", at: at(6, 12), state: "up", cause: "poll ok" },
      {
        deviceId: "vehicle-modem",
        at: at(1, 0, 0, 10),
        state: "not-in-service",
        cause: "vehicle stood down",
      },
      { deviceId: "vehicle-modem", at: at(16), state: "up", cause: "vehicle deployed" },
      { deviceId: "vehicle-modem", at: at(20, 8), state: "down", cause: "poll timeout" },
      { deviceId: "vehicle-modem", at: at(20, 11, 36), state: "up", cause: "poll ok" },
      { deviceId: "mine-switch", at: at(11), state: "up", cause: "added" },
      { deviceId: "mine-switch", at: at(12), state: "down", cause: "psu_ok=0" },
      { deviceId: "mine-switch", at: at(12, 14, 42), state: "up", cause: "poll ok" },
    ],
    windows: [
      {
        id: "mw-1",
        kind: "maintenance",
        start: at(12),
        end: at(12, 10),
        deviceIds: ["mine-switch"],
        sites: [],
        reason: "PSU replacement",
        approvedBy: "bureau",
      },
    ],
    tickets: [
      ticket({
        id: "T1",
        deviceId: "fixed-modem",
        level: "major",
        startedAt: s1,
        acceptedAt: s1 + 5 * MIN,
        arrivedAt: s1 + 50 * MIN,
        clearedAt: s1 + 3 * H,
        verifiedAt: s1 + 4 * H,
      }),
      ticket({
        id: "T2",
        deviceId: "vehicle-modem",
        level: "general",
        startedAt: s2,
        acceptedAt: s2 + 15 * MIN,
        arrivedAt: s2 + 1 * H,
        clearedAt: s2 + 6 * H,
        verifiedAt: s2 + 7 * H,
      }),
      ticket({
        id: "T3",
        deviceId: "mine-switch",
        level: "general",
        startedAt: s3,
        acceptedAt: s3 + 5 * MIN,
        arrivedAt: s3 + 3 * H,
        clearedAt: s3 + 7 * H,
        verifiedAt: s3 + 8 * H,
      }),
      ticket({
        id: "T4",
        deviceId: "fixed-modem",
        level: "major",
        startedAt: s4,
        acceptedAt: s4 + 5 * MIN,
        arrivedAt: s4 + 30 * MIN,
        clearedAt: s4 + 6 * H,
        verifiedAt: s4 + 7 * H,
      }),
      ticket({
        id: "T5",
        deviceId: "fixed-modem",
        level: "major",
        startedAt: s5,
        acceptedAt: s5 + 5 * MIN,
        clearedAt: s5 + 1 * H,
        verifiedAt: s5 + 2 * H,
        repeatOf: "T4",
        onsiteRequired: false,
      }),
      ticket({
        id: "T6",
        deviceId: "fixed-modem",
        level: "general",
        startedAt: s6,
        acceptedAt: s6 + 5 * MIN,
        arrivedAt: s6 + 90 * MIN,
        state: "onsite",
      }),
      ticket({
        id: "T7",
        deviceId: "vehicle-modem",
        level: "general",
        startedAt: s7,
        acceptedAt: s7 + 5 * MIN,
        clearedAt: at(1, 5),
        verifiedAt: at(1, 6),
        onsiteRequired: false,
      }),
      ticket({
        id: "T8",
        deviceId: "mine-switch",
        level: "consult",
        startedAt: s8,
        acceptedAt: s8 + 5 * MIN,
        arrivedAt: s8 + 1 * H,
        state: "onsite",
      }),
    ],
  };
}

export const novemberInputs: ManualInputsInput = {
  period: "2026-11",
  reportsMissing: 1,
  reportsNonConforming: 1,
  inspectionPlansNotCarriedOut: 1,
  userDataErrors: 3,
  supportTasksFailed: 1,
  dissatisfiedCallbacks: 2,
  complaints: 1,
  writtenPraise: 2,
  escalatedComplaints: 1,
  productionAccidents: [{ description: "trunk outage during drill", deduction: 7 }],
};
