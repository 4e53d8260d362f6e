/**
 * `npm run bench -- outbox-steady`: what the InfluxDB sink costs per poll outcome in steady state,
 * in this process, against a local VictoriaMetrics on loopback:
 *  - the whole sink (encode, outbox, forwarder, gzip, HTTP) at 1,000 outcomes/s, CPU per outcome,
 *    for each durability setting (commit per outcome or group commits, synchronous full or
 *    normal, write-behind), beside the CPU of an SNMP GET of 12 OIDs (a modem-sized poll);
 *  - the outbox alone (commit, read back, acknowledge, purge) as the daemon drives it at 300
 *    outcomes/s, beside the tcp driver's poll (the lightest poll), and the encoding's share.
 * ROUNDS rounds of each, medians.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort, tempDir, type Victoria } from "../peers/index.ts";
import { systemClock } from "../src/core/clock.ts";
import type { PollOutcome } from "../src/core/outcome.ts";
import { Outbox, tuneForOutbox } from "../src/outbox/outbox.ts";
import { influxSinkSchema } from "../src/sinks/config.ts";
import { InfluxSink } from "../src/sinks/influx.ts";
import { encodeOutcomeBody } from "../src/sinks/line-protocol.ts";
import { openStore } from "../src/store/db.ts";
import { median } from "./support/figures.ts";
import { cpuMicros, log, OUTAGE_MS, outage, ROUNDS, tcpPollCpu, withVictoria } from "./support/outbox.ts";

/**
 * Steady state: outcomes arrive at `rate` per second for `seconds` while the forwarder drains to
 * the server; CPU of the whole process (encode, commit, drain, gzip, HTTP) per outcome.
 */
async function steadyState(
  vm: Victoria,
  site: string,
  t0: number,
  durability: { synchronous: "full" | "normal"; commitWindow: number; writeBehind?: number },
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
    writeBehind: durability.writeBehind,
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
  const lines = encodeOutcomeBody(outcomes[0]!, devices.get(outcomes[0]!.deviceId)!).points;
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
    const { body, points } = encodeOutcomeBody(o, devices.get(o.deviceId)!);
    return { key: o.deviceId, body, points };
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

export async function run(): Promise<void> {
  await withVictoria("outbox steady-state bench", async (vm) => {
    const summary: Record<string, unknown> = {};
    const base = Date.now() - 2 * 3600_000;
    {
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
        {
          name: "synchronous=full, commitWindow 50ms, writeBehind 3s (default)",
          synchronous: "full" as const,
          commitWindow: 50,
          writeBehind: 3000,
        },
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
    {
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
    console.log("  medians:", JSON.stringify(summary, null, 2));
  });
}

// `npx tsx bench/outbox-steady.ts` and `npm run bench -- outbox-steady` both run it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
