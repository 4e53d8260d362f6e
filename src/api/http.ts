/**
 * The SLA part of the HTTP API under /api/v1, as one Fastify plugin for the daemon's `routes`:
 *
 *   GET  /api/v1/states[/:device]                 current health state of each device
 *   GET  /api/v1/transitions?device=&from=&to=    the ledger: state changes (evidence)
 *   GET  /api/v1/sites                            service calendar: in service, last declaration
 *   POST /api/v1/sites/:site/deploy|standdown     declare the vehicle deployed / stood down
 *   GET  /api/v1/availability?month=YYYY-MM | from=&to=  [&asOf=]  figures + evidence, up to asOf
 *                                                 (default now; a month in progress is month-to-date)
 *   GET  /api/v1/tickets?state=&level=&device=&site=&from=&to=
 *   GET  /api/v1/tickets/report?month=YYYY-MM[&asOf=]  SLA verdicts and timeliness, as of asOf (default now)
 *   GET  /api/v1/tickets/:id                      ticket, clocks and audit trail
 *   POST /api/v1/tickets                          manual ticket (phone report, consultation)
 *   POST /api/v1/tickets/:id/:action              accept|arrive|clear|verify|reject|comment
 *   PATCH /api/v1/tickets/:id                     fault-record fields
 *   GET  /api/v1/maintenance?from=&to=            windows and drills
 *   POST /api/v1/maintenance                      request a window (who, why, approval ref)
 *   POST /api/v1/maintenance/:id/approve|cancel   approve (supervisors only) or cancel
 *
 * Writes need `Authorization: Bearer <token>` (401 without, 403 for the wrong role); reads are
 * open from loopback unless configured otherwise. Tokens are compared in constant time and never
 * logged; the actor recorded in audit trails is the token's name.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import { isUsableToken } from "../config/sla-schema.ts";
import type { Clock } from "../core/clock.ts";
import { ConfigError, type ConfigIssue } from "../core/errors.ts";
import type { HealthEngine } from "../health/engine.ts";
import { askForToken, parseOr400 } from "../http/replies.ts";
import { availabilityForPeriod } from "../ledger/availability.ts";
import { monthPeriod } from "../ledger/period.ts";
import {
  addWindow,
  firstRunAt,
  getWindow,
  setWindowStatus,
  transitionsBetween,
  windowsBetween,
} from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { type Actor, type Role, type TicketEngine, TicketError, ticketActions } from "../tickets/engine.ts";
import { ticketsForPeriod } from "../tickets/period-summary.ts";
import { listTickets, ticketStates } from "../tickets/store.ts";

export interface SlaHttpDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  health: HealthEngine;
  tickets: TicketEngine;
}

const time = z.union([z.number(), z.string().min(1)]).transform((v, ctx) => {
  const ms = typeof v === "number" ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: "a time: ISO 8601 or ms since epoch" });
    return z.NEVER;
  }
  return ms;
});
const level = z.enum(["major", "general", "consult"]);
const recordShape = {
  symptom: z.string().min(1).optional(),
  faultType: z.string().min(1).optional(),
  cause: z.string().min(1).optional(),
  handling: z.string().min(1).optional(),
  responsibility: z.string().min(1).optional(),
  lessons: z.string().min(1).optional(),
  handler: z.string().min(1).optional(),
};
const actBody = z.strictObject({
  ...recordShape,
  note: z.string().min(1).optional(),
  repairedAt: time.optional(),
});
const openBody = z.strictObject({
  device: z.string().min(1).optional(),
  level,
  symptom: z.string().min(1),
  code: z
    .string()
    .regex(/^[a-z0-9_]+$/)
    .optional(),
  faultType: z.string().min(1).optional(),
  reportedAt: time.optional(),
  faultStart: time.optional(),
});
const windowBody = z.strictObject({
  kind: z.enum(["maintenance", "drill"]).default("maintenance"),
  devices: z.array(z.string()).default([]),
  sites: z.array(z.string()).default([]),
  startsAt: time,
  endsAt: time,
  why: z.string().min(1),
  approvalRef: z.string().min(1).optional(),
});
const siteBody = z.strictObject({ note: z.string().optional(), at: time.optional() }).default({});
const listQuery = z.object({
  state: z.enum([...ticketStates, "open"]).optional(),
  level: level.optional(),
  device: z.string().optional(),
  site: z.string().optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Resolves tokens once at start (secrets revealed here, kept as digests only). A token whose variable
 * or file is missing is left out (logged); one that is set but empty, blank or has whitespace is a
 * config error: the daemon refuses to start rather than accept it.
 */
