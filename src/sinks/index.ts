/**
 * The sinks of a daemon: InfluxDB (poll outcomes and events) and MQTT (events), each behind its
 * own durable outbox in the store. `startSinks` is called once by startDaemon; the daemon
 * subscribes `record` to the pipeline and hands `events` to whatever derives states and tickets.
 *
 * `events` is the one call other parts use to publish (synchronous; committed when it returns):
 *   daemon.events.stateChanged({ deviceId, site, kind, state, previous, cause, at })
 *   daemon.events.ticketEvent({ ticketId, deviceId, site, level, event, state, actor, at })
 *   daemon.events.slaWarning({ ticketId, deviceId, site, level, clock, remainingSeconds, dueAt, at })
 * With no sink configured these are no-ops.
 */
import type { FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Clock } from "../core/clock.ts";
import type { PollOutcome } from "../core/outcome.ts";
import { SinkMetrics } from "../outbox/metrics.ts";
import { listQuarantine } from "../outbox/outbox.ts";
import type { Db } from "../store/db.ts";
import { type SinksConfig, sinksSchema } from "./config.ts";
import { InfluxSink } from "./influx.ts";
import type { DeviceTags, StateChangeEvent, TicketEvent } from "./line-protocol.ts";
import { MqttEventSink, type SlaWarningEvent } from "./mqtt-events.ts";

export type { StateChangeEvent, TicketEvent } from "./line-protocol.ts";
export type { SlaWarningEvent } from "./mqtt-events.ts";

/** Where health and tickets publish what happened. Never throws into the caller. */
export interface EventSink {
  stateChanged(e: StateChangeEvent): void;
  ticketEvent(e: TicketEvent): void;
  slaWarning(e: SlaWarningEvent): void;
}

export interface Sinks {
  influx?: InfluxSink;
  mqtt?: MqttEventSink;
  events: EventSink;
  /**
   * Pipeline consumer. The promise resolves true once the outcome is committed to the outbox (with
   * synchronous=full: and fsynced): acknowledged, it survives a SIGKILL, and with synchronous=full
   * a power loss. It never rejects; nothing has to wait for it.
   */
  record(outcome: PollOutcome): Promise<boolean>;
  /** Why an outbox cannot commit to the store, or undefined (for /healthz). */
  problem(): string | undefined;
  /** GET /api/v1/outbox and /api/v1/outbox/quarantine. */
  routes: FastifyPluginAsync;
  stop(graceMs?: number): Promise<void>;
}

export interface SinksOptions {
  /** The `sinks` block; absent (a config built by hand, not by the schema) means no sink. */
  config: SinksConfig | undefined;
  /** The daemon's one store connection: every write of the daemon goes through it, in order. */
  db: Db;
  clock: Clock;
  log: Logger;
  registry: Registry;
  devices: ReadonlyMap<string, DeviceTags>;
}

export function startSinks(options: SinksOptions): Sinks {
  const o = { ...options, config: options.config ?? sinksSchema.parse({}) };
  const metrics = new SinkMetrics(o.registry, () => o.clock.now());
  const enabled = o.config.influx !== undefined || o.config.mqtt !== undefined;
  // One connection for the whole daemon: a second one in the same process made the outbox's commits
  // and the ticket writes wait on each other's locks (SQLITE_BUSY). The outbox's commits run at
  // `synchronous` (full: fsynced) and the connection keeps its own level for the other writes.
  const db = enabled ? o.db : undefined;
  const influx =
    o.config.influx && db
      ? new InfluxSink({
          config: o.config.influx,
          db,
          clock: o.clock,
          log: o.log,
          metrics,
          devices: o.devices,
          commitWindow: o.config.commitWindow,
          writeBehind: o.config.writeBehind,
          synchronous: o.config.synchronous,
        })
      : undefined;
  const mqtt =
    o.config.mqtt && db
      ? new MqttEventSink({
          config: o.config.mqtt,
          db,
          clock: o.clock,
          log: o.log,
          metrics,
          commitWindow: o.config.commitWindow,
          synchronous: o.config.synchronous,
        })
      : undefined;
  influx?.start();
  mqtt?.start();

  const guard = (name: string, fn: () => void) => (): void => {
    try {
      fn();
    } catch (err) {
      o.log.error({ err, event: name }, "sink could not commit an event");
    }
  };
  const events: EventSink = {
    stateChanged: (e) =>
      guard("state", () => {
        influx?.stateChanged(e);
        mqtt?.stateChanged(e);
      })(),
    ticketEvent: (e) =>
      guard("ticket", () => {
        influx?.ticketEvent(e);
        mqtt?.ticketEvent(e);
      })(),
    slaWarning: (e) => guard("sla", () => mqtt?.slaWarning(e))(),
  };

  const routes: FastifyPluginAsync = async (app) => {
    app.get("/api/v1/outbox", async () => ({
      sinks: [influx, mqtt]
        .filter((s) => s !== undefined)
        .map((s) => {
          const b = s.outbox.backlog();
          return {
            sink: s.outbox.sink,
            backlogPoints: b.points,
            backlogBytes: b.bytes,
            oldest: b.oldestAt === undefined ? null : new Date(b.oldestAt).toISOString(),
          };
        }),
    }));
    app.get<{ Querystring: { sink?: string; limit?: string } }>("/api/v1/outbox/quarantine", async (req) => ({
      quarantine: db
        ? listQuarantine(db, req.query.sink, Math.min(1000, Number(req.query.limit ?? 100) || 100)).map(
            (q) => ({
              ...q,
              quarantinedAt: new Date(q.quarantinedAt).toISOString(),
            }),
          )
        : [],
    }));
  };

  return {
    influx,
    mqtt,
    events,
    record: (outcome) => influx?.record(outcome) ?? Promise.resolve(true),
    problem: () => influx?.outbox.commitProblem ?? mqtt?.outbox.commitProblem,
    routes,
    async stop(graceMs) {
      await Promise.allSettled([influx?.stop(graceMs), mqtt?.stop(graceMs)]);
    },
  };
}
