/**
 * The durable outbox of one sink, in the SQLite store (tables `outbox`, `outbox_quarantine`,
 * `outbox_cursor`; migrations 10-12): the queue (enqueue, acknowledge, budget). The pacing of
 * group commits is group-commit.ts, the row format rows.ts. The sink calls enqueue() synchronously
 * from the pipeline.
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
 * With `writeBehind`, while nothing committed waits, entries wait in memory that long and the
 * Forwarder sends them from there (held, oldestHeld, release): what the server acknowledges in
 * time is never written; the rest is committed as above.
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
import { GroupCommit } from "./group-commit.ts";
import type { BacklogSource, SinkMetrics } from "./metrics.ts";
import {
  type Body,
  expandRow,
  type NewEntry,
  type OutboxEntry,
  packRows,
  type RawRow,
  segmentsOf,
} from "./rows.ts";

export type { OutboxEntry } from "./rows.ts";
export { ROW_MAX_BYTES, ROW_MAX_POINTS } from "./rows.ts";

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
  /** The fsync level of the outbox's commits (default: the connection's); see GroupCommit. */
  synchronous?: "full" | "normal";
  /**
   * Write-behind, ms (0, the default: off). While the sink is caught up (nothing committed waits),
   * entries wait in memory this long instead of commitWindow, and the forwarder sends them from
   * there (held, release): what the server acknowledges in time is never written to the store.
   * Whatever is not acknowledged by then, or is enqueued while a committed backlog waits, is
   * committed as usual. Must exceed the forwarder's flushInterval to save anything.
   */
  writeBehind?: number;
  /** Bytes held in memory while commits fail (default: maxBacklogBytes, at most 64 MiB). */
  maxHeldBytes?: number;
  clock: Clock;
  log: Logger;
  metrics?: SinkMetrics;
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
  /** Entries not yet committed wait here, paced into group commits. */
  private readonly group: GroupCommit;
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
    this.group = new GroupCommit({
      sink: this.sink,
      db,
      clock: options.clock,
      log: options.log,
      metrics: options.metrics,
      commitWindow: options.commitWindow ?? 0,
      syncInterval: options.syncInterval ?? 1000,
      synchronous: options.synchronous,
      maxHeldBytes: options.maxHeldBytes ?? Math.min(options.maxBacklogBytes, DEFAULT_MAX_HELD_BYTES),
      write: (entries) => this.commit(entries),
      holdFor: () => (this.writesBehind() ? options.writeBehind! : (options.commitWindow ?? 0)),
      touch: () => this.db.transaction(() => this.stmts.setCursor.run(this.sink, this.acked))(),
      dropped: (entries) => {
        let points = 0;
        for (const e of entries) {
          points += e.points;
          this.points -= e.points;
          this.bytes -= e.bytes;
        }
        this.budgetDrop(points);
      },
    });
    options.metrics?.addSource(this);
  }

  /**
   * Commits one entry (the lines of one poll outcome, or one MQTT message); with a commitWindow,
   * appends it to the open group commit (committed when the window ends, or at once when the open
   * batch reaches ROW_MAX_POINTS / ROW_MAX_BYTES). Returns false when the budget policy refused it
   * (drop-newest). `points` is how many lines/messages `body` holds, `bytes` its UTF-8 length
   * (given by a caller that knows it already), `createdAt` when it was recorded (a caller that
   * encodes later says when; the hold in memory counts from then). `durable()` tells when it is
   * committed.
   */
  enqueue(
    key: string,
    body: Body,
    points: number,
    bytes = Buffer.byteLength(body),
    createdAt = this.options.clock.now(),
  ): boolean {
    if (points <= 0) return true;
    if (this.bytes + bytes > this.options.maxBacklogBytes && this.onFull === "drop-newest") {
      this.budgetDrop(points);
      return false;
    }
    this.points += points;
    this.bytes += bytes;
    const first = this.group.uncommitted().points === 0;
    this.group.add({ key, createdAt, points, bytes, body });
    // Write-behind: the forwarder learns of the first entry of a group (it sends them from memory).
    if (first && this.options.writeBehind) for (const fn of this.listeners) fn();
    return true;
  }

  /** Write-behind is on and nothing committed waits: new entries may go from memory. */
  writesBehind(): boolean {
    return (this.options.writeBehind ?? 0) > 0 && this.points === this.group.uncommitted().points;
  }

  /**
   * Write-behind: the entries waiting in memory that the forwarder may send from there (none while
   * a committed backlog waits: it goes first, in order), with the age of the oldest.
   */
  held(): { points: number; oldestAt: number | undefined } {
    if (!this.writesBehind()) return { points: 0, oldestAt: undefined };
    const { points, oldestAt } = this.group.uncommitted();
    return { points, oldestAt };
  }

  /** Write-behind: the oldest entries waiting in memory, up to `maxPoints` (see held). */
  oldestHeld(maxPoints: number): NewEntry[] {
    return this.group.oldest(maxPoints);
  }

  /**
   * Write-behind: the server acknowledged these oldestHeld() entries. Those still in memory are
   * let go of without touching the store; those committed meanwhile stay and go again (idempotent).
   */
  release(entries: readonly NewEntry[]): void {
    this.group.release(entries, (released) => {
      for (const e of released) {
        this.points -= e.points;
        this.bytes -= e.bytes;
      }
    });
  }

  /**
   * Resolves once everything enqueued before the call is committed (and with synchronous=FULL
   * fsynced), or acknowledged by the server from memory (writeBehind): what "acknowledged to the
   * pipeline" means; such an entry survives a SIGKILL (and,
   * with synchronous=full, a power loss). Never rejects.
   */
  durable(): Promise<boolean> {
    return this.group.durable();
  }

  /**
   * Commits what waits in memory (commitWindow > 0). Called by the timer, at stop, and for events.
   * `sync`: fsync this commit now (events, stop) even if the last sync is recent. Never throws: a
   * failed commit keeps its entries and is retried (group-commit.ts).
   */
  flush(sync = false): void {
    this.group.flush(sync);
  }

  /** Why commits fail (since when, the last error), or undefined while they succeed. */
  get commitProblem(): string | undefined {
    return this.group.problem;
  }

  /** Entries held in memory, not yet committed (metrics). */
  uncommitted(): { points: number; bytes: number } {
    const { points, bytes } = this.group.uncommitted();
    return { points, bytes };
  }

  /**
   * One transaction: the entries go into as few rows as ROW_MAX_POINTS / ROW_MAX_BYTES allow
   * (a lone entry is a plain row; several share a row with a segments index).
   */
  private commit(entries: NewEntry[]): void {
    const max = this.options.maxBacklogBytes;
    this.db.transaction(() => {
      let firstId: number | bigint | undefined;
      for (const row of packRows(entries)) {
        const r = this.stmts.insert.run(
          this.sink,
          row.key,
          row.createdAt,
          row.points,
          row.bytes,
          row.body,
          row.segments,
        );
        firstId ??= r.lastInsertRowid;
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
      oldestAt: committed.oldestAt ?? this.group.uncommitted().oldestAt,
    };
  }

  /** What the forwarder can send now. */
  committed(): { points: number; oldestAt: number | undefined } {
    const points = this.points - this.group.uncommitted().points;
    if (points <= 0) return { points: 0, oldestAt: undefined };
    if (this.oldestCommitted === null || this.oldestCommitted === undefined)
      this.oldestCommitted = (
        this.stmts.oldest.get(this.sink, this.acked) as { createdAt: number } | undefined
      )?.createdAt;
    return { points, oldestAt: this.oldestCommitted };
  }

  /**
   * Entries in commit order after `afterId`, row by row, until `maxPoints` (at least one row if
   * any): the rows of a group commit are expanded into their entries (same id, one per key), or
   * with `wholeRows` read as one entry each (the key of its first entry, its whole body): for a
   * sink whose bodies can be sent joined (lines), which then reads no segments index.
   */
  peek(
    maxPoints: number,
    maxBytes = Number.POSITIVE_INFINITY,
    afterId = 0,
    wholeRows = false,
  ): OutboxEntry[] {
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
      if (wholeRows)
        out.push({ id: row[0], key: row[1], createdAt: row[2], points: row[3], bytes: row[4], body: row[5] });
      else expandRow(row, out);
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
    this.group.relaxed(() =>
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
          const held = this.group.uncommitted();
          this.points = t.points + held.points;
          this.bytes = t.bytes + held.bytes;
        }
        this.oldestCommitted = null;
      })(),
    );
    if (this.overBudget && this.bytes <= this.options.maxBacklogBytes * 0.9) this.budgetRecovered();
    // Caught up: what waits in memory may now be held for write-behind.
    if (this.writesBehind()) this.group.rearm();
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
        rest.length === 1 ? null : segmentsOf(rest),
        id,
        this.sink,
      );
    return missing === 0;
  }

  /** Deletes the rows before the cursor (delivered), by id range. Called when idle and when they take space. */
  purge(): void {
    if (this.deliveredBytes === 0) return;
    if (this.db.inTransaction) this.stmts.purge.run(this.sink, this.acked);
    else this.group.relaxed(() => this.stmts.purge.run(this.sink, this.acked));
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

/** What a store that cannot write may hold in memory by default (see maxHeldBytes). */
const DEFAULT_MAX_HELD_BYTES = 64 * 1024 * 1024;

/** Rejected entries of a sink (or all), newest first: for the API and `emcomm outbox quarantine`. */
export function listQuarantine(db: Db, sink?: string, limit = 100): QuarantinedEntry[] {
  const sql = `SELECT id, sink, quarantined_at AS quarantinedAt, status, reason, body FROM outbox_quarantine
    ${sink ? "WHERE sink = ?" : ""} ORDER BY id DESC LIMIT ?`;
  const args = sink ? [sink, limit] : [limit];
  return db.prepare(sql).all(...args) as QuarantinedEntry[];
}
