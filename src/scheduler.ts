/**
 * Polls every polled device at its interval, with jitter, a deadline per poll and bounded global
 * concurrency. Guarantees: never two polls of one device at once (a poll still running when the
 * next is due skips that round and is counted); a device that never answers holds only its own
 * slot until its deadline, so it cannot delay the others; stop() drains in-flight polls within a
 * grace period and aborts what is left. All time comes from the injected Clock.
 */
import type { Logger } from "pino";
import { type Clock, type Deadline, DeadlineExceeded, deadline, type TimerHandle } from "./core/clock.ts";
import { asPollError, PollError } from "./core/errors.ts";
import type { LoopStalls } from "./core/loop-stalls.ts";
import type { PollOutcome } from "./core/outcome.ts";
import type { PolledDriver } from "./core/types.ts";

export interface ScheduledDevice {
  id: string;
  intervalMs: number;
  timeoutMs: number;
  driver: PolledDriver;
}

export interface SchedulerOptions {
  clock: Clock;
  log: Logger;
  maxConcurrency: number;
  /** Fraction by which each interval varies at random (0.1 = ±10 %). */
  jitter: number;
  /** First polls are spread at random over min(interval, this). */
  initialSpreadMs?: number;
  /**
   * Polls start on multiples of a tick of at most this (ms, default 100): a poll waits at most a
   * tick past its due time, and the polls due within one tick start together, on one wake-up of
   * the process (and of a local agent), instead of one wake-up each. The tick is shortened so that
   * it starts at most half of maxConcurrency polls (more would queue for a slot). 0: exact times.
   */
  tickMs?: number;
  random?: () => number;
  onOutcome(outcome: PollOutcome): void;
  /** Called when a poll is skipped because the previous one of that device is still running. */
  onSkip?(deviceId: string): void;
  /** Stalls of our own event loop: a poll that timed out across one is the monitor's fault. */
  stalls?: Pick<LoopStalls, "during" | "thresholdMs">;
}

interface Entry {
  device: ScheduledDevice;
  timer?: TimerHandle;
  nextDue: number;
  /** Set while the driver's poll promise has not settled (even past its deadline). */
  inFlight?: Promise<void>;
  /** A requested re-poll that arrived while busy: run it as soon as the current poll ends. */
  pendingRequest: boolean;
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private running = false;
  /** Deadlines of the polls holding a slot: stop() aborts them when its grace period is over. */
  private readonly deadlines = new Set<Deadline>();
  private readonly random: () => number;
  /** Polls due per ms, all devices together (the sum of 1 / interval). */
  private pollRate = 0;

  constructor(private readonly options: SchedulerOptions) {
    this.random = options.random ?? Math.random;
  }

