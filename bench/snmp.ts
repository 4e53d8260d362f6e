/**
 * SNMP benchmark (`npm run bench`): our pipeline vs prometheus-snmp-exporter against ONE real snmpd
 * listening on 100 loopback ports, same OIDs (sysUpTime + ifName, ifAdminStatus, ifOperStatus,
 * ifInErrors, ifOutErrors, ifHCInOctets, ifHCOutOctets), interleaved rounds. Prints medians of CPU
 * per device-poll (ours: poll + decode + health rules + Prometheus record + exposition + InfluxDB line
 * protocol; exporter: its process), against two references measured in the same rounds: raw
 * net-snmp sending our single GETBULK with no decoding, and raw net-snmp sending the exporter's 8
 * requests; request PDUs per device-poll (snmpd's own snmpInPkts), the agent's CPU per device-poll
 * and values per second. Then, each in a process of its own on the real Scheduler (_snmp-fleet.ts):
 * 1,000 and 10,000 devices every 10 s (CPU share of a core, RSS, descriptors, a /metrics scrape);
 * and on the real daemon (_snmp-latency.ts, _alert-latency.ts): link drop to ticket by polling and
 * by trap, fault to the Alertmanager webhook. Ends with one table: every figure beside its anchor
 * (the figure before this work, from the issue) and its goal. Not a timed test: numbers depend on
 * the machine; on a shared machine the CPU-time figures and the ratios are the ones to trust.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import snmp from "net-snmp";
import { IF } from "../drivers/snmp/profiles/if-mib.ts";
import { predecessor } from "../drivers/snmp/walk.ts";
import { freeUdpPort, haveSnmpd, startSnmpd } from "../peers/index.ts";
import { measureAlertLatency } from "./_alert-latency.ts";
import { createFleet, type FleetRun, median } from "./_snmp-fleet.ts";
import { measureLatency } from "./_snmp-latency.ts";

const EXPORTER = "/usr/bin/prometheus-snmp-exporter";
const DEVICES = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const POLLS_PER_ROUND = 3;
/** Devices of the big fleet run (BENCH_FLEET=1000 on a small machine). */
const FLEET = Number(process.env.BENCH_FLEET ?? 10_000);
/** Intervals (of 10 s) measured in each fleet run, after one of warm-up. */
const FLEET_INTERVALS = 2;
/** Collects this process's garbage before each measured phase, so no phase pays for another's heap. */
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const columns = [
  IF.ifName,
  IF.ifAdminStatus,
  IF.ifOperStatus,
  IF.ifInErrors,
  IF.ifOutErrors,
  IF.ifHCInOctets,
  IF.ifHCOutOctets,
];

/** CPU seconds (user + system) of a process, from /proc. */
function procCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function exporterConfig(): string {
  const names = [
    "ifName",
    "ifAdminStatus",
    "ifOperStatus",
    "ifInErrors",
    "ifOutErrors",
    "ifHCInOctets",
    "ifHCOutOctets",
  ];
  const types = ["DisplayString", "gauge", "gauge", "counter", "counter", "counter", "counter"];
  const metrics = [
    "    - { name: sysUpTime, oid: 1.3.6.1.2.1.1.3, type: gauge }",
    ...columns.map(
      (oid, i) =>
        `    - { name: ${names[i]}, oid: ${oid}, type: ${types[i]}, indexes: [{ labelname: ifIndex, type: gauge }] }`,
    ),
  ];
  return [
    "bench:",
    "  version: 2",
    "  max_repetitions: 25",
    "  retries: 0",
    "  timeout: 5s",
    "  auth: { community: public }",
    "  get: [1.3.6.1.2.1.1.3.0]",
    `  walk: [${columns.join(", ")}]`,
    "  metrics:",
    ...metrics,
    "",
  ].join("\n");
}

