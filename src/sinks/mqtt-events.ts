/**
 * Events on MQTT, for other systems (the city's dispatch platform) to subscribe to. Every
 * message is committed to the outbox first (sink "mqtt") and published with QoS 1 by a
 * Forwarder, in commit order, deleted only after the broker's PUBACK: the same at-least-once
 * guarantees as the InfluxDB sink. Topic layout (prefix `emcomm` by default):
 *
 *   <prefix>/devices/<device>/state    retained, QoS 1: the device's current health state
 *       {"device","site","kind","state","previous","cause","since":ISO-8601,"at":ms}
 *   <prefix>/tickets/<ticket>/events   QoS 1: one message per ticket event
 *       {"ticket","device","site","level","event","state","actor","at":ISO-8601}
 *   <prefix>/sla/<ticket>/warnings     QoS 1: an SLA clock close to (or past) its deadline
 *       {"ticket","device","site","level","clock","remainingSeconds","dueAt":ISO-8601,"at":ISO-8601}
 *
 * Ids are used as topic levels; `/`, `+`, `#` in them are replaced by `_`.
 * The MQTT client's own offline queue is not used: a message is published only on a connected
 * client, and after any failure the client is discarded (with its in-flight store, so a stale
 * retained state cannot overtake a newer one) and a new one connects on the next attempt.
 */
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.ts";
import type { BatchTransport, SendResult } from "../outbox/forwarder.ts";
import { Forwarder } from "../outbox/forwarder.ts";
import type { SinkMetrics } from "../outbox/metrics.ts";
import { Outbox } from "../outbox/outbox.ts";
import { bodyText } from "../outbox/rows.ts";
import type { Db } from "../store/db.ts";
import type { MqttSinkConfig } from "./config.ts";
import type { StateChangeEvent, TicketEvent } from "./line-protocol.ts";

export const MQTT_SINK = "mqtt";

/** An SLA clock of a ticket nearing or past its deadline (the ticket engine raises these). */
export interface SlaWarningEvent {
  ticketId: string;
  deviceId: string;
  site: string;
  level: string;
  clock: "respond" | "onsite" | "repair";
  /** Seconds left; negative once breached. */
  remainingSeconds: number;
  dueAt: number;
  at: number;
}

interface Message {
  t: string;
  p: string;
  r: boolean;
}

const level = (id: string) => id.replace(/[/+#]/g, "_");
const iso = (ms: number) => new Date(ms).toISOString();

export function stateTopic(prefix: string, deviceId: string): string {
  return `${prefix}/devices/${level(deviceId)}/state`;
}

export function stateMessage(prefix: string, e: StateChangeEvent): Message {
  return {
    t: stateTopic(prefix, e.deviceId),
    p: JSON.stringify({
      device: e.deviceId,
      site: e.site,
      kind: e.kind,
      state: e.state,
      previous: e.previous,
      cause: e.cause,
      since: iso(e.at),
      at: e.at,
    }),
    r: true,
  };
}

export function ticketMessage(prefix: string, e: TicketEvent): Message {
  return {
    t: `${prefix}/tickets/${level(e.ticketId)}/events`,
    p: JSON.stringify({
      ticket: e.ticketId,
      device: e.deviceId,
      site: e.site,
      level: e.level,
      event: e.event,
      state: e.state,
      actor: e.actor,
      at: iso(e.at),
    }),
    r: false,
  };
}

export function slaMessage(prefix: string, e: SlaWarningEvent): Message {
  return {
    t: `${prefix}/sla/${level(e.ticketId)}/warnings`,
    p: JSON.stringify({
      ticket: e.ticketId,
      device: e.deviceId,
      site: e.site,
      level: e.level,
      clock: e.clock,
      remainingSeconds: e.remainingSeconds,
      dueAt: iso(e.dueAt),
      at: iso(e.at),
    }),
    r: false,
  };
}

export interface MqttTransportOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  timeoutMs: number;
  log: Logger;
  clock: Clock;
}

/** Publishes each message of a batch with QoS 1 and waits for its PUBACK, in order. */
export function mqttTransport(o: MqttTransportOptions): BatchTransport & { close(): Promise<void> } {
  let client: MqttClient | undefined;

  const discard = () => {
    client?.removeAllListeners();
    client?.on("error", () => {});
    client?.end(true);
    client = undefined;
  };

  const connect = (signal: AbortSignal): Promise<MqttClient> =>
    new Promise((resolve, reject) => {
      if (client?.connected) return resolve(client);
      discard();
      const c = mqtt.connect(o.url, {
        clientId: o.clientId,
        username: o.username,
        password: o.password,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: o.timeoutMs,
        queueQoSZero: false,
      });
      client = c;
      const fail = (err: Error) => {
        cleanup();
        if (client === c) discard();
        reject(err);
      };
      const onClose = () => fail(Object.assign(new Error("connection closed"), { code: "ECONNREFUSED" }));
      const onAbort = () => fail(new Error("aborted"));
      const cleanup = () => {
        c.off("connect", onConnect);
        c.off("error", fail);
        c.off("close", onClose);
        signal.removeEventListener("abort", onAbort);
      };
      const onConnect = () => {
        cleanup();
        c.on("error", (err) => o.log.debug({ err }, "mqtt client error"));
        c.on("close", () => {
          if (client === c) discard();
        });
        resolve(c);
      };
      c.once("connect", onConnect);
      c.once("error", fail);
      c.once("close", onClose);
      signal.addEventListener("abort", onAbort, { once: true });
    });

  return {
    async send(items, signal): Promise<SendResult> {
      let bytes = 0;
      let c: MqttClient;
      try {
        c = await connect(signal);
      } catch (err) {
        return { ok: false, retryable: true, kind: "unreachable", message: (err as Error).message, bytes };
      }
      for (const item of items) {
        let m: Message;
        try {
          m = JSON.parse(bodyText(item)) as Message;
        } catch {
          return {
            ok: false,
            retryable: false,
            kind: "rejected",
            message: "not a JSON outbox message",
            bytes,
          };
        }
        bytes += m.t.length + m.p.length + 8;
        try {
          await withTimeout(o.clock, c.publishAsync(m.t, m.p, { qos: 1, retain: m.r }), o.timeoutMs, signal);
        } catch (err) {
          const message = (err as Error).message;
          if (/invalid topic/i.test(message))
            return { ok: false, retryable: false, kind: "rejected", message, bytes };
          discard();
          const kind = /timed out/.test(message) ? "timeout" : "unreachable";
          return { ok: false, retryable: true, kind, message, bytes };
        }
      }
      return { ok: true, bytes };
    },
    async close() {
      const c = client;
      client = undefined;
      if (c) await c.endAsync().catch(() => {});
    },
  };
}

function withTimeout<T>(clock: Clock, p: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(ms, () => done(() => reject(new Error(`publish timed out after ${ms} ms`))));
    const onAbort = () => done(() => reject(new Error("aborted")));
    const done = (fn: () => void) => {
      timer.cancel();
      signal.removeEventListener("abort", onAbort);
      fn();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => done(() => resolve(v)),
      (e) => done(() => reject(e)),
    );
  });
}

