/**
 * snmp simulator: every SNMP device of the inventory as a net-snmp Agent (v1/v2c community
 * "public" or the inventory's, v3 authPriv user SIM_V3) behind its own loopback port, with values
 * from models.ts. Faults: silent, slow, garbage (front.ts) and if-down, modem-unlock, buc-alarm,
 * ups-on-battery (models.ts), each sending its trap (linkDown/linkUp, upsTrapOnBattery, vendor
 * traps) to the trap target when one is set (option, or EMCOMM_SIM_SNMP_TRAP_TARGET=127.0.0.1:PORT).
 */
import snmp, { type Session, type VarBind } from "net-snmp";
import type { Logger } from "pino";
import { EXAMPLE } from "../../drivers/snmp/profiles/satellite-modem.ts";
import { UPS } from "../../drivers/snmp/profiles/ups-rfc1628.ts";
import type { Clock, TimerHandle } from "../../src/core/clock.ts";
import {
  commonFaults,
  FaultBook,
  type RunningSimulator,
  type SimulatedDevice,
  type SimulatorDefinition,
} from "../registry.ts";
import { type SimAgent, startAgent, T } from "./agent.ts";
import { type Front, startFront } from "./front.ts";
import { DeviceWorld, profileFaults } from "./models.ts";

export { SIM_V3, SIM_V3_USER } from "./agent.ts";

const TICK_MS = 1000;

export const snmpFaults = [
  ...commonFaults,
  "if-down",
  "modem-unlock",
  "buc-alarm",
  "ups-on-battery",
  "antenna-unlock",
] as const;

/** Trap OIDs the simulator sends (vendor ones under the RFC 5612 example enterprise). */
export const simTraps = {
  linkDown: "1.3.6.1.6.3.1.1.5.3",
  linkUp: "1.3.6.1.6.3.1.1.5.4",
  upsOnBattery: `${UPS.traps}.1`,
  upsAlarmRemoved: `${UPS.traps}.4`,
  modemUnlock: `${EXAMPLE}.0.1`,
  modemLock: `${EXAMPLE}.0.2`,
  bucAlarm: `${EXAMPLE}.0.3`,
  bucClear: `${EXAMPLE}.0.4`,
  antennaUnlock: `${EXAMPLE}.0.5`,
  antennaLock: `${EXAMPLE}.0.6`,
} as const;

export interface SnmpSimulator extends RunningSimulator {
  /** Where traps go (null: nowhere). */
  setTrapTarget(target: { port: number } | null): void;
  port(deviceId: string): number | undefined;
}

interface Served {
  device: SimulatedDevice;
  profile: string;
  world: DeviceWorld;
  agent: SimAgent;
  front: Front;
  trapSession?: Session;
  lastAt?: number;
}

function envTrapTarget(): { port: number } | null {
  const m = /^127\.0\.0\.1:(\d+)$/.exec(process.env.EMCOMM_SIM_SNMP_TRAP_TARGET ?? "");
  return m ? { port: Number(m[1]) } : null;
}

