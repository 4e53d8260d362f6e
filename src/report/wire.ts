/**
 * The reports inside the daemon: the API routes and the monthly schedule over the store's
 * ReportSource. startDaemon calls `startReports` once after opening the store and passes `routes` to
 * the HTTP server; `stop()` runs at shutdown before the store closes. While no ReportSource over the
 * store exists (store-source.ts returns null) it adds nothing.
 */
import { join } from "node:path";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../store/db.ts";
import { type ReportConfig, reportConfigSchema } from "./policy.ts";
import { reportRoutes } from "./routes.ts";
import { scheduleMonthlyReports } from "./schedule.ts";
import type { ReportSource } from "./source.ts";
import { storeReportSource } from "./store-source.ts";

export interface ReportsDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Defaults to storeReportSource(db). */
  source?: ReportSource | null;
  /** Who may enter inputs and freeze over the API; absent = read-only API. */
  authorize?: (req: FastifyRequest) => string | null;
  /** Run the monthly schedule (default true). */
  schedule?: boolean;
}

/** The report policy of a daemon config: its `reports:` block in its `daemon.timezone`. */
export function reportConfigOf(config: Config): ReportConfig {
  return reportConfigSchema.parse({ ...config.reports, timezone: config.daemon.timezone });
}

export function startReports(deps: ReportsDeps): { routes: FastifyPluginAsync[]; stop(): Promise<void> } {
  const source = deps.source === undefined ? storeReportSource(deps.db) : deps.source;
  if (!source) return { routes: [], stop: async () => {} };
  const config = reportConfigOf(deps.config);
  const routes = [
    reportRoutes({ source, config, clock: deps.clock, db: deps.db, authorize: deps.authorize }),
  ];
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
        });
  return { routes, stop: async () => monthly?.stop() };
}
