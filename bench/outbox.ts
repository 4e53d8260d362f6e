/**
 * `npm run bench` (outbox part): in one run, against a local VictoriaMetrics on loopback,
 *  1. the raw @influxdata/influxdb-client WriteApi (batches of 5,000, gzip) writing the lines of a
 *     10-minute outage of 1,000 devices (10 s interval: 60,000 polls, 3 lines each, 2-3 fields);
 *  2. our InfluxDB sink draining the same backlog from its outbox (committed while the server was
 *     "down"; batches of 5,000, gzip, the default drainConcurrency of 4 lanes);
 *  3. the outbox's steady-state cost per point: CPU to encode+commit (synchronous=FULL) and to
 *     drain, disk bytes, compared with the CPU of a poll by the tcp driver (the lightest driver).
 *  4. the sink's overhead on the real daemon polling SNMP devices (snmpd on loopback, the bench's
 *     29-value host profile): two daemons side by side, with and without the InfluxDB sink, CPU per
 *     poll of each over the same windows, printed as one "sink overhead % of poll CPU" figure, the
 *     median of the windows' (on − off) / off; written to $BENCH_RESULTS/sink-overhead.json when
 *     bench/run.ts runs it, for the final table of bench/snmp.ts.
 * Each is repeated ROUNDS times; medians are reported, and the stored counts are checked.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { InfluxDB } from "@influxdata/influxdb-client";
import pino from "pino";
import { tcpDriver } from "../drivers/tcp/index.ts";
import {
  freePort,
  startSnmpd,
  startVictoria,
  tempDir,
  type Victoria,
  victoriaMissing,
} from "../peers/index.ts";
import { configSchema } from "../src/config/schema.ts";
import { systemClock } from "../src/core/clock.ts";
import type { PollOutcome } from "../src/core/outcome.ts";
import { createSharedResources } from "../src/core/resources.ts";
import { startDaemon } from "../src/daemon.ts";
import { Outbox, tuneForOutbox } from "../src/outbox/outbox.ts";
import { influxSinkSchema } from "../src/sinks/config.ts";
import { InfluxSink } from "../src/sinks/influx.ts";
import { encodePoints, outcomePoints } from "../src/sinks/line-protocol.ts";
import { openStore } from "../src/store/db.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_PARTS=drain,steady,alone,daemon,overhead (default all). */
const PARTS = (process.env.BENCH_PARTS ?? "drain,steady,alone,daemon,overhead").split(",");
/** Windows of the sink-overhead figure (both daemons measured over each), and their seconds. */
const OVERHEAD_ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 9);
const OVERHEAD_SECONDS = 8;
const OVERHEAD_DEVICES = 200;
const DEVICES = 1000;
const INTERVAL_MS = 10_000;
const OUTAGE_MS = 10 * 60_000;
const log = pino({ level: "silent" });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** The polls of the outage: a modem-like line (3 fields), an interface line (3 fields), poll. */
function outage(
  site: string,
  t0: number,
): { outcomes: PollOutcome[]; devices: Map<string, { site: string; kind: string }> } {
  const outcomes: PollOutcome[] = [];
  const devices = new Map<string, { site: string; kind: string }>();
  for (let d = 0; d < DEVICES; d++) devices.set(`dev-${d}`, { site, kind: "satellite-modem" });
  for (let t = 0; t < OUTAGE_MS; t += INTERVAL_MS)
    for (let d = 0; d < DEVICES; d++)
      outcomes.push({
        deviceId: `dev-${d}`,
        trigger: "schedule",
        startedAt: t0 + t + d,
        finishedAt: t0 + t + d + 40,
        samples: [
          { metric: "modem_ebno_db", value: 8 + (d % 7) / 10 },
          { metric: "modem_rx_level_dbm", value: -55 - t / INTERVAL_MS },
          { metric: "modem_link_margin_db", value: 3.5 },
          { metric: "if_in_bits_per_second", value: 1e6 + t, labels: { ifname: "eth0" } },
          { metric: "if_out_bits_per_second", value: 2e5 + d, labels: { ifname: "eth0" } },
          { metric: "if_oper_up", value: 1, labels: { ifname: "eth0" } },
        ],
      });
  return { outcomes, devices };
}

