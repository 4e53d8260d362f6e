/**
 * `npm run bench -- sink-overhead`: the InfluxDB sink's overhead on the real daemon polling SNMP
 * devices (snmpd on loopback, 50 ports; the 29-value generic-host profile), in % of the daemon's
 * CPU per poll. Two daemons (bench/_sink-daemon.ts, each in a process of its own) poll the same
 * snmpd side by side, one with the sink to a local VictoriaMetrics and one without, so both see
 * the same load from the rest of the machine; the CPU per poll of each is taken over the same
 * OVERHEAD_WINDOWS windows of OVERHEAD_SECONDS, every window's (on − off) / off is printed, and
 * the figure is their median. A window in which either daemon had more than 1 % failed polls (a
 * loaded machine's timeouts cost another CPU than answers) is printed but left out of the median.
 * BENCH_OVERHEAD_CONTROL=1 adds a second daemon without the sink: its difference to the first is
 * the noise floor of the same run. Written to $BENCH_RESULTS/sink-overhead.json when bench/run.ts
 * runs it, for the final table of bench/snmp.ts.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { startSnmpd, type Victoria } from "../peers/index.ts";
import { median } from "./support/figures.ts";
import { withVictoria } from "./support/outbox.ts";

const OVERHEAD_WINDOWS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 11);
const OVERHEAD_SECONDS = 8;
const OVERHEAD_DEVICES = 200;
const CONTROL = process.env.BENCH_OVERHEAD_CONTROL === "1";

interface Window {
  cpuUs: number;
  sysUs: number;
  polls: number;
  failed: number;
}

/** A daemon of bench/_sink-daemon.ts in a process of its own: one measured window per `window()`. */
async function sinkDaemon(
  ports: readonly number[],
  influx: string | null,
): Promise<{ window(): Promise<Window>; stop(): Promise<void> }> {
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

const percent = (x: number) => Number(x.toFixed(1));

/** The quartiles of xs: [first, third]. */
function quartiles(xs: readonly number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))]!;
  return [at(0.25), at(0.75)];
}

export async function run(): Promise<Record<string, unknown> | undefined> {
  if (!existsSync("/usr/sbin/snmpd")) {
    console.log("sink overhead not measured: snmpd is not installed");
    return undefined;
  }
  return withVictoria("sink overhead", (vm) => measure(vm));
}

async function measure(vm: Victoria): Promise<Record<string, unknown>> {
  const snmpd = await startSnmpd(50);
  const daemons = await Promise.all([
    sinkDaemon(snmpd.ports, null),
    sinkDaemon(snmpd.ports, vm.url),
    ...(CONTROL ? [sinkDaemon(snmpd.ports, null)] : []),
  ]);
  try {
    const off: number[] = [];
    const on: number[] = [];
    const paired: number[] = [];
    const control: number[] = [];
    const all: number[] = [];
    let polls = Number.POSITIVE_INFINITY;
    await Promise.all(daemons.map((d) => d.window()));
    console.log(
      `sink overhead: ${OVERHEAD_DEVICES} SNMP devices at 1 s, daemons with and without the sink side by side, ` +
        `${OVERHEAD_WINDOWS} windows of ${OVERHEAD_SECONDS} s`,
    );
    for (let w = 0; w < OVERHEAD_WINDOWS; w++) {
      await new Promise((resolve) => setTimeout(resolve, OVERHEAD_SECONDS * 1000));
      const [o, s, c] = await Promise.all(daemons.map((d) => d.window()));
      const [offUs, onUs] = [o!.cpuUs / o!.polls, s!.cpuUs / s!.polls];
      const overhead = ((onUs - offUs) / offUs) * 100;
      all.push(overhead);
      const failing = [o!, s!].some((x) => x.failed > x.polls * 0.01);
      const controlNote = c ? `, control off ${((c.cpuUs / c.polls / offUs - 1) * 100).toFixed(1)} %` : "";
      console.log(
        `  window ${w + 1}: off ${offUs.toFixed(1)} µs/poll (sys ${(o!.sysUs / o!.polls).toFixed(1)}, ${o!.polls} polls, ${o!.failed} failed), ` +
          `on ${onUs.toFixed(1)} µs/poll (sys ${(s!.sysUs / s!.polls).toFixed(1)}, ${s!.polls} polls, ${s!.failed} failed): ` +
          `${overhead.toFixed(1)} %${controlNote}${failing ? " (left out: failed polls)" : ""}`,
      );
      if (failing) continue;
      off.push(offUs);
      on.push(onUs);
      paired.push(overhead);
      if (c) control.push((c.cpuUs / c.polls / offUs - 1) * 100);
      polls = Math.min(polls, o!.polls, s!.polls);
    }
    if (paired.length * 2 < OVERHEAD_WINDOWS)
      throw new Error(
        `sink overhead: only ${paired.length} of ${OVERHEAD_WINDOWS} windows without failed polls`,
      );
    const stored = (await vm.export('{__name__="poll_up",site="ovh"}')).length;
    if (stored < OVERHEAD_DEVICES)
      throw new Error(`sink overhead: ${stored} poll series stored, not ${OVERHEAD_DEVICES}`);
    const [q1, q3] = quartiles(paired);
    const result = {
      sinkOverheadPercent: percent(median(paired)),
      perWindowPercent: all.map(percent),
      interquartilePercent: [percent(q1), percent(q3)],
      daemonCpuMicrosPerPollSinkOff: Number(median(off).toFixed(1)),
      daemonCpuMicrosPerPollSinkOn: Number(median(on).toFixed(1)),
      devices: OVERHEAD_DEVICES,
      fewestPollsPerWindow: polls,
      windows: paired.length,
      ...(CONTROL ? { controlPercent: percent(median(control)) } : {}),
    };
    console.log(
      `  sink overhead % of poll CPU: ${result.sinkOverheadPercent} % (median of ${paired.length} windows, ` +
        `quartiles ${result.interquartilePercent.join(" to ")} %, ≥ ${polls} polls per window` +
        `${CONTROL ? `; control ${result.controlPercent} %` : ""}; goal < 5 %)`,
    );
    if (process.env.BENCH_RESULTS)
      writeFileSync(join(process.env.BENCH_RESULTS, "sink-overhead.json"), JSON.stringify(result));
    return result;
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await snmpd.stop();
  }
}

// `npx tsx bench/sink-overhead.ts` and `npm run bench -- sink-overhead` both run it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
