/**
 * What each simulated SNMP device reports, as a function of time and its active faults. Values
 * move believably: interface counters grow at a set traffic rate (with a slow swell), Eb/No jitters
 * around its clear-sky value, UPS charge falls on battery and recovers on mains. The OIDs come
 * from the driver's profile blocks, so simulator and driver cannot drift apart.
 */

import { ACU } from "../../drivers/snmp/profiles/antenna-acu.ts";
import { ENT_PHYSICAL_NAME, HH3C } from "../../drivers/snmp/profiles/h3c-comware.ts";
import { HR } from "../../drivers/snmp/profiles/host-resources.ts";
import { HW } from "../../drivers/snmp/profiles/huawei-vrp.ts";
import { IF } from "../../drivers/snmp/profiles/if-mib.ts";
import { PDT } from "../../drivers/snmp/profiles/pdt-repeater.ts";
import { BUC } from "../../drivers/snmp/profiles/satellite-buc.ts";
import { MODEM } from "../../drivers/snmp/profiles/satellite-modem.ts";
import { UPS } from "../../drivers/snmp/profiles/ups-rfc1628.ts";
import { c64, type SimScalar, type SimTable, type Snapshot, T } from "./agent.ts";

export interface ModelContext {
  id: string;
  profile: string;
  /** Seconds since the simulator started. */
  t: number;
  /** Now, on the simulator's clock (ms). */
  nowMs: number;
  /** Seconds since the previous snapshot. */
  dt: number;
  faults: ReadonlySet<string>;
  random: () => number;
}

/** Faults that mean something for a profile (besides silent/slow/garbage). */
export const profileFaults: Readonly<Record<string, readonly string[]>> = {
  "h3c-switch": ["if-down"],
  "huawei-switch": ["if-down"],
  "huawei-router": ["if-down"],
  "generic-host": ["if-down"],
  "satellite-modem": ["modem-unlock", "buc-alarm"],
  "satellite-buc": ["buc-alarm"],
  "ups-rfc1628": ["ups-on-battery"],
  "antenna-acu": ["antenna-unlock"],
  "pdt-base-station": [],
};

const entry = (column: string) => column.split(".").slice(0, -1).join(".");
const col = (column: string) => Number(column.split(".").at(-1));
const scalar = (oid: string, type: number, value: unknown): SimScalar => ({ oid, type, value });
const float32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v);
  return b;
};

/** Split a column list into tables by entry OID. */
function tables(cells: { column: string; type: number; index: number[]; value: unknown }[]): SimTable[] {
  const byEntry = new Map<string, SimTable>();
  for (const c of cells) {
    const e = entry(c.column);
    const t = byEntry.get(e) ?? { entry: e, columns: {}, rows: [] };
    (t.columns as Record<number, number>)[col(c.column)] = c.type;
    const key = c.index.join(".");
    let row = t.rows.find((r) => r.index.join(".") === key);
    if (!row) {
      row = { index: c.index, values: {} };
      t.rows.push(row);
    }
    (row.values as Record<number, unknown>)[col(c.column)] = c.value;
    byEntry.set(e, t);
  }
  return [...byEntry.values()];
}

/** Per-device state that integrates over time (counters, charge, random walks). */
export class DeviceWorld {
  private octets = new Map<string, number>();
  private charge = 100;
  /** UPS-MIB alarm table: rows come and go with an incrementing upsAlarmId (wraps at 2^31). */
  private alarmIds = new Map<string, { id: number; at: number }>();
  private nextAlarmId = 1;
  private onBatterySince?: number;
  private freqOffset = 0;
  private start?: number;

  constructor(
    readonly id: string,
    readonly profile: string,
  ) {}

