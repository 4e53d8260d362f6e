/**
 * The pacing of an outbox's commits. Entries wait in memory for up to `commitWindow` ms and are
 * committed together (one transaction, far fewer fsyncs); a batch that reaches ROW_MAX_POINTS /
 * ROW_MAX_BYTES is committed at once (while write-behind holds it: one that reaches maxHeldBytes);
 * `commitWindow` 0 commits each entry before add() returns.
 * With synchronous=FULL, group commits are written without an fsync of their own and one commit
 * per `syncInterval` is fsynced, which makes every earlier one durable too (WAL); durable()
 * resolves only once the entries are fsynced, so nothing acknowledged is lost to a SIGKILL or a
 * power cut.
 *
 * Write-behind (holdFor longer than commitWindow): the forwarder may send the oldest waiting
 * entries from memory (oldest) and, once the server acknowledged them, let go of them (release):
 * they never touch the store. Whatever is still waiting when the hold ends is committed as usual.
 *
 * A commit that fails (busy, I/O error, disk full) keeps its entries in memory, in order, and is
 * retried with backoff; what is held is bounded by `maxHeldBytes` (the oldest go first, reported
 * through `dropped` as budget drops), counted and logged at error level.
 *
 * Owned by one Outbox (the queue), which does the writing (`write`, `touch`); single-threaded.
 */
import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Db } from "../store/db.ts";
import type { SinkMetrics } from "./metrics.ts";
import { type NewEntry, ROW_MAX_BYTES, ROW_MAX_POINTS } from "./rows.ts";

/** A failed commit is retried after 100 ms, then twice as long each time, up to 10 s. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 10_000;

export interface GroupCommitOptions {
  sink: string;
  db: Db;
  clock: Clock;
  log: Logger;
  metrics?: SinkMetrics;
  commitWindow: number;
  syncInterval: number;
  /**
   * "full": the outbox's own commits are fsynced (power-loss safe) while the connection keeps its
   * level for every other write; default: the connection's level.
   */
  synchronous?: "full" | "normal";
  maxHeldBytes: number;
  /** Commits the entries in one transaction; throws when the store cannot. */
  write(entries: NewEntry[]): void;
  /** A small fsynced write that makes every earlier commit durable. */
  touch(): void;
  /** Held entries dropped by the memory bound (the queue counts them as budget drops). */
  dropped(entries: NewEntry[]): void;
  /**
   * How long an open group waits for its commit, asked when its first entry arrives (default:
   * commitWindow). Write-behind answers more than commitWindow while the sink is caught up, so the
   * forwarder can send the entries from memory first (see release).
   */
  holdFor?(): number;
}

export class GroupCommit {
  private pending: NewEntry[] = [];
  private pendingPoints = 0;
  private pendingBytes = 0;
  /** durable() callers waiting for the open group commit. */
  private commitWaiters: ((ok: boolean) => void)[] = [];
  /** The one promise durable() hands every caller of the open group commit (none per outcome). */
  private openCommit: Promise<boolean> | undefined;
  /** durable() callers whose entries are committed but not yet fsynced (synchronous=FULL). */
  private unsynced: ((ok: boolean) => void)[] = [];
  private lastSync = Number.NEGATIVE_INFINITY;
  private syncTimer: TimerHandle | undefined;
  private flushTimer: TimerHandle | undefined;
  /** Set while commits fail: since when, how many attempts, the last error, the pending retry. */
  private failing:
    | { since: number; attempts: number; reason: string; retry: TimerHandle | undefined }
    | undefined;
  /** The connection's synchronous level (2 = FULL), which other writers keep. */
  private readonly connectionLevel: number;
  /** The level of the outbox's data commits. */
  readonly synchronousLevel: number;

  constructor(private readonly o: GroupCommitOptions) {
    this.connectionLevel = Number(o.db.pragma("synchronous", { simple: true }));
    this.synchronousLevel =
      o.synchronous === undefined ? this.connectionLevel : o.synchronous === "full" ? 2 : 1;
  }

  /** Runs a data commit at the outbox's level, then gives the connection its own back. */
  private durably<T>(fn: () => T): T {
    // Inside a caller's transaction (an event committed with the ticket change it reports) the
    // level cannot change: the commit is that transaction's.
    if (this.synchronousLevel === this.connectionLevel || this.o.db.inTransaction) return fn();
    this.o.db.pragma(`synchronous = ${this.synchronousLevel}`);
    try {
      return fn();
    } finally {
      this.o.db.pragma(`synchronous = ${this.connectionLevel}`);
    }
  }

