/**
 * The maintenance records inside the daemon: the engine over the store, its API routes, and the
 * month's figures the score sheet takes (`figures`, passed to startReports). startDaemon calls
 * `startRecords` once after the SLA part (its ticket engine opens tickets for broken findings).
 */
import type { FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import { identifyBearer, reportAccess, tokenTable } from "../api/http.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { CalendarPeriod as Period } from "../ledger/period.ts";
import type { RecordFigures } from "../report/records.ts";
import type { StatusBoard } from "../status.ts";
import type { Db } from "../store/db.ts";
import type { TicketEngine } from "../tickets/engine.ts";
import { RecordsEngine } from "./engine.ts";
import { recordFigures } from "./figures.ts";
import { recordReport, recordReports, writeRecordReportFiles } from "./reports.ts";
import { recordRoutes } from "./routes.ts";
import { statusTelemetry } from "./telemetry.ts";

export interface RecordsDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  status?: StatusBoard;
  tickets?: TicketEngine;
}

export interface Records {
  engine: RecordsEngine;
  routes: FastifyPluginAsync[];
  /** A month's figures as of `cutoff` (the report builder's `records`). */
  figures(month: Pick<Period, "id">, cutoff: number): RecordFigures;
  /** Writes the month's 月度巡检报告 and 月度联调报告 into `dir` (the monthly schedule's). */
  writeReports(month: string, dir: string): Promise<string[]>;
}

export function startRecords(deps: RecordsDeps): Records {
  const { config, db, clock } = deps;
  const timezone = config.daemon.timezone;
  const engine = new RecordsEngine({
    db,
    clock,
    timezone,
    devices: config.devices,
    ...(deps.status ? { telemetry: statusTelemetry(deps.status, db) } : {}),
    ...(deps.tickets ? { tickets: deps.tickets } : {}),
  });
  const devices = config.devices.map((d) => d.id);
  const figures = (month: Pick<Period, "id">, cutoff: number) =>
    recordFigures(db, { month: month.id, timezone, cutoff, devices });
  const tokens = tokenTable(config, deps.log);
  const routes = recordRoutes({
    engine,
    identify: (req) => identifyBearer(tokens, req),
    canRead: reportAccess(config, deps.log).canRead,
    figures: (month) => figures({ id: month }, clock.now()),
    report: (month, report) => recordReport(db, { report, month, timezone, devices }),
  });
  const writeReports = async (month: string, dir: string) => {
    const written: string[] = [];
    for (const report of Object.keys(recordReports) as (keyof typeof recordReports)[])
      written.push(
        ...(await writeRecordReportFiles(recordReport(db, { report, month, timezone, devices }), dir)),
      );
    return written;
  };
  return { engine, routes: [routes], figures, writeReports };
}
