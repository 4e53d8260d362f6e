import { describe, expect, it } from "vitest";
import { FakeClock, sleep } from "../src/core/clock.ts";
import { PollError } from "../src/core/errors.ts";
import type { PollOutcome } from "../src/core/outcome.ts";
import type { PolledDriver, Sample } from "../src/core/types.ts";
import { Scheduler, type SchedulerOptions } from "../src/scheduler.ts";
import { quietLog } from "./support/log.ts";

function driver(poll: (signal: AbortSignal) => Promise<Sample[]>): PolledDriver {
  return { shape: "polled", metrics: [], rules: [], poll, close: async () => {} };
}

const ok = (clock: FakeClock, ms = 50) =>
  driver(async (signal) => {
    await sleep(clock, ms, signal);
    return [{ metric: "x", value: 1 }];
  });

/** Never answers, and ignores its abort signal (the worst kind of device). */
const deadDevice = driver(() => new Promise<Sample[]>(() => {}));

function setup(clock: FakeClock, maxConcurrency = 8, options: Partial<SchedulerOptions> = {}) {
  const outcomes: PollOutcome[] = [];
  const skipped: string[] = [];
  const scheduler = new Scheduler({
    clock,
    log: quietLog,
    maxConcurrency,
    jitter: 0,
    random: () => 0,
    onOutcome: (o) => outcomes.push(o),
    onSkip: (id) => skipped.push(id),
    ...options,
  });
  return { scheduler, outcomes, skipped };
}

