/**
 * Fleet bench (`npm run bench -- fleet`): SNMP devices polled every 10 s on the real Scheduler, the
 * daemon's per-poll path included (status, Prometheus record, health rules, InfluxDB lines), against
 * one snmpd listening on 100 loopback ports: 1,000 devices, then BENCH_FLEET (default 10,000; 1,000
 * on a small machine). Each size runs in a process of its own (this file, given a JSON argument),
 * so each is measured in a clean heap: CPU as a share of one core, RSS, descriptors, polls done and
 * failed, the event loop's delay, and what a /metrics scrape costs at that size; snmpd's CPU beside.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { promisify } from "node:util";
import pino from "pino";
import { haveSnmpd, type Snmpd, startSnmpd } from "../peers/index.ts";
import { DAEMON_NODE_FLAGS } from "../scripts/node-flags.mjs";
import { systemClock } from "../src/core/clock.ts";
import { descriptorLimit } from "../src/core/descriptors.ts";
import { Scheduler } from "../src/scheduler.ts";
import { type Figure, median, procCpu, recordFigures, rounded } from "./support/figures.ts";
import { createFleet } from "./support/snmp-fleet.ts";

/** snmpd's ports; device i polls port i % PORTS. */
const PORTS = 100;
/** Devices of the big run (BENCH_FLEET=1000 on a small machine). */
const FLEET = Number(process.env.BENCH_FLEET ?? 10_000);
const INTERVAL_MS = 10_000;
/** Intervals measured in each run, after one of warm-up. */
const INTERVALS = 2;

interface FleetRun {
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
async function runFleet(
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

/** Runs `devices` in a child process (this file) while snmpd keeps running here. */
async function runInChild(snmpd: Snmpd, devices: number): Promise<FleetRun & { agentShare: number }> {
  const agentCpu = procCpu(snmpd.pid);
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      ...DAEMON_NODE_FLAGS,
      "--expose-gc",
      "--import",
      "tsx",
      new URL(import.meta.url).pathname,
      JSON.stringify({ ports: snmpd.ports, devices, intervalMs: INTERVAL_MS, intervals: INTERVALS }),
    ],
    { maxBuffer: 16 * 2 ** 20 },
  );
  const run = JSON.parse(stdout.trim().split("\n").pop()!) as FleetRun;
  // The one snmpd answering the whole fleet, as a share of one core over the child's life.
  const agentShare = (procCpu(snmpd.pid) - agentCpu) / ((performance.now() - t0) / 1000);
  return { ...run, agentShare };
}

/**
 * CPU per poll × the polls due (devices / interval): the share of a core the fleet costs at its
 * schedule, whether or not this loaded machine let every poll of the window run.
 */
const atSchedule = (f: FleetRun) => ((f.cpuMsPerPoll * f.devices) / f.intervalMs) * 100;

function describeRun(f: FleetRun & { agentShare: number }): string {
  return `  ${f.devices} devices every ${f.intervalMs / 1000} s: ${(f.coreShare * 100).toFixed(1)} % of one core measured, ${atSchedule(f).toFixed(1)} % at the schedule (${f.cpuMsPerPoll.toFixed(3)} ms per poll, ${f.polls} polls, ${f.failedPolls} failed, ${f.skippedPolls} skipped; poll median ${f.pollMedianMs.toFixed(0)} ms, event-loop delay p99 ${f.loopDelayP99Ms.toFixed(0)} ms; snmpd ${(f.agentShare * 100).toFixed(0)} % of a core), RSS ${f.rssMb.toFixed(0)} MB, ${f.descriptors} descriptors of ${f.descriptorLimit ?? "unlimited"}; /metrics ${f.scrape.series} series, ${(f.scrape.bytes / 2 ** 20).toFixed(1)} MB: ${f.scrape.wallMs.toFixed(0)} ms wall, ${f.scrape.cpuMs.toFixed(0)} ms CPU`;
}

function figures(small: FleetRun, big: FleetRun): Figure[] {
  return [
    {
      name: "1,000 devices: RSS",
      value: rounded(small.rssMb, 0),
      unit: "MB",
      anchor: "197–199",
      goal: "≤ 150",
      met: small.rssMb <= 150,
    },
    {
      name: "1,000 devices: share of one core at the schedule",
      value: rounded(atSchedule(small), 1),
      unit: "%",
      anchor: "7.9 (a tight-loop estimate)",
      goal: "≤ 10",
      met: atSchedule(small) <= 10,
    },
    {
      name: `${big.devices.toLocaleString("en-US")} devices: share of one core at the schedule`,
      value: rounded(atSchedule(big), 1),
      unit: "%",
      anchor: "not measured",
      goal: "≤ 50",
      met: atSchedule(big) <= 50,
    },
    {
      name: `${big.devices.toLocaleString("en-US")} devices: RSS`,
      value: rounded(big.rssMb, 0),
      unit: "MB",
      anchor: "not measured",
      goal: "≤ 1024",
      met: big.rssMb <= 1024,
    },
    {
      name: `${big.devices.toLocaleString("en-US")} devices: polls done / due, failed`,
      value: `${big.polls} / ${big.devices * INTERVALS}, ${big.failedPolls}`,
      unit: "",
      anchor: "",
      goal: "0 failed (done: see poll median and loop delay above)",
      met: big.failedPolls === 0,
    },
    {
      name: `${big.devices.toLocaleString("en-US")} devices: descriptors / soft limit`,
      value: `${big.descriptors} / ${big.descriptorLimit ?? "∞"}`,
      unit: "",
      anchor: "",
      goal: "< limit",
      met: big.descriptorLimit === undefined || big.descriptors < big.descriptorLimit,
    },
    {
      name: `/metrics at ${big.devices.toLocaleString("en-US")} devices (${big.scrape.series} series): wall`,
      value: rounded(big.scrape.wallMs, 0),
      unit: "ms",
      anchor: "not measured",
      goal: "< 1000",
      met: big.scrape.wallMs < 1000,
    },
    { name: "  same scrape: CPU", value: rounded(big.scrape.cpuMs, 0), unit: "ms", anchor: "", goal: "" },
  ];
}

const child = process.argv[2];
if (child) {
  // `node --import tsx bench/fleet.ts '{"ports":[…],"devices":1000,"intervalMs":10000,"intervals":2}'`
  const a = JSON.parse(child) as { ports: number[]; devices: number; intervalMs: number; intervals: number };
  console.log(JSON.stringify(await runFleet(a.ports, a.devices, a.intervalMs, a.intervals)));
} else if (!haveSnmpd) {
  console.log("fleet bench skipped: snmpd is not installed (apt-get install snmpd)");
} else {
  const snmpd = await startSnmpd(PORTS);
  try {
    console.log(
      `\nFleet bench: one snmpd on ${PORTS} loopback ports, devices polled every ${INTERVAL_MS / 1000} s`,
    );
    const small = await runInChild(snmpd, 1000);
    console.log(describeRun(small));
    const big = await runInChild(snmpd, FLEET);
    console.log(describeRun(big));
    recordFigures("fleet", figures(small, big));
  } finally {
    await snmpd.stop();
  }
}
