/**
 * The durable outbox of one sink, in the SQLite store (tables `outbox`, `outbox_quarantine`,
 * `outbox_cursor`; migrations 10-11). The sink calls enqueue() synchronously from the pipeline:
 * when it returns, the entry is committed (WAL; with synchronous=FULL also fsynced), so a SIGKILL
 * or a power loss after that loses nothing. The Forwarder reads entries in commit order and lets
 * go of them only once the server acknowledged them (ack): a batch read in order moves the
 * cursor past it (its rows are deleted later, in bulk, by purge()); other acknowledged entries are
 * deleted at once; a rejected line moves into the quarantine. Delivery is therefore at least
 * once and in order; points carry explicit timestamps, so a repeat overwrites.
 *
 * Disk budget: when the backlog passes `maxBacklogBytes`, `onFull` decides: `drop-oldest`
 * (default: the dashboards want the present) deletes the oldest entries, `drop-newest` refuses the
 * new one. Either way the points are counted (emcomm_outbox_dropped_points_total{reason="budget"})
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
  private pending: { key: string; createdAt: number; points: number; bytes: number; body: string }[] = [];
  private pendingPoints = 0;
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
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxOptions,
  ) {
    this.sink = options.sink;
    this.onFull = options.onFull ?? "drop-oldest";
    this.stmts = {
      insert: db.prepare(
        "INSERT INTO outbox (sink, key, created_at, points, bytes, body) VALUES (?, ?, ?, ?, ?, ?)",
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
          "SELECT id, key, created_at, points, bytes, body FROM outbox WHERE sink = ? AND id > ? ORDER BY id LIMIT ?",
        )
        .raw(true),
      get: db.prepare(
        "SELECT id, key, created_at AS createdAt, points, bytes, body FROM outbox WHERE sink = ? AND id = ?",
      ),
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
      newestPerKey: db.prepare(
        "SELECT max(id) AS id FROM outbox WHERE sink = ? AND id > ? AND id <= ? GROUP BY key",
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
   * queues it for the next group commit. Returns false when the budget policy refused it
   * (drop-newest). `points` is how many lines/messages `body` holds.
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
    if (!this.options.commitWindow) {
      this.commit([entry]);
      return true;
    }
    this.pending.push(entry);
    this.pendingPoints += points;
    this.flushTimer ??= this.options.clock.setTimer(this.options.commitWindow, () => this.flush());
    return true;
  }

  /** Commits what waits in memory (commitWindow > 0). Called by the timer and at stop. */
  flush(): void {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    this.pendingPoints = 0;
    this.commit(entries);
  }

  private commit(
    entries: { key: string; createdAt: number; points: number; bytes: number; body: string }[],
  ): void {
    const max = this.options.maxBacklogBytes;
    this.db.transaction(() => {
      let firstId: number | bigint | undefined;
      for (const e of entries) {
        const r = this.stmts.insert.run(this.sink, e.key, e.createdAt, e.points, e.bytes, e.body);
        firstId ??= r.lastInsertRowid;
      }
      if (this.oldestCommitted === undefined) this.oldestCommitted = entries[0]!.createdAt;
      if (this.bytes + this.deliveredBytes > max) this.purge();
      let dropped = 0;
      while (this.bytes > max) {
        const row = this.stmts.dropOldest.get(this.sink, this.acked, firstId) as
          | { points: number; bytes: number }
          | undefined;
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

  /** Entries in commit order after `afterId`, until `maxPoints` (at least one entry if any). */
  peek(maxPoints: number, maxBytes = Number.POSITIVE_INFINITY, afterId = 0): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    let points = 0;
    let bytes = 0;
    const limit = Math.max(16, Math.min(100_000, maxPoints));
    for (const row of this.stmts.peekRaw.iterate(this.sink, Math.max(afterId, this.acked), limit) as Iterable<
      [number, string, number, number, number, string]
    >) {
      if (out.length > 0 && (points + row[3] > maxPoints || bytes + row[4] > maxBytes)) break;
      out.push({ id: row[0], key: row[1], createdAt: row[2], points: row[3], bytes: row[4], body: row[5] });
      points += row[3];
      bytes += row[4];
    }
    return out;
  }

  /**
   * The newest entry of every key (device) committed up to now, oldest first: what a dashboard
   * needs first after an outage when newest-state-first is configured.
   */
  newestPerKey(): OutboxEntry[] {
    const max = (this.stmts.maxId.get(this.sink) as { id: number | null }).id;
    if (max === null) return [];
    const ids = (this.stmts.newestPerKey.all(this.sink, this.acked, max) as { id: number }[]).map(
      (r) => r.id,
    );
    ids.sort((a, b) => a - b);
    return ids.map((id) => this.stmts.get.get(this.sink, id) as OutboxEntry).filter(Boolean);
  }

  /**
   * Deletes delivered entries. Entries the budget already dropped are ignored. `range`: the ids
   * are a peek() result, so every entry of this sink from the first to the last is among them.
   */
  ack(entries: readonly Pick<OutboxEntry, "id" | "points" | "bytes">[], range = false): void {
    if (entries.length === 0) return;
    this.db.transaction(() => {
      let deleted = 0;
      if (range) {
        // A batch from peek() (it starts right after the cursor): move the cursor past it. The
        // entries are deleted later by purge(), off the delivery path.
        const last = entries.at(-1)!.id;
        if (last > this.acked) {
          this.stmts.setCursor.run(this.sink, last);
          this.acked = last;
        }
        deleted = entries.length;
        for (const e of entries) this.deliveredBytes += e.bytes;
      } else for (const e of entries) deleted += this.stmts.delete.run(e.id, this.sink).changes;
      if (deleted === entries.length)
        for (const e of entries) {
          this.points -= e.points;
          this.bytes -= e.bytes;
        }
      else {
        // The budget dropped some of them meanwhile: count again.
        const t = this.stmts.totals.get(this.sink, this.acked) as { points: number; bytes: number };
        this.points = t.points + this.pendingPoints;
        this.bytes = t.bytes + this.pending.reduce((n, p) => n + p.bytes, 0);
      }
      this.oldestCommitted = null;
    })();
    if (this.overBudget && this.bytes <= this.options.maxBacklogBytes * 0.9) this.budgetRecovered();
  }

  /** Deletes the entries before the cursor (delivered). Called when idle and when they take space. */
  purge(): void {
    if (this.deliveredBytes === 0) return;
    this.stmts.purge.run(this.sink, this.acked);
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

/** Rejected entries of a sink (or all), newest first: for the API and `emcomm outbox quarantine`. */
export function listQuarantine(db: Db, sink?: string, limit = 100): QuarantinedEntry[] {
  const sql = `SELECT id, sink, quarantined_at AS quarantinedAt, status, reason, body FROM outbox_quarantine
    ${sink ? "WHERE sink = ?" : ""} ORDER BY id DESC LIMIT ?`;
  const args = sink ? [sink, limit] : [limit];
  return db.prepare(sql).all(...args) as QuarantinedEntry[];
}
