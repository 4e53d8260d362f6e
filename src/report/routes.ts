/**
 * The report API, a Fastify plugin for src/http/server.ts's `routes`:
 *   GET  /api/v1/reports/:period.(json|xlsx|csv|md|html)   ?table=faults (CSV), ?revision=N, ?live=1,
 *        ?asOf=TIME. A frozen period is served from its latest (or the given) frozen revision; ?live=1
 *        (or ?asOf) recomputes, as of that instant (default now; never after now).
 *   GET  /api/v1/reports/:period/revisions                   frozen revisions and audit log
 *   PUT  /api/v1/reports/:period/inputs                      manual inputs (JSON body), validated
 *   POST /api/v1/reports/:period/freeze                      {"reason": "..."} freezes / corrects
 * The write routes exist only when `authorize` is given; it names the caller or refuses (403).
 * Bad periods and inputs are 400 with the problem named; nothing is written on a 400.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { Clock } from "../core/clock.ts";
import { PeriodError, parsePeriod } from "../ledger/period.ts";
import type { Db } from "../store/db.ts";
import { type BuildOptions, buildReport } from "./build.ts";
import { contentTypes, type ReportEnvelope, type ReportFormat, renderOne, reportFormats } from "./export.ts";
import {
  auditLog,
  FreezeError,
  freezeReport,
  frozenStamp,
  getFrozen,
  listRevisions,
  loadInputs,
  saveInputs,
} from "./freeze.ts";
import { InputError } from "./inputs.ts";
import type { ReportConfig } from "./policy.ts";
import type { ReportSource } from "./source.ts";

export interface ReportRouteDeps {
  source: ReportSource;
  config: ReportConfig;
  clock: Clock;
  /** The store: frozen revisions and stored manual inputs. Without it reports are always live, inputs empty. */
  db?: Db;
  /** The maintenance records' figures of a month (see BuildOptions.records). */
  records?: BuildOptions["records"];
  /** Names the caller allowed to write (inputs, freeze), or null to refuse. Absent: the API is read-only. */
  authorize?: (req: FastifyRequest) => string | null;
}

const FILE_RE = /^(\d{4}(?:-\d{2})?)\.([a-z]+)$/;

export function reportRoutes(deps: ReportRouteDeps): FastifyPluginAsync {
  return async (app) => {
    const fail = (reply: FastifyReply, err: unknown) => {
      if (err instanceof PeriodError || err instanceof InputError || err instanceof RangeError)
        return reply.code(400).send({ error: err.message });
      if (err instanceof FreezeError) return reply.code(409).send({ error: err.message });
      throw err;
    };

    app.get<{
      Params: { file: string };
      Querystring: { table?: string; revision?: string; live?: string; asOf?: string };
    }>("/api/v1/reports/:file", async (req, reply) => {
      const m = FILE_RE.exec(req.params.file);
      const format = m?.[2] as ReportFormat | undefined;
      if (!m || !format || !reportFormats.includes(format))
        return reply
          .code(404)
          .send({ error: `expected /api/v1/reports/<YYYY-MM|YYYY>.<${reportFormats.join("|")}>` });
      try {
        const period = parsePeriod(m[1]!, deps.config.timezone);
        let env: ReportEnvelope;
        const revision = req.query.revision === undefined ? undefined : Number(req.query.revision);
        if (revision !== undefined && !Number.isInteger(revision))
          throw new RangeError(`revision: a whole number, got ${req.query.revision}`);
        const asOf = req.query.asOf === undefined ? undefined : parseInstant(req.query.asOf);
        const frozen =
          deps.db && req.query.live === undefined && asOf === undefined
            ? getFrozen(deps.db, period.id, revision)
            : null;
        if (revision !== undefined && !frozen)
          return reply.code(404).send({ error: `${period.id} has no frozen revision ${revision}` });
        if (frozen) {
          env = { sheet: frozen.sheet, frozen: frozenStamp(frozen) };
        } else {
          const inputs = deps.db ? loadInputs(deps.db, period.id) : [];
          const { sheet } = await buildReport(period.id, {
            ...deps,
            inputs,
            asOf: asOf === undefined ? undefined : Math.min(asOf, deps.clock.now()),
          });
          env = { sheet, frozen: null };
        }
        const body = await renderOne(env, format, req.query.table);
        reply.header("content-type", contentTypes[format]);
        if (format === "xlsx" || format === "csv")
          reply.header(
            "content-disposition",
            `attachment; filename="${period.id}${format === "csv" ? `-${req.query.table ?? "summary"}` : ""}.${format}"`,
          );
        return reply.send(body);
      } catch (err) {
        return fail(reply, err);
      }
    });

    app.get<{ Params: { period: string } }>("/api/v1/reports/:period/revisions", async (req, reply) => {
      try {
        const period = parsePeriod(req.params.period, deps.config.timezone);
        if (!deps.db) return { period: period.id, revisions: [], audit: [] };
        return {
          period: period.id,
          revisions: listRevisions(deps.db, period.id),
          audit: auditLog(deps.db, period.id),
        };
      } catch (err) {
        return fail(reply, err);
      }
    });

    const authorize = deps.authorize;
    const db = deps.db;
    if (!authorize || !db) return;

    app.put<{ Params: { period: string } }>("/api/v1/reports/:period/inputs", async (req, reply) => {
      const actor = authorize(req);
      if (!actor) return reply.code(403).send({ error: "not allowed to enter report inputs" });
      try {
        const period = parsePeriod(req.params.period, deps.config.timezone);
        const inputs = saveInputs(db, req.body, { actor, clock: deps.clock, period: period.id });
        return { saved: inputs };
      } catch (err) {
        return fail(reply, err);
      }
    });

    app.post<{ Params: { period: string }; Body: { reason?: string } | undefined }>(
      "/api/v1/reports/:period/freeze",
      async (req, reply) => {
        const actor = authorize(req);
        if (!actor) return reply.code(403).send({ error: "not allowed to freeze reports" });
        try {
          const period = parsePeriod(req.params.period, deps.config.timezone);
          const { data, sheet } = await buildReport(period.id, {
            ...deps,
            inputs: loadInputs(db, period.id),
          });
          const r = freezeReport(db, {
            config: deps.config,
            data,
            sheet,
            actor,
            reason: req.body?.reason,
            clock: deps.clock,
          });
          return reply.code(r.created ? 201 : 200).send({
            period: period.id,
            revision: r.revision.revision,
            digest: r.revision.digest,
            created: r.created,
          });
        } catch (err) {
          return fail(reply, err);
        }
      },
    );
  };
}

/** An instant given as ISO 8601 or ms since the epoch; anything else is a 400. */
function parseInstant(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new RangeError(`asOf: a time (ISO 8601 or ms), got ${text}`);
  return ms;
}
