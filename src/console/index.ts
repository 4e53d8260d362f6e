/**
 * The duty console's server side, wired by the daemon next to the SLA routes:
 *
 *   const console = startConsole({ config, db, clock, log });
 *   ... routes: [sla.routes, ...console.routes]; ... on stop: console.stop()
 *
 * It adds the page (routes.ts), the live stream GET /api/v1/events (events.ts), and three small
 * reads the page needs that the ticket API does not answer:
 *   GET /api/v1/me                       who the bearer token is: { name, role } (401 without)
 *   GET /api/v1/console                  site names, SLA clock lengths, warn fraction, time zone
 *   GET /api/v1/transitions?device=&from=&to=   the device's measured state changes (ledger)
 * Tokens and the read policy are the ticket API's (src/sla/http.ts): the same token table, reads
 * open on loopback when `sla.api.openReadsOnLoopback`, otherwise any role's token.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import { transitionsBetween } from "../ledger/store.ts";
import { tokenTable } from "../sla/http.ts";
import type { Db } from "../store/db.ts";
import type { Role } from "../tickets/engine.ts";
import { EventHub, eventRoutes, watchStore } from "./events.ts";
import { consoleRoutes } from "./routes.ts";

export interface ConsoleServer {
  hub: EventHub;
  routes: FastifyPluginAsync[];
  stop(): void;
}

const isLoopback = (ip: string) => ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";
const digest = (s: string) => createHash("sha256").update(s).digest();

export function startConsole(options: {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Store poll period of the live stream, ms (default 1000). */
  watchMs?: number;
  /** Folder of the page's files (default: console/ of the repository). */
  dir?: string;
}): ConsoleServer {
  const { config, db, clock } = options;
  const tokens = tokenTable(config, options.log.child({ component: "console" }));
  const identify = (req: FastifyRequest): { name: string; role: Role } | null => {
    const h = req.headers.authorization;
    if (!h?.startsWith("Bearer ")) return null;
    const given = digest(h.slice(7).trim());
    let found: { name: string; role: Role } | null = null;
    for (const t of tokens) if (timingSafeEqual(given, t.digest)) found = { name: t.name, role: t.role };
    return found;
  };
  /** undefined = may read; otherwise the refusal. */
  const readDenied = (req: FastifyRequest) => {
    if (config.sla.api.openReadsOnLoopback && isLoopback(req.ip)) return undefined;
    return identify(req) ? undefined : { code: 401, error: "a bearer token is required" };
  };

  const hub = new EventHub();
  const watcher = watchStore(db, clock, hub, options.watchMs ?? 1000);

  const api: FastifyPluginAsync = async (app) => {
    app.get("/api/v1/me", async (req, reply) => {
      const actor = identify(req);
      if (!actor)
        return reply
          .code(401)
          .header("www-authenticate", 'Bearer realm="emcomm"')
          .send({ error: "a bearer token is required" });
      return actor;
    });
    app.get("/api/v1/console", async (req, reply) => {
      const denied = readDenied(req);
      if (denied) return reply.code(denied.code).send({ error: denied.error });
      return {
        timezone: config.daemon.timezone,
        warnRemaining: config.sla.clocks.warnRemaining,
        clocks: {
          major: config.sla.clocks.major,
          general: config.sla.clocks.general,
          consult: config.sla.clocks.consult,
        },
        sites: config.sites.map((s) => ({ id: s.id, name: s.name, calendar: s.calendar })),
      };
    });
    app.get<{ Querystring: Record<string, string | undefined> }>(
      "/api/v1/transitions",
      async (req, reply) => {
        const denied = readDenied(req);
        if (denied) return reply.code(denied.code).send({ error: denied.error });
        const device = req.query.device;
        if (!device || !config.devices.some((d) => d.id === device))
          return reply.code(400).send({ error: "name a device of the inventory: ?device=<id>" });
        const num = (v: string | undefined, dflt: number) => {
          if (v === undefined || v === "") return dflt;
          const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
          return Number.isFinite(n) ? n : Number.NaN;
        };
        const now = clock.now();
        const from = num(req.query.from, now - 24 * 3600_000);
        const to = num(req.query.to, now + 1);
        if (Number.isNaN(from) || Number.isNaN(to) || to <= from)
          return reply.code(400).send({ error: "from and to: ISO 8601 or ms since epoch, from before to" });
        const list = transitionsBetween(db, from, to, device);
        // The state the device was in when the window opened, so the page shows where it started.
        const before = db
          .prepare(
            "SELECT state, at, cause FROM state_transitions WHERE device = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1",
          )
          .get(device, from) as { state: string; at: number; cause: string } | undefined;
        return {
          device,
          from,
          to,
          before: before ?? null,
          transitions: list.map((t) => ({
            at: t.at,
            state: t.state,
            previous: t.previous,
            code: t.code,
            cause: t.cause,
          })),
        };
      },
    );
  };

  return {
    hub,
    routes: [consoleRoutes({ dir: options.dir }), api, eventRoutes({ hub, clock, authorize: readDenied })],
    stop: () => watcher.stop(),
  };
}
