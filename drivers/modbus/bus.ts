/**
 * A shared Modbus bus: the devices behind one connection (an RS-485 line, a gateway, a TCP
 * server) are served one request at a time, with `gapMs` of quiet between requests, taking turns
 * per unit (round robin) so a unit with many reads, or one that times out, never holds the
 * others back by more than one request. Callers are the drivers' polls, concurrently.
 */
import type { Clock } from "../../src/core/clock.ts";
import { sleep } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { ModbusLink } from "./transport.ts";

interface Job {
  run(link: ModbusLink): Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
}

export class ModbusBus {
  private readonly queues = new Map<string, Job[]>();
  private turn: string[] = [];
  private busy = false;
  private closed = false;
  private lastEnd = Number.NEGATIVE_INFINITY;

  constructor(
    readonly link: ModbusLink,
    private readonly clock: Clock,
    private readonly gapMs: number,
  ) {}

  /** Runs `fn` on the link when it is `unit`'s turn; rejects early if `signal` aborts while queued. */
  run<T>(unit: string, fn: (link: ModbusLink) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new PollError("internal", `modbus bus closed`));
    return new Promise<T>((resolve, reject) => {
      const job: Job = { run: fn, resolve: resolve as (v: unknown) => void, reject, signal };
      const queue = this.queues.get(unit) ?? [];
      queue.push(job);
      this.queues.set(unit, queue);
      if (!this.turn.includes(unit)) this.turn.push(unit);
      signal?.addEventListener(
        "abort",
        () => {
          const q = this.queues.get(unit);
          const i = q?.indexOf(job) ?? -1;
          if (q && i >= 0) {
            q.splice(i, 1);
            reject(new PollError("timeout", `waiting for the modbus bus: ${String(signal.reason)}`));
          }
        },
        { once: true },
      );
      void this.pump();
    });
  }

  private next(): Job | undefined {
    while (this.turn.length > 0) {
      const unit = this.turn.shift()!;
      const queue = this.queues.get(unit);
      const job = queue?.shift();
      if (queue && queue.length > 0) this.turn.push(unit);
      else this.queues.delete(unit);
      if (job) return job;
    }
    return undefined;
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let job = this.next(); job; job = this.next()) {
        const wait = this.lastEnd + this.gapMs - this.clock.now();
        if (wait > 0) await sleep(this.clock, wait);
        try {
          job.resolve(await job.run(this.link));
        } catch (err) {
          job.reject(err);
        }
        this.lastEnd = this.clock.now();
      }
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queues.values())
      for (const j of q) j.reject(new PollError("internal", "modbus bus closed"));
    this.queues.clear();
    this.turn = [];
    await this.link.close();
  }
}
