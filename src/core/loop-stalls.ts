/**
 * Stalls of the monitor's own event loop. A poll whose deadline passed while the loop was blocked
 * (a long synchronous task, the host starved of CPU or suspended) timed out because of us, not the
 * device: its answer may be sitting unread on the socket. A timer re-armed every `tickMs` on the
 * injected clock notes each gap longer than `tickMs + thresholdMs`; `during` also sees the stall
 * still in progress (the loop just woke up and the deadline timer ran before this one).
 * Stalls are kept for `keepMs` (longer than any poll's deadline).
 */
import type { Clock, TimerHandle } from "./clock.ts";

export interface Stall {
  from: number;
  to: number;
}

export class LoopStalls {
  private readonly stalls: Stall[] = [];
  private lastTick: number;
  private timer?: TimerHandle;
  private readonly tickMs: number;
  readonly thresholdMs: number;
  private readonly keepMs: number;

  constructor(
    private readonly clock: Clock,
    options: { tickMs?: number; thresholdMs?: number; keepMs?: number } = {},
  ) {
    this.tickMs = options.tickMs ?? 100;
    this.thresholdMs = options.thresholdMs ?? 1000;
    this.keepMs = options.keepMs ?? 10 * 60_000;
    this.lastTick = clock.now();
  }

  start(): void {
    this.lastTick = this.clock.now();
    this.arm();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** The longest stall past the threshold that overlaps [from, now], or undefined. */
  during(from: number): Stall | undefined {
    const now = this.clock.now();
    const current = this.gap(now);
    let longest: Stall | undefined;
    for (const s of current ? [...this.stalls, current] : this.stalls)
      if (s.to >= from && s.from <= now && (!longest || s.to - s.from > longest.to - longest.from))
        longest = s;
    return longest;
  }

  private gap(now: number): Stall | undefined {
    const expected = this.lastTick + this.tickMs;
    return this.timer && now - expected >= this.thresholdMs ? { from: expected, to: now } : undefined;
  }

  private arm(): void {
    this.timer = this.clock.setTimer(this.tickMs, () => {
      const now = this.clock.now();
      const stall = this.gap(now);
      if (stall) this.stalls.push(stall);
      while (this.stalls.length && this.stalls[0]!.to < now - this.keepMs) this.stalls.shift();
      this.lastTick = now;
      this.arm();
    });
  }
}
