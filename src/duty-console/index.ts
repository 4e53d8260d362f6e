/**
 * The duty console's server side, wired by the daemon next to the SLA routes:
 *
 *   const console = startConsole({ config, db, clock, log });
 *   sla.tickets.onEvent(() => console.poke()); sla.health.onTransition(() => console.poke());
 *   ... routes: [sla.routes, ...console.routes]; ... on stop: console.stop()
 *
 * It adds the page (routes.ts), the live stream GET /api/v1/events (events.ts), and two small
 * reads the page needs that the ticket API does not answer:
 *   GET /api/v1/me                       who the bearer token is: { name, role } (401 without)
 *   GET /api/v1/console                  site and device names, SLA clock lengths, warn fraction, time zone
 * Tokens and the read policy are the ticket API's (src/api/http.ts): the same token table, reads
 * open on loopback when `sla.api.openReadsOnLoopback`, otherwise any role's token.
 */
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { identifyBearer, isLoopback, tokenTable } from "../api/http.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import { askForToken } from "../http/replies.ts";
import type { Db } from "../store/db.ts";
import type { Role } from "../tickets/engine.ts";
import { EventHub, eventRoutes, watchStore } from "./events.ts";
import { consoleRoutes } from "./routes.ts";

export interface ConsoleServer {
  hub: EventHub;
  routes: FastifyPluginAsync[];
  /** Something was recorded: publish it now rather than at the next poll (cheap, coalesced). */
  poke(): void;
  stop(): void;
}

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
  const identify = (req: FastifyRequest): { name: string; role: Role } | null => identifyBearer(tokens, req);
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
      if (!actor) return askForToken(reply);
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
        // Names only (4 kB instead of /api/v1/devices' 20 kB with samples): what lists and forms show.
        devices: config.devices.map((d) => ({ id: d.id, name: d.name, site: d.site, kind: d.kind })),
      };
    });
  };

  return {
    hub,
    routes: [consoleRoutes({ dir: options.dir }), api, eventRoutes({ hub, clock, authorize: readDenied })],
    poke: () => watcher.poke(),
    stop: () => watcher.stop(),
  };
}
