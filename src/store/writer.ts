/**
 * The daemon's writes that must not be lost (state transitions and what follows from them, the
 * heartbeat), and whether the store can write at all (/healthz, `emcomm_store_writable`).
 *
 * `write(what, fn)` runs `fn` now; when the store cannot write (disk full, I/O error, read-only,
 * busy), `fn` is kept, in order behind every earlier kept write, and run again with backoff until it
 * succeeds: its rows carry the times they were decided at, so they land as if written on time.
 * `fn` must be safe to run again after a storage error (its own transaction, or it remembers what
 * it already did). A write that fails for any other reason is a bug: logged, not retried.
 * Called synchronously on the daemon's one thread; never throws; nothing waits on it.
 */
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock, TimerHandle } from "../core/clock.ts";

/** SQLite result codes that mean "the store cannot write now", not "this write is wrong". */
const storageCodes =
  /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOMEM|PROTOCOL|NOTADB|PERM)(_|$)/;

/** Whether `err` says the store cannot write (retry later), as opposed to a wrong write. */
export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && storageCodes.test(code);
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;

export interface StoreWriterOptions {
  clock: Clock;
  log: Logger;
  registry?: Registry;
  /**
   * A small write that proves the store writes again, run on retry when a failure was reported by
   * someone else (`failed`) and nothing of ours is held. Without it such a failure clears at the
   * next write that succeeds.
   */
  probe?: () => void;
}

export class StoreWriter {
  private readonly held: { what: string; fn: () => void }[] = [];
  private failure: { since: number; reason: string; attempts: number } | undefined;
  private retry: TimerHandle | undefined;
  private stopped = false;
  private readonly failures?: Counter;

  constructor(private readonly options: StoreWriterOptions) {
    const registers = options.registry ? [options.registry] : [];
    if (registers.length === 0) return;
    const self = this;
    new Gauge({
      name: "emcomm_store_writable",
      help: "1 while the store accepts writes, 0 while it cannot write (disk full, I/O error); see /healthz.",
      registers,
      collect() {
        this.set(self.failure ? 0 : 1);
      },
    });
    new Gauge({
      name: "emcomm_store_held_writes",
      help: "Writes (state transitions, ticket changes, heartbeats) kept in memory until the store can write again.",
      registers,
      collect() {
        this.set(self.held.length);
      },
    });
    this.failures = new Counter({
      name: "emcomm_store_write_failures_total",
      help: "Writes to the store that failed because it could not write (retried, never dropped), by what was written.",
      labelNames: ["what"],
      registers,
    });
  }

  /** Why the store cannot write, or undefined when it can. */
  get problem(): string | undefined {
    if (!this.failure) return undefined;
    return `store cannot write since ${new Date(this.failure.since).toISOString()}: ${this.failure.reason}`;
  }

  /** Writes kept in memory, waiting for the store. */
  get heldWrites(): number {
    return this.held.length;
  }

  /** Runs `fn` now, or keeps it (in order) until the store can write. See the file comment. */
  write(what: string, fn: () => void): void {
    if (this.held.length > 0) {
      this.held.push({ what, fn });
      return;
    }
    if (this.run(what, fn)) this.recovered();
    else this.held.push({ what, fn });
  }

  /**
   * Reports a failed write done elsewhere (the outbox, an API request): a storage error marks the
   * store unwritable until the next write that succeeds.
   */
  failed(what: string, err: unknown): void {
    if (!isStorageError(err)) return;
    this.markFailed(what, err, this.options.probe !== undefined);
  }

  /** Reports a write done elsewhere that succeeded. */
  succeeded(): void {
    if (this.held.length === 0) this.recovered();
  }

  /** Stops retrying; what is still held is logged (the next start records the gap as unmonitored). */
  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
    if (this.held.length > 0) {
      this.drain();
      if (this.held.length > 0)
        this.options.log.error(
          { held: this.held.length, what: [...new Set(this.held.map((h) => h.what))] },
          "store still cannot write at stop: held writes are lost",
        );
    }
  }

  /** true: done (written, or dropped as a bug); false: the store cannot write now. */
  private run(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (isStorageError(err)) {
        this.markFailed(what, err);
        return false;
      }
      this.options.log.error({ err, what }, "store write failed (not a storage error): not retried");
      return true;
    }
  }

  private markFailed(what: string, err: unknown, retry = true): void {
    const code = (err as { code?: string }).code ?? "error";
    const reason = `${code}: ${(err as Error).message ?? String(err)}`;
    this.failures?.inc({ what });
    if (!this.failure) {
      this.failure = { since: this.options.clock.now(), reason, attempts: 0 };
      this.options.log.error({ err, what }, "store cannot write: keeping writes in memory and retrying");
    } else this.failure.reason = reason;
    this.failure.attempts++;
    if (retry) this.schedule();
  }

  private schedule(): void {
    if (this.retry || this.stopped) return;
    const attempts = this.failure?.attempts ?? 1;
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1));
    this.retry = this.options.clock.setTimer(delay, () => {
      this.retry = undefined;
      if (this.held.length === 0 && this.options.probe) {
        if (!this.run("probe", this.options.probe)) return;
      }
      this.drain();
      if (this.held.length > 0) this.schedule();
      else this.recovered();
    });
  }

  private drain(): void {
    while (this.held.length > 0) {
      const next = this.held[0]!;
      if (!this.run(next.what, next.fn)) return;
      this.held.shift();
    }
  }

  private recovered(): void {
    if (!this.failure) return;
    const f = this.failure;
    this.failure = undefined;
    this.retry?.cancel();
    this.retry = undefined;
    this.options.log.warn(
      { seconds: (this.options.clock.now() - f.since) / 1000, attempts: f.attempts },
      "store writes again: held writes are stored",
    );
  }
}
