/**
 * One daemon of the sink-overhead measurement in bench/sink-overhead.ts (not a bench of its own:
 * bench/run.ts skips files starting with "_"). Run as
 * `node --import tsx bench/_sink-daemon.ts '{"ports":[…],"devices":200,"influx":"http://…"|null}'`:
 * starts the real daemon polling that many SNMP devices (generic-host profile: sysUpTime and the
 * IF-MIB table, 29 values) every second against the given snmpd ports, with the InfluxDB sink on
 * when `influx` is a URL. Prints "ready" once settled; then for every line read on stdin prints one
 * JSON line: this process's CPU µs (all, and system), the polls and failed polls since the previous
 * line, and then hands the outcomes of the next window to the sink when the line read is "on", or
 * keeps them from it when it is "off" (the bench alternates them in one process; the forwarder, its
 * timers and connection stay as they are). BENCH_SINK_GZIP=0 sends the batches uncompressed (to
 * see what gzip's share is; the figure is measured with the default, gzip at level 1), and
 * BENCH_SINK_FLUSH_SECONDS=N flushes every N s instead of every second (write-behind 3N s): what
 * fewer requests would save.
 */
import { createInterface } from "node:readline";
import pino from "pino";
import { tempDir } from "../peers/index.ts";
import { configSchema } from "../src/config/schema.ts";
import { startDaemon } from "../src/daemon.ts";

const { ports, devices, influx } = JSON.parse(process.argv[2]!) as {
  ports: number[];
  devices: number;
  influx: string | null;
};
const flushSeconds = Number(process.env.BENCH_SINK_FLUSH_SECONDS ?? 1);
const data = tempDir("bench-sink-daemon-");
const config = configSchema.parse({
  daemon: { dataDir: data.path, http: { port: 0 }, log: { level: "silent" }, scheduler: { jitter: 0.1 } },
  sites: [{ id: "ovh", name: { zh: "基准", en: "Bench" } }],
  devices: Array.from({ length: devices }, (_, i) => ({
    id: `snmp-${i}`,
    name: { zh: `设备${i}`, en: `device ${i}` },
    site: "ovh",
    system: "bench",
    kind: "switch",
    vendor: "net-snmp",
    model: "snmpd",
    interval: "1s",
    driver: {
      protocol: "snmp",
      profile: "generic-host",
      host: "127.0.0.1",
      port: ports[i % ports.length],
      community: "public",
    },
  })),
  sinks: influx
    ? {
        influx: { url: influx, flushInterval: `${flushSeconds}s`, gzip: process.env.BENCH_SINK_GZIP !== "0" },
        // Write-behind must outlast the flush interval; the default (3 s) does for 1 s.
        ...(flushSeconds > 1 ? { writeBehind: `${3 * flushSeconds}s` } : {}),
      }
    : {},
});
const daemon = await startDaemon({ config, log: pino({ level: "silent" }), http: false });
const sinkRecord = daemon.sinks.record;
const keepFromSink: typeof sinkRecord = async () => true;
let polls = 0;
let failed = 0;
daemon.pipeline.subscribe("bench", (o) => {
  polls++;
  if (o.error) failed++;
});
await new Promise((r) => setTimeout(r, 3000)); // settle: tables learned, JIT warm
const cpu = () => process.cpuUsage();
let last = { cpu: cpu(), polls, failed };
console.log("ready");
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const now = { cpu: cpu(), polls, failed };
  console.log(
    JSON.stringify({
      cpuUs: now.cpu.user + now.cpu.system - last.cpu.user - last.cpu.system,
      sysUs: now.cpu.system - last.cpu.system,
      polls: now.polls - last.polls,
      failed: now.failed - last.failed,
    }),
  );
  last = now;
  if (line === "on") daemon.sinks.record = sinkRecord;
  else if (line === "off") daemon.sinks.record = keepFromSink;
}
await daemon.stop();
data.remove();
