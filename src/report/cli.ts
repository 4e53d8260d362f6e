/**
 * `emcomm report --period 2026-11 | 2026 [--config FILE] [--out DIR] [--inputs FILE] [--freeze]
 * [--as-of TIME] [--json]`: computes the score sheet as of an instant (default now; a period in
 * progress is computed up to it, never extrapolated), prints the totals (or, with --json, the whole
 * sheet on stdout), writes every export into --out, and with --freeze stores the month as a frozen
 * revision. The store is never created here: a missing or empty one is an error naming its path.
 * Exit 1 with every problem listed on bad input.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { loadConfigFile } from "../config/load.ts";
import { systemClock } from "../core/clock.ts";
import { ConfigError } from "../core/errors.ts";
import { formatLocal, TimeZoneError } from "../core/zoned-time.ts";
import { PeriodError, parsePeriod } from "../ledger/period.ts";
import { openExistingStore, openStore, StoreMissingError } from "../store/db.ts";
import { buildReport } from "./build.ts";
import { writeReportFiles } from "./export.ts";
import {
  auditLog,
  FreezeError,
  freezeReport,
  frozenStamp,
  listRevisions,
  loadInputs,
  saveInputs,
  verifyFrozen,
} from "./freeze.ts";
import { InputError, type ManualInputs, parseInputsFile } from "./inputs.ts";
import { MemoryReportSource, type MemorySourceData } from "./memory-source.ts";
import { type ReportConfig, reportConfigSchema } from "./policy.ts";
import type { ReportSource } from "./source.ts";
import { storeReportSource } from "./store-source.ts";
import { reportConfigOf } from "./wire.ts";

interface ReportOptions {
  period: string;
  config?: string;
  out?: string;
  inputs?: string;
  freeze?: boolean;
  reason?: string;
  actor: string;
  source?: string;
  dataDir?: string;
  verify?: boolean;
  revisions?: boolean;
  asOf?: string;
  json?: boolean;
}

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description(
      "the monthly (or yearly) availability and score sheet of 附件二: XLSX, CSV, JSON, Markdown, HTML",
    )
    .requiredOption("--period <period>", "a month YYYY-MM or a year YYYY (contract time zone)")
    .option(
      "--config <file>",
      "the daemon's config (its reports: block, time zone and data directory) or a scoring-policy file (config/report.example.yaml)",
    )
    .option("--out <dir>", "write every export into this directory")
    .option("--inputs <file>", "manual inputs of the month (YAML/JSON object), or of a year's months (array)")
    .option("--freeze", "store the period as a frozen revision with its SHA-256 digest")
    .option("--reason <text>", "why a frozen period is corrected (needed when its result changed)")
    .option("--actor <name>", "who runs this (kept in the audit log)", process.env.USER ?? "cli")
    .option("--source <file>", "read devices, state changes, tickets and windows from a JSON snapshot")
    .option(
      "--data-dir <dir>",
      "the daemon's data directory (store); default: the daemon config's, else ./data",
    )
    .option("--verify", "recompute the frozen period from its stored inputs and compare digests")
    .option("--revisions", "list the period's frozen revisions and its audit log")
    .option("--as-of <time>", "compute as of this instant (ISO 8601 or ms; default now)")
    .option("--json", "print the whole score sheet as JSON on stdout (messages go to stderr)")
    .action(async (opts: ReportOptions) => {
      try {
        process.exitCode = await runReport(opts);
      } catch (err) {
        if (
          err instanceof InputError ||
          err instanceof PeriodError ||
          err instanceof TimeZoneError ||
          err instanceof FreezeError ||
          err instanceof ConfigError ||
          err instanceof StoreMissingError ||
          err instanceof ReportCliError
        ) {
          process.stderr.write(`${err.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
    });
}

class ReportCliError extends Error {}

function parseInstant(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new ReportCliError(`--as-of ${text}: not a time (ISO 8601, e.g. 2026-12-08T12:00:00+08:00, or ms)`);
  return ms;
}

function readStructured(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ReportCliError(`${file}: cannot read (${(err as Error).message})`);
  }
  try {
    return file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ReportCliError(
      `${file}: not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`,
    );
  }
}

async function runReport(opts: ReportOptions): Promise<number> {
  const clock = systemClock;
  const rawConfig = (opts.config ? readStructured(opts.config) : {}) ?? {};
  let config: ReportConfig;
  let dataDir = opts.dataDir ?? "./data";
  let daemonConfig: ReturnType<typeof loadConfigFile> | null = null;
  if (opts.config && typeof rawConfig === "object" && ("devices" in rawConfig || "sites" in rawConfig)) {
    // The daemon's config: validated whole, as `emcomm run` would.
    daemonConfig = loadConfigFile(opts.config);
    config = reportConfigOf(daemonConfig);
    dataDir = opts.dataDir ?? daemonConfig.daemon.dataDir;
  } else {
    const parsed = reportConfigSchema.safeParse(rawConfig);
    if (!parsed.success)
      throw new ReportCliError(
        `${opts.config}: ${parsed.error.issues.map((i) => `\n  ${i.path.join(".") || "(top level)"}: ${i.message}`).join("")}`,
      );
    config = parsed.data;
  }
  const period = parsePeriod(opts.period, config.timezone);
  const fileInputs: ManualInputs[] | null = opts.inputs
    ? parseInputsFile(readStructured(opts.inputs), period.id, opts.inputs)
    : null;

  const asOf = opts.asOf === undefined ? clock.now() : parseInstant(opts.asOf);
  // Only a freeze of figures from a snapshot file may start a store; everything else reads one.
  const db =
    opts.source && !opts.verify && !opts.revisions
      ? opts.freeze
        ? openStore(dataDir)
        : null
      : openExistingStore(dataDir);
  const say = (text: string) => (opts.json ? process.stderr : process.stdout).write(text);
  try {
    if (opts.revisions) {
      const when = (ms: number) => formatLocal(ms, config.timezone);
      for (const r of listRevisions(db!, period.id))
        process.stdout.write(
          `revision ${r.revision}  ${when(r.frozenAt)}  ${r.frozenBy}  sha256 ${r.digest}  ${r.reason}\n`,
        );
      for (const a of auditLog(db!, period.id))
        process.stdout.write(
          `audit  ${when(a.at)}  ${a.actor}  ${a.action}${a.revision === null ? "" : ` revision ${a.revision}`}  ${a.detail}\n`,
        );
      return 0;
    }
    if (opts.verify) {
      const v = verifyFrozen(db!, period.id, { actor: opts.actor, clock });
      process.stdout.write(
        `${period.id} revision ${v.revision}: ${v.ok ? "digest reproduced" : "DIGEST MISMATCH"} (stored ${v.stored}, recomputed ${v.recomputed})\n`,
      );
      return v.ok ? 0 : 2;
    }
    let source: ReportSource;
    if (opts.source) source = new MemoryReportSource(readStructured(opts.source) as MemorySourceData);
    else if (daemonConfig) source = storeReportSource(db!, daemonConfig);
    else
      throw new ReportCliError(
        "the ledger needs the daemon's inventory: pass --config with the daemon's config, or --source FILE",
      );
    if (db && fileInputs) for (const i of fileInputs) saveInputs(db, i, { actor: opts.actor, clock });
    const inputs = fileInputs ?? (db ? loadInputs(db, period.id) : []);
    const { data, sheet } = await buildReport(period.id, { source, config, clock, inputs, asOf });
    let frozen = null;
    if (opts.freeze) {
      const r = freezeReport(db!, { config, data, sheet, actor: opts.actor, reason: opts.reason, clock });
      frozen = frozenStamp(r.revision);
      say(
        `${period.id}: ${r.created ? "frozen as" : "already frozen, unchanged:"} revision ${frozen.revision}, sha256 ${frozen.digest}\n`,
      );
    }
    const provisional = sheet.cutoff < sheet.period.end;
    say(
      `${period.id} as of ${formatLocal(sheet.cutoff, config.timezone)} (${config.timezone})${provisional ? ", period in progress: provisional" : ""}: ` +
        `performance ${sheet.totals.performance}, service ${sheet.totals.service}, ` +
        `repair timeliness ${sheet.timeliness.percent}% (${sheet.timeliness.onTime}/${sheet.timeliness.due}, ${sheet.timeliness.pending} pending), ` +
        `availability ${sheet.availability.contract.percent}%, repeat faults ${sheet.repeats.length}, ` +
        `${sheet.fee.contractTotal > 0 ? `fee ${sheet.fee.amount} ${sheet.fee.currency}` : "fee not computed (no contract total configured)"}\n`,
    );
    if (opts.out) {
      const paths = await writeReportFiles({ sheet, frozen }, opts.out);
      say(`wrote ${paths.length} files to ${opts.out}\n`);
    }
    if (opts.json) process.stdout.write(`${JSON.stringify({ sheet, frozen }, null, 2)}\n`);
    return 0;
  } finally {
    db?.close();
  }
}
