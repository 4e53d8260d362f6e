/**
 * Drains one Outbox into one server, one batch at a time (so order is kept), for as long as the
 * daemon runs. Batches close at `batchSize` points or when the oldest entry is `flushInterval`
 * old. A batch is deleted from the outbox only after the transport reports it acknowledged.
 *
 * - Retryable failures (timeouts, refused connections, 5xx, 429, auth and missing-bucket errors,
 *   which need an operator, not a drop) are retried with exponential backoff and full jitter
 *   between `initialBackoff` and `maxBackoff`; a server's Retry-After wins when it is given.
 * - A batch the server rejects as malformed (4xx) is split in halves and each half sent again,
 *   down to single lines; a single rejected line goes into the quarantine with the server's
 *   answer and the rest flows. Halves that were already written are idempotent on resend.
 * - Store-and-forward: `bandwidth` (bytes/s, on the wire, after gzip) spaces the sends so a
 *   drain does not take the whole satellite uplink; `newestFirst` sends the newest entry of each
 *   device first when a backlog is found, then the history in order.
 *
 * Time comes from the Clock; the loop never throws (failures are counted and logged, once per
 * episode at warn, recovery at info).
 */
import type { Logger } from "pino";
import { type Clock, sleep } from "../core/clock.ts";
import type { SinkMetrics, WriteErrorKind } from "./metrics.ts";
import type { Outbox, OutboxEntry } from "./outbox.ts";
import { type Body, bodyText } from "./rows.ts";

/** What goes into a request: an entry's body (one or more lines) and how many points it holds. */
interface Item {
  body: Body;
  points: number;
}

export interface SendFailure {
  ok: false;
  /** false: the server rejected the items as malformed; they will never be accepted. */
  retryable: boolean;
  kind: WriteErrorKind;
  status?: number;
  message: string;
  retryAfterMs?: number;
  bytes: number;
}

export type SendResult = { ok: true /** bytes put on the wire */; bytes: number } | SendFailure;

/** Writes a batch of items (lines, messages) to a server. Never throws: failures are results. */
export interface BatchTransport {
  send(items: readonly Body[], signal: AbortSignal): Promise<SendResult>;
}

export interface ForwarderOptions {
  outbox: Outbox;
  transport: BatchTransport;
  /**
   * Splits an entry's body into the smallest items the server can reject one by one (lines for
   * InfluxDB; an MQTT body is one message). Used only to isolate a rejected item.
   */
  split(body: string): string[];
  /**
   * Bodies may be sent joined by "\n" (lines): a batch read in commit order is sent as whole rows,
   * without taking group commits apart into their entries.
   */
  joinable?: boolean;
  clock: Clock;
  log: Logger;
  metrics?: SinkMetrics;
  batchSize: number;
  /** Upper bound of a batch's uncompressed bytes. */
  maxBatchBytes?: number;
  flushInterval: number;
  /** Bytes per second on the wire while draining; 0 = unlimited. */
  bandwidth?: number;
  newestFirst?: boolean;
  /**
   * Requests in flight at once while a backlog of more than one batch drains (entries spread
   * over lanes by key, so each series stays in order). 1 = strictly one batch at a time.
   */
  lanes?: number;
  initialBackoff?: number;
  maxBackoff?: number;
  random?: () => number;
}

