/**
 * `npm run bench -- sink-overhead`: the InfluxDB sink's overhead on the real daemon polling SNMP
 * devices (snmpd on loopback, 50 ports; the 29-value generic-host profile), in % of the daemon's
 * CPU per poll. Two daemons (bench/_sink-daemon.ts, each in a process of its own, started with the
 * daemon's Node flags from scripts/node-flags.mjs) poll the same snmpd side by side, both with the
 * sink to a local VictoriaMetrics configured, and take turns feeding it: in each of
 * OVERHEAD_PHASES phases one daemon hands its outcomes to the sink and the other does not, so both
 * see the same load from the rest of the machine, and the roles swap every phase. After a swap
 * SETTLE_SECONDS pass unmeasured (the garbage of the sink's last phase is collected there, not
 * billed to the phase without it); then OVERHEAD_SECONDS are measured. Two daemons of one build
 * differ by themselves, for as long as they run: where V8 sized their heaps decides how much
 * they promote and how often they collect it all (±10–30 % per window; up to 30 % between two
 * processes doing the same). So each estimate takes two consecutive phases, A with the sink
 * against B without and then B with it against A without, and multiplies the two ratios (their
 * square root): what one process costs more than the other cancels out. The figure is the median
 * of the estimates of every two consecutive phases: 23 by default (medians of 11, the earlier
 * default, ranged from 3.7 to 16.4 % for the same code). A phase in which either daemon had more
 * than 1 % failed polls (a loaded machine's timeouts cost another CPU than answers) is printed and
 * its estimates left out. BENCH_OVERHEAD_CONTROL=1 adds a third daemon that never feeds its sink:
 * its CPU per poll against the one without the sink in the same phase shows how far two processes
 * of one build differ (nothing cancels it; −16 to +6 % in the seventh round's runs).
 * Written to $BENCH_RESULTS/sink-overhead.json when bench/run.ts runs it, for the final table.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { startSnmpd, type Victoria } from "../peers/index.ts";
import { DAEMON_NODE_FLAGS } from "../scripts/node-flags.mjs";
import { median } from "./support/figures.ts";
import { withVictoria } from "./support/outbox.ts";

const OVERHEAD_PHASES = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 24);
const SETTLE_SECONDS = 3;
const OVERHEAD_SECONDS = 8;
const OVERHEAD_DEVICES = 200;
const CONTROL = process.env.BENCH_OVERHEAD_CONTROL === "1";

interface Window {
  cpuUs: number;
  sysUs: number;
  polls: number;
  failed: number;
}

/**
 * A daemon of bench/_sink-daemon.ts in a process of its own: `window(state)` ends the window being
 * measured (its figures) and starts the next one with the sink fed ("on") or not ("off").
 */
async function sinkDaemon(
  ports: readonly number[],
  influx: string,
): Promise<{ window(next: "on" | "off"): Promise<Window>; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      ...DAEMON_NODE_FLAGS,
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
    async window(state) {
      child.stdin!.write(`${state}\n`);
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

/** CPU µs per poll of a window. */
const perPoll = (w: Window) => w.cpuUs / w.polls;
const failing = (w: Window) => w.failed > w.polls * 0.01;
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** One phase: CPU per poll of the daemon feeding its sink and of the one not feeding it. */
interface Phase {
  on: Window;
  off: Window;
  control?: Window;
}

async function measure(vm: Victoria): Promise<Record<string, unknown>> {
  const snmpd = await startSnmpd(50);
  const daemons = await Promise.all(
    Array.from({ length: CONTROL ? 3 : 2 }, () => sinkDaemon(snmpd.ports, vm.url)),
  );
  // In phase p daemon p % 2 feeds its sink; the control daemon (the third) never does.
  const state = (d: number, p: number) => (d === p % 2 ? "on" : "off");
  try {
    console.log(
      `sink overhead: ${OVERHEAD_DEVICES} SNMP devices at 1 s in each of 2 daemons taking turns to feed the ` +
        `sink, ${OVERHEAD_PHASES} phases of ${OVERHEAD_SECONDS} s (after ${SETTLE_SECONDS} s to settle)`,
    );
    const phases: (Phase | undefined)[] = [];
    for (let p = 0; p < OVERHEAD_PHASES; p++) {
      await Promise.all(daemons.map((d, i) => d.window(state(i, p))));
      await sleep(SETTLE_SECONDS);
      await Promise.all(daemons.map((d, i) => d.window(state(i, p))));
      await sleep(OVERHEAD_SECONDS);
      const ended = await Promise.all(daemons.map((d, i) => d.window(state(i, p))));
      const phase = { on: ended[p % 2]!, off: ended[1 - (p % 2)]!, control: ended[2] };
      const bad = failing(phase.on) || failing(phase.off);
      console.log(
        `  phase ${p + 1}: daemon ${(p % 2) + 1} with the sink ${perPoll(phase.on).toFixed(1)} µs/poll ` +
          `(${phase.on.polls} polls, ${phase.on.failed} failed), daemon ${2 - (p % 2)} without ` +
          `${perPoll(phase.off).toFixed(1)} (${phase.off.polls} polls, ${phase.off.failed} failed)` +
          `${phase.control ? `, control ${perPoll(phase.control).toFixed(1)}` : ""}` +
          `${bad ? " (left out: failed polls)" : ""}`,
      );
      phases.push(bad ? undefined : phase);
    }
    const estimates: number[] = [];
    for (let p = 1; p < phases.length; p++) {
      const [a, b] = [phases[p - 1], phases[p]];
      if (!a || !b) continue;
      const ratio = Math.sqrt((perPoll(a.on) / perPoll(a.off)) * (perPoll(b.on) / perPoll(b.off)));
      estimates.push((ratio - 1) * 100);
    }
    const measured = phases.filter((x) => x !== undefined);
    if (estimates.length * 2 < OVERHEAD_PHASES - 1)
      throw new Error(
        `sink overhead: only ${estimates.length} of ${OVERHEAD_PHASES - 1} estimates without failed polls`,
      );
    const stored = (await vm.export('{__name__="poll_up",site="ovh"}')).length;
    if (stored < OVERHEAD_DEVICES)
      throw new Error(`sink overhead: ${stored} poll series stored, not ${OVERHEAD_DEVICES}`);
    const [q1, q3] = quartiles(estimates);
    const control = measured.flatMap((x) =>
      x.control ? [(perPoll(x.control) / perPoll(x.off) - 1) * 100] : [],
    );
    const result = {
      sinkOverheadPercent: percent(median(estimates)),
      perEstimatePercent: estimates.map(percent),
      interquartilePercent: [percent(q1), percent(q3)],
      daemonCpuMicrosPerPollSinkOff: Number(median(measured.map((x) => perPoll(x.off))).toFixed(1)),
      daemonCpuMicrosPerPollSinkOn: Number(median(measured.map((x) => perPoll(x.on))).toFixed(1)),
      devices: OVERHEAD_DEVICES,
      fewestPollsPerPhase: Math.min(...measured.flatMap((x) => [x.on.polls, x.off.polls])),
      estimates: estimates.length,
      ...(CONTROL ? { controlPercent: percent(median(control)) } : {}),
    };
    console.log(
      `  sink overhead % of poll CPU: ${result.sinkOverheadPercent} % (median of ${estimates.length} estimates ` +
        `from consecutive phases, quartiles ${result.interquartilePercent.join(" to ")} %, ` +
        `≥ ${result.fewestPollsPerPhase} polls per phase${CONTROL ? `; control ${result.controlPercent} %` : ""}; goal < 5 %)`,
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
