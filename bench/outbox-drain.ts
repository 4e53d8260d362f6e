/**
 * `npm run bench -- outbox-drain`: the backlog of a 10-minute outage of 1,000 devices (10 s
 * interval: 60,000 polls, 3 lines each, 2-3 fields) written into a local VictoriaMetrics on
 * loopback, in one run:
 *  1. by the raw @influxdata/influxdb-client WriteApi (batches of 5,000, gzip), timed until the
 *     server acknowledged every batch;
 *  2. by our InfluxDB sink draining the same backlog from its outbox (committed while the server
 *     was "down"; batches of 5,000, gzip, the default drainConcurrency of 4 lanes).
 * Lines per second of each, their ratio, the drain's CPU per line and the outbox's bytes per line;
 * ROUNDS rounds, medians, stored counts checked. BENCH_PROFILE=file: a CPU profile of the drain.
 */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InfluxDB } from "@influxdata/influxdb-client";
import { tempDir, type Victoria } from "../peers/index.ts";
import { systemClock } from "../src/core/clock.ts";
import { tuneForOutbox } from "../src/outbox/outbox.ts";
import { influxSinkSchema } from "../src/sinks/config.ts";
import { InfluxSink } from "../src/sinks/influx.ts";
import { encodePoints, outcomePoints } from "../src/sinks/line-protocol.ts";
import { openStore } from "../src/store/db.ts";
import { median } from "./support/figures.ts";
import {
  cpuMicros,
  DEVICES,
  INTERVAL_MS,
  log,
  OUTAGE_MS,
  outage,
  ROUNDS,
  withVictoria,
} from "./support/outbox.ts";

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
  await withVictoria("outbox drain bench", async (vm) => {
    const summary: Record<string, unknown> = {};
    console.log(
      `outbox drain bench: ${DEVICES} devices, ${OUTAGE_MS / 60_000} min outage at ${INTERVAL_MS / 1000} s → ${(DEVICES * OUTAGE_MS) / INTERVAL_MS} polls; ${ROUNDS} rounds`,
    );
    const base = Date.now() - 2 * 3600_000;
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
    console.log("  medians:", JSON.stringify(summary, null, 2));
  });
}

// `npx tsx bench/outbox-drain.ts` and `npm run bench -- outbox-drain` both run it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