describe("Scheduler", () => {
  it("polls each device at its interval", async () => {
    const clock = new FakeClock();
    const { scheduler, outcomes } = setup(clock);
    scheduler.add({ id: "a", intervalMs: 10_000, timeoutMs: 5_000, driver: ok(clock) });
    scheduler.add({ id: "b", intervalMs: 30_000, timeoutMs: 5_000, driver: ok(clock) });
    scheduler.start();
    await clock.advance(60_000 - 1);
    expect(outcomes.filter((o) => o.deviceId === "a")).toHaveLength(6);
    expect(outcomes.filter((o) => o.deviceId === "b")).toHaveLength(2);
    expect(outcomes.every((o) => !o.error)).toBe(true);
  });

  it("a device that never answers does not delay the others' polls", async () => {
    // The same fleet twice, with and without a dead device: the healthy devices' polls must start
    // and finish at exactly the same fake-clock times.
    const run = async (withDead: boolean) => {
      const clock = new FakeClock();
      const { scheduler, outcomes } = setup(clock, 4);
      if (withDead) scheduler.add({ id: "dead", intervalMs: 10_000, timeoutMs: 8_000, driver: deadDevice });
      for (const id of ["a", "b", "c"])
        scheduler.add({ id, intervalMs: 10_000, timeoutMs: 8_000, driver: ok(clock) });
      scheduler.start();
      await clock.advance(100_000);
      return outcomes;
    };
    const alone = await run(false);
    const withDead = await run(true);
    const healthy = (list: PollOutcome[]) =>
      list
        .filter((o) => o.deviceId !== "dead")
        .map((o) => [o.deviceId, o.startedAt, o.finishedAt, o.error?.kind]);
    expect(healthy(alone).length).toBeGreaterThanOrEqual(30);
    expect(healthy(withDead)).toEqual(healthy(alone));
    const dead = withDead.filter((o) => o.deviceId === "dead");
    expect(dead).toHaveLength(1); // it never settles, so later rounds are skipped, not stacked
    expect(dead[0]?.error?.kind).toBe("timeout");
    expect(dead[0]!.finishedAt - dead[0]!.startedAt).toBe(8_000);
  });

  it("bounds concurrency: a full pool queues polls instead of running them all", async () => {
    const clock = new FakeClock();
    const { scheduler, outcomes } = setup(clock, 2);
    for (const id of ["a", "b", "c", "d"])
      scheduler.add({ id, intervalMs: 10_000, timeoutMs: 8_000, driver: ok(clock, 100) });
    scheduler.start();
    await clock.advance(50);
    expect(scheduler.inFlight).toBe(2);
    await clock.advance(1_000);
    expect(outcomes.map((o) => o.finishedAt - clock.now() + 1_050).sort((x, y) => x - y)).toEqual([
      100, 100, 200, 200,
    ]);
  });

  it("never runs two polls of one device at once and counts the skipped round", async () => {
    const clock = new FakeClock();
    const { scheduler, outcomes, skipped } = setup(clock);
    let running = 0;
    let maxRunning = 0;
    // Ignores its deadline and takes 25 s: longer than the 10 s interval.
    const slow = driver(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(clock, 25_000);
      running--;
      return [];
    });
    scheduler.add({ id: "slow", intervalMs: 10_000, timeoutMs: 5_000, driver: slow });
    scheduler.start();
    await clock.advance(60_000);
    expect(maxRunning).toBe(1);
    expect(skipped.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o.error?.kind === "timeout")).toBe(true);
  });

  it("turns a driver's rejection into an outcome with its typed error", async () => {
    const clock = new FakeClock();
    const { scheduler, outcomes } = setup(clock);
    const refusing = driver(async () => {
      throw new PollError("unreachable", "tcp 127.0.0.1:1: ECONNREFUSED");
    });
    const buggy = driver(async () => {
      throw new TypeError("cannot read properties of undefined");
    });
    scheduler.add({ id: "refusing", intervalMs: 10_000, timeoutMs: 5_000, driver: refusing });
    scheduler.add({ id: "buggy", intervalMs: 10_000, timeoutMs: 5_000, driver: buggy });
    scheduler.start();
    await clock.advance(10_000);
    expect(outcomes.find((o) => o.deviceId === "refusing")?.error?.kind).toBe("unreachable");
    expect(outcomes.find((o) => o.deviceId === "buggy")?.error?.kind).toBe("internal");
  });

  it("a requested poll runs now, and after the current one if busy", async () => {
    const clock = new FakeClock();
    const { scheduler, outcomes } = setup(clock);
    scheduler.add({ id: "a", intervalMs: 60_000, timeoutMs: 5_000, driver: ok(clock, 1_000) });
    scheduler.start();
    await clock.advance(500); // first poll in flight
    expect(scheduler.requestPoll("a")).toBe(true);
    await clock.advance(2_000);
    expect(outcomes.map((o) => o.trigger)).toEqual(["schedule", "request"]);
    expect(scheduler.requestPoll("nope")).toBe(false);
  });

  it("stop() drains polls in flight within the grace period", async () => {
    const clock = new FakeClock();
    const { scheduler, outcomes } = setup(clock);
    scheduler.add({ id: "a", intervalMs: 10_000, timeoutMs: 9_000, driver: ok(clock, 3_000) });
    scheduler.start();
    await clock.advance(1_000); // poll in flight, 2 s to go
    const stopped = scheduler.stop(5_000);
    await clock.advance(3_000);
    await stopped;
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.error).toBeUndefined();
    await clock.advance(60_000);
    expect(outcomes).toHaveLength(1); // nothing scheduled after stop
  });

  it("stop() aborts what is still running after the grace period", async () => {
    const clock = new FakeClock();
    const { scheduler, outcomes } = setup(clock);
    let aborted = false;
    const stubborn = driver(
      (signal) =>
        new Promise<Sample[]>((_, reject) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new PollError("timeout", "aborted"));
          }),
        ),
    );
    scheduler.add({ id: "a", intervalMs: 60_000, timeoutMs: 50_000, driver: stubborn });
    scheduler.start();
    await clock.advance(1_000);
    const stopped = scheduler.stop(2_000);
    await clock.advance(2_000);
    await stopped;
    expect(aborted).toBe(true);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.finishedAt).toBe(clock.now());
  });

  it("many polls in flight add no listener to a signal that outlives them", async () => {
    // Node warns once an AbortSignal holds more than 10 listeners: a per-poll subscription to a
    // long-lived signal (the shutdown) would pass that with a few hundred devices.
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const clock = new FakeClock();
      const { scheduler, outcomes } = setup(clock, 40);
      for (let i = 0; i < 40; i++)
        scheduler.add({ id: `d${i}`, intervalMs: 10_000, timeoutMs: 5_000, driver: ok(clock, 4_000) });
      scheduler.start();
      await clock.advance(2 * 10_000 - 1);
      expect(outcomes).toHaveLength(80);
      const stopped = scheduler.stop(1_000);
      await clock.advance(1_000);
      await stopped;
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("starts the polls due within one tick together, at the tick's end", async () => {
    const run = async (tickMs?: number, maxConcurrency = 8) => {
      const clock = new FakeClock();
      const t0 = clock.now();
      const spread = [0.01, 0.04, 0.09, 0.13]; // first polls due at +10, +40, +90 and +130 ms
      const { scheduler, outcomes } = setup(clock, maxConcurrency, {
        initialSpreadMs: 1_000,
        ...(tickMs === undefined ? {} : { tickMs }),
        random: () => spread.shift() ?? 0,
      });
      for (const id of ["a", "b", "c", "d"])
        scheduler.add({ id, intervalMs: 10_000, timeoutMs: 5_000, driver: ok(clock, 5) });
      scheduler.start();
      await clock.advance(10_500);
      return outcomes.map((o) => o.startedAt - t0);
    };
    expect(await run()).toEqual([100, 100, 100, 200, 10_100, 10_100, 10_100, 10_200]);
    expect(await run(0)).toEqual([10, 40, 90, 130, 10_010, 10_040, 10_090, 10_130]);
    // 4 polls per 10 s and 4 slots: a tick may start 2, so it is at most 2 / (4 / 10_000 ms) = 5 s.
    expect((await run(20_000, 4)).slice(0, 4)).toEqual([5_000, 5_000, 5_000, 5_000]);
  });
});
