/**
 * The monthly run: in the first hours of each month (default 02:30 on the 1st, contract time zone),
 * report the month that just ended, write every export into `outDir/<period>/`, and freeze it when a
 * store is given. In January the previous year's report is produced too. A period already frozen with
 * a different result is left alone and logged: a correction needs a person and a reason.
 *
 * At start it catches up a month the daemon was down for (see `catchUp`).
 *
 * Wiring (src/daemon.ts): `const reports = scheduleMonthlyReports({ source, config, clock, db, outDir, log })`
 * at start, `await reports.stop()` at shutdown. The cron timer is unref()ed; runs never overlap.
 */
import { join } from "node:path";
import cron from "node-cron";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.ts";
import { previousMonth } from "../ledger/period.ts";
import type { Db } from "../store/db.ts";
import { buildReport } from "./build.ts";
import { writeReportFiles } from "./export.ts";
import { FreezeError, freezeReport, getFrozen, loadInputs } from "./freeze.ts";
import type { ReportConfig } from "./policy.ts";
import type { ReportSource } from "./source.ts";

export interface MonthlyReportDeps {
  source: ReportSource;
  config: ReportConfig;
  clock: Clock;
  log: Logger;
  /** Where exports go: `<outDir>/<period>/`. */
  outDir: string;
  /** The store: stored manual inputs are used, and the month is frozen. */
  db?: Db;
  /** node-cron expression (minute hour day month weekday), in `config.timezone`. */
  cronExpression?: string;
  /**
   * At start, when the store has no frozen revision of the month that ended (the daemon was down at
   * the scheduled hour), run the job at once (default true; needs `db`).
   */
  catchUp?: boolean;
}

export interface MonthlyReports {
  /** Runs the job now, as the schedule would (reporting the month before `clock.now()`). */
  runNow(): Promise<string[]>;
  stop(): Promise<void>;
}

export function scheduleMonthlyReports(deps: MonthlyReportDeps): MonthlyReports {
  const expression = deps.cronExpression ?? "30 2 1 * *";
  if (!cron.validate(expression))
    throw new Error(`report schedule: "${expression}" is not a cron expression`);
  const log = deps.log.child({ component: "reports" });

  let running: Promise<string[]> | null = null;
  const runNow = (): Promise<string[]> => {
    running ??= runJob().finally(() => {
      running = null;
    });
    return running;
  };

  const runJob = async (): Promise<string[]> => {
    const month = previousMonth(deps.clock.now(), deps.config.timezone);
    const periods = month.month === 12 ? [month.id, String(month.year)] : [month.id];
    for (const period of periods) {
      try {
        const inputs = deps.db ? loadInputs(deps.db, period) : [];
        const { data, sheet } = await buildReport(period, { ...deps, inputs });
        let frozen = null;
        if (deps.db) {
          try {
            const r = freezeReport(deps.db, {
              config: deps.config,
              data,
              sheet,
              actor: "schedule",
              clock: deps.clock,
            });
            frozen = {
              revision: r.revision.revision,
              digest: r.revision.digest,
              frozenAt: r.revision.frozenAt,
              frozenBy: r.revision.frozenBy,
              reason: r.revision.reason,
            };
          } catch (err) {
            if (!(err instanceof FreezeError)) throw err;
            log.warn(
              { period, err: err.message },
              "report not frozen: the period is frozen with a different result",
            );
          }
        }
        await writeReportFiles({ sheet, frozen }, join(deps.outDir, period));
        log.info(
          {
            period,
            performance: sheet.totals.performance,
            service: sheet.totals.service,
            digest: frozen?.digest,
          },
          "monthly report written",
        );
      } catch (err) {
        log.error({ period, err }, "monthly report failed");
      }
    }
    return periods;
  };

  const task = cron.schedule(expression, () => runNow(), {
    timezone: deps.config.timezone,
    name: "emcomm-monthly-report",
    noOverlap: true,
  });
  task.unref();
  if (deps.db && deps.catchUp !== false) {
    const last = previousMonth(deps.clock.now(), deps.config.timezone);
    if (!getFrozen(deps.db, last.id)) {
      log.info({ period: last.id }, "month not reported yet: reporting it now");
      void runNow();
    }
  }
  return {
    runNow,
    stop: async () => {
      await task.destroy();
    },
  };
}