async function stored(vm: Victoria, site: string): Promise<number> {
  const series = await vm.export(`{site="${site}"}`);
  // VictoriaMetrics stores one sample per field: count lines as samples of the `poll_up` field
  // plus the two 3-field lines, i.e. distinct (series, timestamp) of poll_up/modem_ebno/if_in.
  let n = 0;
  for (const s of series)
    if (["poll_up", "modem_modem_ebno_db", "if_if_in_bits_per_second"].includes(s.metric.__name__!))
      n += s.values.length;
  return n;
}

/**
 * The raw client writing `lines`: ms until every line is acknowledged by the server (writeSuccess
 * of every batch), and ms until `flush()` resolves. WriteApi sends each full batch without waiting
 * and flush() waits only for the last, partial one, so the second figure is not a write rate (it
 * was the baseline of the first version of this bench).
 */
async function rawClient(vm: Victoria, lines: string[]): Promise<{ ackedMs: number; flushMs: number }> {
  let acked = 0;
  let failed: Error | undefined;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const api = new InfluxDB({ url: vm.url, timeout: 60_000 }).getWriteApi("", "emcomm", "ms", {
    batchSize: 5000,
    gzipThreshold: 1000,
    maxRetries: 0,
    flushInterval: 0,
    maxBufferLines: lines.length,
    writeSuccess(batch: string[]) {
      acked += batch.length;
      if (acked >= lines.length) done();
    },
    writeFailed(err: Error) {
      failed = err;
      done();
    },
  });
  const t0 = performance.now();
  api.writeRecords(lines);
  await api.flush();
  const flushMs = performance.now() - t0;
  await all;
  const ackedMs = performance.now() - t0;
  if (failed) throw failed;
  await api.close();
  return { ackedMs, flushMs };
}

interface SinkRun {
  drainMs: number;
  enqueueCpuUsPerLine: number;
  drainCpuUsPerLine: number;
  diskBytesPerLine: number;
  bodyBytesPerLine: number;
}

async function sinkDrain(vm: Victoria, site: string, t0: number): Promise<SinkRun & { lines: number }> {
  const data = tempDir("bench-outbox-");
  const db = openStore(data.path);
  tuneForOutbox(db, "full");
  const { outcomes, devices } = outage(site, t0);
  const sink = new InfluxSink({
    config: influxSinkSchema.parse({
      url: vm.url,
      batchSize: 5000,
      flushInterval: "1s",
      timeout: "60s",
      drainConcurrency: Number(process.env.BENCH_DRAIN_CONCURRENCY ?? 4),
    }),
    db,
    clock: systemClock,
    log,
    devices,
    // Filling is not what this part measures (the steady-state part does): group the commits.
    commitWindow: 50,
  });
  // The outage: every poll commits to the outbox, nothing is sent. The group commits are cut as
  // they are in the daemon: 100 polls/s with a 50 ms window is 5 outcomes per commit.
  const perCommit = Math.max(1, Math.round((DEVICES / INTERVAL_MS) * 50));
  const c0 = cpuMicros();
  for (let i = 0; i < outcomes.length; i++) {
    sink.record(outcomes[i]!);
    if ((i + 1) % perCommit === 0) sink.outbox.flush();
  }
  sink.outbox.flush();
  const enqueueCpu = cpuMicros() - c0;
  const lines = sink.outbox.backlog().points;
  const bodyBytes = sink.outbox.backlog().bytes;
  db.pragma("wal_checkpoint(TRUNCATE)");
  const disk = statSync(join(data.path, "emcomm.db")).size;
  // The link returns: drain.
  const c1 = cpuMicros();
  const profile = process.env.BENCH_PROFILE ? await startProfile() : undefined;
  const t = performance.now();
  sink.start();
  await sink.forwarder.idle();
  const drainMs = performance.now() - t;
  await profile?.(process.env.BENCH_PROFILE!);
  const drainCpu = cpuMicros() - c1;
  await sink.stop(1000);
  db.close();
  data.remove();
  return {
    lines,
    drainMs,
    enqueueCpuUsPerLine: enqueueCpu / lines,
    drainCpuUsPerLine: drainCpu / lines,
    diskBytesPerLine: disk / lines,
    bodyBytesPerLine: bodyBytes / lines,
  };
}