  /** Adds an entry to the open group commit (see the file comment). */
  add(entry: NewEntry): void {
    this.pending.push(entry);
    this.pendingPoints += entry.points;
    this.pendingBytes += entry.bytes;
    if (this.failing) this.dropOverBound();
    // The hold counts from when the entry was recorded (a sink may hand it over a little later).
    if (!this.o.commitWindow || this.full()) this.flush();
    else
      this.flushTimer ??= this.o.clock.setTimer(
        Math.max(0, entry.createdAt + (this.o.holdFor?.() ?? this.o.commitWindow) - this.o.clock.now()),
        () => this.flush(),
      );
  }

  /**
   * Whether the open group must be committed now: when it fills a row; while write-behind holds it,
   * only when it reaches the memory bound. The forwarder sends a held group in whole batches from
   * memory, and a group committed at its hold's end is split into rows (packRows): committing a
   * second's outcomes of a large fleet because they fill a row would write every one of them.
   */
  private full(): boolean {
    const writingBehind = (this.o.holdFor?.() ?? this.o.commitWindow) > this.o.commitWindow;
    if (writingBehind) return this.pendingBytes >= this.o.maxHeldBytes;
    return this.pendingPoints >= ROW_MAX_POINTS || this.pendingBytes >= ROW_MAX_BYTES;
  }

  /** The oldest waiting entries, up to `maxPoints` (at least one if any): write-behind sends them. */
  oldest(maxPoints: number): NewEntry[] {
    let points = 0;
    let n = 0;
    while (n < this.pending.length && (n === 0 || points + this.pending[n]!.points <= maxPoints))
      points += this.pending[n++]!.points;
    return this.pending.slice(0, n);
  }

  /**
   * Write-behind: the server acknowledged `entries` (an oldest() result) straight from memory. If
   * they still wait here (no commit took them meanwhile) they are let go of without a commit and
   * handed to `released` (before the next hold is asked); when nothing waits any more, every
   * durable() caller is answered. Entries a commit took meanwhile stay committed and go again from
   * the store (idempotent).
   */
  release(entries: readonly NewEntry[], released: (entries: readonly NewEntry[]) => void): void {
    if (entries.length === 0 || entries.length > this.pending.length) return;
    for (let i = 0; i < entries.length; i++) if (this.pending[i] !== entries[i]) return;
    this.pending.splice(0, entries.length);
    for (const e of entries) {
      this.pendingPoints -= e.points;
      this.pendingBytes -= e.bytes;
    }
    released(entries);
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    if (this.pending.length === 0) {
      // Nothing is left to commit: all of the open group is acknowledged (by the server).
      for (const w of this.commitWaiters.splice(0)) w(true);
      this.openCommit = undefined;
    } else this.rearm();
  }

  /**
   * Times the open group's commit again from its oldest entry, by the hold asked now: when the
   * sink has caught up (write-behind may hold what waits), or after a release.
   */
  rearm(): void {
    const oldest = this.pending[0];
    if (oldest === undefined || this.failing || !this.o.commitWindow) return;
    this.flushTimer?.cancel();
    const hold = this.o.holdFor?.() ?? this.o.commitWindow;
    this.flushTimer = this.o.clock.setTimer(Math.max(0, oldest.createdAt + hold - this.o.clock.now()), () =>
      this.flush(),
    );
  }

  /**
   * Resolves true once everything added before the call is committed (and, with synchronous=FULL,
   * fsynced): that is the acknowledgement. False only when held entries had to be dropped.
   * Never rejects.
   */
  durable(): Promise<boolean> {
    if (this.pending.length > 0) {
      this.openCommit ??= new Promise((resolve) => this.commitWaiters.push(resolve));
      return this.openCommit;
    }
    if (this.unsynced.length > 0) return new Promise((resolve) => this.unsynced.push(resolve));
    return Promise.resolve(true);
  }

  /**
   * Commits what waits in memory. Called by the timer, at stop, and for events. `sync`: fsync this
   * commit now (events, stop) even if the last sync is recent. Never throws.
   */
  flush(sync = false): void {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    // After a failed commit the retry timer commits (with backoff): the entries wait in order.
    if (this.failing) return;
    this.commitPending(sync);
  }

  /** Entries held in memory, not yet committed. */
  uncommitted(): { points: number; bytes: number; oldestAt: number | undefined } {
    return { points: this.pendingPoints, bytes: this.pendingBytes, oldestAt: this.pending[0]?.createdAt };
  }

  /** Why commits fail (since when, the last error), or undefined while they succeed. */
  get problem(): string | undefined {
    const f = this.failing;
    return f
      ? `outbox ${this.o.sink}: commits failing since ${new Date(f.since).toISOString()} (${f.attempts} attempts): ${f.reason}`
      : undefined;
  }

