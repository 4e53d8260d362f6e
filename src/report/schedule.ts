/**
 * The monthly run: in the first hours of each month (default 02:30 on the 1st, contract time zone),
 * report the month that just ended, write every export into `outDir/<period>/` (with the records'
 * monthly inspection and joint-test reports when given), and freeze it when a
 * store is given. In January the previous year's report is produced too. A period already frozen with
 * a different result is left alone and logged: a correction needs a person and a reason.
 *
 * At start it catches up a month the daemon was down for (see `catchUp`).
 *
 * The schedule is a cron expression evaluated on the injected Clock (src/core/cron.ts), so a test
 * on a FakeClock sees it fire. Called by `startReports` (wire.ts) at start; `stop()` at shutdown.
 * Runs never overlap.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.ts";
import { CronError, everyCron } from "../core/cron.ts";
import { type CalendarPeriod, previousMonth } from "../ledger/period.ts";
import type { Db } from "../store/db.ts";
import { type BuildOptions, buildReport } from "./build.ts";
import { writeReportFiles } from "./export.ts";
import { FreezeError, freezeReport, frozenStamp, getFrozen, loadInputs } from "./freeze.ts";
import type { ReportConfig } from "./policy.ts";
import type { ReportSource } from "./source.ts";

export interface MonthlyReportDeps {
  source: ReportSource;
  config: ReportConfig;
  clock: Clock;
  log: Logger;
  /** Where exports go: `<outDir>/<period>/`. */
  outDir: string;
  /** The maintenance records' figures of a month (see BuildOptions.records). */
  records?: BuildOptions["records"];
  /**
   * Writes the month's other documents (src/records: 月度巡检报告, 月度联调报告) into its directory
   * beside the sheet's exports; absent: only the sheet's.
   */
  recordReports?: (month: string, dir: string) => Promise<string[]>;
  /** The store: stored manual inputs are used, and the month is frozen. */
  db?: Db;
  /** Cron expression (minute hour day month weekday) in `config.timezone`; default "30 2 1 * *". */
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
  /** Cancels the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

export function scheduleMonthlyReports(deps: MonthlyReportDeps): MonthlyReports {
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
            frozen = frozenStamp(r.revision);
          } catch (err) {
            if (!(err instanceof FreezeError)) throw err;
            log.warn(
              { period, err: err.message },
              "report not frozen: the period is frozen with a different result",
            );
          }
        }
        await writeReportFiles({ sheet, frozen }, join(deps.outDir, period));
        if (period === month.id) await deps.recordReports?.(period, join(deps.outDir, period));
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
    if (deps.db && deps.config.timeliness.attribution === "started") await settleFrozenMonths(deps.db, month);
    return periods;
  };

  /**
   * Under `started`, a frozen month's tickets still pending when it was frozen count in that month
   * once they settle: each of the twelve months before `month` whose latest revision has pending
   * tickets is recomputed, and frozen as a new revision naming the tickets that settled.
   */
  const settleFrozenMonths = async (db: Db, month: CalendarPeriod): Promise<void> => {
    for (let back = 12; back >= 1; back--) {
      const id = shiftMonth(month, -back);
      const frozen = getFrozen(db, id);
      if (!frozen || frozen.sheet.timeliness.pending === 0) continue;
      try {
        const { data, sheet } = await buildReport(id, { ...deps, inputs: loadInputs(db, id) });
        const was = new Set(frozen.sheet.faults.filter((f) => f.timeliness === null).map((f) => f.id));
        const settled = sheet.faults.filter((f) => f.timeliness !== null && was.has(f.id)).map((f) => f.id);
        if (settled.length === 0) continue;
        const r = freezeReport(db, {
          config: deps.config,
          data,
          sheet,
          actor: "schedule",
          reason: `tickets pending at the month's end have settled and now count in it (started attribution): ${settled.join(", ")}`,
          clock: deps.clock,
        });
        log.info(
          { period: id, revision: r.revision.revision, settled },
          "frozen month revised: pending tickets settled",
        );
      } catch (err) {
        log.error({ period: id, err }, "revising a frozen month failed");
      }
    }
  };

  const expression = deps.cronExpression ?? "30 2 1 * *";
  let task: ReturnType<typeof everyCron>;
  try {
    task = everyCron(deps.clock, expression, deps.config.timezone, () => void runNow());
  } catch (err) {
    if (err instanceof CronError) throw new Error(`report schedule: not a cron expression: ${err.message}`);
    throw err;
  }
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
      task.stop();
      await running;
    },
  };
}

/** The id ("YYYY-MM") of the month `by` months from `month`. */
function shiftMonth(month: CalendarPeriod, by: number): string {
  const index = month.year * 12 + (month.month ?? 1) - 1 + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