  snapshot(ctx: ModelContext): Snapshot {
    const s: Snapshot = { scalars: this.system(ctx), tables: [] };
    const cells: Parameters<typeof tables>[0] = [];
    switch (ctx.profile) {
      case "h3c-switch":
        this.ifMib(ctx, cells, 8);
        this.entity(cells);
        this.h3c(ctx, cells);
        break;
      case "huawei-switch":
      case "huawei-router":
        this.ifMib(ctx, cells, ctx.profile === "huawei-router" ? 4 : 8);
        this.entity(cells);
        this.huawei(ctx, cells, ctx.profile === "huawei-switch");
        break;
      case "generic-host":
        this.ifMib(ctx, cells, 2);
        s.scalars.push(scalar(HR.hrSystemProcesses, T.gauge, 80 + Math.floor(ctx.random() * 10)));
        for (const i of [196608, 196609])
          cells.push({
            column: HR.hrProcessorLoad,
            type: T.int,
            index: [i],
            value: Math.floor(5 + ctx.random() * 20),
          });
        break;
      case "ups-rfc1628":
        this.ups(ctx, s.scalars, cells);
        break;
      case "satellite-modem":
        this.modem(ctx, s.scalars, cells);
        break;
      case "satellite-buc":
        this.buc(ctx, s.scalars);
        break;
      case "antenna-acu":
        this.acu(ctx, s.scalars, cells);
        break;
      case "pdt-base-station":
        this.pdt(ctx, s.scalars);
        break;
    }
    s.tables = tables(cells);
    return s;
  }

  private system(ctx: ModelContext): SimScalar[] {
    this.start ??= ctx.nowMs;
    return [
      scalar("1.3.6.1.2.1.1.1.0", T.str, `emcomm simulated ${ctx.profile} (${ctx.id})`),
      scalar("1.3.6.1.2.1.1.2.0", T.oid, "1.3.6.1.4.1.32473.99"),
      // TimeTicks: pretend the device booted a day before the simulator started.
      scalar("1.3.6.1.2.1.1.3.0", T.ticks, 8_640_000 + Math.floor((ctx.nowMs - this.start) / 10)),
      scalar("1.3.6.1.2.1.1.5.0", T.str, ctx.id),
    ];
  }

  private ifMib(ctx: ModelContext, cells: Parameters<typeof tables>[0], ports: number): void {
    for (let i = 1; i <= ports; i++) {
      const down = i === 1 && ctx.faults.has("if-down");
      // Traffic: port i carries i × 2 Mbit/s in, half out, swelling ±30 % over five minutes.
      const bytesPerSecond = (i * 2_000_000) / 8;
      const swell = 1 + 0.3 * Math.sin((2 * Math.PI * ctx.t) / 300);
      for (const [dir, share] of [
        ["in", 1],
        ["out", 0.5],
      ] as const) {
        const key = `${dir}${i}`;
        const prev = this.octets.get(key) ?? 5_000_000_000 + i * 1_000_000_000;
        this.octets.set(key, down ? prev : prev + bytesPerSecond * share * swell * ctx.dt);
      }
      const name = ctx.profile.startsWith("huawei")
        ? `GigabitEthernet0/0/${i}`
        : ctx.profile === "h3c-switch"
          ? `GigabitEthernet1/0/${i}`
          : `eth${i - 1}`;
      cells.push(
        { column: "1.3.6.1.2.1.2.2.1.1", type: T.int, index: [i], value: i },
        { column: "1.3.6.1.2.1.2.2.1.2", type: T.str, index: [i], value: name },
        { column: IF.ifAdminStatus, type: T.int, index: [i], value: 1 },
        { column: IF.ifOperStatus, type: T.int, index: [i], value: down ? 2 : 1 },
        { column: IF.ifInDiscards, type: T.counter, index: [i], value: Math.floor(ctx.t / 60) % 2 ** 32 },
        { column: IF.ifInErrors, type: T.counter, index: [i], value: Math.floor(ctx.t / 120) % 2 ** 32 },
        { column: IF.ifOutErrors, type: T.counter, index: [i], value: 0 },
        { column: IF.ifName, type: T.str, index: [i], value: name },
        { column: IF.ifHCInOctets, type: T.c64, index: [i], value: c64(this.octets.get(`in${i}`)!) },
        { column: IF.ifHCOutOctets, type: T.c64, index: [i], value: c64(this.octets.get(`out${i}`)!) },
      );
    }
  }

  private entity(cells: Parameters<typeof tables>[0]): void {
    cells.push(
      { column: ENT_PHYSICAL_NAME, type: T.str, index: [1], value: "Chassis 1" },
      { column: ENT_PHYSICAL_NAME, type: T.str, index: [2], value: "Board 1" },
    );
  }

