/**
 * Time, injected. Everything that schedules or measures (scheduler, SLA clocks, availability,
 * reports) takes a Clock so that tests can run a month of faults in seconds with FakeClock.
 * Nothing below the daemon's entry point calls Date.now() or setTimeout() directly.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. Real timers are unref()ed: they never hold the process open. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/**
 * A real timer's handle. A class, not a `{ cancel: () => … }` literal: the scheduler keeps one
 * timer per device and every poll makes one, and under tsx (keepNames) each named arrow function
 * also gets a property dictionary of its own (about 300 bytes).
 */
class SystemTimer implements TimerHandle {
  constructor(private readonly timeout: NodeJS.Timeout) {}

  cancel(): void {
    clearTimeout(this.timeout);
  }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return new SystemTimer(t);
  },
};

/** Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `work`'s outcome, or a rejection with `abortError(signal.reason)` as soon as `signal` aborts: a
 * driver's poll settles at its deadline even while a request waits for its own timeout (the work
 * goes on, unobserved). One listener per call, removed when the work settles first.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
  abortError: (reason: unknown) => Error,
): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(abortError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    // No options object: Node validates and copies one on every call, and a signal fires "abort"
    // once anyway; the listener is removed when the work settles.
    const onAbort = () => reject(abortError(signal.reason));
    signal.addEventListener("abort", onAbort);
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/** A poll's time limit: its signal aborts when `ms` passed, or earlier on `abort()`. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Aborts now with `reason` (a shutdown). */
  abort(reason: unknown): void;
  /** The work finished: cancels the timer. */
  dispose(): void;
}

/**
 * An AbortSignal that aborts after `ms` on `clock` (with a DeadlineExceeded reason). Call
 * `dispose()` when the work finished so the timer is cancelled. Whoever must cut work short
 * (the scheduler's stop) keeps the deadlines in flight and aborts them: a long-lived signal that
 * every poll subscribed to would gather one listener per poll in flight.
 */
export function deadline(clock: Clock, ms: number): Deadline {
  const controller = new AbortController();
  const timer = clock.setTimer(ms, () => controller.abort(new DeadlineExceeded(ms)));
  return {
    signal: controller.signal,
    abort(reason) {
      timer.cancel();
      controller.abort(reason);
    },
    dispose() {
      timer.cancel();
    },
  };
}

export class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded";
  constructor(readonly ms: number) {
    super(`deadline of ${ms} ms exceeded`);
  }
}

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock for tests and simulations. `advance(ms)` runs every timer that falls due in order,
 * letting promise callbacks settle between them, so async code driven by timers behaves as it
 * would in real time, only faster.
 */
export class FakeClock implements Clock {
  private current: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(start: number | Date = Date.UTC(2026, 10, 1, 0, 0, 0)) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return {
      cancel: () => {
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Sets the time without firing timers (for positioning a scenario); never goes backwards. */
  set(ms: number): void {
    this.current = Math.max(this.current, ms);
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers)
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}

/** Lets queued promise reactions and I/O callbacks run. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
