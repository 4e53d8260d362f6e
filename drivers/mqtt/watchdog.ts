/**
 * Fires when a device has been quiet for `ms` on the injected clock, then again every `ms` while
 * it stays quiet. kick() on every valid report. Used by the streamed driver for staleness.
 */
import type { Clock, TimerHandle } from "../../src/core/clock.ts";

export class Watchdog {
  private timer: TimerHandle | undefined;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
    private readonly onQuiet: (quietForMs: number) => void,
  ) {
    this.last = clock.now();
  }

  start(): void {
    this.last = this.clock.now();
    this.arm(this.ms);
  }

  kick(): void {
    this.last = this.clock.now();
    this.arm(this.ms);
  }

  private arm(ms: number): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(ms, () => {
      this.onQuiet(this.clock.now() - this.last);
      this.arm(this.ms);
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