  private h3c(ctx: ModelContext, cells: Parameters<typeof tables>[0]): void {
    const j = (base: number, spread: number) => Math.round(base + spread * (ctx.random() - 0.5));
    cells.push(
      { column: HH3C.cpuUsage, type: T.int, index: [1], value: 0 },
      { column: HH3C.cpuUsage, type: T.int, index: [2], value: j(18, 8) },
      { column: HH3C.memUsage, type: T.int, index: [1], value: 0 },
      { column: HH3C.memUsage, type: T.int, index: [2], value: j(42, 2) },
      { column: HH3C.temperature, type: T.int, index: [1], value: 65535 },
      { column: HH3C.temperature, type: T.int, index: [2], value: j(41, 2) },
      { column: HH3C.fanStatus, type: T.int, index: [1], value: 1 },
      { column: HH3C.powerStatus, type: T.int, index: [1], value: 1 },
      { column: HH3C.powerStatus, type: T.int, index: [2], value: 3 },
    );
    for (let p = 1; p <= 4; p++)
      cells.push({
        column: HH3C.psePortCurrentPower,
        type: T.int,
        index: [1, p],
        value: p <= 2 ? j(6500, 400) : 0,
      });
  }

  private huawei(ctx: ModelContext, cells: Parameters<typeof tables>[0], poe: boolean): void {
    const j = (base: number, spread: number) => Math.round(base + spread * (ctx.random() - 0.5));
    cells.push(
      { column: HW.cpuUsage, type: T.int, index: [1], value: 0 },
      { column: HW.cpuUsage, type: T.int, index: [2], value: j(12, 6) },
      { column: HW.memUsage, type: T.int, index: [1], value: 0 },
      { column: HW.memUsage, type: T.int, index: [2], value: j(55, 2) },
      { column: HW.temperature, type: T.int, index: [1], value: 0 },
      { column: HW.temperature, type: T.int, index: [2], value: j(38, 2) },
      { column: HW.fanState, type: T.int, index: [0, 1], value: 1 },
      { column: HW.pwrState, type: T.int, index: [0, 1], value: 1 },
    );
    if (poe)
      for (let p = 1; p <= 4; p++)
        cells.push({
          column: HW.poePortConsumingPower,
          type: T.int,
          index: [p],
          value: p <= 2 ? j(7200, 500) : 0,
        });
  }

  private ups(ctx: ModelContext, scalars: SimScalar[], cells: Parameters<typeof tables>[0]): void {
    const onBattery = ctx.faults.has("ups-on-battery");
    if (onBattery) {
      this.onBatterySince ??= ctx.t;
      this.charge = Math.max(0, this.charge - 0.1 * ctx.dt); // 1 % per 10 s
    } else {
      this.onBatterySince = undefined;
      this.charge = Math.min(100, this.charge + 0.05 * ctx.dt);
    }
    const charge = Math.round(this.charge);
    const status = charge <= 5 ? 4 : charge < 25 ? 3 : 2;
    scalars.push(
      scalar(UPS.batteryStatus, T.int, status),
      scalar(UPS.secondsOnBattery, T.int, onBattery ? Math.floor(ctx.t - (this.onBatterySince ?? ctx.t)) : 0),
      scalar(UPS.minutesRemaining, T.int, Math.round(charge * 0.6)),
      scalar(UPS.chargeRemaining, T.int, charge),
      scalar(UPS.outputSource, T.int, onBattery ? 5 : 3),
    );
    const alarms = [
      ...(onBattery ? ["2"] : []),
      ...(status === 3 ? ["3"] : []),
      ...(status === 4 ? ["4"] : []),
    ];
    for (const a of [...this.alarmIds.keys()]) if (!alarms.includes(a)) this.alarmIds.delete(a);
    for (const a of alarms)
      if (!this.alarmIds.has(a)) {
        // upsAlarmTime: sysUpTime when raised (the simulated device booted a day before the simulator)
        this.alarmIds.set(a, { id: this.nextAlarmId, at: 8_640_000 + Math.floor(ctx.t * 100) });
        this.nextAlarmId = (this.nextAlarmId % 2 ** 31) + 1;
      }
    scalars.push(scalar(UPS.alarmsPresent, T.gauge, alarms.length));
    for (const [a, { id, at }] of this.alarmIds)
      cells.push(
        {
          column: "1.3.6.1.2.1.33.1.6.2.1.2",
          type: T.oid,
          index: [id],
          value: `${UPS.wellKnownAlarms}.${a}`,
        },
        { column: "1.3.6.1.2.1.33.1.6.2.1.3", type: T.ticks, index: [id], value: at },
      );
    const mains = onBattery ? 0 : Math.round(221 + 4 * (ctx.random() - 0.5));
    cells.push(
      { column: UPS.inputVoltage, type: T.int, index: [1], value: mains },
      { column: UPS.outputVoltage, type: T.int, index: [1], value: Math.round(220 + (ctx.random() - 0.5)) },
      {
        column: UPS.outputPercentLoad,
        type: T.int,
        index: [1],
        value: Math.round(35 + 6 * (ctx.random() - 0.5)),
      },
    );
  }

