/**
 * SNMP benchmark (`npm run bench`): our pipeline vs prometheus-snmp-exporter against ONE real snmpd
 * listening on 100 loopback ports, same OIDs (sysUpTime + ifName, ifAdminStatus, ifOperStatus,
 * ifInErrors, ifOutErrors, ifHCInOctets, ifHCOutOctets), interleaved rounds. Prints medians of CPU
 * per device-poll (ours: poll + decode + health rules + Prometheus record + exposition + InfluxDB line
 * protocol; exporter: its process),
 * request PDUs per device-poll (snmpd's own snmpInPkts), the agent's CPU per device-poll, values
 * per second, and RSS with 1000 devices. Not a timed test: numbers depend on the machine.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import snmp from "net-snmp";
import pino from "pino";
import { createSnmpDriver } from "../drivers/snmp/index.ts";
import { snmpOptions } from "../drivers/snmp/options.ts";
import { composeProfile } from "../drivers/snmp/profile.ts";
import { IF, ifMib } from "../drivers/snmp/profiles/if-mib.ts";
import { system } from "../drivers/snmp/profiles/system.ts";
import { systemClock } from "../src/core/clock.ts";
import { createSharedResources } from "../src/core/resources.ts";
import type { PolledDriver } from "../src/core/types.ts";
import { observe } from "../src/health/rules.ts";
import { DaemonMetrics } from "../src/metrics.ts";
import { encodePoints, outcomePoints } from "../src/sinks/line-protocol.ts";
import { StatusBoard } from "../src/status.ts";
import { freeUdpPort, haveSnmpd, startSnmpd } from "../test/snmp/peers.ts";

const EXPORTER = "/usr/bin/prometheus-snmp-exporter";
const DEVICES = 100;
const ROUNDS = 7;
const POLLS_PER_ROUND = 3;

const columns = [
  IF.ifName,
  IF.ifAdminStatus,
  IF.ifOperStatus,
  IF.ifInErrors,
  IF.ifOutErrors,
  IF.ifHCInOctets,
  IF.ifHCOutOctets,
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

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
  const log = pino({ level: "silent" });
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

    const profile = composeProfile("bench", [
      system(),
      {
        ...ifMib(),
        tables: [
          {
            ...ifMib().tables![0]!,
            columns: ifMib().tables![0]!.columns.filter((c) => c.oid !== IF.ifInDiscards),
          },
        ],
      },
    ]);
    const ids = snmpd.ports.map((_, i) => `dev${i}`);
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
    const drivers: PolledDriver[] = snmpd.ports.map((port, i) =>
      createSnmpDriver(
        {
          id: ids[i]!,
          site: "bench",
          kind: "switch",
          intervalMs: 10_000,
          timeoutMs: 5_000,
          options: snmpOptions.parse({
            protocol: "snmp",
            profile: "generic-host",
            host: "127.0.0.1",
            port,
            community: "public",
          }),
        },
        { clock: systemClock, log, resources: createSharedResources() },
        undefined,
        profile,
      ),
    );
    stops.push(() => Promise.all(drivers.map((d) => d.close())).then(() => {}));
    let values = 0;
    let encodedLines = 0;
    const benchTags = { site: "bench", kind: "switch" };
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
        status.record(o);
        metrics.record(o, "switch");
        // The rest of the daemon's per-poll path: health rules and the InfluxDB line protocol.
        observe(o, profile.rules);
        encodedLines += encodePoints(outcomePoints(o, benchTags)).lines.length;
        values += o.samples.length;
      }
      await metrics.registry.metrics();
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

    // Warm up (learn table sizes, JIT, connections).
    await oursOnce();
    await rawEightOnce();
    if (exporter) await exporterOnce();

    const ours = { cpu: [] as number[], pdus: [] as number[], agent: [] as number[], wall: [] as number[] };
    const theirs = { cpu: [] as number[], pdus: [] as number[], agent: [] as number[], wall: [] as number[] };
    const raw = { cpu: [] as number[] };
    const polls = DEVICES * POLLS_PER_ROUND;
    for (let r = 0; r < ROUNDS; r++) {
      {
        const pkts = await inPkts();
        const agent = procCpu(snmpd.pid);
        const cpu = process.cpuUsage();
        const t0 = performance.now();
        for (let k = 0; k < POLLS_PER_ROUND; k++) await oursOnce();
        const wall = performance.now() - t0;
        const used = process.cpuUsage(cpu);
        ours.cpu.push((used.user + used.system) / 1000 / polls);
        ours.agent.push(((procCpu(snmpd.pid) - agent) * 1000) / polls);
        ours.pdus.push(((await inPkts()) - pkts - 1) / polls);
        ours.wall.push(wall);
      }
      {
        const cpu = process.cpuUsage();
        for (let k = 0; k < POLLS_PER_ROUND; k++) await rawEightOnce();
        const used = process.cpuUsage(cpu);
        raw.cpu.push((used.user + used.system) / 1000 / polls);
      }
      if (exporter) {
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
    // RSS with 1000 devices (10 sessions per snmpd port), each polled once.
    const more: PolledDriver[] = [];
    for (let i = 0; i < 1000 - DEVICES; i++)
      more.push(
        createSnmpDriver(
          {
            id: `extra${i}`,
            site: "bench",
            kind: "switch",
            intervalMs: 10_000,
            timeoutMs: 5_000,
            options: snmpOptions.parse({
              protocol: "snmp",
              profile: "generic-host",
              host: "127.0.0.1",
              port: snmpd.ports[i % DEVICES],
              community: "public",
            }),
          },
          { clock: systemClock, log, resources: createSharedResources() },
          undefined,
          profile,
        ),
      );
    stops.push(() => Promise.all(more.map((d) => d.close())).then(() => {}));
    for (let i = 0; i < more.length; i += 100)
      await Promise.all(more.slice(i, i + 100).map((d) => d.poll(new AbortController().signal)));
    const rss = process.memoryUsage().rss / 2 ** 20;

    const vps = (wall: number[], perPoll: number) => (polls * perPoll) / (median(wall) / 1000);
    const oursPerPoll = values / ((ROUNDS * POLLS_PER_ROUND + 1) * DEVICES);
    const line = (label: string, a: number, b: number | undefined, digits = 3) =>
      console.log(
        `  ${label.padEnd(34)} ${a.toFixed(digits).padStart(10)} ${b === undefined ? "" : b.toFixed(digits).padStart(14)}${b ? `   ratio ours/exporter ${(a / b).toFixed(2)}` : ""}`,
      );
    console.log(
      `\nSNMP bench: one snmpd on ${DEVICES} loopback ports, 1 + 7 columns × ${await ifRows(snmpd.port)} rows per device, ${ROUNDS} interleaved rounds × ${polls} device-polls (medians)`,
    );
    console.log(`  ${"".padEnd(34)} ${"ours".padStart(10)} ${exporter ? "snmp_exporter".padStart(14) : ""}`);
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
      `  (reference: raw net-snmp sending the exporter's 8 requests, no decoding: ${median(raw.cpu).toFixed(3)} ms CPU per device-poll)`,
    );
    const core = ((1000 / 10) * median(ours.cpu)) / 1000;
    console.log(
      `  1000 devices every 10 s: ${(core * 100).toFixed(1)} % of one core (goal ≤ 10 %); RSS with 1000 sessions ${rss.toFixed(0)} MB (goal ≤ 200 MB)`,
    );
    console.log(`  (our path includes health rules and ${encodedLines} InfluxDB lines encoded)\n`);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
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

// Run when executed (`npm run bench`, or `npx tsx bench/snmp.ts`).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) await run();