  /**
   * Runs bookkeeping (cursor moves, deletes of delivered rows) without an fsync of its own: losing
   * such a commit to a power cut only means the entries are sent again (at least once, idempotent
   * by timestamp). In WAL mode the next data commit's fsync covers these frames too.
   */
  relaxed<T>(fn: () => T): T {
    if (this.connectionLevel <= 1 || this.o.db.inTransaction) return fn();
    this.o.db.pragma("synchronous = NORMAL");
    try {
      return fn();
    } finally {
      this.o.db.pragma(`synchronous = ${this.connectionLevel}`);
    }
  }

  private get defersSync(): boolean {
    return this.synchronousLevel >= 2 && this.o.commitWindow > 0 && this.o.syncInterval > 0;
  }

  /** Makes every commit so far durable with one fsynced write; resolves who waited for it. */
  private sync(): void {
    this.syncTimer?.cancel();
    this.syncTimer = undefined;
    const waiters = this.unsynced;
    this.unsynced = [];
    if (waiters.length === 0) return;
    try {
      this.durably(() => this.o.touch());
    } catch (err) {
      this.o.log.error({ err, sink: this.o.sink }, "outbox sync failed");
      for (const w of waiters) w(false);
      return;
    }
    this.lastSync = this.o.clock.now();
    for (const w of waiters) w(true);
  }

  private commitPending(sync: boolean): void {
    if (this.pending.length === 0) {
      if (sync) this.sync();
      return;
    }
    const entries = this.pending;
    const waiters = this.commitWaiters;
    this.pending = [];
    this.pendingPoints = 0;
    this.pendingBytes = 0;
    this.commitWaiters = [];
    this.openCommit = undefined;
    const now = this.o.clock.now();
    const synced = !this.defersSync || sync || now - this.lastSync >= this.o.syncInterval;
    try {
      if (synced) this.durably(() => this.o.write(entries));
      else this.relaxed(() => this.o.write(entries));
    } catch (err) {
      this.pending = entries.concat(this.pending);
      this.pendingPoints += entries.reduce((n, e) => n + e.points, 0);
      this.pendingBytes += entries.reduce((n, e) => n + e.bytes, 0);
      this.commitWaiters = waiters.concat(this.commitWaiters);
      this.commitFailed(err);
      return;
    }
    if (this.failing) this.commitRecovered();
    if (!synced) {
      this.unsynced.push(...waiters);
      this.syncTimer ??= this.o.clock.setTimer(this.o.syncInterval - (now - this.lastSync), () =>
        this.sync(),
      );
      return;
    }
    this.lastSync = now;
    this.syncTimer?.cancel();
    this.syncTimer = undefined;
    const earlier = this.unsynced;
    this.unsynced = [];
    for (const w of earlier) w(true);
    for (const w of waiters) w(true);
  }

  /** A commit failed: keep the entries (bounded), count, log, and retry with backoff. */
  private commitFailed(err: unknown): void {
    this.failing ??= { since: this.o.clock.now(), attempts: 0, retry: undefined, reason: "" };
    const f = this.failing;
    f.attempts++;
    f.reason = `${(err as { code?: string }).code ?? "error"}: ${(err as Error).message ?? String(err)}`;
    this.o.metrics?.commitFailed(this.o.sink);
    this.dropOverBound();
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (f.attempts - 1));
    this.o.log.error(
      {
        err,
        sink: this.o.sink,
        attempt: f.attempts,
        heldEntries: this.pending.length,
        heldPoints: this.pendingPoints,
        retryInMs: delay,
      },
      "outbox commit failed; entries kept in memory and retried",
    );
    f.retry?.cancel();
    f.retry = this.o.clock.setTimer(delay, () => {
      f.retry = undefined;
      this.commitPending(true);
    });
  }

  private commitRecovered(): void {
    const f = this.failing!;
    this.failing = undefined;
    f.retry?.cancel();
    this.o.log.warn(
      { sink: this.o.sink, attempts: f.attempts, seconds: (this.o.clock.now() - f.since) / 1000 },
      "outbox commits again; kept entries are stored",
    );
  }

  /** Past maxHeldBytes, the oldest held entries go (the newest one always stays). */
  private dropOverBound(): void {
    const gone: NewEntry[] = [];
    while (this.pendingBytes > this.o.maxHeldBytes && this.pending.length > 1) {
      const e = this.pending.shift()!;
      this.pendingPoints -= e.points;
      this.pendingBytes -= e.bytes;
      gone.push(e);
    }
    if (gone.length === 0) return;
    this.o.dropped(gone);
    // The waiters cannot be told apart by entry: none of them is acknowledged.
    for (const w of this.commitWaiters.splice(0)) w(false);
    this.openCommit = undefined;
  }
}
