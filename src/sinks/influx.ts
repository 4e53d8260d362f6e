/**
 * The InfluxDB sink: encodes every poll outcome and event to line protocol (line-protocol.ts),
 * commits it to the outbox, and a Forwarder drains the outbox through the write endpoint of
 * @influxdata/influxdb-client's transport (`POST /api/v2/write`, served by InfluxDB 2.x, 3.x and
 * 1.8+). The client's WriteApi is not used: it keeps its own in-memory retry buffer, and
 * durability must come from our outbox; each batch is one request (node:http, gzipped at the
 * configured level, which the client's transport cannot set) whose result we classify.
 *
 * Called from the pipeline (record) and from health/tickets (stateChanged, ticketEvent), on the
 * daemon's thread. Events commit before the call returns; outcomes are group-committed within
 * `commitWindow` and record()'s promise says when (see README "Guarantees").
 */
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { promisify } from "node:util";
import { gzip, gzipSync } from "node:zlib";
import { HttpError, RequestTimedOutError } from "@influxdata/influxdb-client";
import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { PollOutcome } from "../core/outcome.ts";
import { type BatchTransport, Forwarder, type SendFailure, type SendResult } from "../outbox/forwarder.ts";
import type { SinkMetrics } from "../outbox/metrics.ts";
import { Outbox } from "../outbox/outbox.ts";
import type { Body } from "../outbox/rows.ts";
import type { Db } from "../store/db.ts";
import type { InfluxSinkConfig } from "./config.ts";
import {
  type DeviceTags,
  encodeOutcomeBytes,
  encodePoints,
  type Point,
  type StateChangeEvent,
  stateChangePoint,
  type TicketEvent,
  ticketEventPoint,
} from "./line-protocol.ts";

export const INFLUX_SINK = "influx";

/** An HTTP agent that counts the bytes it put on the wire (for the drain bandwidth cap). */
function countingAgent(secure: boolean): { agent: http.Agent; written(): number; destroy(): void } {
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const live = new Set<Socket>();
  let closed = 0;
  const proto = agent as unknown as { createConnection(...args: unknown[]): Socket };
  const create = proto.createConnection.bind(agent);
  proto.createConnection = (...args: unknown[]) => {
    const socket = create(...args);
    live.add(socket);
    socket.once("close", () => {
      live.delete(socket);
      closed += socket.bytesWritten;
    });
    return socket;
  };
  return {
    agent,
    written: () => {
      let n = closed;
      for (const s of live) n += s.bytesWritten;
      return n;
    },
    destroy: () => agent.destroy(),
  };
}