  private modem(ctx: ModelContext, scalars: SimScalar[], cells: Parameters<typeof tables>[0]): void {
    const unlocked = ctx.faults.has("modem-unlock");
    this.freqOffset = Math.max(-20_000, Math.min(20_000, this.freqOffset + 200 * (ctx.random() - 0.5)));
    const ebno = 9.5 + 0.6 * (ctx.random() - 0.5); // clear sky 9.5 dB, jittering
    const threshold = 4.5;
    scalars.push(
      scalar(MODEM.almNoLock, T.int, unlocked ? 1 : 0),
      scalar(MODEM.almLnbPowerControl, T.int, 0),
      scalar(MODEM.bucAlarm, T.int, ctx.faults.has("buc-alarm") ? 1 : 0),
      scalar(MODEM.txOn, T.int, 1),
      scalar(MODEM.txPower, T.int, -100),
      scalar(MODEM.temperature, T.int, Math.round(40 + 2 * (ctx.random() - 0.5))),
    );
    const demod = (column: string, value: number, type: number = T.int) =>
      cells.push({ column: column.split(".").slice(0, -1).join("."), type, index: [1], value });
    // Unlocked: sentinels as a real demodulator reports them (level −1000 = unreliably low).
    demod(MODEM.ebno, unlocked ? 0 : Math.round(ebno * 100));
    demod(MODEM.rxLevel, unlocked ? -1000 : Math.round(-450 + 10 * (ctx.random() - 0.5)));
    demod(MODEM.linkMargin, unlocked ? -450 : Math.round((ebno - threshold) * 100));
    demod(MODEM.ber, unlocked ? 100_000_000 : 1, T.gauge);
    demod(MODEM.freqOffset, unlocked ? 0 : Math.round(this.freqOffset));
  }

  private buc(ctx: ModelContext, scalars: SimScalar[]): void {
    const alarm = ctx.faults.has("buc-alarm");
    scalars.push(
      scalar(BUC.summaryAlarm, T.int, alarm ? 1 : 0),
      scalar(BUC.outputPower, T.int, alarm ? -300 : Math.round(400 + 6 * (ctx.random() - 0.5))),
      scalar(BUC.temperature, T.int, Math.round(48 + 3 * (ctx.random() - 0.5))),
      scalar(BUC.pllLocked, T.int, 1),
      scalar(BUC.muted, T.int, 0),
    );
  }

  private acu(ctx: ModelContext, scalars: SimScalar[], cells: Parameters<typeof tables>[0]): void {
    const unlocked = ctx.faults.has("antenna-unlock");
    // Unlocked: the ACU withdraws TX permission and searches again.
    cells.push({ column: entry(ACU.txAllowed), type: T.int, index: [1], value: unlocked ? 2 : 1 });
    scalars.push(
      scalar(ACU.state, T.int, unlocked ? 1 : 2),
      scalar(ACU.azimuth, T.int, Math.round(17_850 + 4 * (ctx.random() - 0.5))),
      scalar(ACU.elevation, T.int, Math.round(4_520 + 4 * (ctx.random() - 0.5))),
    );
  }

  private pdt(ctx: ModelContext, scalars: SimScalar[]): void {
    const j = (base: number, spread: number) => base + spread * (ctx.random() - 0.5);
    scalars.push(
      scalar(PDT.supplyVoltage, T.str, float32(j(13.6, 0.2))),
      scalar(PDT.paTemperature, T.str, float32(j(42, 2))),
      scalar(PDT.vswr, T.str, float32(j(1.3, 0.05))),
      scalar(PDT.forwardPower, T.str, float32(j(25, 0.6))),
      scalar(PDT.knockdown, T.int, 0),
      scalar(PDT.radioState, T.int, 0),
    );
  }
}