export function tokenTable(config: Config, log: Logger): { digest: Buffer; name: string; role: Role }[] {
  const out: { digest: Buffer; name: string; role: Role }[] = [];
  const bad: ConfigIssue[] = [];
  config.sla.api.tokens.forEach((t, i) => {
    let value: string;
    try {
      value = t.token.reveal();
    } catch (err) {
      log.error(
        { token: t.name, source: t.token.describe(), reason: (err as Error).message },
        "API token unreadable: ignored",
      );
      return;
    }
    if (!isUsableToken(value))
      bad.push({
        path: `sla.api.tokens[${i}].token`,
        message: `token ${t.name} (${t.token.describe()}) is empty or has blanks: set a token without whitespace`,
      });
    else out.push({ digest: digest(value), name: t.name, role: t.role });
  });
  if (bad.length > 0) throw new ConfigError("config", bad);
  return out;
}

/**
 * The actor of a request's `Authorization: Bearer <token>`, or null (no header, unknown token). The
 * token is taken exactly as sent: nothing is trimmed, and a blank one never matches.
 */
export function identifyBearer(tokens: ReturnType<typeof tokenTable>, req: FastifyRequest): Actor | null {
  const h = req.headers.authorization;
  if (!h?.startsWith("Bearer ")) return null;
  const presented = h.slice(7);
  if (!isUsableToken(presented)) return null;
  const given = digest(presented);
  let found: Actor | null = null;
  // Compare against every token, always, in constant time per comparison.
  for (const t of tokens) if (timingSafeEqual(given, t.digest)) found = { name: t.name, role: t.role };
  return found;
}

/**
 * Access to the report routes (src/report/wire.ts) under the same tokens: `authorize` lets the
 * bureau's supervisors enter the month's manual inputs and freeze it (the actor recorded is the
 * token's name), nobody else; `canRead` is the rule of this API's reads (any token, or none from
 * loopback when `sla.api.openReadsOnLoopback`).
 */
export function reportAccess(
  config: Config,
  log: Logger,
): { authorize(req: FastifyRequest): string | null; canRead(req: FastifyRequest): boolean } {
  const tokens = tokenTable(config, log);
  return {
    authorize: (req) => {
      const actor = identifyBearer(tokens, req);
      return actor?.role === "supervisor" ? actor.name : null;
    },
    canRead: (req) =>
      (config.sla.api.openReadsOnLoopback && isLoopback(req.ip)) || identifyBearer(tokens, req) !== null,
  };
}

export const isLoopback = (ip: string) => ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";

