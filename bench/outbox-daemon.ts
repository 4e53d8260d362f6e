/**
 * `npm run bench -- outbox-daemon`: the real daemon (scheduler, tcp driver, pipeline, status,
 * metrics) polling 300 tcp devices every second, with the InfluxDB sink off and on (to a local
 * VictoriaMetrics) in each durability setting: CPU per poll of each, so the sink's share of the
 * poller's CPU is (on − off) / off. ROUNDS rounds, each setting once per round, medians. The SNMP
 * figure of the final table is bench/sink-overhead.ts.
 */
import { pathToFileURL } from "node:url";
import { tempDir, type Victoria } from "../peers/index.ts";
import { configSchema } from "../src/config/schema.ts";
import { startDaemon } from "../src/daemon.ts";
import { median } from "./support/figures.ts";
import { cpuMicros, log, ROUNDS, tcpListener, withVictoria } from "./support/outbox.ts";

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
  writeBehind = "0ms",
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
    sinks: vm ? { influx: { url: vm.url, flushInterval: "1s" }, commitWindow, synchronous, writeBehind } : {},
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

export async function run(): Promise<void> {
  await withVictoria("outbox daemon bench", async (vm) => {
    const summary: Record<string, unknown> = {};
    const listener = await tcpListener();
    const variants: {
      name: string;
      commitWindow: string;
      synchronous: "full" | "normal";
      writeBehind?: string;
    }[] = [
      {
        name: "synchronous=full, commit each (first version's default)",
        commitWindow: "0ms",
        synchronous: "full",
      },
      {
        name: "synchronous=full, commitWindow 50ms, fsync once per second",
        commitWindow: "50ms",
        synchronous: "full",
      },
      { name: "synchronous=normal, commitWindow 50ms", commitWindow: "50ms", synchronous: "normal" },
      {
        name: "synchronous=full, commitWindow 50ms, writeBehind 3s (default)",
        commitWindow: "50ms",
        synchronous: "full",
        writeBehind: "3s",
      },
    ];
    const off: number[] = [];
    const on: number[][] = variants.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      off.push(await daemonCpuPerPoll(undefined, listener.port, 300, 5, "0ms"));
      for (const [i, v] of variants.entries())
        on[i]!.push(
          await daemonCpuPerPoll(vm, listener.port, 300, 5, v.commitWindow, v.synchronous, v.writeBehind),
        );
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
  });
}

// `npx tsx bench/outbox-daemon.ts` and `npm run bench -- outbox-daemon` both run it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