export async function run(): Promise<void> {
  if (!haveSnmpd) {
    console.log("snmp bench skipped: snmpd is not installed (apt-get install snmpd)");
    return;
  }
  const snmpd = await startSnmpd(DEVICES);
  const dir = mkdtempSync(join(tmpdir(), "emcomm-bench-"));
  const stops: (() => Promise<void> | void)[] = [
    () => snmpd.stop(),
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  try {
    // snmpd's own request counter tells both sides' PDUs apart from what they claim.
    const counterSession = snmp.createSession("127.0.0.1", "public", {
      port: snmpd.port,
      version: snmp.Version2c,
    });
    stops.push(() => counterSession.close());
    const inPkts = () =>
      new Promise<number>((resolve, reject) =>
        counterSession.get(["1.3.6.1.2.1.11.1.0"], (e, vbs) =>
          e ? reject(e) : resolve(Number(vbs[0]!.value)),
        ),
      );

    const fleet = createFleet(snmpd.ports, DEVICES);
    const { drivers, ids } = fleet;
    stops.push(() => fleet.close());
    let values = 0;
    const oursOnce = async () => {
      const outcomes = await Promise.all(
        drivers.map(async (d, i) => {
          const startedAt = Date.now();
          const samples = await d.poll(new AbortController().signal);
          return {
            deviceId: ids[i]!,
            trigger: "schedule" as const,
            startedAt,
            finishedAt: Date.now(),
            samples,
          };
        }),
      );
      for (const o of outcomes) {
        // The daemon's per-poll path: status, Prometheus record, health rules, InfluxDB lines.
        fleet.record(o);
        values += o.samples.length;
      }
      // One scrape per round of the 100 devices (Prometheus would scrape far less often).
      await fleet.metrics.registry.metrics();
    };

    // prometheus-snmp-exporter, if installed.
    let exporter: { pid: number; url: string } | undefined;
    try {
      readFileSync(EXPORTER);
      const conf = join(dir, "snmp.yml");
      writeFileSync(conf, exporterConfig());
      const port = await freeUdpPort();
      const child = spawn(EXPORTER, [`--config.file=${conf}`, `--web.listen-address=127.0.0.1:${port}`], {
        stdio: "ignore",
      });
      stops.push(() => {
        child.kill("SIGTERM");
      });
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 50; i++) {
        if (
          await fetch(`${url}/`).then(
            () => true,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      exporter = { pid: child.pid!, url };
    } catch {
      console.log(`(${EXPORTER} not found: apt-get install prometheus-snmp-exporter; measuring ours only)`);
    }
    let exporterValues = 0;
    const exporterOnce = async () => {
      const queue = [...snmpd.ports];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let port = queue.shift(); port !== undefined; port = queue.shift()) {
            const body = await (
              await fetch(`${exporter!.url}/snmp?module=bench&target=127.0.0.1:${port}`)
            ).text();
            exporterValues += body
              .split("\n")
              .filter((l) => l && !l.startsWith("#") && !l.startsWith("snmp_scrape")).length;
          }
        }),
      );
    };

    // Reference: raw net-snmp sessions sending the exporter's plan (GET + one GETBULK per column),
    // no decoding: what the transport alone costs with 8 PDUs.
    const rawSessions = snmpd.ports.map((port) =>
      snmp.createSession("127.0.0.1", "public", { port, version: snmp.Version2c, retries: 0, timeout: 5000 }),
    );
    let rawOpen = true;
    const closeRaw = () => {
      if (rawOpen) for (const r of rawSessions) r.close();
      rawOpen = false;
    };
    stops.push(closeRaw);
    const rawEightOnce = () =>
      Promise.all(
        rawSessions.map(async (session) => {
          await new Promise((resolve, reject) =>
            session.get(["1.3.6.1.2.1.1.3.0"], (e, v) => (e ? reject(e) : resolve(v))),
          );
          for (const column of columns)
            await new Promise((resolve, reject) =>
              session.getBulk([column], 0, 25, (e, v) => (e ? reject(e) : resolve(v))),
            );
        }),
      );

    // Reference: raw net-snmp sending the one GETBULK our driver sends in steady state (scalars as
    // non-repeaters asked by their predecessor, every column with max-repetitions = rows + 1), no
    // decoding: the floor our whole path is compared with.
    const rows = await ifRows(snmpd.port);
    const scalarOids = fleet.profile.scalars.map((x) => predecessor(x.oid));
    const bulkOids = [...scalarOids, IF.ifName, ...columns.slice(1)];
    const rawOneOnce = () =>
      Promise.all(
        rawSessions.map(
          (session) =>
            new Promise((resolve, reject) =>
              session.getBulk(bulkOids, scalarOids.length, rows + 1, (e, v) => (e ? reject(e) : resolve(v))),
            ),
        ),
      );

    // Warm up (learn table sizes, JIT, connections).
    for (let i = 0; i < 3; i++) {
      await oursOnce();
      await rawOneOnce();
      await rawEightOnce();
    }
    if (exporter) await exporterOnce();

    const ours = { cpu: [] as number[], pdus: [] as number[], agent: [] as number[], wall: [] as number[] };
    const theirs = { cpu: [] as number[], pdus: [] as number[], agent: [] as number[], wall: [] as number[] };
    const raw = { cpu: [] as number[] };
    const rawOne = { cpu: [] as number[], pdus: [] as number[] };
    const cpuOf = async (work: () => Promise<unknown>) => {
      gc();
      const cpu = process.cpuUsage();
      for (let k = 0; k < POLLS_PER_ROUND; k++) await work();
      const used = process.cpuUsage(cpu);
      return (used.user + used.system) / 1000 / polls;
    };
    const polls = DEVICES * POLLS_PER_ROUND;
    for (let r = 0; r < ROUNDS; r++) {
      {
        const pkts = await inPkts();
        const agent = procCpu(snmpd.pid);
        const t0 = performance.now();
        ours.cpu.push(await cpuOf(oursOnce));
        ours.wall.push(performance.now() - t0);
        ours.agent.push(((procCpu(snmpd.pid) - agent) * 1000) / polls);
        ours.pdus.push(((await inPkts()) - pkts - 1) / polls);
      }
      {
        const pkts = await inPkts();
        rawOne.cpu.push(await cpuOf(rawOneOnce));
        rawOne.pdus.push(((await inPkts()) - pkts - 1) / polls);
      }
      raw.cpu.push(await cpuOf(rawEightOnce));
      if (exporter) {
        gc();
        const pkts = await inPkts();
        const agent = procCpu(snmpd.pid);
        const cpu = procCpu(exporter.pid);
        const t0 = performance.now();
        for (let k = 0; k < POLLS_PER_ROUND; k++) await exporterOnce();
        theirs.wall.push(performance.now() - t0);
        theirs.cpu.push(((procCpu(exporter.pid) - cpu) * 1000) / polls);
        theirs.agent.push(((procCpu(snmpd.pid) - agent) * 1000) / polls);
        theirs.pdus.push(((await inPkts()) - pkts - 1) / polls);
      }
    }

    closeRaw();
    await fleet.close();

    const vps = (wall: number[], perPoll: number) => (polls * perPoll) / (median(wall) / 1000);
    const oursPerPoll = values / ((ROUNDS * POLLS_PER_ROUND + 3) * DEVICES);
    const line = (label: string, a: number, b: number | undefined, digits = 3) =>
      console.log(
        `  ${label.padEnd(36)} ${a.toFixed(digits).padStart(10)} ${b === undefined ? "" : b.toFixed(digits).padStart(14)}${b ? `   ratio ours/exporter ${(a / b).toFixed(2)}` : ""}`,
      );
    console.log(
      `\nSNMP bench: one snmpd on ${DEVICES} loopback ports, 1 + 7 columns × ${rows} rows per device, ${ROUNDS} interleaved rounds × ${polls} device-polls (medians)`,
    );
    console.log(`  ${"".padEnd(36)} ${"ours".padStart(10)} ${exporter ? "snmp_exporter".padStart(14) : ""}`);
    line("CPU ms per device-poll", median(ours.cpu), exporter && median(theirs.cpu));
    line("request PDUs per device-poll", median(ours.pdus), exporter && median(theirs.pdus), 2);
    line("agent (snmpd) CPU ms per device-poll", median(ours.agent), exporter && median(theirs.agent));
    line(
      "values per second",
      vps(ours.wall, oursPerPoll),
      exporter && vps(theirs.wall, exporterValues / ((ROUNDS * POLLS_PER_ROUND + 1) * DEVICES)),
      0,
    );
    console.log(
      `  raw net-snmp, our one GETBULK (${median(rawOne.pdus).toFixed(2)} PDU), no decoding: ${median(rawOne.cpu).toFixed(3)} ms CPU per device-poll`,
    );
    console.log(
      `  raw net-snmp, the exporter's 8 requests, no decoding: ${median(raw.cpu).toFixed(3)} ms CPU per device-poll`,
    );
    console.log(`  (our path includes health rules and ${fleet.lines} InfluxDB lines encoded)`);

    // Fleets on the real Scheduler, each in a clean process, while snmpd keeps running here.
    const fleetRun = async (devices: number, intervals: number) => {
      const agentCpu = procCpu(snmpd.pid);
      const t0 = performance.now();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "--expose-gc",
          "--import",
          "tsx",
          new URL("./_snmp-fleet.ts", import.meta.url).pathname,
          JSON.stringify({ ports: snmpd.ports, devices, intervalMs: 10_000, intervals }),
        ],
        { maxBuffer: 16 * 2 ** 20 },
      );
      const run = JSON.parse(stdout.trim().split("\n").pop()!) as FleetRun;
      // The one snmpd answering the whole fleet, as a share of one core over the child's life.
      const agentShare = (procCpu(snmpd.pid) - agentCpu) / ((performance.now() - t0) / 1000);
      return { ...run, agentShare };
    };
    const printFleet = (f: FleetRun & { agentShare: number }) =>
      console.log(
        `  ${f.devices} devices every ${f.intervalMs / 1000} s: ${(f.coreShare * 100).toFixed(1)} % of one core measured, ${(((f.cpuMsPerPoll * f.devices) / f.intervalMs) * 100).toFixed(1)} % at the schedule (${f.cpuMsPerPoll.toFixed(3)} ms per poll, ${f.polls} polls, ${f.failedPolls} failed, ${f.skippedPolls} skipped; poll median ${f.pollMedianMs.toFixed(0)} ms, event-loop delay p99 ${f.loopDelayP99Ms.toFixed(0)} ms; snmpd ${(f.agentShare * 100).toFixed(0)} % of a core), RSS ${f.rssMb.toFixed(0)} MB, ${f.descriptors} descriptors of ${f.descriptorLimit ?? "unlimited"}; /metrics ${f.scrape.series} series, ${(f.scrape.bytes / 2 ** 20).toFixed(1)} MB: ${f.scrape.wallMs.toFixed(0)} ms wall, ${f.scrape.cpuMs.toFixed(0)} ms CPU`,
      );
    const small = await fleetRun(1000, FLEET_INTERVALS);
    printFleet(small);
    const big = await fleetRun(FLEET, FLEET_INTERVALS);
    printFleet(big);

    const latency = await measureLatency();
    console.log(
      `  link drop → ticket: by polling ${latency.pollingMs} ms (at most ${latency.pollingExpectedMs} ms), by trap ${latency.trapMs} ms (medians of ${latency.rounds})`,
    );
    const alert = await measureAlertLatency();
    console.log(
      "ms" in alert
        ? `  fault → Alertmanager webhook: ${alert.ms} ms`
        : `  fault → Alertmanager webhook not measured: ${alert.skipped}`,
    );

    // CPU per poll × the polls due (devices / interval): the share of a core the fleet costs at its
    // schedule, whether or not this loaded machine let every poll of the window run.
    const atRate = (f: FleetRun) => ((f.cpuMsPerPoll * f.devices) / f.intervalMs) * 100;
    const ratio = exporter ? median(ours.cpu) / median(theirs.cpu) : Number.NaN;
    const rawRatio = median(ours.cpu) / median(rawOne.cpu);
    const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
    table([
      ["CPU per device-poll / snmp_exporter's", fmt(ratio), "0.58 (0.52)", "≤ 0.35", ratio <= 0.35],
      ["CPU per device-poll / raw one-GETBULK net-snmp", fmt(rawRatio), "≈ 5", "≤ 3", rawRatio <= 3],
      [
        "CPU ms per device-poll: ours, exporter, raw one GETBULK",
        `${fmt(median(ours.cpu), 3)}, ${exporter ? fmt(median(theirs.cpu), 3) : "n/a"}, ${fmt(median(rawOne.cpu), 3)}`,
        "0.79, 1.37",
        "",
        undefined,
      ],
      ["request PDUs per device-poll", fmt(median(ours.pdus)), "1 (exporter 8)", "1", median(ours.pdus) <= 1],
      ["1,000 devices: RSS MB", fmt(small.rssMb, 0), "197–199", "≤ 150", small.rssMb <= 150],
      [
        "1,000 devices: % of one core (tight-loop estimate)",
        `${fmt(atRate(small), 1)} (${fmt(median(ours.cpu) * 10, 1)})`,
        "7.9 (a tight-loop estimate)",
        "≤ 10",
        atRate(small) <= 10,
      ],
      [
        `${big.devices} devices: % of one core`,
        fmt(atRate(big), 1),
        "not measured",
        "≤ 50",
        atRate(big) <= 50,
      ],
      [`${big.devices} devices: RSS MB`, fmt(big.rssMb, 0), "not measured", "≤ 1024", big.rssMb <= 1024],
      [
        `${big.devices} devices: polls done / due, failed`,
        `${big.polls} / ${big.devices * FLEET_INTERVALS}, ${big.failedPolls}`,
        "",
        "0 failed (done: see poll median and loop delay above)",
        big.failedPolls === 0,
      ],
      [
        `${big.devices} devices: descriptors / soft limit`,
        `${big.descriptors} / ${big.descriptorLimit ?? "∞"}`,
        "",
        "< limit",
        big.descriptorLimit === undefined || big.descriptors < big.descriptorLimit,
      ],
      [
        `/metrics at ${big.devices} devices (${big.scrape.series} series): wall ms`,
        fmt(big.scrape.wallMs, 0),
        "not measured",
        "< 1000",
        big.scrape.wallMs < 1000,
      ],
      ["  same scrape: CPU ms", fmt(big.scrape.cpuMs, 0), "", "", undefined],
      sinkOverheadRow(),
      [
        "link drop → ticket by polling, ms",
        String(latency.pollingMs),
        "not measured",
        `≤ ${latency.pollingExpectedMs} (N × interval + timeout)`,
        latency.pollingMs <= latency.pollingExpectedMs,
      ],
      ["trap → ticket, ms", String(latency.trapMs), "not measured", "< 2000", latency.trapMs < 2000],
      [
        "fault → Alertmanager webhook, ms",
        "ms" in alert ? String(alert.ms) : "n/a",
        "4–5 s (e2e test)",
        "report",
        undefined,
      ],
    ]);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/**
 * The outbox bench's "sink overhead % of poll CPU", measured earlier in the same `npm run bench`
 * (bench/run.ts runs outbox before snmp and hands its figures over in $BENCH_RESULTS).
 */
