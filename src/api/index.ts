/**
 * Health, ledger and tickets wired together for the daemon:
 *
 *   const sla = startSla({ config, db, clock, log, drivers, registry: metrics.registry });
 *   pipeline.subscribe("health", (o) => sla.observe(o));
 *   ... routes: [sla.routes]; ... on stop: sla.stop()
 *
 * The tick (every TICK_MS on the injected clock) only moves the live view across window and
 * calendar boundaries and records clock breaches; no SLA figure depends on when it runs.
 */
import type { FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "../config/schema.ts";
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { PollOutcome } from "../core/outcome.ts";
import type { Driver } from "../core/types.ts";
import { HealthEngine } from "../health/engine.ts";
import { previousRunEnd } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import type { StoreWriter } from "../store/writer.ts";
import { TicketEngine } from "../tickets/engine.ts";
import { slaRoutes } from "./http.ts";
import { registerSlaMetrics } from "./metrics.ts";

export const TICK_MS = 10_000;

export interface Sla {
  health: HealthEngine;
  tickets: TicketEngine;
  /** Pipeline consumer. */
  observe(outcome: PollOutcome): void;
  /** Records the restart gap (see the `resume` option); called once. */
  resume(): void;
  /** Fastify plugin with the /api/v1 routes of this module. */
  routes: FastifyPluginAsync;
  stop(): void;
}

export function startSla(options: {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  drivers: ReadonlyMap<string, Driver>;
  registry?: Registry;
  /** End of the previous daemon run (heartbeat or clean stop); default: read from daemon_runs. */
  previousRunEnd?: number | null;
  /** The daemon's store writer (held writes while the store cannot write). */
  writer?: StoreWriter;
  /**
   * false: the caller calls `resume()` once every listener (sinks, console) is attached, so the
   * restart's `unmonitored` gap and the return to the previous state reach them too. Default true.
   */
  resume?: boolean;
}): Sla {
  const { config, db, clock } = options;
  const log = options.log.child({ component: "sla" });
  const rules = new Map([...options.drivers].map(([id, d]) => [id, d.rules]));
  const health = new HealthEngine({ db, config, clock, log, rules, writer: options.writer });
  const tickets = new TicketEngine({ db, config, clock, log });
  health.onTransition((t, h) => tickets.onTransition(t, h));
  const resume = () =>
    health.resume(options.previousRunEnd !== undefined ? options.previousRunEnd : previousRunEnd(db));
  if (options.resume !== false) resume();
  if (options.registry)
    registerSlaMetrics({ registry: options.registry, config, db, clock, health, tickets });

  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    try {
      health.refreshWindows();
      health.tick();
      tickets.tick();
    } catch (err) {
      log.error({ err }, "sla tick failed");
    }
    timer = clock.setTimer(TICK_MS, tick);
  };
  timer = clock.setTimer(TICK_MS, tick);

  return {
    health,
    tickets,
    observe: (o) => health.observe(o),
    resume,
    routes: slaRoutes({ config, db, clock, log, health, tickets }),
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
