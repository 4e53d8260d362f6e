/**
 * snmp: v1/v2c/v3 polling of the profiles in profiles/ (device knowledge as data). One net-snmp
 * session per device, opened on the first poll and reused; the whole poll is usually one GETBULK
 * (walk.ts). A poll resolves with samples or rejects with a PollError; one device's slow agent
 * holds only its own poll (the scheduler's deadline aborts it).
 */
import { untilAborted } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { DeviceModel, DriverContext, PolledDriver } from "../../src/core/types.ts";
import { type DriverDevice, defineDriver } from "../registry.ts";
import { BLOCK_SUPPORTED } from "../shared/model.ts";
import { interpret, newCounterMemory } from "./interpret.ts";
import { type SnmpOptions, snmpOptions } from "./options.ts";
import { customizeProfile, type Profile } from "./profile.ts";
import { snmpProfiles } from "./profiles/index.ts";
import { openNetSnmp, type SnmpTransport } from "./transport.ts";
import { startTrapReceiver, trapDevices } from "./traps.ts";
import { collect, type WalkMemory, type WirePlan } from "./walk.ts";

export type TransportFactory = (options: SnmpOptions, requestTimeoutMs: number) => SnmpTransport;

export function createSnmpDriver(
  device: DriverDevice<SnmpOptions>,
  ctx: DriverContext,
  openTransport: TransportFactory = openNetSnmp,
  /** A profile not in the registry (benchmarks, experiments); default: the one `options.profile` names. */
  profileOverride?: Profile,
): PolledDriver & { readonly pdus: number } {
  const o = device.options;
  const base = profileOverride ?? snmpProfiles.get(o.profile);
  if (!base) throw new PollError("config", `snmp ${device.id}: unknown profile ${o.profile}`);
  const profile = customizeProfile(base, o.oids, o.thresholds, o.uplinks);
  const plan = wirePlan(profile);
  const requestTimeoutMs = Math.max(100, Math.floor((device.timeoutMs * 0.9) / (o.retries + 1)));
  const walkMemory: WalkMemory = { bulk: true };
  const walkOptions = { version: o.version, maxRepetitions: o.maxRepetitions };
  const counters = newCounterMemory();
  let transport: SnmpTransport | undefined;
  let pdus = 0;
  /** Blocks already logged as unsupported (logged once, again only after they answer). */
  const unsupported = new Set<string>();

  return {
    shape: "polled",
    metrics: [...profile.metrics, BLOCK_SUPPORTED],
    rules: profile.rules,
    get pdus() {
      return pdus;
    },
    async poll(signal) {
      const started = ctx.clock.now();
      transport ??= openTransport(o, requestTimeoutMs);
      const collecting = collect(transport, plan, walkOptions, walkMemory, signal);
      const got = await untilAborted(
        collecting,
        signal,
        (reason) =>
          new PollError("timeout", `snmp ${o.host}:${o.port} ${device.id}: poll deadline passed`, {
            cause: reason,
          }),
      );
      pdus += got.pdus;
      const result = interpret(profile, got, counters, started);
      if (result.rebooted) ctx.log.info({ device: device.id }, "agent rebooted (sysUpTime went backwards)");
      for (const [block, why] of result.unsupported)
        if (!unsupported.has(block)) {
          unsupported.add(block);
          ctx.log.warn({ device: device.id, block, why }, "profile block unsupported by the device");
        }
      for (const block of unsupported)
        if (!result.unsupported.has(block)) {
          unsupported.delete(block);
          ctx.log.info({ device: device.id, block }, "profile block answered again");
        }
      return result.samples;
    },
    async close() {
      transport?.close();
      transport = undefined;
    },
  };
}

/** The OIDs a profile reads: one plan per profile, shared by the devices that run it unchanged. */
const plans = new WeakMap<Profile, WirePlan>();
function wirePlan(profile: Profile): WirePlan {
  let plan = plans.get(profile);
  if (!plan) {
    plan = {
      scalars: [...new Set(profile.scalars.map((s) => s.oid))],
      columns: [
        ...new Set(
          profile.tables.flatMap((t) => [
            ...(t.labelOid ? [t.labelOid] : []),
            ...t.columns.map((c) => c.oid),
          ]),
        ),
      ],
    };
    plans.set(profile, plan);
  }
  return plan;
}

export const snmpDriver = defineDriver({
  protocol: "snmp",
  options: snmpOptions,
  profiles: () => snmpProfiles as ReadonlyMap<string, DeviceModel>,
  create: (device, ctx) => createSnmpDriver(device, ctx),
  // The trap receiver (daemon.traps): a notification from a device re-polls it.
  startService: async (ctx) => {
    const traps = ctx.config.daemon.traps;
    if (!traps.enabled) return undefined;
    return startTrapReceiver({
      host: traps.host,
      port: traps.port,
      devices: trapDevices(ctx.config.devices),
      extraCommunities: traps.communities.map((c) => c.reveal()),
      log: ctx.log.child({ component: "snmp-traps" }),
      registry: ctx.registry,
      clock: ctx.clock,
      onTrap: (id) => ctx.requestPoll(id),
    });
  },
});