/** Parses Retry-After (seconds or an HTTP date) to milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Classifies a failed write: what it counts as and whether a retry can help. */
export function classifyWriteError(err: unknown, now: number, bytes: number): SendFailure {
  const message = err instanceof Error ? err.message || err.name : String(err);
  if (err instanceof HttpError) {
    const status = err.statusCode;
    const reason = `${status} ${err.body || err.statusMessage || ""}`.trim();
    const retryAfterMs = parseRetryAfter(err.headers?.["retry-after"], now);
    const base = { ok: false as const, status, message: reason, retryAfterMs, bytes };
    // Malformed data: the server will never take these lines; split and quarantine.
    if (status === 400 || status === 413 || status === 422)
      return { ...base, retryable: false, kind: "rejected" };
    if (status === 429) return { ...base, retryable: true, kind: "throttled" };
    if (status === 401 || status === 403) return { ...base, retryable: true, kind: "auth" };
    if (status === 408) return { ...base, retryable: true, kind: "timeout" };
    if (status >= 500) return { ...base, retryable: true, kind: "server" };
    return { ...base, retryable: true, kind: "other" };
  }
  if (err instanceof RequestTimedOutError)
    return { ok: false, retryable: true, kind: "timeout", message, bytes };
  const code = (err as { code?: string } | undefined)?.code;
  if (
    code &&
    ["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"].includes(
      code,
    )
  )
    return { ok: false, retryable: true, kind: "unreachable", message: `${code} ${message}`, bytes };
  if (code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT")
    return { ok: false, retryable: true, kind: "timeout", message, bytes };
  return { ok: false, retryable: true, kind: "other", message, bytes };
}

export interface InfluxTransportOptions {
  url: string;
  org: string;
  bucket: string;
  token?: string;
  precision: "ms" | "us" | "ns";
  gzip: boolean;
  /** zlib level of the gzipped bodies (1 fastest … 9 smallest). */
  gzipLevel: number;
  timeoutMs: number;
  clock: Clock;
}

/** Bodies smaller than this go uncompressed (what the InfluxDB client does too). */
const GZIP_THRESHOLD = 1000;
const gzipAsync = promisify(gzip);
/**
 * Bodies up to this size are gzipped on the daemon's thread: a second's batch of a few hundred
 * devices (250 KB for 200 SNMP devices) takes about 0.5 ms at level 1, while handing it to the
 * thread pool and back cost as much again in hand-offs and wake-ups (bench figures in the README).
 * Larger bodies, a backlog's batches, go to the thread pool, so that polls are not held up and
 * lanes compress side by side.
 */
const GZIP_ON_THREAD_MAX_BYTES = 512 * 1024;

/**
 * A body gzipped at `level`: on the daemon's thread up to GZIP_ON_THREAD_MAX_BYTES, else in the
 * pool. In the pool zlib hands back one output chunk per trip (16 KB by default): a chunk a quarter
 * of the body's size holds its whole output (line protocol compresses to well under a quarter),
 * so the body goes to the pool and back once instead of once per 16 KB.
 */
async function gzipBody(text: Buffer, level: number): Promise<Buffer> {
  if (text.length <= GZIP_ON_THREAD_MAX_BYTES) return gzipSync(text, { level });
  return gzipAsync(text, { level, chunkSize: Math.max(16 * 1024, text.length >> 2) });
}
const NEWLINE = 0x0a;

/**
 * The items joined by newlines, as UTF-8 bytes in one buffer (items encoded as bytes are copied,
 * text is written as UTF-8). A batch's body is 100 KB and more: joined as a string it would be
 * allocated in the heap's large-object space (old generation) every flush and bring the next full
 * garbage collection nearer, and gzip would copy it into bytes again anyway.
 */
export function joinLines(items: readonly Body[]): Buffer {
  let size = items.length > 0 ? items.length - 1 : 0;
  for (const item of items) size += Buffer.byteLength(item);
  const body = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body[at++] = NEWLINE;
    const item = items[i]!;
    if (typeof item === "string") at += body.write(item, at, "utf8");
    else {
      body.set(item, at);
      at += item.length;
    }
  }
  return body;
}

/**
 * One batch = one POST /api/v2/write, its lines joined and gzipped once as a whole. A reply of 2xx
 * is the acknowledgement; another status becomes the client's HttpError (status, body, headers),
 * which classifyWriteError reads.
 */
export function influxTransport(o: InfluxTransportOptions): BatchTransport & { close(): void } {
  const secure = o.url.startsWith("https:");
  const counter = countingAgent(secure);
  const base = new URL(o.url);
  const query = new URLSearchParams({ org: o.org, bucket: o.bucket, precision: o.precision });
  const path = `${base.pathname.replace(/\/+$/, "")}/api/v2/write?${query}`;
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=utf-8",
    accept: "application/json",
  };
  if (o.token) headers.authorization = `Token ${o.token}`;
  const post = secure ? https.request : http.request;

  const write = (body: Buffer, gzipped: boolean, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const req = post(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          path,
          method: "POST",
          agent: counter.agent,
          signal,
          headers: {
            ...headers,
            "content-length": body.length,
            ...(gzipped ? { "content-encoding": "gzip" } : {}),
          },
        },
        (res) => {
          const status = res.statusCode ?? 600;
          if (status < 300) {
            res.resume();
            res.on("end", resolve);
            res.on("error", reject);
            return;
          }
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            if (text.length < 1000) text += chunk;
          });
          res.on("error", reject);
          res.on("end", () => {
            const h = res.headers;
            const answer = text || String(h["x-influxdb-error"] ?? "");
            const retryAfter = Array.isArray(h["retry-after"]) ? h["retry-after"][0] : h["retry-after"];
            reject(
              new HttpError(
                status,
                res.statusMessage ?? "",
                answer,
                retryAfter,
                h["content-type"],
                undefined,
                h,
              ),
            );
          });
        },
      );
      req.setTimeout(o.timeoutMs, () => req.destroy(new RequestTimedOutError()));
      req.on("error", reject);
      req.end(body);
    });

  return {
    async send(items, signal): Promise<SendResult> {
      const before = counter.written();
      try {
        const text = joinLines(items);
        const gzipped = o.gzip && text.length > GZIP_THRESHOLD;
        const body = gzipped ? await gzipBody(text, o.gzipLevel) : text;
        await write(body, gzipped, signal);
        return { ok: true, bytes: counter.written() - before };
      } catch (err) {
        return classifyWriteError(err, o.clock.now(), counter.written() - before);
      }
    },
    close: () => counter.destroy(),
  };
}