/**
 * Steady state: outcomes arrive at `rate` per second for `seconds` while the forwarder drains to
 * the server; CPU of the whole process (encode, commit, drain, gzip, HTTP) per outcome.
 */
async function steadyState(
  vm: Victoria,
  site: string,
  t0: number,
  durability: { synchronous: "full" | "normal"; commitWindow: number },
  rate = 1000,
  seconds = 3,
): Promise<{ cpuUsPerOutcome: number; wallUsPerRecord: number; lines: number }> {
  const data = tempDir("bench-steady-");
  const db = openStore(data.path);
  tuneForOutbox(db, durability.synchronous);
  const { outcomes, devices } = outage(site, t0);
  const sink = new InfluxSink({
    config: influxSinkSchema.parse({ url: vm.url, batchSize: 5000, flushInterval: "1s", timeout: "60s" }),
    db,
    clock: systemClock,
    log,
    devices,
    commitWindow: durability.commitWindow,
  });
  sink.start();
  const total = rate * seconds;
  const c0 = cpuMicros();
  const start = performance.now();
  let recordWall = 0;
  let i = 0;
  // 10 ms ticks, rate/100 outcomes each, like polls completing through the second.
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + rate / 100);
    const w = performance.now();
    for (; i < due; i++) sink.record(outcomes[i]!);
    recordWall += performance.now() - w;
    await new Promise((r) => setTimeout(r, 10));
  }
  sink.outbox.flush();
  await sink.forwarder.idle();
  const cpu = cpuMicros() - c0;
  const lines = encodePoints(outcomePoints(outcomes[0]!, devices.get(outcomes[0]!.deviceId)!)).lines.length;
  await sink.stop(1000);
  db.close();
  data.remove();
  return { cpuUsPerOutcome: cpu / total, wallUsPerRecord: (recordWall * 1000) / total, lines };
}

/**
 * The outbox alone, as the daemon drives it at 300 polls/s: outcomes already encoded (encoding and
 * sending are the sink's work with or without an outbox), `perCommit` per group commit, and once
 * per "second" (300 outcomes) the forwarder's share: read them back, acknowledge (cursor), purge.
 * CPU µs per outcome, with the encoding's cost measured separately.
 */
function outboxOnly(
  synchronous: "full" | "normal",
  perCommit: number,
  outcomes: PollOutcome[],
  devices: Map<string, { site: string; kind: string }>,
): { outboxCpuUsPerOutcome: number; encodeCpuUsPerOutcome: number } {
  const data = tempDir("bench-outbox-only-");
  const db = openStore(data.path);
  tuneForOutbox(db, synchronous);
  const outbox = new Outbox(db, {
    sink: "bench",
    maxBacklogBytes: 1e12,
    commitWindow: perCommit > 1 ? 1e9 : 0, // committed by hand below
    clock: systemClock,
    log,
  });
  const n = Math.min(outcomes.length, 9000);
  const c0 = cpuMicros();
  const encoded = outcomes.slice(0, n).map((o) => {
    const { lines } = encodePoints(outcomePoints(o, devices.get(o.deviceId)!));
    return { key: o.deviceId, body: lines.join("\n"), points: lines.length };
  });
  const encodeCpu = cpuMicros() - c0;
  const c1 = cpuMicros();
  for (let i = 0; i < n; i++) {
    const e = encoded[i]!;
    outbox.enqueue(e.key, e.body, e.points);
    if ((i + 1) % perCommit === 0) outbox.flush();
    if ((i + 1) % 300 === 0) {
      outbox.flush(true); // a "second": the one fsync per syncInterval (synchronous=full)
      for (let batch = outbox.peek(5000); batch.length > 0; batch = outbox.peek(5000))
        outbox.ack(batch, true);
      outbox.purge();
    }
  }
  const cpu = cpuMicros() - c1;
  db.close();
  data.remove();
  return { outboxCpuUsPerOutcome: cpu / n, encodeCpuUsPerOutcome: encodeCpu / n };
}