export class Forwarder {
  private running = false;
  private loop: Promise<void> | undefined;
  /** Aborted at stop(): ends waits and backoff sleeps at once. */
  private readonly stopping = new AbortController();
  /** Aborted `graceMs` after stop(): ends the send in flight. */
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  /** While waiting for a batch to fill: wake on a commit only when this holds. */
  private wakeIf: (() => boolean) | undefined;
  private nextSendAt = 0;
  private failures = 0;
  private failingSince: number | undefined;
  private caughtUp = true;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: ForwarderOptions) {
    o.outbox.onEnqueue(() => {
      if (this.wake && (!this.wakeIf || this.wakeIf())) this.wake();
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((err) =>
      this.o.log.error({ err, sink: this.o.outbox.sink }, "forwarder stopped"),
    );
  }

  /** Stops after the batch in flight, waiting at most `graceMs` before aborting it. Unsent entries stay. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping.abort(new Error("forwarder stopping"));
    this.wake?.();
    const timer = this.o.clock.setTimer(graceMs, () => this.abort.abort(new Error("forwarder stopped")));
    await this.loop;
    timer.cancel();
  }

  /** Resolves when the backlog is empty (for tests and the bench). */
  idle(): Promise<void> {
    if (this.o.outbox.backlog().points === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    const { outbox, clock } = this.o;
    while (this.running) {
      const backlog = outbox.committed();
      if (backlog.points === 0) {
        const held = outbox.held();
        if (held.points > 0) {
          // Write-behind: caught up, so the batch goes from memory, without touching the store.
          const age = clock.now() - (held.oldestAt ?? clock.now());
          if (held.points < this.o.batchSize && age < this.o.flushInterval)
            await this.waitFor(this.o.flushInterval - age, () => outbox.committed().points > 0);
          else await this.deliverHeld();
          continue;
        }
        this.caughtUp = true;
        outbox.purge();
        if (outbox.backlog().points === 0) for (const fn of this.idleWaiters.splice(0)) fn();
        await this.waitFor(undefined);
        continue;
      }
      const age = clock.now() - (backlog.oldestAt ?? clock.now());
      if (backlog.points < this.o.batchSize && age < this.o.flushInterval) {
        await this.waitFor(this.o.flushInterval - age, () => outbox.committed().points >= this.o.batchSize);
        continue;
      }
      if (this.o.newestFirst && this.caughtUp && age > Math.max(10_000, 3 * this.o.flushInterval)) {
        // A backlog (the link was down): bring every device's present state first.
        const newest = outbox.newestPerKey();
        let delivered = true;
        for (let i = 0; i < newest.length && this.running && delivered; ) {
          const batch = this.take(newest, i);
          delivered = await this.deliver(batch, false);
          i += batch.length;
        }
        if (delivered) this.caughtUp = false;
        continue;
      }
      const lanes = Math.min(this.o.lanes ?? 1, Math.ceil(backlog.points / this.o.batchSize));
      if (lanes <= 1)
        await this.deliver(outbox.peek(this.o.batchSize, this.o.maxBatchBytes, 0, this.o.joinable), true);
      else await this.drainLanes(lanes);
    }
    this.o.outbox.purge();
  }

  /**
   * A large backlog, drained without pauses: chunks are read in commit order from the cursor and
   * spread over `lanes` by key (device); each lane is a worker that sends its batches one at a
   * time, in order, and reads the next chunk when it runs dry, so requests stay in flight while
   * SQLite is read. A lane's last, partial batch of a chunk is carried over and filled from the
   * next chunk (no small requests at chunk seams); it is sent as it is when the lane has nothing
   * else. A chunk is acknowledged (the cursor moves past it) once every batch holding entries of
   * it is through, in chunk order. At the first failure every lane stops; what was delivered of
   * the open chunks is taken out of the outbox entry by entry, and the loop backs off and starts
   * again from the cursor.
   */
  private async drainLanes(lanes: number): Promise<void> {
    interface Chunk {
      entries: OutboxEntry[];
      /** Batches (queued, carried or in flight) holding entries of this chunk. */
      remaining: number;
      delivered: OutboxEntry[];
    }
    interface Batch {
      entries: OutboxEntry[];
      points: number;
      chunks: Chunk[];
    }
    const chunks: Chunk[] = [];
    const queues: Batch[][] = Array.from({ length: lanes }, () => []);
    const carry: (Batch | undefined)[] = Array.from({ length: lanes }, () => undefined);
    let afterId = 0;
    let exhausted = false;
    let failure: SendFailure | "aborted" | undefined;
    let changed: () => void = () => {};
    let change = new Promise<void>((r) => {
      changed = r;
    });
    const signal = () => {
      changed();
      change = new Promise<void>((r) => {
        changed = r;
      });
    };
    const size = this.o.batchSize;
    const refill = () => {
      while (!exhausted && failure === undefined && this.running && chunks.length < LANE_DEPTH) {
        const entries = this.o.outbox.peek(size * lanes, undefined, afterId);
        if (entries.length === 0) {
          exhausted = true;
          break;
        }
        afterId = entries.at(-1)!.id;
        const chunk: Chunk = { entries, remaining: 0, delivered: [] };
        chunks.push(chunk);
        for (const e of entries) {
          const lane = laneOf(e.key, lanes);
          let batch = carry[lane];
          if (batch && batch.entries.length > 0 && batch.points + e.points > size) {
            queues[lane]!.push(batch);
            batch = undefined;
          }
          if (!batch) {
            batch = { entries: [], points: 0, chunks: [] };
            carry[lane] = batch;
          }
          if (batch.chunks.at(-1) !== chunk) {
            batch.chunks.push(chunk);
            chunk.remaining++;
          }
          batch.entries.push(e);
          batch.points += e.points;
        }
        signal();
      }
    };
    const complete = () => {
      while (chunks.length > 0 && chunks[0]!.remaining === 0)
        this.o.outbox.ack(chunks.shift()!.entries, true);
      // A long drain: free the space of what was delivered now and then.
      if (this.o.outbox.delivered > PURGE_DURING_DRAIN_BYTES) this.o.outbox.purge();
    };
    const next = (lane: number): Batch | undefined => {
      let batch = queues[lane]!.shift();
      if (batch) return batch;
      refill();
      batch = queues[lane]!.shift();
      if (batch) return batch;
      batch = carry[lane];
      carry[lane] = undefined;
      return batch;
    };
    const worker = async (lane: number) => {
      while (failure === undefined && this.running) {
        const batch = next(lane);
        if (!batch) {
          if (exhausted && queues.every((q) => q.length === 0) && carry.every((c) => c === undefined)) return;
          await change;
          continue;
        }
        const result = await this.sendSplitting(batch.entries);
        if (result !== "done") {
          failure ??= result;
          signal();
          return;
        }
        for (const e of batch.entries) {
          // The entry's chunk: the batch's chunks hold its entries in order.
          for (const c of batch.chunks)
            if (e.id >= c.entries[0]!.id && e.id <= c.entries.at(-1)!.id) {
              c.delivered.push(e);
              break;
            }
        }
        for (const c of batch.chunks) c.remaining--;
        complete();
        signal();
      }
    };
    refill();
    await Promise.all(Array.from({ length: lanes }, (_, lane) => worker(lane)));
    complete();
    // Chunks left open (a failure or a stop): take out what of them was delivered.
    const delivered = chunks.flatMap((c) => c.delivered);
    if (delivered.length > 0) this.o.outbox.ack(delivered, false);
    if (failure === undefined) {
      this.recovered();
      return;
    }
    if (failure === "aborted" || !this.running) return;
    await sleep(this.o.clock, this.backoff(failure), this.stopping.signal).catch(() => {});
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.o.log.info(
      {
        sink: this.o.outbox.sink,
        failures: this.failures,
        seconds: (this.o.clock.now() - (this.failingSince ?? this.o.clock.now())) / 1000,
      },
      "sink delivering again",
    );
    this.failures = 0;
    this.failingSince = undefined;
  }

  private take(entries: OutboxEntry[], from: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    let points = 0;
    for (let i = from; i < entries.length; i++) {
      if (out.length > 0 && points + entries[i]!.points > this.o.batchSize) break;
      out.push(entries[i]!);
      points += entries[i]!.points;
    }
    return out;
  }

  /**
   * Sends the entries once. Returns true when they are acknowledged (and deleted); false after a
   * failure, once the backoff delay has passed (the caller picks the next batch again).
   */
  private async deliver(entries: OutboxEntry[], contiguous: boolean): Promise<boolean> {
    if (entries.length === 0) return true;
    // Entry bodies go out as they are (joined by the transport); split only if rejected.
    const result = await this.sendSplitting(entries);
    if (result === "done") {
      this.o.outbox.ack(entries, contiguous);
      this.recovered();
      return true;
    }
    if (result === "aborted" || !this.running) return false;
    await sleep(this.o.clock, this.backoff(result), this.stopping.signal).catch(() => {});
    return false;
  }

  /**
   * Write-behind: sends the oldest entries waiting in memory; once acknowledged they are let go of.
   * After a failure they are committed at once (and retried from the store after the backoff).
   */
  private async deliverHeld(): Promise<void> {
    const entries = this.o.outbox.oldestHeld(this.o.batchSize);
    const result = await this.sendSplitting(entries);
    if (result === "done") {
      this.o.outbox.release(entries);
      this.recovered();
      return;
    }
    this.o.outbox.flush();
    if (result === "aborted" || !this.running) return;
    await sleep(this.o.clock, this.backoff(result), this.stopping.signal).catch(() => {});
  }

  /** "done" when every item is written or quarantined; otherwise the failure to back off from. */
  private async sendSplitting(items: readonly Item[]): Promise<"done" | "aborted" | SendFailure> {
    const result = await this.send(items);
    if (result === "aborted") return result;
    if (result.ok) return "done";
    if (result.retryable) return result;
    if (items.length === 1) {
      const item = items[0]!;
      if (item.points > 1)
        return this.sendSplitting(this.o.split(bodyText(item.body)).map((body) => ({ body, points: 1 })));
      this.o.outbox.quarantine(bodyText(item.body), result.status, result.message);
      this.o.log.warn(
        { sink: this.o.outbox.sink, status: result.status, reason: result.message.slice(0, 300) },
        "server rejected a point; quarantined",
      );
      return "done";
    }
    const half = Math.ceil(items.length / 2);
    for (const part of [items.slice(0, half), items.slice(half)]) {
      const r = await this.sendSplitting(part);
      if (r !== "done") return r;
    }
    return "done";
  }

  private async send(items: readonly Item[]): Promise<"aborted" | SendResult> {
    const { clock, bandwidth } = this.o;
    if (bandwidth && bandwidth > 0) {
      const wait = this.nextSendAt - clock.now();
      if (wait > 0)
        try {
          await sleep(clock, wait, this.stopping.signal);
        } catch {
          return "aborted";
        }
    }
    const result = await this.o.transport.send(
      items.map((i) => i.body),
      this.abort.signal,
    );
    if (bandwidth && bandwidth > 0)
      this.nextSendAt = Math.max(this.nextSendAt, clock.now()) + (result.bytes * 1000) / bandwidth;
    if (result.ok)
      this.o.metrics?.wrote(
        this.o.outbox.sink,
        items.reduce((n, i) => n + i.points, 0),
      );
    else {
      if (this.abort.signal.aborted) return "aborted";
      this.o.metrics?.writeError(this.o.outbox.sink, result.kind);
    }
    return result;
  }

  private backoff(failure: SendFailure): number {
    const initial = this.o.initialBackoff ?? 1000;
    const max = this.o.maxBackoff ?? 60_000;
    const random = this.o.random ?? Math.random;
    this.failures++;
    if (this.failures === 1) {
      this.failingSince = this.o.clock.now();
      this.o.log.warn(
        {
          sink: this.o.outbox.sink,
          kind: failure.kind,
          status: failure.status,
          reason: failure.message.slice(0, 300),
        },
        "sink write failed; keeping the backlog and retrying",
      );
    }
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > 0)
      return Math.min(failure.retryAfterMs, 3_600_000);
    const ceiling = Math.min(max, initial * 2 ** Math.min(this.failures - 1, 30));
    return Math.max(initial / 2, ceiling * random());
  }

  private waitFor(ms: number | undefined, wakeIf?: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : this.o.clock.setTimer(ms, () => done());
      const done = () => {
        timer?.cancel();
        this.wake = undefined;
        this.wakeIf = undefined;
        resolve();
      };
      this.wake = done;
      this.wakeIf = wakeIf;
      if (!this.running) done();
    });
  }
}

/** During a long drain, delivered entries are deleted once they take this much space. */
const PURGE_DURING_DRAIN_BYTES = 64 * 1024 * 1024;

/** Chunks (of one batch per lane) read ahead while a backlog drains. */
const LANE_DEPTH = 4;

/** FNV-1a of the key, to a lane. */
export function laneOf(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}
