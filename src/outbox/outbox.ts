/**
 * The durable outbox of one sink, in the SQLite store (tables `outbox`, `outbox_quarantine`,
 * `outbox_cursor`; migrations 10-12). The sink calls enqueue() synchronously from the pipeline.
 * With `commitWindow` 0 the entry is committed before enqueue() returns; with a window (the
 * daemon's default, 50 ms) it joins the open group commit, which is committed as one transaction
 * and one row (entries indexed in `segments`) when the window ends or the batch reaches
 * ROW_MAX_POINTS / ROW_MAX_BYTES. durable() resolves once what was enqueued is committed and, on
 * a synchronous=FULL connection, fsynced (one fsync per `syncInterval` covers every group commit
 * before it): that is the acknowledgement; a SIGKILL or a power loss after it loses nothing.
 * The Forwarder reads entries in commit order and lets go of them only once the server
 * acknowledged them (ack): a batch read in order moves the cursor past it (its rows are deleted
 * later, in bulk, by id range, by purge()); other acknowledged entries are taken out of their
 * rows at once; a rejected line moves into the quarantine. Delivery is therefore at least once
 * and in order; points carry explicit timestamps, so a repeat overwrites. Cursor moves and
 * deletes are committed without an fsync of their own (losing one only repeats a delivery).
 *
 * Disk budget: when the backlog passes `maxBacklogBytes`, `onFull` decides: `drop-oldest`
 * (default: the dashboards want the present) deletes the oldest rows, `drop-newest` refuses the
 * new entry. Either way the points are counted (emcomm_outbox_dropped_points_total{reason="budget"})
 * and a warning is logged once per episode, with totals when it ends.
 *
 * Single-threaded: one daemon process owns a store; all calls are synchronous and short.
 */
import type { Logger } from "pino";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../store/db.ts";
import type { BacklogSource, SinkMetrics } from "./metrics.ts";

export type OnFull = "drop-oldest" | "drop-newest";

export interface OutboxOptions {
  sink: string;
  /** Backlog size (bytes of bodies) above which onFull applies. */
  maxBacklogBytes: number;
  onFull?: OnFull;
  /**
   * 0 (default): enqueue() commits before it returns. > 0: entries wait up to this many ms in
   * memory and are committed together (far fewer fsyncs; a crash loses at most this window).
   */
  commitWindow?: number;
  /**
   * With synchronous=FULL and a commitWindow: at most one fsync per this many ms (default 1000);
   * durable() resolves once the entries are fsynced. 0: every group commit is fsynced.
   */
  syncInterval?: number;
  /** Bytes held in memory while commits fail (default: maxBacklogBytes, at most 64 MiB). */
  maxHeldBytes?: number;
  clock: Clock;
  log: Logger;
  metrics?: SinkMetrics;
}

export interface OutboxEntry {
  id: number;
  key: string;
  createdAt: number;
  points: number;
  bytes: number;
  body: string;
}

export interface QuarantinedEntry {
  id: number;
  sink: string;
  quarantinedAt: number;
  status: number | null;
  reason: string;
  body: string;
}

/** Tunes a store connection for the outbox: WAL, and FULL fsyncs each commit (power-loss safe). */
export function tuneForOutbox(db: Db, synchronous: "full" | "normal" = "full"): void {
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
}

