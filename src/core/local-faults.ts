/**
 * The monitor's own faults seen on the poll path (PollError kind `local`: descriptors, memory,
 * buffers, local addresses exhausted; a poll that timed out while our event loop was stalled,
 * see LoopStalls). The daemon records each such poll; the health engine makes
 * the device `unmonitored` (no downtime, no ticket); this keeps the daemon's side of it: one error
 * line per cause when it starts and one when it has been quiet for `quietMs`, a count per cause
 * (emcomm_local_faults_total) and a reason for /healthz to report the daemon degraded.
 * Called synchronously from the pipeline; time from the injected clock.
 */
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import type { Clock } from "./clock.ts";
import type { PollError } from "./errors.ts";

export class LocalFaults {
  private readonly causes = new Map<string, { since: number; last: number; polls: number }>();
  private readonly counter?: Counter;

  constructor(
    private readonly options: { clock: Clock; log: Logger; registry?: Registry; quietMs?: number },
  ) {
    if (options.registry)
      this.counter = new Counter({
        name: "emcomm_local_faults_total",
        help: "Polls that failed because of the monitor's own resources (not the device's), by cause.",
        labelNames: ["cause"],
        registers: [options.registry],
      });
  }

  private get quietMs(): number {
    return this.options.quietMs ?? 60_000;
  }

  record(error: PollError, deviceId: string): void {
    if (error.kind !== "local") return;
    const cause =
      /\b(EMFILE|ENFILE|ENOMEM|ENOBUFS|EADDRNOTAVAIL|event-loop-stall)\b/.exec(error.message)?.[1] ?? "other";
    const now = this.options.clock.now();
    this.counter?.inc({ cause });
    const c = this.causes.get(cause);
    if (c && now - c.last < this.quietMs) {
      c.last = now;
      c.polls++;
      return;
    }
    this.causes.set(cause, { since: now, last: now, polls: 1 });
    this.options.log.error(
      { cause, device: deviceId, err: error.message },
      "the monitor's own fault (its resources or its event loop): affected polls are unmonitored, not device faults",
    );
  }

  /** Why the daemon is degraded (a local fault within quietMs), or undefined. */
  get problem(): string | undefined {
    const now = this.options.clock.now();
    const active: string[] = [];
    for (const [cause, c] of this.causes) {
      if (now - c.last < this.quietMs) active.push(`${cause} (${c.polls} polls)`);
      else {
        this.causes.delete(cause);
        this.options.log.warn(
          { cause, polls: c.polls, seconds: (c.last - c.since) / 1000 },
          "local fault over",
        );
      }
    }
    return active.length
      ? `the monitor's own faults (resources exhausted or event loop stalled): ${active.join(", ")}`
      : undefined;
  }
}