export interface InfluxSinkOptions {
  config: InfluxSinkConfig;
  db: Db;
  clock: Clock;
  log: Logger;
  metrics?: SinkMetrics;
  /** Group commits of the outbox (0: each entry commits before the call returns). */
  commitWindow?: number;
  /** Write-behind of poll outcomes, ms (0 or absent: off); see OutboxOptions.writeBehind. */
  writeBehind?: number;
  /** fsync level of the outbox's commits (default: the connection's). */
  synchronous?: "full" | "normal";
  /** Site and kind of every device, for the tags. */
  devices: ReadonlyMap<string, DeviceTags>;
  /** Replaces the HTTP transport (tests). */
  transport?: BatchTransport;
}

export class InfluxSink {
  readonly outbox: Outbox;
  readonly forwarder: Forwarder;
  private readonly transport: BatchTransport & { close?(): void };
  private readonly log: Logger;
  /** Outcomes recorded and not yet encoded, with when each was recorded (see record). */
  private waiting: PollOutcome[] = [];
  private waitingSince: number[] = [];
  private encodeTimer: TimerHandle | undefined;
  /** The one promise record() hands every caller of the waiting outcomes, and its resolver. */
  private waitingDurable: Promise<boolean> | undefined;
  private resolveWaiting: ((ok: boolean) => void) | undefined;

  constructor(private readonly o: InfluxSinkOptions) {
    const c = o.config;
    const log = o.log.child({ component: "sink", sink: INFLUX_SINK });
    this.log = log;
    this.outbox = new Outbox(o.db, {
      sink: INFLUX_SINK,
      maxBacklogBytes: c.maxBacklogBytes,
      onFull: c.onFull,
      commitWindow: o.commitWindow,
      writeBehind: o.writeBehind,
      synchronous: o.synchronous,
      clock: o.clock,
      log,
      metrics: o.metrics,
    });
    this.transport =
      o.transport ??
      influxTransport({
        url: c.url,
        org: c.org,
        bucket: c.bucket,
        token: c.token?.reveal(),
        precision: c.precision,
        gzip: c.gzip,
        gzipLevel: c.gzipLevel,
        timeoutMs: c.timeout,
        clock: o.clock,
      });
    this.forwarder = new Forwarder({
      outbox: this.outbox,
      transport: this.transport,
      split: (body) => body.split("\n"),
      joinable: true,
      clock: o.clock,
      log,
      metrics: o.metrics,
      batchSize: c.batchSize,
      flushInterval: c.flushInterval,
      bandwidth: c.drainBandwidth,
      newestFirst: c.newestFirst,
      lanes: c.drainConcurrency,
      initialBackoff: c.initialBackoff,
      maxBackoff: c.maxBackoff,
    });
  }

  start(): void {
    this.forwarder.start();
  }

  async stop(graceMs?: number): Promise<void> {
    this.encodeWaiting();
    this.outbox.flush(true);
    await this.forwarder.stop(graceMs);
    this.transport.close?.();
  }