export function slaRoutes(deps: SlaHttpDeps): FastifyPluginAsync {
  const { config, db, clock, health, tickets } = deps;
  const tokens = tokenTable(config, deps.log);

  const identify = (req: FastifyRequest): Actor | null => identifyBearer(tokens, req);
  const authorize = (req: FastifyRequest, reply: FastifyReply, roles: readonly Role[]): Actor | null => {
    const actor = identify(req);
    if (!actor) {
      askForToken(reply);
      return null;
    }
    if (!roles.includes(actor.role)) {
      reply.code(403).send({ error: `role ${actor.role} cannot do this (needs ${roles.join(" or ")})` });
      return null;
    }
    return actor;
  };
  const canRead = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (config.sla.api.openReadsOnLoopback && isLoopback(req.ip)) return true;
    return authorize(req, reply, ["engineer", "supervisor", "viewer"]) !== null;
  };
  const handle = (reply: FastifyReply, fn: () => unknown) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof TicketError) return reply.code(err.status).send({ error: err.message });
      if (err instanceof RangeError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  };
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  /**
   * Checks the times a request gives (ms since epoch, by name): none before the store's first run (less
   * the clock skew) or
   * (unless `future`) further in the future than the clock skew (400); unless `backdate` is false, one
   * further in the past than `sla.api.backdateLimit` needs a supervisor (403). Answers the refusal
   * and returns false.
   */
  const timesAllowed = (
    reply: FastifyReply,
    actor: Actor,
    times: Record<string, number | undefined>,
    { backdate = true, future = false } = {},
  ): boolean => {
    const now = clock.now();
    const first = firstRunAt(db) ?? now;
    const { backdateLimit, clockSkew } = config.sla.api;
    for (const [name, ms] of Object.entries(times)) {
      if (ms === undefined) continue;
      // The skew also tolerates a time a little before the first run (a form's minute-rounded now).
      if (ms < first - clockSkew) {
        reply.code(400).send({
          error: `${name} ${iso(ms)}: before the store's first run (${iso(first)}); nothing was recorded then`,
        });
        return false;
      }
      if (!future && ms > now + clockSkew) {
        reply.code(400).send({ error: `${name} ${iso(ms)}: in the future (now ${iso(now)})` });
        return false;
      }
      if (backdate && ms < now - backdateLimit && actor.role !== "supervisor") {
        reply.code(403).send({
          error: `${name} ${iso(ms)}: more than ${Math.round(backdateLimit / 60_000)} min in the past needs the bureau's (supervisor's) token`,
        });
        return false;
      }
    }
    return true;
  };

  return async (app) => {
    app.get("/api/v1/states", async (req, reply) => {
      if (!canRead(req, reply)) return;
      return { states: health.states().map((s) => ({ ...s, since: iso(s.since) })) };
    });
    app.get<{ Params: { device: string } }>("/api/v1/states/:device", async (req, reply) => {
      if (!canRead(req, reply)) return;
      const s = health.state(req.params.device);
      if (!s) return reply.code(404).send({ error: `no device ${req.params.device}` });
      return { ...s, since: iso(s.since) };
    });

    app.get<{ Querystring: Record<string, string> }>("/api/v1/transitions", async (req, reply) => {
      if (!canRead(req, reply)) return;
      const from = time.safeParse(req.query.from ?? 0);
      const to = time.safeParse(req.query.to ?? clock.now() + 1);
      if (!from.success || !to.success)
        return reply.code(400).send({ error: "from= and to= are times (ISO or ms)" });
      return { transitions: transitionsBetween(db, from.data, to.data, req.query.device || undefined) };
    });

    app.get("/api/v1/sites", async (req, reply) => {
      if (!canRead(req, reply)) return;
      return { sites: health.sites() };
    });
    for (const action of ["deploy", "standdown"] as const)
      app.post<{ Params: { site: string } }>(`/api/v1/sites/:site/${action}`, async (req, reply) => {
        const actor = authorize(req, reply, ["engineer", "supervisor"]);
        if (!actor) return;
        const body = parseOr400(siteBody, req.body ?? {}, reply);
        if (!body) return;
        const site = config.sites.find((s) => s.id === req.params.site);
        if (!site) return reply.code(404).send({ error: `no site ${req.params.site}` });
        if (site.calendar !== "deployed")
          return reply.code(409).send({ error: `site ${site.id} is always in service (calendar: always)` });
        if (!timesAllowed(reply, actor, { at: body.at })) return;
        const at = body.at !== undefined ? Math.min(body.at, clock.now()) : undefined;
        return health.declareSite(req.params.site, action === "deploy", actor.name, body.note, at);
      });

    app.get<{ Querystring: Record<string, string> }>("/api/v1/availability", async (req, reply) => {
      if (!canRead(req, reply)) return;
      const q = req.query;
      const period = handle(reply, () => {
        if (q.month) return monthPeriod(q.month, config.daemon.timezone);
        const from = time.safeParse(q.from);
        const to = time.safeParse(q.to ?? clock.now());
        if (!from.success || !to.success)
          throw new RangeError("give month=YYYY-MM, or from= and to= (ISO or ms)");
        return { from: from.data, to: to.data };
      });
      if (!period || reply.sent) return;
      const asOf = time.safeParse(q.asOf ?? clock.now());
      if (!asOf.success) return reply.code(400).send({ error: "asOf= is a time (ISO or ms)" });
      return handle(reply, () =>
        availabilityForPeriod(db, config, period as { from: number; to: number }, {
          asOf: Math.min(asOf.data, clock.now()),
        }),
      );
    });

    app.get<{ Querystring: Record<string, string> }>("/api/v1/tickets", async (req, reply) => {
      if (!canRead(req, reply)) return;
      const q = parseOr400(listQuery, req.query, reply);
      if (!q) return;
      return { tickets: listTickets(db, q).map((t) => tickets.view(t)) };
    });
    app.get<{ Querystring: Record<string, string> }>("/api/v1/tickets/report", async (req, reply) => {
      if (!canRead(req, reply)) return;
      const month = req.query.month;
      if (!month) return reply.code(400).send({ error: "give month=YYYY-MM" });
      const asOf = time.safeParse(req.query.asOf ?? clock.now());
      if (!asOf.success) return reply.code(400).send({ error: "asOf= is a time (ISO or ms)" });
      return handle(reply, () =>
        ticketsForPeriod(db, config, monthPeriod(month, config.daemon.timezone), {
          at: Math.min(asOf.data, clock.now()),
        }),
      );
    });
    app.get<{ Params: { id: string } }>("/api/v1/tickets/:id", async (req, reply) => {
      if (!canRead(req, reply)) return;
      const t = tickets.get(Number(req.params.id));
      if (!t) return reply.code(404).send({ error: `no ticket ${req.params.id}` });
      return { ...t, events: tickets.events(t.id) };
    });
    app.post("/api/v1/tickets", async (req, reply) => {
      const actor = authorize(req, reply, ["engineer", "supervisor"]);
      if (!actor) return;
      const body = parseOr400(openBody, req.body, reply);
      if (!body) return;
      // When the fault began is often hours before the call (no backdating rule); when it was
      // reported starts the clocks, so an earlier one than the limit needs the bureau.
      if (!timesAllowed(reply, actor, { reportedAt: body.reportedAt })) return;
      if (!timesAllowed(reply, actor, { faultStart: body.faultStart }, { backdate: false })) return;
      if (body.faultStart !== undefined && body.faultStart > (body.reportedAt ?? clock.now()))
        return reply.code(400).send({ error: "faultStart: after the fault was reported" });
      return handle(reply, () => {
        const t = tickets.openManual(body, actor);
        reply.code(201);
        return tickets.view(t);
      });
    });
    app.patch<{ Params: { id: string } }>("/api/v1/tickets/:id", async (req, reply) => {
      const actor = authorize(req, reply, ["engineer", "supervisor"]);
      if (!actor) return;
      const body = parseOr400(z.strictObject(recordShape), req.body, reply);
      if (!body) return;
      return handle(reply, () => tickets.view(tickets.update(Number(req.params.id), body, actor)));
    });
    app.post<{ Params: { id: string; action: string } }>(
      "/api/v1/tickets/:id/:action",
      async (req, reply) => {
        const action = req.params.action as (typeof ticketActions)[number];
        if (!ticketActions.includes(action))
          return reply
            .code(404)
            .send({ error: `no action ${req.params.action} (one of ${ticketActions.join(", ")})` });
        const roles: Role[] =
          action === "verify" || action === "reject" ? ["supervisor"] : ["engineer", "supervisor"];
        const actor = authorize(req, reply, roles);
        if (!actor) return;
        const body = parseOr400(actBody, req.body ?? {}, reply);
        if (!body) return;
        if (!timesAllowed(reply, actor, { repairedAt: body.repairedAt }, { backdate: false })) return;
        return handle(reply, () => tickets.view(tickets.act(Number(req.params.id), action, actor, body)));
      },
    );

    app.get<{ Querystring: Record<string, string> }>("/api/v1/maintenance", async (req, reply) => {
      if (!canRead(req, reply)) return;
      const from = time.safeParse(req.query.from ?? 0);
      const to = time.safeParse(req.query.to ?? Number.MAX_SAFE_INTEGER);
      return {
        windows: windowsBetween(
          db,
          from.success ? from.data : 0,
          to.success ? to.data : Number.MAX_SAFE_INTEGER,
        ),
      };
    });
    app.post("/api/v1/maintenance", async (req, reply) => {
      const actor = authorize(req, reply, ["engineer", "supervisor"]);
      if (!actor) return;
      const body = parseOr400(windowBody, req.body, reply);
      if (!body) return;
      if (body.devices.length === 0 && body.sites.length === 0)
        return reply.code(400).send({ error: "name the devices or sites the window covers" });
      const unknown = [
        ...body.devices.filter((d) => !config.devices.some((x) => x.id === d)),
        ...body.sites.filter((s) => !config.sites.some((x) => x.id === s)),
      ];
      if (unknown.length) return reply.code(400).send({ error: `unknown ids: ${unknown.join(", ")}` });
      // Windows are planned ahead, and approved by the bureau: only their start is bounded here.
      if (!timesAllowed(reply, actor, { startsAt: body.startsAt }, { backdate: false, future: true })) return;
      if (!(body.endsAt > body.startsAt))
        return reply.code(400).send({ error: "endsAt: a window ends after it starts" });
      return handle(reply, () => {
        const w = addWindow(db, {
          kind: body.kind,
          devices: body.devices,
          sites: body.sites,
          startsAt: body.startsAt,
          endsAt: body.endsAt,
          who: actor.name,
          why: body.why,
          approvalRef: body.approvalRef ?? null,
          createdAt: clock.now(),
        });
        deps.log.info({ window: w.id, kind: w.kind, who: actor.name }, "maintenance window requested");
        reply.code(201);
        return w;
      });
    });
    for (const action of ["approve", "cancel"] as const)
      app.post<{ Params: { id: string } }>(`/api/v1/maintenance/:id/${action}`, async (req, reply) => {
        const actor = authorize(
          req,
          reply,
          action === "approve" ? ["supervisor"] : ["engineer", "supervisor"],
        );
        if (!actor) return;
        const body = parseOr400(
          z.strictObject({ approvalRef: z.string().min(1).optional() }).default({}),
          req.body ?? {},
          reply,
        );
        if (!body) return;
        if (!getWindow(db, Number(req.params.id)))
          return reply.code(404).send({ error: `no window ${req.params.id}` });
        const w = setWindowStatus(
          db,
          Number(req.params.id),
          action === "approve" ? "approved" : "cancelled",
          actor.name,
          clock.now(),
          body.approvalRef,
        );
        deps.log.info({ window: w?.id, action, who: actor.name }, `maintenance window ${action}d`);
        health.refreshWindows();
        health.tick();
        return w;
      });
  };
}