/** CPU per poll of an SNMP GET of 12 OIDs (net-snmp) from a local snmpd: a modem-sized poll. */
async function snmpPollCpu(polls: number): Promise<number | undefined> {
  if (!existsSync("/usr/sbin/snmpd")) return undefined;
  const port = await freePort();
  const dir = tempDir("bench-snmpd-");
  const conf = join(dir.path, "snmpd.conf");
  writeFileSync(conf, `agentaddress udp:127.0.0.1:${port}\nrocommunity public 127.0.0.1\n`);
  const agent = spawn("/usr/sbin/snmpd", ["-f", "-Lo", "-C", "-c", conf, "-p", join(dir.path, "pid")], {
    stdio: ["ignore", "ignore", "ignore"],
  });
  // No type declarations for net-snmp in this branch; the SNMP driver's branch brings its own.
  const moduleName = "net-snmp";
  // biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS module
  const snmp: any = (await import(moduleName)).default;
  const session = snmp.createSession("127.0.0.1", "public", {
    port,
    version: snmp.Version2c,
    timeout: 1000,
    retries: 0,
  });
  const oids = [
    "1.3.6.1.2.1.1.1.0",
    "1.3.6.1.2.1.1.2.0",
    "1.3.6.1.2.1.1.3.0",
    "1.3.6.1.2.1.1.4.0",
    "1.3.6.1.2.1.1.5.0",
    "1.3.6.1.2.1.1.6.0",
    "1.3.6.1.2.1.2.1.0",
    "1.3.6.1.2.1.2.2.1.2.1",
    "1.3.6.1.2.1.2.2.1.7.1",
    "1.3.6.1.2.1.2.2.1.8.1",
    "1.3.6.1.2.1.2.2.1.10.1",
    "1.3.6.1.2.1.2.2.1.16.1",
  ];
  const get = () =>
    new Promise<number>((resolve, reject) =>
      session.get(oids, (err: Error | null, vbs: { value: unknown }[]) => {
        if (err) return reject(err);
        let n = 0;
        for (const vb of vbs) if (!snmp.isVarbindError(vb)) n += Number(vb.value) || 1;
        resolve(n);
      }),
    );
  try {
    for (let i = 0; ; i++) {
      try {
        await get();
        break;
      } catch (err) {
        if (i > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (let i = 0; i < 100; i++) await get();
    const c0 = cpuMicros();
    for (let i = 0; i < polls; i += 10) await Promise.all(Array.from({ length: 10 }, get));
    return (cpuMicros() - c0) / polls;
  } finally {
    session.close();
    agent.kill();
    dir.remove();
  }
}

/**
 * The daemon itself (scheduler, tcp driver, pipeline, status, metrics) polling `devices` tcp
 * devices every second for `seconds`, with the InfluxDB sink off and on: CPU per poll of each,
 * so the outbox's share of the poller's CPU is (on − off) / off.
 */
async function daemonCpuPerPoll(
  vm: Victoria | undefined,
  port: number,
  devices: number,
  seconds: number,
  commitWindow: string,
  synchronous: "full" | "normal" = "full",
): Promise<number> {
  const data = tempDir("bench-daemon-");
  const config = configSchema.parse({
    daemon: { dataDir: data.path, http: { port: 0 }, log: { level: "silent" }, scheduler: { jitter: 0.1 } },
    sites: [{ id: "bench", name: { zh: "基准", en: "Bench" } }],
    devices: Array.from({ length: devices }, (_, i) => ({
      id: `tcp-${i}`,
      name: { zh: `设备${i}`, en: `device ${i}` },
      site: "bench",
      system: "bench",
      kind: "switch",
      vendor: "bench",
      model: "bench",
      interval: "1s",
      driver: { protocol: "tcp", host: "127.0.0.1", port },
    })),
    sinks: vm ? { influx: { url: vm.url, flushInterval: "1s" }, commitWindow, synchronous } : {},
  });
  const daemon = await startDaemon({ config, log, http: false });
  let polls = 0;
  daemon.pipeline.subscribe("bench", () => polls++);
  await new Promise((r) => setTimeout(r, 1500)); // settle
  const c0 = cpuMicros();
  const p0 = polls;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = cpuMicros() - c0;
  const n = polls - p0;
  await daemon.stop();
  data.remove();
  return cpu / n;
}

/** A daemon of bench/_sink-daemon.ts in a process of its own: one measured window per `window()`. */
async function sinkDaemon(
  ports: readonly number[],
  influx: string | null,
): Promise<{ window(): Promise<{ cpuUs: number; polls: number; failed: number }>; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      new URL("./_sink-daemon.ts", import.meta.url).pathname,
      JSON.stringify({ ports, devices: OVERHEAD_DEVICES, influx }),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await replies.next();
    if (r.done) throw new Error("sink daemon exited");
    return r.value;
  };
  if ((await next()) !== "ready") throw new Error("sink daemon did not start");
  return {
    async window() {
      child.stdin!.write("\n");
      return JSON.parse(await next());
    },
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin!.end();
      await exited;
    },
  };
}

/**
 * The sink's overhead in % of the daemon's CPU per SNMP poll: two daemons polling the same snmpd,
 * one with the InfluxDB sink and one without, each in its own process and running side by side, so
 * both see the same load from the rest of the machine; CPU per poll of each over OVERHEAD_ROUNDS
 * windows of OVERHEAD_SECONDS; the figure is the median of the windows' (on − off) / off.
 */
async function sinkOverhead(vm: Victoria): Promise<Record<string, unknown> | undefined> {
  if (!existsSync("/usr/sbin/snmpd")) {
    console.log("  sink overhead not measured: snmpd is not installed");
    return undefined;
  }
  const snmpd = await startSnmpd(50);
  const daemons = await Promise.all([sinkDaemon(snmpd.ports, null), sinkDaemon(snmpd.ports, vm.url)]);
  try {
    const off: number[] = [];
    const on: number[] = [];
    const paired: number[] = [];
    let polls = Number.POSITIVE_INFINITY;
    await Promise.all(daemons.map((d) => d.window()));
    for (let r = 0; r < OVERHEAD_ROUNDS; r++) {
      await new Promise((resolve) => setTimeout(resolve, OVERHEAD_SECONDS * 1000));
      const [o, s] = await Promise.all(daemons.map((d) => d.window()));
      if (o!.failed + s!.failed > 0)
        throw new Error(`sink overhead: ${o!.failed + s!.failed} SNMP polls failed`);
      const [offUs, onUs] = [o!.cpuUs / o!.polls, s!.cpuUs / s!.polls];
      off.push(offUs);
      on.push(onUs);
      paired.push(((onUs - offUs) / offUs) * 100);
      polls = Math.min(polls, o!.polls, s!.polls);
      console.log(
        `  sink overhead window ${r + 1}: off ${offUs.toFixed(1)} µs/poll (${o!.polls} polls), ` +
          `on ${onUs.toFixed(1)} µs/poll (${s!.polls} polls): ${paired.at(-1)!.toFixed(1)} %`,
      );
    }
    const stored = (await vm.export('{__name__="poll_up",site="ovh"}')).length;
    if (stored < OVERHEAD_DEVICES)
      throw new Error(`sink overhead: ${stored} poll series stored, not ${OVERHEAD_DEVICES}`);
    const result = {
      sinkOverheadPercent: Number(median(paired).toFixed(1)),
      perWindowPercent: paired.map((x) => Number(x.toFixed(1))),
      daemonCpuMicrosPerPollSinkOff: Number(median(off).toFixed(1)),
      daemonCpuMicrosPerPollSinkOn: Number(median(on).toFixed(1)),
      devices: OVERHEAD_DEVICES,
      fewestPollsPerWindow: polls,
      windows: OVERHEAD_ROUNDS,
    };
    console.log(
      `  sink overhead % of poll CPU: ${result.sinkOverheadPercent} % (median of ${OVERHEAD_ROUNDS} windows, ` +
        `daemons with and without the sink side by side, ${OVERHEAD_DEVICES} SNMP devices at 1 s each, ` +
        `≥ ${polls} polls per window; goal < 5 %)`,
    );
    if (process.env.BENCH_RESULTS)
      writeFileSync(join(process.env.BENCH_RESULTS, "sink-overhead.json"), JSON.stringify(result));
    return result;
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await snmpd.stop();
  }
}

function tcpListener(): Promise<{ port: number; stop(): void }> {
  return freePort().then(async (port) => {
    const server = spawn(
      process.execPath,
      [
        "-e",
        `require("net").createServer((s) => s.destroy()).listen(${port}, "127.0.0.1", () => console.log("up"))`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise((r) => server.stdout!.once("data", r));
    return { port, stop: () => server.kill() };
  });
}

/** CPU per poll of the tcp driver against a listener in another process (the cheapest poll). */
async function tcpPollCpu(polls: number): Promise<number> {
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [
      "-e",
      `require("net").createServer((s) => s.destroy()).listen(${port}, "127.0.0.1", () => console.log("up"))`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise((r) => server.stdout!.once("data", r));
  const resources = createSharedResources();
  const driver = tcpDriver.create(
    {
      id: "bench-tcp",
      site: "bench",
      kind: "switch",
      intervalMs: 1000,
      timeoutMs: 1000,
      options: tcpDriver.options.parse({ protocol: "tcp", host: "127.0.0.1", port }),
    },
    { clock: systemClock, log, resources },
  );
  if (driver.shape !== "polled") throw new Error("tcp driver is polled");
  // A signal per poll, as the scheduler gives (the driver keeps its listener until it settles).
  const poll = () => driver.poll(new AbortController().signal);
  for (let i = 0; i < 200; i++) await poll(); // warm-up
  const c0 = cpuMicros();
  for (let i = 0; i < polls; i += 20) await Promise.all(Array.from({ length: 20 }, poll));
  const cpu = cpuMicros() - c0;
  server.kill();
  return cpu / polls;
}

/** BENCH_PROFILE=file.cpuprofile: a V8 CPU profile of the drain only. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async (file) => {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

export async function run(): Promise<void> {
  if (victoriaMissing) {
    console.log(`outbox bench skipped: ${victoriaMissing}`);
    return;
  }
  const dir = tempDir("bench-vm-");
  const vm = await startVictoria(dir.path);
  const summary: Record<string, unknown> = {};
  try {
    console.log(
      `outbox bench: ${DEVICES} devices, ${OUTAGE_MS / 60_000} min outage at ${INTERVAL_MS / 1000} s → ${(DEVICES * OUTAGE_MS) / INTERVAL_MS} polls; ${ROUNDS} rounds`,
    );
    const base = Date.now() - 2 * 3600_000;
    if (PARTS.includes("drain")) {
      const raw: number[] = [];
      const rawFlush: number[] = [];
      const drain: number[] = [];
      const runs: SinkRun[] = [];
      let lineCount = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = base + r * OUTAGE_MS * 2;
        const { outcomes, devices } = outage(`raw-${r}`, t0);
        const lines = outcomes.flatMap((o) => encodePoints(outcomePoints(o, devices.get(o.deviceId)!)).lines);
        lineCount = lines.length;
        const rawRun = await rawClient(vm, lines);
        const rawMs = rawRun.ackedMs;
        rawFlush.push(lines.length / (rawRun.flushMs / 1000));
        const s = await sinkDrain(vm, `sink-${r}`, t0 + OUTAGE_MS);
        const [rawStored, sinkStored] = [await stored(vm, `raw-${r}`), await stored(vm, `sink-${r}`)];
        raw.push(lines.length / (rawMs / 1000));
        drain.push(s.lines / (s.drainMs / 1000));
        runs.push(s);
        console.log(
          `  round ${r + 1}: raw client ${Math.round(raw.at(-1)!)} lines/s acknowledged ` +
            `(${Math.round(rawFlush.at(-1)!)} until flush() resolved; stored ${rawStored}/${lines.length}), ` +
            `sink drain ${Math.round(drain.at(-1)!)} lines/s (stored ${sinkStored}/${s.lines}), ` +
            `drain ${s.drainCpuUsPerLine.toFixed(2)} µs CPU/line`,
        );
      }
      Object.assign(summary, {
        lines: lineCount,
        rawClientLinesPerSecond: Math.round(median(raw)),
        rawClientUntilFlushResolvedLinesPerSecond: Math.round(median(rawFlush)),
        drainToRawUntilFlushRatio: Number((median(drain) / median(rawFlush)).toFixed(3)),
        sinkDrainLinesPerSecond: Math.round(median(drain)),
        drainToRawRatio: Number((median(drain) / median(raw)).toFixed(3)),
        drainToRawRatioPerRound: raw.map((x, i) => Number((drain[i]! / x).toFixed(3))),
        drainCpuMicrosPerLine: Number(median(runs.map((r) => r.drainCpuUsPerLine)).toFixed(2)),
        diskBytesPerLine: Math.round(median(runs.map((r) => r.diskBytesPerLine))),
        bodyBytesPerLine: Math.round(median(runs.map((r) => r.bodyBytesPerLine))),
      });
    }
    if (PARTS.includes("steady")) {
      const tcpUs = median([await tcpPollCpu(4000), await tcpPollCpu(4000), await tcpPollCpu(4000)]);
      const snmpRuns = [await snmpPollCpu(2000), await snmpPollCpu(2000), await snmpPollCpu(2000)];
      const snmpUs = snmpRuns.every((x) => x !== undefined) ? median(snmpRuns as number[]) : undefined;
      summary.tcpPollCpuMicros = Number(tcpUs.toFixed(1));
      summary.snmpPoll12OidsCpuMicros = snmpUs === undefined ? null : Number(snmpUs.toFixed(1));
      const variants = [
        { name: "synchronous=full, commit each", synchronous: "full" as const, commitWindow: 0 },
        { name: "synchronous=normal, commit each", synchronous: "normal" as const, commitWindow: 0 },
        { name: "synchronous=full, commitWindow 50ms", synchronous: "full" as const, commitWindow: 50 },
        { name: "synchronous=normal, commitWindow 50ms", synchronous: "normal" as const, commitWindow: 50 },
      ];
      const steady: Record<string, unknown> = {};
      let v = 0;
      for (const variant of variants) {
        const cpu: number[] = [];
        const wall: number[] = [];
        let lines = 0;
        for (let r = 0; r < ROUNDS; r++) {
          const s = await steadyState(
            vm,
            `steady-${v}-${r}`,
            base + (ROUNDS + v * ROUNDS + r + 1) * OUTAGE_MS * 2,
            variant,
          );
          cpu.push(s.cpuUsPerOutcome);
          wall.push(s.wallUsPerRecord);
          lines = s.lines;
        }
        v++;
        const perOutcome = median(cpu);
        steady[variant.name] = {
          cpuMicrosPerOutcome: Number(perOutcome.toFixed(1)),
          cpuMicrosPerLine: Number((perOutcome / lines).toFixed(2)),
          recordWallMicros: Number(median(wall).toFixed(1)),
          shareOfSnmpPollCpu: snmpUs ? Number((perOutcome / snmpUs).toFixed(3)) : null,
        };
        console.log(`  steady state, ${variant.name}: ${JSON.stringify(steady[variant.name])}`);
      }
      summary.steadyState = steady;
    }
    if (PARTS.includes("alone")) {
      const tcpUs = median([await tcpPollCpu(4000), await tcpPollCpu(4000), await tcpPollCpu(4000)]);
      const { outcomes, devices } = outage("outbox-only", base);
      const only: Record<string, unknown> = {};
      for (const [name, sync, perCommit] of [
        ["synchronous=full, commit each", "full", 1],
        ["synchronous=full, commitWindow 50ms, one fsync per second (default)", "full", 15],
        ["synchronous=normal, commitWindow 50ms (15 outcomes per commit)", "normal", 15],
      ] as const) {
        const runs = Array.from({ length: ROUNDS }, () => outboxOnly(sync, perCommit, outcomes, devices));
        const cpu = median(runs.map((r) => r.outboxCpuUsPerOutcome));
        only[name] = {
          outboxCpuMicrosPerOutcome: Number(cpu.toFixed(2)),
          encodeCpuMicrosPerOutcome: Number(median(runs.map((r) => r.encodeCpuUsPerOutcome)).toFixed(2)),
          shareOfTcpPollCpu: Number((cpu / tcpUs).toFixed(3)),
        };
        console.log(`  outbox alone, ${name}: ${JSON.stringify(only[name])}`);
      }
      summary.outboxAlone = only;
    }
    if (PARTS.includes("daemon")) {
      const listener = await tcpListener();
      const variants: { name: string; commitWindow: string; synchronous: "full" | "normal" }[] = [
        {
          name: "synchronous=full, commit each (first version's default)",
          commitWindow: "0ms",
          synchronous: "full",
        },
        {
          name: "synchronous=full, commitWindow 50ms, fsync once per second (default)",
          commitWindow: "50ms",
          synchronous: "full",
        },
        { name: "synchronous=normal, commitWindow 50ms", commitWindow: "50ms", synchronous: "normal" },
      ];
      const off: number[] = [];
      const on: number[][] = variants.map(() => []);
      for (let r = 0; r < ROUNDS; r++) {
        off.push(await daemonCpuPerPoll(undefined, listener.port, 300, 5, "0ms"));
        for (const [i, v] of variants.entries())
          on[i]!.push(await daemonCpuPerPoll(vm, listener.port, 300, 5, v.commitWindow, v.synchronous));
      }
      listener.stop();
      const offMedian = median(off);
      summary.daemon = {
        devices: 300,
        pollsPerSecond: 300,
        daemonCpuMicrosPerPollSinksOff: Number(offMedian.toFixed(1)),
        ...Object.fromEntries(
          variants.map((v, i) => {
            const m = median(on[i]!);
            return [
              v.name,
              {
                daemonCpuMicrosPerPoll: Number(m.toFixed(1)),
                outboxShareOfPollerCpu: Number(((m - offMedian) / offMedian).toFixed(3)),
                perRound: on[i]!.map((x, r) => Number(((x - off[r]!) / off[r]!).toFixed(3))),
              },
            ];
          }),
        ),
      };
      console.log(`  daemon with 300 tcp devices at 1 s: ${JSON.stringify(summary.daemon)}`);
    }
    if (PARTS.includes("overhead")) summary.sinkOverhead = await sinkOverhead(vm);
    console.log("  medians:", JSON.stringify(summary, null, 2));
  } finally {
    await vm.stop();
    dir.remove();
  }
}

// `npx tsx bench/outbox.ts` and `npm run bench -- outbox` (bench/run.ts runs each file) both run it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
