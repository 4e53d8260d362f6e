/**
 * The records API, a Fastify plugin for the daemon's `routes`:
 *
 *   GET  /api/v1/records?kind=&period=&subject=&state=   records (current version each)
 *   GET  /api/v1/records/:id                             record, versions, signatures, audit trail
 *   GET  /api/v1/records/figures/:month                  the month's counts for the score sheet
 *   GET  /api/v1/records/reports/:month-(inspection|joint-test).(json|xlsx|csv|md|html)  ?table=
 *        月度巡检报告 (with 本月巡检总结) and 月度联调报告
 *   POST /api/v1/records/:kind                           create (plan, inspection, drill, register…)
 *   PUT  /api/v1/records/:id                             change an unsigned record (new version);
 *                                                        a signed one is refused (409), nothing changes
 *   POST /api/v1/records/:id/correct                     {body, reason}: correct a signed record
 *   POST /api/v1/records/:id/checkin                     {position?}: on site (inspections)
 *   POST /api/v1/records/:id/hazards                     {description, broken?, level?, plan?, due?}
 *   POST /api/v1/records/:id/:step                       {comment?}: submit, approve, return, sign,
 *                                                        countersign, close, reopen
 *
 * Writes need a bearer token (401 without, 403 for the wrong role: the bureau's steps need a
 * supervisor's); reads follow the API's read rule. The actor and role recorded are the token's.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { askForToken, parseOr400 } from "../http/replies.ts";
import { contentTypes } from "../report/export.ts";
import type { RecordFigures } from "../report/records.ts";
import type { Actor } from "../tickets/engine.ts";
import { TicketError } from "../tickets/engine.ts";
import { RecordError, type RecordsEngine } from "./engine.ts";
import { registerEffect } from "./figures.ts";
import { type RecordKind, type RegisterBody, recordKinds } from "./kinds.ts";
import {
  type RecordReport,
  type RecordReportDoc,
  type RecordReportFormat,
  recordReportFormats,
  renderRecordReport,
} from "./reports.ts";

export interface RecordRouteDeps {
  engine: RecordsEngine;
  /** The token's actor, or null (no or unknown token). */
  identify(req: FastifyRequest): Actor | null;
  /** The API's read rule. */
  canRead(req: FastifyRequest): boolean;
  /** The month's figures as of now (or its end). */
  figures(month: string): RecordFigures;
  /** The month's inspection or joint-test report. */
  report(month: string, report: RecordReport): RecordReportDoc;
}

const REPORT_RE = /^(\d{4}-(?:0[1-9]|1[0-2]))-(inspection|joint-test)\.(json|xlsx|csv|md|html)$/;

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const correctBody = z.strictObject({ body: z.unknown(), reason: z.string().trim().min(1, "a reason") });
const checkinBody = z.strictObject({ position: z.string().max(200).optional() }).default({});
const hazardBody = z.strictObject({
  description: z.string().trim().min(1),
  broken: z.boolean().default(false),
  level: z.enum(["major", "general", "consult"]).optional(),
  plan: z.string().optional(),
  due: z.string().optional(),
});
const stepBody = z.strictObject({ comment: z.string().max(2000).optional() }).default({});

