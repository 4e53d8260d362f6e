/**
 * A poll that timed out because our own event loop was blocked is the monitor's fault: with a real
 * synchronous stall in this process, the scheduler classifies it `local` (cause event-loop-stall),
 * LocalFaults counts it and reports the daemon degraded; a device that really does not answer,
 * with no stall, still times out.
 */
import { createServer, type Server, Socket } from "node:net";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import { LocalFaults } from "../../src/core/local-faults.ts";
import { LoopStalls } from "../../src/core/loop-stalls.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";
import type { PolledDriver } from "../../src/core/types.ts";
import { Scheduler } from "../../src/scheduler.ts";
import { quietLog } from "../support/log.ts";
import { busy } from "./busy.ts";

/** A device on a real socket: it answers `answerAfterMs` after the connection (never when null). */
async function device(answerAfterMs: number | null): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on("error", () => {});
    if (answerAfterMs !== null) setTimeout(() => s.end("ok"), answerAfterMs);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as { port: number }).port };
}

/** Connects and waits for the first byte; `stallMs` blocks the loop 20 ms into the poll. */
function driver(port: number, stallMs: number): PolledDriver {
  return {
    shape: "polled",
    metrics: [],
    rules: [],
    poll: (signal) =>
      new Promise((resolve, reject) => {
        const socket = new Socket();
        socket.on("error", (err) => reject(new PollError("unreachable", String(err))));
        signal.addEventListener("abort", () => {
          socket.destroy();
          reject(new PollError("timeout", "no answer"));
        });
        socket.connect(port, "127.0.0.1");
        socket.once("data", () => {
          socket.destroy();
          resolve([{ metric: "answered", value: 1 }]);
        });
        if (stallMs) setTimeout(() => busy(stallMs), 20);
      }),
    async close() {},
  };
}

async function pollOnce(poller: PolledDriver, stalls?: LoopStalls): Promise<PollOutcome> {
  const outcomes: PollOutcome[] = [];
  const scheduler = new Scheduler({
    clock: systemClock,
    log: quietLog,
    maxConcurrency: 1,
    jitter: 0,
    initialSpreadMs: 0,
    ...(stalls ? { stalls } : {}),
    onOutcome: (o) => outcomes.push(o),
  });
  scheduler.add({ id: "d", intervalMs: 60_000, timeoutMs: 300, driver: poller });
  scheduler.start();
  const end = Date.now() + 20_000;
  while (!outcomes.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  await scheduler.stop(1000);
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe("event loop stalls", () => {
  const closing: (() => void)[] = [];
  afterEach(() => {
    for (const c of closing.splice(0)) c();
  });

  it("a poll timed out across a stall of our loop is local, counted once per cause, degraded", async () => {
    const { server, port } = await device(100);
    closing.push(() => server.close());
    // Without stall detection the stall is the device's timeout (the answer arrives after the deadline fires).
    expect((await pollOnce(driver(port, 1500))).error?.kind).toBe("timeout");

    const stalls = new LoopStalls(systemClock, { thresholdMs: 500 });
    stalls.start();
    closing.push(() => stalls.stop());
    const outcome = await pollOnce(driver(port, 1500), stalls);
    expect(outcome.error?.kind).toBe("local");
    expect(outcome.error?.message).toMatch(/event-loop-stall/);

    const registry = new Registry();
    const lines: string[] = [];
    const log = { error: (_: unknown, msg: string) => lines.push(msg), warn: () => {} };
    const faults = new LocalFaults({ clock: systemClock, log: log as never, registry });
    faults.record(outcome.error!, "d");
    faults.record(outcome.error!, "d");
    expect(lines).toHaveLength(1);
    expect(await registry.metrics()).toMatch(/emcomm_local_faults_total\{cause="event-loop-stall"\} 2/);
    expect(faults.problem).toMatch(/event-loop-stall \(2 polls\)/);
  }, 60_000);

  it("a device that does not answer, with no stall, still times out", async () => {
    const { server, port } = await device(null);
    closing.push(() => server.close());
    const stalls = new LoopStalls(systemClock, { thresholdMs: 500 });
    stalls.start();
    closing.push(() => stalls.stop());
    const outcome = await pollOnce(driver(port, 0), stalls);
    expect(outcome.error?.kind).toBe("timeout");
  }, 60_000);

  it("a device that answers in time is up with stall detection on", async () => {
    const { server, port } = await device(0);
    closing.push(() => server.close());
    const stalls = new LoopStalls(systemClock, { thresholdMs: 500 });
    stalls.start();
    closing.push(() => stalls.stop());
    const outcome = await pollOnce(driver(port, 0), stalls);
    expect(outcome.error).toBeUndefined();
  }, 60_000);
});