export class Outbox implements BacklogSource {
  readonly sink: string;
  /** Backlog, committed and pending. */
  private points = 0;
  private bytes = 0;
  /** Not yet committed (commitWindow > 0). */
  private pending: Pending[] = [];
  private pendingPoints = 0;
  private pendingBytes = 0;
  /** durable() callers waiting for the open group commit. */
  private commitWaiters: ((ok: boolean) => void)[] = [];
  /** durable() callers whose entries are committed but not yet fsynced (synchronous=FULL). */
  private unsynced: ((ok: boolean) => void)[] = [];
  private lastSync = Number.NEGATIVE_INFINITY;
  private syncTimer: { cancel(): void } | undefined;
  /** The connection's synchronous level (2 = FULL): bookkeeping commits run at NORMAL. */
  private readonly synchronousLevel: number;
  private flushTimer: { cancel(): void } | undefined;
  /**
   * Every entry with an id up to this was acknowledged (in order); they are deleted in bulk by
   * purge(), off the delivery path (when the forwarder is idle, or when they take much space).
   */
  private acked = 0;
  private deliveredBytes = 0;
  /** created_at of the oldest committed entry; null when it must be read again. */
  private oldestCommitted: number | undefined | null = null;
  private readonly onFull: OnFull;
  private overBudget: { since: number; dropped: number } | undefined;
  private listeners: (() => void)[] = [];
  /** Set while commits fail: since when, how many attempts, the pending retry. */
  private failing:
    | { since: number; attempts: number; reason: string; retry: { cancel(): void } | undefined }
    | undefined;
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxOptions,
  ) {
    this.sink = options.sink;
    this.onFull = options.onFull ?? "drop-oldest";
    this.synchronousLevel = Number(db.pragma("synchronous", { simple: true }));
    this.stmts = {
      insert: db.prepare(
        "INSERT INTO outbox (sink, key, created_at, points, bytes, body, segments) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      rewrite: db.prepare(
        "UPDATE outbox SET points = ?, bytes = ?, body = ?, segments = ? WHERE id = ? AND sink = ?",
      ),
      peek: db.prepare(
        "SELECT id, key, created_at AS createdAt, points, bytes, body FROM outbox WHERE sink = ? AND id > ? ORDER BY id LIMIT ?",
      ),
      cursor: db.prepare("SELECT acked_id AS id FROM outbox_cursor WHERE sink = ?"),
      setCursor: db.prepare(
        "INSERT INTO outbox_cursor (sink, acked_id) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET acked_id = excluded.acked_id",
      ),
      purge: db.prepare("DELETE FROM outbox WHERE sink = ? AND id <= ?"),
      peekRaw: db
        .prepare(
          "SELECT id, key, created_at, points, bytes, body, segments FROM outbox WHERE sink = ? AND id > ? ORDER BY id LIMIT ?",
        )
        .raw(true),
      rangeIndex: db
        .prepare("SELECT id, key, segments FROM outbox WHERE sink = ? AND id > ? AND id <= ? ORDER BY id")
        .raw(true),
      getRaw: db
        .prepare(
          "SELECT id, key, created_at, points, bytes, body, segments FROM outbox WHERE sink = ? AND id = ?",
        )
        .raw(true),
      delete: db.prepare("DELETE FROM outbox WHERE id = ? AND sink = ?"),
      deleteRange: db.prepare("DELETE FROM outbox WHERE sink = ? AND id BETWEEN ? AND ?"),
      totals: db.prepare(
        "SELECT coalesce(sum(points), 0) AS points, coalesce(sum(bytes), 0) AS bytes FROM outbox WHERE sink = ? AND id > ?",
      ),
      dropOldest: db.prepare(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sink = ? AND id > ? AND id < ? ORDER BY id LIMIT 1) RETURNING points, bytes",
      ),
      oldest: db.prepare(
        "SELECT created_at AS createdAt FROM outbox WHERE sink = ? AND id > ? ORDER BY id LIMIT 1",
      ),
      maxId: db.prepare("SELECT max(id) AS id FROM outbox WHERE sink = ?"),
      quarantine: db.prepare(
        "INSERT INTO outbox_quarantine (sink, quarantined_at, status, reason, body) VALUES (?, ?, ?, ?, ?)",
      ),
    };
    // Entries up to the cursor were delivered before a stop or a crash: purge them now.
    this.acked = (this.stmts.cursor.get(this.sink) as { id: number } | undefined)?.id ?? 0;
    this.stmts.purge.run(this.sink, this.acked);
    const totals = db
      .prepare(
        "SELECT count(*) AS n, coalesce(sum(points), 0) AS points, coalesce(sum(bytes), 0) AS bytes FROM outbox WHERE sink = ?",
      )
      .get(this.sink) as { n: number; points: number; bytes: number };
    this.points = totals.points;
    this.bytes = totals.bytes;
    this.oldestCommitted = totals.n > 0 ? null : undefined;
    if (totals.n > 0)
      options.log.info(
        { sink: this.sink, points: totals.points, bytes: totals.bytes },
        "outbox has a backlog from before; delivering it",
      );
    options.metrics?.addSource(this);
  }

  /**
   * Commits one entry (the lines of one poll outcome, or one MQTT message); with a commitWindow,
   * appends it to the open group commit (committed when the window ends, or at once when the open
   * batch reaches ROW_MAX_POINTS / ROW_MAX_BYTES). Returns false when the budget policy refused it
   * (drop-newest). `points` is how many lines/messages `body` holds. `durable()` tells when it is
   * committed.
   */
  enqueue(key: string, body: string, points: number): boolean {
    if (points <= 0) return true;
    const bytes = Buffer.byteLength(body);
    if (this.bytes + bytes > this.options.maxBacklogBytes && this.onFull === "drop-newest") {
      this.budgetDrop(points);
      return false;
    }
    this.points += points;
    this.bytes += bytes;
    const entry = { key, createdAt: this.options.clock.now(), points, bytes, body };
    this.pending.push(entry);
    this.pendingPoints += points;
    this.pendingBytes += bytes;
    if (this.failing) this.dropPendingOverBound();
    if (
      !this.options.commitWindow ||
      this.pendingPoints >= ROW_MAX_POINTS ||
      this.pendingBytes >= ROW_MAX_BYTES
    )
      this.flush();
    else this.flushTimer ??= this.options.clock.setTimer(this.options.commitWindow, () => this.flush());
    return true;
  }

  /**
   * Resolves once everything enqueued before the call is committed (true), or when that commit
   * failed (false; logged). This is what "acknowledged to the pipeline" means: an entry whose
   * durable() resolved true survives a SIGKILL (and, with synchronous=full, a power loss).
   * Never rejects.
   */
  durable(): Promise<boolean> {
    if (this.pending.length > 0) return new Promise((resolve) => this.commitWaiters.push(resolve));
    if (this.unsynced.length > 0) return new Promise((resolve) => this.unsynced.push(resolve));
    return Promise.resolve(true);
  }

  /**
   * With synchronous=FULL and a commitWindow, group commits are written without an fsync of their
   * own, and one commit per `syncInterval` (default 1 s) is fsynced, which makes every earlier one
   * durable too (WAL): a SIGKILL loses at most the open window, a power loss at most what is not
   * yet synced, and neither loses anything acknowledged, because durable() resolves only once
   * the entries are fsynced.
   */
  private get defersSync(): boolean {
    return this.synchronousLevel >= 2 && (this.options.commitWindow ?? 0) > 0 && this.syncInterval > 0;
  }

  private get syncInterval(): number {
    return this.options.syncInterval ?? 1000;
  }

  /** Makes every commit so far durable with one fsynced write; resolves who waited for it. */
  private sync(): void {
    this.syncTimer?.cancel();
    this.syncTimer = undefined;
    const waiters = this.unsynced;
    this.unsynced = [];
    if (waiters.length === 0) return;
    try {
      this.db.transaction(() => this.stmts.setCursor.run(this.sink, this.acked))();
    } catch (err) {
      this.options.log.error({ err, sink: this.sink }, "outbox sync failed");
      for (const w of waiters) w(false);
      return;
    }
    this.lastSync = this.options.clock.now();
    for (const w of waiters) w(true);
  }

  /**
   * Commits what waits in memory (commitWindow > 0). Called by the timer, at stop, and for events.
   * `sync`: fsync this commit now (events, stop) even if the last sync is recent.
   */
  flush(sync = false): void {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    // After a failed commit the retry timer commits (with backoff): the entries wait in order.
    if (this.failing) return;
    this.commitPending(sync);
  }

  /**
   * Commits the pending entries as one group commit. Never throws: a commit that fails (busy, I/O
   * error, disk full) keeps its entries in memory, in order, and is retried with backoff; durable()
   * callers wait until their entries are committed.
   */
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
    const now = this.options.clock.now();
    const synced = !this.defersSync || sync || now - this.lastSync >= this.syncInterval;
    try {
      if (synced) this.commit(entries);
      else this.relaxed(() => this.commit(entries));
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
      this.syncTimer ??= this.options.clock.setTimer(this.syncInterval - (now - this.lastSync), () =>
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
    const now = this.options.clock.now();
    this.failing ??= { since: now, attempts: 0, retry: undefined, reason: "" };
    const f = this.failing;
    f.attempts++;
    f.reason = `${(err as { code?: string }).code ?? "error"}: ${(err as Error).message ?? String(err)}`;
    this.options.metrics?.commitFailed(this.sink);
    this.dropPendingOverBound();
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (f.attempts - 1));
    this.options.log.error(
      {
        err,
        sink: this.sink,
        attempt: f.attempts,
        heldEntries: this.pending.length,
        heldPoints: this.pendingPoints,
        retryInMs: delay,
      },
      "outbox commit failed; entries kept in memory and retried",
    );
    f.retry?.cancel();
    f.retry = this.options.clock.setTimer(delay, () => {
      f.retry = undefined;
      this.commitPending(true);
    });
  }

  private commitRecovered(): void {
    const f = this.failing!;
    this.failing = undefined;
    f.retry?.cancel();
    this.options.log.warn(
      { sink: this.sink, attempts: f.attempts, seconds: (this.options.clock.now() - f.since) / 1000 },
      "outbox commits again; kept entries are stored",
    );
  }

  /**
   * What waits in memory for a store that cannot write is bounded by `maxHeldBytes`: past it the
   * oldest entries go, counted and logged as budget drops (the only other way out is quarantine).
   */
  private dropPendingOverBound(): void {
    const max = this.options.maxHeldBytes ?? Math.min(this.options.maxBacklogBytes, DEFAULT_MAX_HELD_BYTES);
    let dropped = 0;
    while (this.pendingBytes > max && this.pending.length > 1) {
      const e = this.pending.shift()!;
      this.pendingPoints -= e.points;
      this.pendingBytes -= e.bytes;
      this.points -= e.points;
      this.bytes -= e.bytes;
      dropped += e.points;
    }
    if (dropped === 0) return;
    this.budgetDrop(dropped);
    // The waiters cannot be told apart by entry: none of them is acknowledged.
    for (const w of this.commitWaiters.splice(0)) w(false);
  }

  /** Why commits fail (since when, the last error), or undefined while they succeed. */
  get commitProblem(): string | undefined {
    const f = this.failing;
    return f
      ? `outbox ${this.sink}: commits failing since ${new Date(f.since).toISOString()} (${f.attempts} attempts): ${f.reason}`
      : undefined;
  }

  /** Entries held in memory, not yet committed (metrics). */
  uncommitted(): { points: number; bytes: number } {
    return { points: this.pendingPoints, bytes: this.pendingBytes };
  }

  /**
   * One transaction: the entries go into as few rows as ROW_MAX_POINTS / ROW_MAX_BYTES allow
   * (a lone entry is a plain row; several share a row with a segments index).
   */
  private commit(entries: Pending[]): void {
    const max = this.options.maxBacklogBytes;
    this.db.transaction(() => {
      let firstId: number | bigint | undefined;
      for (let i = 0; i < entries.length; ) {
        let j = i;
        let points = 0;
        let bytes = 0;
        while (
          j < entries.length &&
          (j === i ||
            (points + entries[j]!.points <= ROW_MAX_POINTS && bytes + entries[j]!.bytes <= ROW_MAX_BYTES))
        ) {
          points += entries[j]!.points;
          bytes += entries[j]!.bytes;
          j++;
        }
        const first = entries[i]!;
        let r: { lastInsertRowid: number | bigint };
        if (j === i + 1)
          r = this.stmts.insert.run(this.sink, first.key, first.createdAt, points, bytes, first.body, null);
        else {
          const group = entries.slice(i, j);
          r = this.stmts.insert.run(
            this.sink,
            first.key,
            first.createdAt,
            points,
            bytes,
            group.map((e) => e.body).join("\n"),
            JSON.stringify(group.map((e) => [e.key, e.points, e.bytes, e.body.length])),
          );
        }
        firstId ??= r.lastInsertRowid;
        i = j;
      }
      if (this.oldestCommitted === undefined) this.oldestCommitted = entries[0]!.createdAt;
      if (this.bytes + this.deliveredBytes > max) this.purge();
      let dropped = 0;
      while (this.bytes > max) {
        const [row] = this.stmts.dropOldest.all(this.sink, this.acked, firstId) as {
          points: number;
          bytes: number;
        }[];
        if (!row) break;
        this.points -= row.points;
        this.bytes -= row.bytes;
        dropped += row.points;
        this.oldestCommitted = null;
      }
      if (dropped > 0) this.budgetDrop(dropped);
      else if (this.overBudget && this.bytes <= max * 0.9) this.budgetRecovered();
    })();
    for (const fn of this.listeners) fn();
  }

  /**
   * Runs bookkeeping (cursor moves, deletes of delivered rows) without an fsync of its own: losing
   * such a commit to a power cut only means the entries are sent again (at least once, idempotent
   * by timestamp). In WAL mode the next data commit's fsync covers these frames too.
   */
  private relaxed<T>(fn: () => T): T {
    if (this.synchronousLevel <= 1) return fn();
    this.db.pragma("synchronous = NORMAL");
    try {
      return fn();
    } finally {
      this.db.pragma(`synchronous = ${this.synchronousLevel}`);
    }
  }

  /** Called after every commit (the forwarder wakes up). */
  onEnqueue(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** The whole backlog, committed and pending (metrics, API). */
  backlog(): { points: number; bytes: number; oldestAt: number | undefined } {
    const committed = this.committed();
    return {
      points: this.points,
      bytes: this.bytes,
      oldestAt: committed.oldestAt ?? this.pending[0]?.createdAt,
    };
  }

  /** What the forwarder can send now. */
  committed(): { points: number; oldestAt: number | undefined } {
    const points = this.points - this.pendingPoints;
    if (points <= 0) return { points: 0, oldestAt: undefined };
    if (this.oldestCommitted === null || this.oldestCommitted === undefined)
      this.oldestCommitted = (
        this.stmts.oldest.get(this.sink, this.acked) as { createdAt: number } | undefined
      )?.createdAt;
    return { points, oldestAt: this.oldestCommitted };
  }

  /**
   * Entries in commit order after `afterId`, row by row, until `maxPoints` (at least one row if
   * any): the rows of a group commit are expanded into their entries (same id, one per key).
   */
  peek(maxPoints: number, maxBytes = Number.POSITIVE_INFINITY, afterId = 0): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    let points = 0;
    let bytes = 0;
    const limit = Math.max(16, Math.min(100_000, maxPoints));
    for (const row of this.stmts.peekRaw.iterate(
      this.sink,
      Math.max(afterId, this.acked),
      limit,
    ) as Iterable<RawRow>) {
      if (out.length > 0 && (points + row[3] > maxPoints || bytes + row[4] > maxBytes)) break;
      expandRow(row, out);
      points += row[3];
      bytes += row[4];
    }
    return out;
  }

  /**
   * The newest entry of every key (device) committed up to now, in commit order: what a dashboard
   * needs first after an outage when newest-state-first is configured. Reads the backlog once.
   */
  newestPerKey(): OutboxEntry[] {
    const max = (this.stmts.maxId.get(this.sink) as { id: number | null }).id;
    if (max === null) return [];
    // First the index only (no bodies): where each key's newest entry is.
    const newest = new Map<string, { id: number; segment: number }>();
    for (const [id, key, segments] of this.stmts.rangeIndex.iterate(this.sink, this.acked, max) as Iterable<
      [number, string, string | null]
    >) {
      if (segments === null) newest.set(key, { id, segment: 0 });
      else
        (JSON.parse(segments) as [string][]).forEach(([k], segment) => {
          newest.set(k, { id, segment });
        });
    }
    // Then the bodies of the rows that hold them.
    const wanted = new Map<number, Set<number>>();
    for (const { id, segment } of newest.values()) {
      const set = wanted.get(id);
      if (set) set.add(segment);
      else wanted.set(id, new Set([segment]));
    }
    const out: OutboxEntry[] = [];
    for (const id of [...wanted.keys()].sort((a, b) => a - b)) {
      const row = this.stmts.getRaw.get(this.sink, id) as RawRow | undefined;
      if (!row) continue;
      const entries: OutboxEntry[] = [];
      expandRow(row, entries);
      const segments = wanted.get(id)!;
      entries.forEach((e, i) => {
        if (segments.has(i)) out.push(e);
      });
    }
    return out;
  }

  /**
   * Lets go of delivered entries. Entries the budget already dropped are ignored. `range`: the
   * entries are a peek() result (whole rows, starting right after the cursor): the cursor moves
   * past them and the rows are deleted later, in bulk, by purge(). Otherwise each entry is taken
   * out of its row (the row is deleted when nothing is left in it).
   */
  ack(
    entries: readonly Pick<OutboxEntry, "id" | "key" | "points" | "bytes" | "body">[],
    range = false,
  ): void {
    if (entries.length === 0) return;
    this.relaxed(() =>
      this.db.transaction(() => {
        let found = true;
        if (range) {
          const last = entries.at(-1)!.id;
          if (last > this.acked) {
            this.stmts.setCursor.run(this.sink, last);
            this.acked = last;
          }
          for (const e of entries) this.deliveredBytes += e.bytes;
        } else {
          const byRow = new Map<number, Pick<OutboxEntry, "key" | "body">[]>();
          for (const e of entries) {
            const list = byRow.get(e.id);
            if (list) list.push(e);
            else byRow.set(e.id, [e]);
          }
          for (const [id, acked] of byRow) found = this.takeOut(id, acked) && found;
        }
        if (found)
          for (const e of entries) {
            this.points -= e.points;
            this.bytes -= e.bytes;
          }
        else {
          // The budget dropped some of them meanwhile: count again.
          const t = this.stmts.totals.get(this.sink, this.acked) as { points: number; bytes: number };
          this.points = t.points + this.pendingPoints;
          this.bytes = t.bytes + this.pendingBytes;
        }
        this.oldestCommitted = null;
      })(),
    );
    if (this.overBudget && this.bytes <= this.options.maxBacklogBytes * 0.9) this.budgetRecovered();
  }

  /** Removes delivered entries from one row; false when some of them were no longer there. */
  private takeOut(id: number, acked: Pick<OutboxEntry, "key" | "body">[]): boolean {
    const row = this.stmts.getRaw.get(this.sink, id) as RawRow | undefined;
    if (!row) return false;
    const rest: OutboxEntry[] = [];
    expandRow(row, rest);
    let missing = acked.length;
    for (const a of acked) {
      const i = rest.findIndex((e) => e.key === a.key && e.body === a.body);
      if (i >= 0) {
        rest.splice(i, 1);
        missing--;
      }
    }
    if (rest.length === 0) this.stmts.delete.run(id, this.sink);
    else
      this.stmts.rewrite.run(
        rest.reduce((n, e) => n + e.points, 0),
        rest.reduce((n, e) => n + e.bytes, 0),
        rest.map((e) => e.body).join("\n"),
        rest.length === 1 ? null : JSON.stringify(rest.map((e) => [e.key, e.points, e.bytes, e.body.length])),
        id,
        this.sink,
      );
    return missing === 0;
  }

  /** Deletes the rows before the cursor (delivered), by id range. Called when idle and when they take space. */
  purge(): void {
    if (this.deliveredBytes === 0) return;
    if (this.db.inTransaction) this.stmts.purge.run(this.sink, this.acked);
    else this.relaxed(() => this.stmts.purge.run(this.sink, this.acked));
    this.deliveredBytes = 0;
  }

  /** Bytes of delivered entries still on disk (purge() frees them). */
  get delivered(): number {
    return this.deliveredBytes;
  }

  /** Keeps a line (or message) the server rejected as malformed, with its answer. */
  quarantine(body: string, status: number | undefined, reason: string): void {
    this.stmts.quarantine.run(
      this.sink,
      this.options.clock.now(),
      status ?? null,
      reason.slice(0, 2000),
      body,
    );
    this.options.metrics?.drop(this.sink, "quarantined", 1);
  }

  private budgetDrop(points: number): void {
    this.options.metrics?.drop(this.sink, "budget", points);
    if (!this.overBudget) {
      this.overBudget = { since: this.options.clock.now(), dropped: 0 };
      this.options.log.warn(
        { sink: this.sink, maxBacklogBytes: this.options.maxBacklogBytes, policy: this.onFull },
        "outbox disk budget full: dropping points",
      );
    }
    this.overBudget.dropped += points;
  }

  private budgetRecovered(): void {
    const o = this.overBudget!;
    this.overBudget = undefined;
    this.options.log.warn(
      { sink: this.sink, dropped: o.dropped, seconds: (this.options.clock.now() - o.since) / 1000 },
      "outbox back under its disk budget",
    );
  }
}