  add(device: ScheduledDevice): void {
    if (this.entries.has(device.id)) throw new Error(`device ${device.id} is already scheduled`);
    const entry: Entry = { device, nextDue: 0, pendingRequest: false };
    this.entries.set(device.id, entry);
    this.pollRate += 1 / device.intervalMs;
    if (this.running) this.scheduleFirst(entry);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const entry of this.entries.values()) this.scheduleFirst(entry);
  }

  /** Polls a device now (a trap arrived, an operator asked), without moving its schedule. */
  requestPoll(deviceId: string): boolean {
    const entry = this.entries.get(deviceId);
    if (!entry || !this.running) return false;
    if (entry.inFlight) entry.pendingRequest = true;
    else this.run(entry, "request");
    return true;
  }

  /** Number of polls in flight right now (holding a concurrency slot). */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Stops scheduling, waits up to `graceMs` for polls in flight, then aborts them. Resolves when
   * every poll has settled or been abandoned at the abort.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const entry of this.entries.values()) entry.timer?.cancel();
    for (const wake of this.waiting.splice(0)) wake();
    const inFlight = [...this.entries.values()].flatMap((e) => (e.inFlight ? [e.inFlight] : []));
    if (inFlight.length === 0) return;
    let graceTimer: TimerHandle | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = this.options.clock.setTimer(graceMs, resolve);
    });
    await Promise.race([Promise.allSettled(inFlight), grace]);
    graceTimer?.cancel();
    const reason = new Error("daemon shutting down");
    for (const limit of this.deadlines) limit.abort(reason);
  }

  private scheduleFirst(entry: Entry): void {
    const spread = Math.min(entry.device.intervalMs, this.options.initialSpreadMs ?? 10_000);
    entry.nextDue = this.options.clock.now() + Math.floor(this.random() * spread);
    this.arm(entry);
  }

  private arm(entry: Entry): void {
    const tick = Math.min(
      this.options.tickMs ?? DEFAULT_TICK_MS,
      Math.floor(this.options.maxConcurrency / 2 / this.pollRate),
    );
    const at = tick > 1 ? Math.ceil(entry.nextDue / tick) * tick : entry.nextDue;
    const delay = Math.max(0, at - this.options.clock.now());
    entry.timer = this.options.clock.setTimer(delay, () => this.onDue(entry));
  }

  private onDue(entry: Entry): void {
    if (!this.running) return;
    const { intervalMs } = entry.device;
    const now = this.options.clock.now();
    const jittered = intervalMs * (1 + this.options.jitter * (2 * this.random() - 1));
    entry.nextDue += jittered;
    if (entry.nextDue <= now) entry.nextDue = now + jittered; // fell behind (suspended host): resync
    this.arm(entry);
    if (entry.inFlight) {
      this.options.onSkip?.(entry.device.id);
      this.options.log.debug({ device: entry.device.id }, "poll skipped: previous poll still running");
      return;
    }
    this.run(entry, "schedule");
  }

  private run(entry: Entry, trigger: PollOutcome["trigger"]): void {
    const settled = this.pollOnce(entry, trigger).finally(() => {
      entry.inFlight = undefined;
      if (entry.pendingRequest && this.running) {
        entry.pendingRequest = false;
        this.run(entry, "request");
      }
    });
    entry.inFlight = settled;
  }

  /** Resolves when the driver's promise settled (which may be after the outcome was published). */
  private async pollOnce(entry: Entry, trigger: PollOutcome["trigger"]): Promise<void> {
    const { clock, log } = this.options;
    const { device } = entry;
    if (!(await this.acquire())) return;
    const startedAt = clock.now();
    const limit = deadline(clock, device.timeoutMs);
    this.deadlines.add(limit);
    let driverSettled: Promise<unknown> = Promise.resolve();
    let outcome: PollOutcome;
    try {
      const polling = device.driver.poll(limit.signal);
      driverSettled = polling.catch(() => undefined);
      const samples = await Promise.race([polling, rejectOnAbort(limit.signal)]);
      outcome = { deviceId: device.id, trigger, startedAt, finishedAt: clock.now(), samples };
    } catch (err) {
      const error = this.stalled(
        limit.signal.aborted
          ? abortError(limit.signal.reason, device, err)
          : asPollError(err, `${device.id}: poll`),
        startedAt,
      );
      outcome = { deviceId: device.id, trigger, startedAt, finishedAt: clock.now(), samples: [], error };
    } finally {
      limit.dispose();
      this.deadlines.delete(limit);
      this.release();
    }
    try {
      this.options.onOutcome(outcome);
    } catch (err) {
      log.error({ err, device: device.id }, "outcome handler failed");
    }
    await driverSettled;
  }

  /** A timeout across a stall of our own event loop is `local`: the answer may be unread on the socket. */
  private stalled(error: PollError, startedAt: number): PollError {
    if (error.kind !== "timeout") return error;
    const stall = this.options.stalls?.during(startedAt);
    if (!stall) return error;
    return new PollError(
      "local",
      `${error.message} (event-loop-stall: the monitor's event loop was blocked for ${stall.to - stall.from} ms)`,
      { cause: error },
    );
  }

  private acquire(): Promise<boolean> {
    if (!this.running) return Promise.resolve(false);
    if (this.active < this.options.maxConcurrency) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        if (!this.running) return resolve(false);
        this.active++;
        resolve(true);
      });
    });
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

const DEFAULT_TICK_MS = 100;

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function abortError(reason: unknown, device: ScheduledDevice, err: unknown): PollError {
  if (err instanceof PollError && err.kind !== "internal") return err;
  if (reason instanceof DeadlineExceeded)
    return new PollError("timeout", `${device.id}: no answer within ${device.timeoutMs} ms`, { cause: err });
  return new PollError(
    "timeout",
    `${device.id}: poll aborted (${String((reason as Error)?.message ?? reason)})`,
    {
      cause: err,
    },
  );
}
