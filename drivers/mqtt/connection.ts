/**
 * One MQTT client per broker, credentials and client id (shared by the devices that use all three,
 * through ctx.resources): routes each
 * message to the handlers of its exact topic, resubscribes after reconnects, and reconnects with
 * exponential backoff (1 s doubling to 30 s, reset once connected). A persistent session
 * (clean: false, a stable client id) lets the broker keep QoS 1 messages for us while we are away.
 * A refusal of our credentials (CONNACK 4/5) is told to every device on the connection at once,
 * and retried with the same backoff (the broker's password file may be fixed meanwhile).
 * Handlers run inside the client's event; they must not throw (they are wrapped anyway).
 */

import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../../src/core/clock.ts";

export interface BrokerSettings {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  /** No persistent session (one-shot tools): the broker keeps nothing for this client id. */
  transient?: boolean;
  tls?: { insecure: boolean; ca?: string };
}

type Handler = (payload: Buffer) => void;

const MIN_BACKOFF = 1000;
const MAX_BACKOFF = 30_000;

export class BrokerConnection {
  private client: MqttClient | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly refusalListeners = new Set<(reason: string) => void>();
  private backoff = MIN_BACKOFF;
  /** Messages routed, for tests and debugging. */
  delivered = 0;
  /** Why the last connection attempt failed, while not connected: refused credentials or anything else. */
  lastFailure: { refused: boolean; reason: string } | undefined;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly tlsCa?: string,
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  private open(): MqttClient {
    if (this.client) return this.client;
    const s = this.settings;
    const options: IClientOptions = {
      clientId: s.clientId,
      clean: s.transient ?? false,
      reconnectOnConnackError: true,
      protocolVersion: 4,
      reconnectPeriod: MIN_BACKOFF,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: true,
      ...(s.username ? { username: s.username } : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
      ...(s.tls ? { rejectUnauthorized: !s.tls.insecure } : {}),
      ...(this.tlsCa ? { ca: this.tlsCa } : {}),
    };
    const client = connect(s.url, options);
    const where = new URL(s.url).host;
    client.on("connect", (ack) => {
      this.backoff = MIN_BACKOFF;
      this.lastFailure = undefined;
      client.options.reconnectPeriod = MIN_BACKOFF;
      this.log.info({ broker: where, sessionPresent: ack.sessionPresent }, "mqtt connected");
      // Without a stored session the broker forgot our subscriptions: make them again.
      if (!ack.sessionPresent) for (const topic of this.handlers.keys()) client.subscribe(topic, { qos: 1 });
    });
    client.on("close", () => {
      client.options.reconnectPeriod = this.backoff;
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF);
    });
    client.on("offline", () => this.log.warn({ broker: where }, "mqtt broker unreachable, reconnecting"));
    client.on("error", (err) => {
      // CONNACK 4 (bad user name or password) and 5 (not authorised) are refusals of our credentials.
      const code = (err as { code?: unknown }).code;
      const refused = code === 4 || code === 5;
      this.lastFailure = { refused, reason: err.message };
      this.log.warn({ broker: where, err: err.message }, "mqtt error");
      if (refused)
        for (const listener of this.refusalListeners) {
          try {
            listener(err.message);
          } catch (e) {
            this.log.error({ err: e }, "mqtt refusal listener failed");
          }
        }
    });
    client.on("message", (topic, payload) => {
      const set = this.handlers.get(topic);
      if (!set) return;
      this.delivered++;
      for (const h of set) {
        try {
          h(payload);
        } catch (err) {
          this.log.error({ topic, err }, "mqtt handler failed");
        }
      }
    });
    this.client = client;
    return client;
  }

  /**
   * Routes `topic`'s messages to `handler`; resolves when the broker acknowledged the
   * subscription, or after `waitMs` if it is not reachable yet (it subscribes on connect).
   */
  subscribe(
    topic: string,
    qos: 0 | 1,
    handler: Handler,
    waitMs = 5000,
  ): { ready: Promise<void>; stop(): void } {
    const client = this.open();
    const first = !this.handlers.has(topic);
    const set = this.handlers.get(topic) ?? new Set<Handler>();
    this.handlers.set(topic, set);
    set.add(handler);
    const ready = first
      ? new Promise<void>((resolve) => {
          const timer = this.clock.setTimer(waitMs, resolve);
          client.subscribe(topic, { qos }, () => {
            timer.cancel();
            resolve();
          });
        })
      : Promise.resolve();
    return {
      ready,
      stop: () => {
        set.delete(handler);
        if (set.size === 0) {
          this.handlers.delete(topic);
          if (client.connected) client.unsubscribe(topic);
        }
      },
    };
  }

  /** Calls `listener` each time the broker refuses our credentials; returns the unsubscribe. */
  onRefused(listener: (reason: string) => void): () => void {
    this.refusalListeners.add(listener);
    return () => this.refusalListeners.delete(listener);
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync(true).catch(() => {});
  }
}
