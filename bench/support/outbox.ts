/**
 * What the outbox benches share (not a bench of its own: bench/run.ts runs only bench/*.ts):
 * medians, process CPU, the backlog of an outage of 1,000 devices, and the CPU of the tcp
 * driver's poll (the lightest poll, the yardstick of the steady-state figures).
 */
import { spawn } from "node:child_process";
import pino from "pino";
import { tcpDriver } from "../../drivers/tcp/index.ts";
import { freePort, startVictoria, tempDir, type Victoria, victoriaMissing } from "../../peers/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";
import { createSharedResources } from "../../src/core/resources.ts";

/** Rounds of each measurement (BENCH_ROUNDS); medians are reported. */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const DEVICES = 1000;
export const INTERVAL_MS = 10_000;
export const OUTAGE_MS = 10 * 60_000;
export const log = pino({ level: "silent" });

/** CPU µs of this process so far (user + system, every thread: gzip runs on the thread pool). */
export const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** The polls of the outage: a modem-like line (3 fields), an interface line (3 fields), poll. */
export function outage(
  site: string,
  t0: number,
): { outcomes: PollOutcome[]; devices: Map<string, { site: string; kind: string }> } {
  const outcomes: PollOutcome[] = [];
  const devices = new Map<string, { site: string; kind: string }>();
  // Like a driver, one labels object per device's row, reused by every poll (the sink's plan and
  // the metrics page keep their lines by it).
  const eth0 = Array.from({ length: DEVICES }, () => ({ ifname: "eth0" }));
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
          { metric: "if_in_bits_per_second", value: 1e6 + t, labels: eth0[d] },
          { metric: "if_out_bits_per_second", value: 2e5 + d, labels: eth0[d] },
          { metric: "if_oper_up", value: 1, labels: eth0[d] },
        ],
      });
  return { outcomes, devices };
}

/** A TCP listener in another process that closes every connection (the tcp driver's peer). */
export async function tcpListener(): Promise<{ port: number; stop(): void }> {
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
  return { port, stop: () => server.kill() };
}

/** CPU per poll of the tcp driver against a listener in another process (the cheapest poll). */
export async function tcpPollCpu(polls: number): Promise<number> {
  const listener = await tcpListener();
  const resources = createSharedResources();
  const driver = tcpDriver.create(
    {
      id: "bench-tcp",
      site: "bench",
      kind: "switch",
      intervalMs: 1000,
      timeoutMs: 1000,
      options: tcpDriver.options.parse({ protocol: "tcp", host: "127.0.0.1", port: listener.port }),
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
  listener.stop();
  return cpu / polls;
}

/** Runs `fn` against a VictoriaMetrics of its own on loopback, stopped after; says why when there is none. */
export async function withVictoria<T>(
  bench: string,
  fn: (vm: Victoria) => Promise<T>,
): Promise<T | undefined> {
  if (victoriaMissing) {
    console.log(`${bench} skipped: ${victoriaMissing}`);
    return undefined;
  }
  const dir = tempDir("bench-vm-");
  const vm = await startVictoria(dir.path);
  try {
    return await fn(vm);
  } finally {
    await vm.stop();
    dir.remove();
  }
}
