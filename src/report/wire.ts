/**
 * The reports inside the daemon: the API routes and the monthly schedule over the store's
 * ReportSource. startDaemon calls `startReports` once after opening the store and passes `routes` to
 * the HTTP server; `stop()` runs at shutdown before the store closes. The source defaults to the store
 * (the availability ledger and the tickets, store-source.ts); `source: null` adds nothing.
 */
import { join } from "node:path";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import { askForToken } from "../http/replies.ts";
import { previousMonth } from "../ledger/period.ts";
import { firstRunAt } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import type { BuildOptions } from "./build.ts";
import { type ReportConfig, reportConfigSchema } from "./policy.ts";
import { reportRoutes } from "./routes.ts";
import { type MonthlyReportDeps, scheduleMonthlyReports } from "./schedule.ts";
import type { ReportSource } from "./source.ts";
import { storeReportSource } from "./store-source.ts";

export interface ReportsDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Defaults to storeReportSource(db, config). */
  source?: ReportSource | null;
  /** Who may enter inputs and freeze over the API; absent = read-only API. */
  authorize?: (req: FastifyRequest) => string | null;
  /** Who may read reports (401 otherwise); absent = everyone. */
  canRead?: (req: FastifyRequest) => boolean;
  /** The maintenance records' figures of a month (src/records); absent: counted lines are manual. */
  records?: BuildOptions["records"];
  /** Writes the month's record documents beside the sheet (see MonthlyReportDeps.recordReports). */
  recordReports?: MonthlyReportDeps["recordReports"];
  /** Run the monthly schedule (default true). */
  schedule?: boolean;
}

/** The report policy of a daemon config: its `reports:` block in its `daemon.timezone`. */
export function reportConfigOf(config: Config): ReportConfig {
  return reportConfigSchema.parse({ ...config.reports, timezone: config.daemon.timezone });
}

export function startReports(deps: ReportsDeps): { routes: FastifyPluginAsync[]; stop(): Promise<void> } {
  const source = deps.source === undefined ? storeReportSource(deps.db, deps.config) : deps.source;
  if (!source) return { routes: [], stop: async () => {} };
  const config = reportConfigOf(deps.config);
  const plugin = reportRoutes({
    source,
    config,
    clock: deps.clock,
    db: deps.db,
    authorize: deps.authorize,
    ...(deps.records ? { records: deps.records } : {}),
  });
  const canRead = deps.canRead;
  // The reports hold the bureau's data: reads follow the API's read rule (hook scoped to these routes).
  const guarded: FastifyPluginAsync = canRead
    ? async (app) => {
        app.addHook("onRequest", async (req, reply) => {
          if (req.method === "GET" && !canRead(req)) return askForToken(reply);
        });
        await app.register(plugin);
      }
    : plugin;
  const routes = [guarded];
  // Catch up (report and freeze at start) only a month some daemon run watched: a new store would
  // otherwise freeze the month before its first start, from no evidence.
  const firstRun = firstRunAt(deps.db);
  const monthly =
    deps.schedule === false
      ? null
      : scheduleMonthlyReports({
          source,
          config,
          clock: deps.clock,
          db: deps.db,
          log: deps.log,
          outDir: join(deps.config.daemon.dataDir, "reports"),
          ...(deps.records ? { records: deps.records } : {}),
          ...(deps.recordReports ? { recordReports: deps.recordReports } : {}),
          catchUp: firstRun !== null && firstRun < previousMonth(deps.clock.now(), config.timezone).end,
        });
  return { routes, stop: async () => monthly?.stop() };
}
