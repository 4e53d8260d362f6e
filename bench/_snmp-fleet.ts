/**
 * A fleet of SNMP devices on the daemon's per-poll path, for bench/snmp.ts (not a bench of its own:
 * bench/run.ts skips files starting with "_").
 *
 * - `createFleet`: drivers (one net-snmp session each) against snmpd ports, plus what the daemon
 *   does with every outcome: status board, Prometheus record, health rules, InfluxDB line protocol.
 * - Executed as a script with a JSON argument, it runs that fleet on the real Scheduler for a few
 *   intervals in a process of its own and prints one JSON line: CPU share of one core, RSS,
 *   descriptors, and what a /metrics scrape costs at that size. bench/snmp.ts spawns it so each
 *   size is measured in a clean heap.
 */
import { readdirSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import pino from "pino";
import { createSnmpDriver } from "../drivers/snmp/index.ts";
import { snmpOptions } from "../drivers/snmp/options.ts";
import { composeProfile, type Profile } from "../drivers/snmp/profile.ts";
import { IF, ifMib } from "../drivers/snmp/profiles/if-mib.ts";
import { system } from "../drivers/snmp/profiles/system.ts";
import { systemClock } from "../src/core/clock.ts";
import { descriptorLimit } from "../src/core/descriptors.ts";
import type { PollOutcome } from "../src/core/outcome.ts";
import { createSharedResources } from "../src/core/resources.ts";
import type { PolledDriver } from "../src/core/types.ts";
import { observe } from "../src/health/rules.ts";
import { DaemonMetrics } from "../src/metrics.ts";
import { Scheduler } from "../src/scheduler.ts";
import { encodeOutcome } from "../src/sinks/line-protocol.ts";
import { StatusBoard } from "../src/status.ts";

/** The bench's OIDs: sysUpTime + ifName, ifAdminStatus, ifOperStatus, ifIn/OutErrors, ifHCIn/OutOctets. */
export function benchProfile(): Profile {
  const table = ifMib().tables![0]!;
  return composeProfile("bench", [
    system(),
    { ...ifMib(), tables: [{ ...table, columns: table.columns.filter((c) => c.oid !== IF.ifInDiscards) }] },
  ]);
}

export interface Fleet {
  ids: string[];
  drivers: PolledDriver[];
  status: StatusBoard;
  metrics: DaemonMetrics;
  profile: Profile;
  /** What the daemon does with one outcome (pipeline consumers, minus the store). */
  record(o: PollOutcome): void;
  /** InfluxDB lines encoded so far. */
  readonly lines: number;
  close(): Promise<void>;
}

/** `count` devices, device i on ports[i % ports.length]. */
export function createFleet(ports: readonly number[], count: number, prefix = "dev"): Fleet {
  const log = pino({ level: "silent" });
  const profile = benchProfile();
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const status = new StatusBoard(ids);
  const specs = new Map(profile.metrics.map((m) => [m.name, m]));
  const metrics = new DaemonMetrics(
    ids.map((id) => ({
      id,
      site: "bench",
      kind: "switch",
      vendor: "net-snmp",
      model: "snmpd",
      criticality: "general",
      polled: true,
    })),
    specs,
    status,
  );
  const resources = createSharedResources();
  const drivers = ids.map((id, i) =>
    createSnmpDriver(
      {
        id,
        site: "bench",
        kind: "switch",
        intervalMs: 10_000,
        timeoutMs: 5_000,
        options: snmpOptions.parse({
          protocol: "snmp",
          profile: "generic-host",
          host: "127.0.0.1",
          port: ports[i % ports.length],
          community: "public",
        }),
      },
      { clock: systemClock, log, resources },
      undefined,
      profile,
    ),
  );
  const tags = { site: "bench", kind: "switch" };
  let lines = 0;
  return {
    ids,
    drivers,
    status,
    metrics,
    profile,
    record(o) {
      status.record(o);
      metrics.record(o, "switch");
      observe(o, profile.rules);
      lines += encodeOutcome(o, tags).lines.length;
    },
    get lines() {
      return lines;
    },
    async close() {
      await Promise.all(drivers.map((d) => d.close()));
    },
  };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface FleetRun {
  devices: number;
  intervalMs: number;
  /** CPU (user + system) over the measured intervals, as a share of one core. */
  coreShare: number;
  cpuMsPerPoll: number;
  polls: number;
  failedPolls: number;
  skippedPolls: number;
  /** Median poll duration (slot acquired to outcome), ms, and the event loop's delay p99, ms. */
  pollMedianMs: number;
  loopDelayP99Ms: number;
  /** Largest RSS seen while running (sampled every 250 ms), MB. */
  rssMb: number;
  heapMb: number;
  descriptors: number;
  descriptorLimit: number | undefined;
  scrape: { wallMs: number; cpuMs: number; bytes: number; series: number };
}

/** Runs `devices` on the Scheduler for `intervals` intervals after one of warm-up. */
export async function runFleet(
  ports: readonly number[],
  devices: number,
  intervalMs: number,
  intervals: number,
): Promise<FleetRun> {
  const fleet = createFleet(ports, devices);
  let polls = 0;
  let failed = 0;
  let skipped = 0;
  const durations: number[] = [];
  const scheduler = new Scheduler({
    clock: systemClock,
    log: pino({ level: "silent" }),
    // The daemon's default (daemon.scheduler.maxConcurrency). More outstanding requests than
    // this only overflow the one snmpd's receive queue on a loaded machine.
    maxConcurrency: 64,
    jitter: 0.1,
    initialSpreadMs: intervalMs,
    onOutcome(o) {
      polls++;
      if (o.error) failed++;
      if (durations.length < 100_000) durations.push(o.finishedAt - o.startedAt);
      fleet.record(o);
    },
    onSkip: () => skipped++,
  });
  fleet.drivers.forEach((driver, i) => {
    scheduler.add({ id: fleet.ids[i]!, intervalMs, timeoutMs: 5_000, driver });
  });
  let rss = 0;
  const sampler = setInterval(() => {
    rss = Math.max(rss, process.memoryUsage().rss);
  }, 250);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  scheduler.start();
  await sleep(intervalMs * 1.2);
  const polls0 = polls;
  const failed0 = failed;
  durations.length = 0;
  const loop = monitorEventLoopDelay({ resolution: 100 });
  loop.enable();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await sleep(intervalMs * intervals);
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - t0;
  const measured = polls - polls0;
  loop.disable();
  const descriptors = readdirSync("/proc/self/fd").length;
  await scheduler.stop(5_000);
  clearInterval(sampler);
  rss = Math.max(rss, process.memoryUsage().rss);

  // What a scrape costs at this size (every device up, its latest poll not yet rendered).
  const walls: number[] = [];
  const cpus: number[] = [];
  let text = "";
  for (let i = 0; i < 5; i++) {
    for (const s of fleet.status.all())
      if (s.latest) s.latest = { ...s.latest, samples: [...s.latest.samples] };
    const c = process.cpuUsage();
    const w = performance.now();
    text = await fleet.metrics.registry.metrics();
    walls.push(performance.now() - w);
    const u = process.cpuUsage(c);
    cpus.push((u.user + u.system) / 1000);
  }
  await fleet.close();
  return {
    devices,
    intervalMs,
    coreShare: (used.user + used.system) / 1000 / wall,
    cpuMsPerPoll: (used.user + used.system) / 1000 / Math.max(1, measured),
    polls: measured,
    failedPolls: failed - failed0,
    skippedPolls: skipped,
    pollMedianMs: median(durations),
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    rssMb: rss / 2 ** 20,
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    descriptors,
    descriptorLimit: descriptorLimit(),
    scrape: {
      wallMs: median(walls),
      cpuMs: median(cpus),
      bytes: Buffer.byteLength(text),
      series: text.split("\n").filter((l) => l && !l.startsWith("#")).length,
    },
  };
}

// `node --import tsx bench/_snmp-fleet.ts '{"ports":[…],"devices":1000,"intervalMs":10000,"intervals":2}'`
if (process.argv[1]?.endsWith("_snmp-fleet.ts")) {
  const a = JSON.parse(process.argv[2] ?? "{}") as {
    ports: number[];
    devices: number;
    intervalMs: number;
    intervals: number;
  };
  const result = await runFleet(a.ports, a.devices, a.intervalMs, a.intervals);
  console.log(JSON.stringify(result));
}