/** A row as peekRaw/getRaw read it: id, key, created_at, points, bytes, body, segments. */
type RawRow = [number, string, number, number, number, string, string | null];

interface Pending {
  key: string;
  createdAt: number;
  points: number;
  bytes: number;
  body: string;
}

/** A failed commit is retried after 100 ms, then twice as long each time, up to 10 s. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 10_000;
const DEFAULT_MAX_HELD_BYTES = 64 * 1024 * 1024;

/** A group commit's row holds at most this many points (lines, messages)... */
export const ROW_MAX_POINTS = 5000;
/** ...and this many bytes of bodies; an open batch that reaches either is committed at once. */
export const ROW_MAX_BYTES = 1024 * 1024;

/** Appends the entries of a row to `out`: one for a plain row, one per segment for a group commit. */
function expandRow(row: RawRow, out: OutboxEntry[]): void {
  const [id, key, createdAt, points, bytes, body, segments] = row;
  if (segments === null) {
    out.push({ id, key, createdAt, points, bytes, body });
    return;
  }
  let at = 0;
  for (const [k, p, b, chars] of JSON.parse(segments) as [string, number, number, number][]) {
    out.push({ id, key: k, createdAt, points: p, bytes: b, body: body.slice(at, at + chars) });
    at += chars + 1;
  }
}

/** Rejected entries of a sink (or all), newest first: for the API and `emcomm outbox quarantine`. */
export function listQuarantine(db: Db, sink?: string, limit = 100): QuarantinedEntry[] {
  const sql = `SELECT id, sink, quarantined_at AS quarantinedAt, status, reason, body FROM outbox_quarantine
    ${sink ? "WHERE sink = ?" : ""} ORDER BY id DESC LIMIT ?`;
  const args = sink ? [sink, limit] : [limit];
  return db.prepare(sql).all(...args) as QuarantinedEntry[];
}