function sinkOverheadRow(): Row {
  const figure = "InfluxDB sink overhead, % of the daemon's CPU per SNMP poll";
  let measured: { sinkOverheadPercent: number; windows: number } | undefined;
  const file = process.env.BENCH_RESULTS && join(process.env.BENCH_RESULTS, "sink-overhead.json");
  if (file && existsSync(file)) measured = JSON.parse(readFileSync(file, "utf8"));
  if (!measured)
    return [figure, "not in this run (npm run bench -- outbox snmp)", "11–29 %", "< 5 %", undefined];
  const percent = measured.sinkOverheadPercent;
  return [
    figure,
    `${percent.toFixed(1)} (outbox bench, median of ${measured.windows} windows)`,
    "11–29 %",
    "< 5 %",
    percent < 5,
  ];
}

async function ifRows(port: number): Promise<number> {
  return new Promise((resolve) => {
    execFile(
      "/usr/bin/snmpbulkwalk",
      ["-v2c", "-c", "public", "-On", "-m", "", `127.0.0.1:${port}`, IF.ifName],
      (_, out) => resolve(String(out).trim().split("\n").filter(Boolean).length),
    );
  });
}

type Row = [figure: string, measured: string, anchor: string, goal: string, met: boolean | undefined];

/** The summary: every figure of this run beside its anchor (before this work) and its goal. */
function table(rows: Row[]): void {
  const head: Row = ["figure", "measured", "anchor", "goal", undefined];
  const cells = [head, ...rows].map(([f, m, a, g, ok]) => [
    f,
    m,
    a,
    g,
    ok === undefined ? "" : ok ? "met" : "MISSED",
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  console.log("\nSNMP summary (this run)");
  for (const c of cells) console.log(`  ${c.map((x, i) => x.padEnd(widths[i]!)).join(" │ ")}`);
  const missed = rows.filter((r) => r[4] === false).length;
  if (missed > 0) {
    console.log(`  ${missed} goal(s) missed`);
    process.exitCode = 1;
  }
}

// Run when executed (`npm run bench`, or `npx tsx bench/snmp.ts`).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) await run();