export interface MqttEventSinkOptions {
  config: MqttSinkConfig;
  db: Db;
  clock: Clock;
  log: Logger;
  metrics?: SinkMetrics;
  /** Group commits of the outbox (0: each entry commits before the call returns). */
  commitWindow?: number;
  /** fsync level of the outbox's commits (default: the connection's). */
  synchronous?: "full" | "normal";
  transport?: BatchTransport & { close?(): Promise<void> };
}

export class MqttEventSink {
  readonly outbox: Outbox;
  readonly forwarder: Forwarder;
  private readonly transport: BatchTransport & { close?(): Promise<void> };

  constructor(private readonly o: MqttEventSinkOptions) {
    const c = o.config;
    const log = o.log.child({ component: "sink", sink: MQTT_SINK });
    this.outbox = new Outbox(o.db, {
      sink: MQTT_SINK,
      maxBacklogBytes: c.maxBacklogBytes,
      onFull: c.onFull,
      commitWindow: o.commitWindow,
      synchronous: o.synchronous,
      clock: o.clock,
      log,
      metrics: o.metrics,
    });
    this.transport =
      o.transport ??
      mqttTransport({
        url: c.url,
        clientId: c.clientId,
        username: c.username,
        password: c.password?.reveal(),
        timeoutMs: c.timeout,
        log,
        clock: o.clock,
      });
    this.forwarder = new Forwarder({
      outbox: this.outbox,
      transport: this.transport,
      split: (body) => [body],
      clock: o.clock,
      log,
      metrics: o.metrics,
      batchSize: c.batchSize,
      flushInterval: c.flushInterval,
      bandwidth: c.drainBandwidth,
      initialBackoff: c.initialBackoff,
      maxBackoff: c.maxBackoff,
    });
  }

  start(): void {
    this.forwarder.start();
  }

  async stop(graceMs?: number): Promise<void> {
    this.outbox.flush(true);
    await this.forwarder.stop(graceMs);
    await this.transport.close?.();
  }

  stateChanged(e: StateChangeEvent): void {
    this.put(e.deviceId, stateMessage(this.o.config.topicPrefix, e));
  }

  ticketEvent(e: TicketEvent): void {
    this.put(`ticket:${e.ticketId}`, ticketMessage(this.o.config.topicPrefix, e));
  }

  slaWarning(e: SlaWarningEvent): void {
    this.put(`sla:${e.ticketId}`, slaMessage(this.o.config.topicPrefix, e));
  }

  /** Events are rare: each is committed before the call returns (with whatever else is open). */
  private put(key: string, m: Message): void {
    this.outbox.enqueue(key, JSON.stringify(m), 1);
    this.outbox.flush(true);
  }
}