  /**
   * Pipeline consumer: the poll line and the sample lines of one outcome, for the outbox's open
   * group commit (committed together, as one entry, within commitWindow). The outcomes of a while
   * are encoded together, in one pass (see encodeWaiting): while the sink writes behind, for as
   * long as the forwarder waits for its next batch (flushInterval), otherwise for commitWindow;
   * with commitWindow 0 at once. In one pass an outcome takes about half the CPU it takes alone,
   * between polls of other devices. The hold counts from the call, so nothing is committed or
   * sent later than before.
   * The promise is the acknowledgement: it resolves true once the lines are committed, and with
   * synchronous=full fsynced (see Outbox.durable); nothing has to wait for it.
   */
  record(outcome: PollOutcome): Promise<boolean> {
    const window = this.o.commitWindow ?? 0;
    if (window === 0) {
      this.encode(outcome, this.o.clock.now());
      return this.outbox.durable();
    }
    this.waiting.push(outcome);
    this.waitingSince.push(this.o.clock.now());
    this.waitingDurable ??= new Promise((resolve) => {
      this.resolveWaiting = resolve;
    });
    const durable = this.waitingDurable;
    // As many outcomes as a batch has lines hold at least a batch: the forwarder sends it at once.
    if (this.waiting.length >= this.o.config.batchSize) this.encodeWaiting();
    else
      this.encodeTimer ??= this.o.clock.setTimer(
        this.outbox.writesBehind() ? this.o.config.flushInterval : window,
        () => this.encodeWaiting(),
      );
    return durable;
  }

  /** Encodes the waiting outcomes, in the order they were recorded, into the outbox. */
  private encodeWaiting(): void {
    this.encodeTimer?.cancel();
    this.encodeTimer = undefined;
    const outcomes = this.waiting;
    const since = this.waitingSince;
    const resolve = this.resolveWaiting;
    if (outcomes.length === 0) return;
    this.waiting = [];
    this.waitingSince = [];
    this.waitingDurable = undefined;
    this.resolveWaiting = undefined;
    for (let i = 0; i < outcomes.length; i++) {
      try {
        this.encode(outcomes[i]!, since[i]!);
      } catch (err) {
        // Off the pipeline now: one outcome that cannot be encoded must not lose the others.
        this.o.metrics?.drop(INFLUX_SINK, "unwritable", outcomes[i]!.samples.length + 1);
        this.log.error({ err, device: outcomes[i]!.deviceId }, "poll outcome could not be encoded");
      }
    }
    void this.outbox.durable().then(resolve);
  }

  /** Encodes one outcome into the outbox, recorded at `createdAt`. */
  private encode(outcome: PollOutcome, createdAt: number): void {
    const device = this.o.devices.get(outcome.deviceId) ?? { site: "", kind: "" };
    const { body, points, skipped } = encodeOutcomeBytes(outcome, device, this.o.config.precision);
    if (skipped > 0) this.o.metrics?.drop(INFLUX_SINK, "unwritable", skipped);
    this.outbox.enqueue(outcome.deviceId, body, points, body.length, createdAt);
  }

  /**
   * Committed before it returns (events are rare; the open group commit goes with it, and the
   * outcomes recorded before it go first).
   */
  stateChanged(e: StateChangeEvent): void {
    this.write(`state:${e.deviceId}`, [stateChangePoint(e)]);
    this.outbox.flush(true);
  }

  ticketEvent(e: TicketEvent): void {
    // Keyed by device: the events of one device's series always travel in one lane, in order.
    this.write(`ticket:${e.deviceId}`, [ticketEventPoint(e)]);
    this.outbox.flush(true);
  }

  /** Commits points of one key (device) as one outbox entry, after the outcomes recorded before. */
  write(key: string, points: readonly Point[]): void {
    this.encodeWaiting();
    const { lines, skipped } = encodePoints(points, this.o.config.precision);
    if (skipped > 0) this.o.metrics?.drop(INFLUX_SINK, "unwritable", skipped);
    if (lines.length > 0) this.outbox.enqueue(key, lines.join("\n"), lines.length);
  }
}