export function recordRoutes(deps: RecordRouteDeps): FastifyPluginAsync {
  const { engine } = deps;
  return async (app) => {
    const actorOf = (req: FastifyRequest, reply: FastifyReply): Actor | null => {
      const actor = deps.identify(req);
      if (!actor) askForToken(reply);
      return actor;
    };
    const readable = (req: FastifyRequest, reply: FastifyReply): boolean => {
      if (deps.canRead(req)) return true;
      askForToken(reply);
      return false;
    };
    const handle = (reply: FastifyReply, fn: () => unknown) => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof RecordError)
          return reply
            .code(err.status)
            .send({ error: err.message, ...(err.issues.length ? { issues: err.issues } : {}) });
        if (err instanceof TicketError) return reply.code(err.status).send({ error: err.message });
        throw err;
      }
    };

    app.get<{ Querystring: { kind?: string; period?: string; subject?: string; state?: string } }>(
      "/api/v1/records",
      async (req, reply) => {
        if (!readable(req, reply)) return;
        const { kind, period, subject, state } = req.query;
        if (kind !== undefined && !recordKinds.includes(kind as RecordKind))
          return reply.code(400).send({ error: `kind: one of ${recordKinds.join(", ")}` });
        const records = engine.list({ kind: kind as RecordKind, period, subject, state });
        // A register entry says what it does to its line of the sheet, as the sheet counts it.
        return {
          records: records.map((r) =>
            r.kind === "register" ? { ...r, effect: registerEffect(r.body as RegisterBody) } : r,
          ),
        };
      },
    );
    app.get<{ Params: { month: string } }>("/api/v1/records/figures/:month", async (req, reply) => {
      if (!readable(req, reply)) return;
      if (!MONTH_RE.test(req.params.month)) return reply.code(400).send({ error: "month: YYYY-MM" });
      return deps.figures(req.params.month);
    });
    app.get<{ Params: { file: string }; Querystring: { table?: string } }>(
      "/api/v1/records/reports/:file",
      async (req, reply) => {
        if (!readable(req, reply)) return;
        const m = REPORT_RE.exec(req.params.file);
        if (!m)
          return reply.code(404).send({
            error: `expected /api/v1/records/reports/<YYYY-MM>-<inspection|joint-test>.<${recordReportFormats.join("|")}>`,
          });
        const format = m[3] as RecordReportFormat;
        try {
          const body = await renderRecordReport(
            deps.report(m[1]!, m[2] as RecordReport),
            format,
            req.query.table,
          );
          reply.header("content-type", contentTypes[format]);
          if (format === "xlsx" || format === "csv")
            reply.header("content-disposition", `attachment; filename="${m[1]}-${m[2]}.${format}"`);
          return reply.send(body);
        } catch (err) {
          if (err instanceof RangeError) return reply.code(400).send({ error: err.message });
          throw err;
        }
      },
    );
    app.get<{ Params: { id: string } }>("/api/v1/records/:id", async (req, reply) => {
      if (!readable(req, reply)) return;
      return handle(reply, () => engine.view(Number(req.params.id)));
    });

    app.post<{ Params: { kind: string } }>("/api/v1/records/:kind", async (req, reply) => {
      const kind = req.params.kind as RecordKind;
      if (!recordKinds.includes(kind))
        return reply
          .code(404)
          .send({ error: `no record kind ${req.params.kind} (one of ${recordKinds.join(", ")})` });
      const actor = actorOf(req, reply);
      if (!actor) return;
      return handle(reply, () => reply.code(201).send(engine.create(kind, req.body, actor)));
    });
    app.put<{ Params: { id: string } }>("/api/v1/records/:id", async (req, reply) => {
      const actor = actorOf(req, reply);
      if (!actor) return;
      return handle(reply, () => engine.edit(Number(req.params.id), req.body, actor));
    });
    app.post<{ Params: { id: string; step: string } }>("/api/v1/records/:id/:step", async (req, reply) => {
      const actor = actorOf(req, reply);
      if (!actor) return;
      const id = Number(req.params.id);
      switch (req.params.step) {
        case "correct": {
          const b = parseOr400(correctBody, req.body, reply);
          if (!b) return;
          return handle(reply, () => engine.correct(id, b.body, actor, b.reason));
        }
        case "checkin": {
          const b = parseOr400(checkinBody, req.body ?? {}, reply);
          if (!b) return;
          return handle(reply, () => engine.checkin(id, actor, b.position));
        }
        case "hazards": {
          const b = parseOr400(hazardBody, req.body, reply);
          if (!b) return;
          return handle(reply, () => reply.code(201).send(engine.raiseHazard(id, b, actor)));
        }
        default: {
          const b = parseOr400(stepBody, req.body ?? {}, reply);
          if (!b) return;
          return handle(reply, () => engine.act(id, req.params.step, actor, b.comment));
        }
      }
    });
  };
}
