/**
 * Live updates for the duty console: GET /api/v1/events, a server-sent-events stream.
 *
 * The source is the store itself: `watchStore` looks once a second (on the daemon's Clock) at the
 * append-only ticket_events and state_transitions tables and at maintenance_windows, and publishes
 * every new row to the EventHub. Reading the store rather than hooking each writer means every
 * change reaches the page, whoever made it (the health engine, the ticket API, the CLI on the same
 * database file), and the console needs nothing from the writers. The rows are small and indexed;
 * one tick is three indexed reads. Tables that do not exist yet (an older database) are skipped.
 *
 * Events carry ids and states only, never comment text or fault-record fields: the page fetches
 * what it shows through the authorised API. Each event is
 *   event: ticket   data: {"id":12,"ticket":4,"event":"accepted","state":"accepted","at":...}
 *   event: state    data: {"id":88,"device":"…","site":"…","state":"down","previous":"up","at":...}
 *   event: windows  data: {"at":...}
 * plus `event: hello` on connect and a comment line every 15 s so proxies keep the stream open.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { transitionsAfter } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";

export interface ConsoleEvent {
  type: "ticket" | "state" | "windows";
  data: Record<string, unknown>;
}

type Listener = (event: ConsoleEvent) => void;

/** Fan-out of console events to the open streams. publish() is synchronous and never throws. */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(event: ConsoleEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(event);
      } catch {
        // A broken stream must not stop the others; its close handler unsubscribes it.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

interface Mark {
  ticketEvent: number;
  transition: number;
  windows: string;
}

/**
 * Polls the store every `intervalMs` on `clock` and publishes what is new. `poke()` (called by the
 * daemon when its ticket engine or health engine records something) looks at once, on the next
 * timer turn, outside the writer's transaction; the poll still catches writes from other processes.
 */
export function watchStore(
  db: Db,
  clock: Clock,
  hub: EventHub,
  intervalMs = 1000,
): { stop(): void; poke(): void } {
  // Tables appear with migrations and never go away: once seen, not asked again.
  const seen = new Set<string>();
  const has = (table: string) => {
    if (seen.has(table)) return true;
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) === undefined)
      return false;
    seen.add(table);
    return true;
  };
  const maxId = (table: string) =>
    has(table)
      ? ((db.prepare(`SELECT COALESCE(MAX(id), 0) AS m FROM ${table}`).get() as { m: number }).m ?? 0)
      : 0;
  const windowsDigest = () =>
    has("maintenance_windows")
      ? String(
          (
            db
              .prepare(
                `SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COALESCE(SUM(status = 'approved'), 0)
                   || ':' || COALESCE(SUM(status = 'cancelled'), 0) AS d FROM maintenance_windows`,
              )
              .get() as { d: string }
          ).d,
        )
      : "";
  const mark: Mark = {
    ticketEvent: maxId("ticket_events"),
    transition: maxId("state_transitions"),
    windows: windowsDigest(),
  };

  const tick = () => {
    if (!db.open) return;
    if (hub.size > 0) {
      if (has("ticket_events")) {
        const rows = db
          .prepare(
            "SELECT id, ticket_id, event, to_state, at FROM ticket_events WHERE id > ? ORDER BY id LIMIT 500",
          )
          .all(mark.ticketEvent) as {
          id: number;
          ticket_id: number;
          event: string;
          to_state: string | null;
          at: number;
        }[];
        for (const r of rows) {
          mark.ticketEvent = r.id;
          hub.publish({
            type: "ticket",
            data: { id: r.id, ticket: r.ticket_id, event: r.event, state: r.to_state, at: r.at },
          });
        }
      }
      if (has("state_transitions")) {
        const rows = transitionsAfter(db, mark.transition, 500);
        for (const r of rows) {
          mark.transition = r.id;
          hub.publish({ type: "state", data: { ...r } });
        }
      }
      const w = windowsDigest();
      if (w !== mark.windows) {
        mark.windows = w;
        hub.publish({ type: "windows", data: { at: clock.now() } });
      }
    } else {
      // Nobody listening: only move the marks, so a new stream does not replay old rows.
      mark.ticketEvent = maxId("ticket_events");
      mark.transition = maxId("state_transitions");
      mark.windows = windowsDigest();
    }
  };

  let timer: TimerHandle | undefined;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    try {
      tick();
    } catch {
      // The store closing under us at shutdown; the next tick (if any) tries again.
    }
    timer = clock.setTimer(intervalMs, loop);
  };
  timer = clock.setTimer(intervalMs, loop);
  let poked: TimerHandle | undefined;
  return {
    stop() {
      stopped = true;
      timer?.cancel();
      poked?.cancel();
    },
    poke() {
      if (stopped || poked) return;
      poked = clock.setTimer(0, () => {
        poked = undefined;
        if (stopped) return;
        try {
          tick();
        } catch {
          // As in the loop: the next tick tries again.
        }
      });
    },
  };
}

/** Event streams open at once, at most (each holds a connection and a descriptor). */
export const MAX_STREAMS = 32;

/** Decides whether a request may open the stream; `undefined` = allowed. */
export type StreamAuthorizer = (req: FastifyRequest) => { code: number; error: string } | undefined;

export function eventRoutes(deps: {
  hub: EventHub;
  clock: Clock;
  authorize: StreamAuthorizer;
  heartbeatMs?: number;
  /** At most this many streams at once (default MAX_STREAMS); past it, 503. */
  maxStreams?: number;
}): FastifyPluginAsync {
  return async (app) => {
    const open = new Set<FastifyReply>();
    app.addHook("preClose", async () => {
      for (const reply of open) reply.raw.end();
      open.clear();
    });

    app.get("/api/v1/events", (req, reply) => {
      const denied = deps.authorize(req);
      if (denied) return reply.code(denied.code).send({ error: denied.error });
      if (open.size >= (deps.maxStreams ?? MAX_STREAMS))
        return reply.code(503).send({ error: "too many event streams open; try again later" });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ at: deps.clock.now() })}\n\n`);
      open.add(reply);
      const unsubscribe = deps.hub.subscribe((e) => {
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      });
      let timer: TimerHandle | undefined;
      const beat = () => {
        res.write(": ping\n\n");
        timer = deps.clock.setTimer(deps.heartbeatMs ?? 15_000, beat);
      };
      timer = deps.clock.setTimer(deps.heartbeatMs ?? 15_000, beat);
      req.raw.on("close", () => {
        timer?.cancel();
        unsubscribe();
        open.delete(reply);
      });
    });
  };
}