export async function startSnmpSimulator(
  devices: SimulatedDevice[],
  env: { clock: Clock; log: Logger },
  options: { trapTarget?: { port: number } | null; random?: () => number } = {},
): Promise<SnmpSimulator> {
  const book = new FaultBook(snmpFaults);
  const random = options.random ?? Math.random;
  const started = env.clock.now();
  let trapTarget = options.trapTarget === undefined ? envTrapTarget() : options.trapTarget;
  const served = new Map<string, Served>();

  const refresh = (s: Served) => {
    const now = env.clock.now();
    const dt = s.lastAt === undefined ? 0 : (now - s.lastAt) / 1000;
    s.lastAt = now;
    const faults = new Set(book.list(s.device.id));
    s.agent.sync(
      s.world.snapshot({
        id: s.device.id,
        profile: s.profile,
        t: (now - started) / 1000,
        nowMs: now,
        dt,
        faults,
        random,
      }),
    );
  };

  for (const device of devices) {
    const profile = String(device.driver.profile ?? "generic-host");
    const community = communityOf(device);
    const world = new DeviceWorld(device.id, profile);
    const agent = await startAgent(community);
    const front = await startFront(agent.port, (fault) => book.has(device.id, fault));
    const entry: Served = { device, profile, world, agent, front };
    served.set(device.id, entry);
    refresh(entry);
  }

  // Values move once a second (and at once when a fault changes).
  let ticker: TimerHandle | undefined;
  const tick = () => {
    for (const s of served.values()) refresh(s);
    ticker = env.clock.setTimer(TICK_MS, tick);
  };
  ticker = env.clock.setTimer(TICK_MS, tick);

  const trap = (s: Served, oid: string, varbinds: VarBind[]) => {
    if (!trapTarget) return;
    s.trapSession ??= snmp.createSession("127.0.0.1", communityOf(s.device), {
      version: snmp.Version2c,
      trapPort: trapTarget.port,
      dgramModule: s.front.dgramModule,
    });
    s.trapSession.trap(oid, varbinds, (err) => {
      if (err) env.log.debug({ err, device: s.device.id }, "trap not sent");
    });
  };
  const faultTrap = (s: Served, fault: string, raised: boolean) => {
    const ifVbs = (oper: number): VarBind[] => [
      { oid: "1.3.6.1.2.1.2.2.1.1.1", type: T.int, value: 1 },
      { oid: "1.3.6.1.2.1.2.2.1.7.1", type: T.int, value: 1 },
      { oid: "1.3.6.1.2.1.2.2.1.8.1", type: T.int, value: oper },
    ];
    if (fault === "if-down") trap(s, raised ? simTraps.linkDown : simTraps.linkUp, ifVbs(raised ? 2 : 1));
    else if (fault === "ups-on-battery")
      trap(s, raised ? simTraps.upsOnBattery : simTraps.upsAlarmRemoved, [
        { oid: UPS.minutesRemaining, type: T.int, value: 55 },
      ]);
    else if (fault === "modem-unlock") trap(s, raised ? simTraps.modemUnlock : simTraps.modemLock, []);
    else if (fault === "buc-alarm") trap(s, raised ? simTraps.bucAlarm : simTraps.bucClear, []);
    else if (fault === "antenna-unlock") trap(s, raised ? simTraps.antennaUnlock : simTraps.antennaLock, []);
  };

  const applies = (s: Served, fault: string) =>
    (commonFaults as readonly string[]).includes(fault) || (profileFaults[s.profile] ?? []).includes(fault);

  return {
    protocol: "snmp",
    devices: () => [...served.keys()],
    endpoint: (id) => ({ host: "127.0.0.1", port: served.get(id)?.front.port }),
    port: (id) => served.get(id)?.front.port,
    faults: () => snmpFaults,
    inject(id, fault) {
      const s = served.get(id);
      if (!s || !applies(s, fault) || !book.inject(id, fault)) return false;
      refresh(s);
      faultTrap(s, fault, true);
      return true;
    },
    clear(id, fault) {
      const s = served.get(id);
      if (!s) return;
      const was = book.list(id);
      book.clear(id, fault);
      refresh(s);
      for (const f of was) if (!book.has(id, f)) faultTrap(s, f, false);
    },
    active: (id) => book.list(id),
    setTrapTarget(target) {
      trapTarget = target;
      for (const s of served.values()) {
        s.trapSession?.close();
        s.trapSession = undefined;
      }
    },
    async stop() {
      ticker?.cancel();
      await Promise.allSettled(
        [...served.values()].flatMap((s) => [
          s.agent.close(),
          s.front.close(),
          Promise.resolve(s.trapSession?.close()),
        ]),
      );
      served.clear();
    },
  };
}

/** The device's community as the inventory gives it (a literal or ${ENV}), else "public". */
function communityOf(device: SimulatedDevice): string {
  const c = device.driver.community;
  if (c && typeof c === "object" && typeof (c as { env?: unknown }).env === "string")
    return process.env[(c as { env: string }).env] ?? "public";
  if (typeof c !== "string") return "public";
  const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(c);
  return ref ? (process.env[ref[1]!] ?? "public") : c;
}

export const snmpSimulator: SimulatorDefinition = {
  protocol: "snmp",
  start: (devices, env) => startSnmpSimulator(devices, env),
};
