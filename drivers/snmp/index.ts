/**
 * snmp: v1/v2c/v3 polling of the profiles in profiles/ (device knowledge as data). One net-snmp
 * session per device, opened on the first poll and reused; the whole poll is usually one GETBULK
 * (walk.ts). A poll resolves with samples or rejects with a PollError; one device's slow agent
 * holds only its own poll (the scheduler's deadline aborts it).
 */
import { untilAborted } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { DeviceModel, DriverContext, MetricSpec, PolledDriver, Sample } from "../../src/core/types.ts";
import { type DriverDevice, defineDriver } from "../registry.ts";
import { BLOCK_SUPPORTED } from "../shared/model.ts";
import { interpret, newCounterMemory } from "./interpret.ts";
import { type SnmpOptions, snmpOptions } from "./options.ts";
import { customizeProfile, type Profile } from "./profile.ts";
import { snmpProfiles } from "./profiles/index.ts";
import { openNetSnmp, type SnmpTransport } from "./transport.ts";
import { startTrapReceiver, trapDevices } from "./traps.ts";
import { collect, type WalkMemory, type WalkOptions, type WirePlan } from "./walk.ts";

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
  return new SnmpDriver(
    device.id,
    o,
    Math.max(100, Math.floor((device.timeoutMs * 0.9) / (o.retries + 1))),
    customizeProfile(base, o.oids, o.thresholds, o.uplinks),
    ctx,
    openTransport,
  );
}

/**
 * One device's driver. A class, not an object of closures: a fleet keeps one per device, and what
 * a profile implies (its metrics, rules and wire plan) is shared by the devices that run it.
 */
class SnmpDriver implements PolledDriver {
  readonly shape = "polled";
  readonly metrics: readonly MetricSpec[];
  readonly rules: Profile["rules"];
  /** Request PDUs sent so far. */
  pdus = 0;
  private readonly plan: WirePlan;
  private readonly walkMemory: WalkMemory = { bulk: true };
  private readonly walkOptions: WalkOptions;
  private readonly counters = newCounterMemory();
  private transport: SnmpTransport | undefined;
  /** Blocks already logged as unsupported (logged once, again only after they answer). Made on the first. */
  private unsupported: Set<string> | undefined;

  constructor(
    private readonly id: string,
    private readonly o: SnmpOptions,
    private readonly requestTimeoutMs: number,
    private readonly profile: Profile,
    private readonly ctx: DriverContext,
    private readonly openTransport: TransportFactory,
  ) {
    this.plan = wirePlan(profile);
    this.walkOptions = { version: o.version, maxRepetitions: o.maxRepetitions };
    this.metrics = driverMetrics(profile);
    this.rules = profile.rules;
  }

  async poll(signal: AbortSignal): Promise<Sample[]> {
    const { o, ctx } = this;
    const started = ctx.clock.now();
    this.transport ??= this.openTransport(o, this.requestTimeoutMs);
    const got = await untilAborted(
      collect(this.transport, this.plan, this.walkOptions, this.walkMemory, signal),
      signal,
      (reason) =>
        new PollError("timeout", `snmp ${o.host}:${o.port} ${this.id}: poll deadline passed`, {
          cause: reason,
        }),
    );
    this.pdus += got.pdus;
    const result = interpret(this.profile, got, this.counters, started);
    if (result.rebooted) ctx.log.info({ device: this.id }, "agent rebooted (sysUpTime went backwards)");
    // Checked first: a device with all its blocks (nearly every poll) makes no iterator.
    if (result.unsupported.size > 0)
      for (const [block, why] of result.unsupported) {
        this.unsupported ??= new Set();
        if (!this.unsupported.has(block)) {
          this.unsupported.add(block);
          ctx.log.warn({ device: this.id, block, why }, "profile block unsupported by the device");
        }
      }
    if (this.unsupported)
      for (const block of this.unsupported)
        if (!result.unsupported.has(block)) {
          this.unsupported.delete(block);
          ctx.log.info({ device: this.id, block }, "profile block answered again");
        }
    return result.samples;
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }
}

/** A driver's metrics: its profile's and block support, one array per profile. */
const metricLists = new WeakMap<Profile, readonly MetricSpec[]>();
function driverMetrics(profile: Profile): readonly MetricSpec[] {
  let metrics = metricLists.get(profile);
  if (!metrics) {
    metrics = [...profile.metrics, BLOCK_SUPPORTED];
    metricLists.set(profile, metrics);
  }
  return metrics;
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
