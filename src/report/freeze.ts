/**
 * Frozen months: a period's inputs (the source's snapshot and the manual inputs), the scoring policy
 * with its versions, and the resulting score sheet, stored with a SHA-256 digest over their canonical
 * JSON. Recomputing the stored inputs under the stored policy gives the same digest (verifyFrozen).
 * Revisions are immutable (triggers in migration 20); a later correction is a new revision with a
 * reason, and every freeze, correction and verification is written to report_audit.
 *
 * Called from the CLI (--freeze), the API and the monthly schedule; one writer at a time (SQLite).
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../store/db.ts";
import { type ManualInputs, parseManualInputs } from "./inputs.ts";
import { type ReportConfig, reportConfigSchema } from "./policy.ts";
import { computeScoreSheet, type ReportData, type ScoreSheet } from "./score.ts";

export interface FrozenRevision {
  period: string;
  revision: number;
  scoringVersion: string;
  ledgerVersion: string;
  config: ReportConfig;
  data: ReportData;
  sheet: ScoreSheet;
  digest: string;
  frozenAt: number;
  frozenBy: string;
  reason: string;
  supersedes: number | null;
}

/** What an export shows of the revision its sheet was frozen as (never part of the digest). */
export type FrozenStamp = Pick<FrozenRevision, "revision" | "digest" | "frozenAt" | "frozenBy" | "reason">;

export function frozenStamp(r: FrozenRevision): FrozenStamp {
  return {
    revision: r.revision,
    digest: r.digest,
    frozenAt: r.frozenAt,
    frozenBy: r.frozenBy,
    reason: r.reason,
  };
}

export class FreezeError extends Error {
  override name = "FreezeError";
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

export function reportDigest(config: ReportConfig, data: ReportData, sheet: ScoreSheet): string {
  const body = canonicalJson({
    scoringVersion: sheet.policy.scoringVersion,
    ledgerVersion: sheet.policy.ledgerVersion,
    config,
    data,
    result: sheet,
  });
  return createHash("sha256").update(body).digest("hex");
}

interface Row {
  period: string;
  revision: number;
  scoring_version: string;
  ledger_version: string;
  config_json: string;
  data_json: string;
  result_json: string;
  digest: string;
  frozen_at: number;
  frozen_by: string;
  reason: string;
  supersedes: number | null;
}

function fromRow(r: Row): FrozenRevision {
  return {
    period: r.period,
    revision: r.revision,
    scoringVersion: r.scoring_version,
    ledgerVersion: r.ledger_version,
    config: JSON.parse(r.config_json),
    data: JSON.parse(r.data_json),
    sheet: JSON.parse(r.result_json),
    digest: r.digest,
    frozenAt: r.frozen_at,
    frozenBy: r.frozen_by,
    reason: r.reason,
    supersedes: r.supersedes,
  };
}

/** The latest (or the given) revision of a frozen period, or null if never frozen. */
export function getFrozen(db: Db, period: string, revision?: number): FrozenRevision | null {
  const row = (
    revision === undefined
      ? db
          .prepare("SELECT * FROM report_revisions WHERE period = ? ORDER BY revision DESC LIMIT 1")
          .get(period)
      : db.prepare("SELECT * FROM report_revisions WHERE period = ? AND revision = ?").get(period, revision)
  ) as Row | undefined;
  return row ? fromRow(row) : null;
}

export function listRevisions(
  db: Db,
  period: string,
): Pick<FrozenRevision, "revision" | "digest" | "frozenAt" | "frozenBy" | "reason">[] {
  return (
    db
      .prepare(
        "SELECT revision, digest, frozen_at, frozen_by, reason FROM report_revisions WHERE period = ? ORDER BY revision",
      )
      .all(period) as Row[]
  ).map((r) => ({
    revision: r.revision,
    digest: r.digest,
    frozenAt: r.frozen_at,
    frozenBy: r.frozen_by,
    reason: r.reason,
  }));
}

export interface FreezeRequest {
  config: ReportConfig;
  data: ReportData;
  sheet: ScoreSheet;
  actor: string;
  /** Required when the period is already frozen with a different result: why it is corrected. */
  reason?: string;
  clock: Clock;
}

/**
 * Freezes a period. Idempotent: the same digest as the latest revision returns it unchanged. A
 * different result on a frozen period needs a reason and becomes the next revision.
 */
export function freezeReport(db: Db, req: FreezeRequest): { revision: FrozenRevision; created: boolean } {
  const period = req.sheet.period.id;
  if (period !== req.data.period.id)
    throw new FreezeError(`freeze: sheet is for ${period}, data for ${req.data.period.id}`);
  if (req.data.months.some((m) => m.cutoff < m.period.end))
    throw new FreezeError(
      `freeze ${period}: the period has not ended yet; only a closed period can be frozen`,
    );
  const digest = reportDigest(req.config, req.data, req.sheet);
  return db.transaction(() => {
    const latest = getFrozen(db, period);
    if (latest && latest.digest === digest) return { revision: latest, created: false };
    const reason = req.reason?.trim() ?? "";
    if (latest && reason === "")
      throw new FreezeError(
        `${period} is frozen (revision ${latest.revision}, sha256 ${latest.digest.slice(0, 12)}…) and the result now differs: a correction needs a reason (--reason)`,
      );
    const revision = (latest?.revision ?? 0) + 1;
    const at = req.clock.now();
    db.prepare(
      `INSERT INTO report_revisions (period, revision, scoring_version, ledger_version, config_json, data_json,
         result_json, digest, frozen_at, frozen_by, reason, supersedes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    ).run(
      period,
      revision,
      req.sheet.policy.scoringVersion,
      req.sheet.policy.ledgerVersion,
      canonicalJson(req.config),
      canonicalJson(req.data),
      canonicalJson(req.sheet),
      digest,
      at,
      req.actor,
      reason || "initial freeze",
      latest?.revision ?? null,
    );
    audit(db, at, req.actor, latest ? "correct" : "freeze", period, revision, digest, reason);
    return { revision: getFrozen(db, period, revision)!, created: true };
  })();
}

/**
 * Recomputes a frozen revision from its stored inputs under its stored policy. `ok` when the digest
 * matches: the code still scores that month the same way.
 */
export function verifyFrozen(
  db: Db,
  period: string,
  opts: { actor: string; clock: Clock; revision?: number },
): { ok: boolean; stored: string; recomputed: string; revision: number } {
  const frozen = getFrozen(db, period, opts.revision);
  if (!frozen) throw new FreezeError(`${period} has not been frozen`);
  const config = reportConfigSchema.parse(frozen.config);
  const sheet = computeScoreSheet(frozen.data, config);
  const recomputed = reportDigest(config, frozen.data, sheet);
  const ok = recomputed === frozen.digest;
  audit(
    db,
    opts.clock.now(),
    opts.actor,
    "verify",
    period,
    frozen.revision,
    recomputed,
    ok ? "match" : `MISMATCH stored ${frozen.digest}`,
  );
  return { ok, stored: frozen.digest, recomputed, revision: frozen.revision };
}

/** Stores a month's manual inputs as a new entry (the latest is current). Validates first. */
export function saveInputs(
  db: Db,
  raw: unknown,
  opts: { actor: string; clock: Clock; period?: string },
): ManualInputs {
  const inputs = parseManualInputs(raw, opts.period);
  const at = opts.clock.now();
  db.transaction(() => {
    const row = db
      .prepare("SELECT MAX(revision) AS r FROM report_inputs WHERE period = ?")
      .get(inputs.period) as {
      r: number | null;
    };
    const revision = (row.r ?? 0) + 1;
    db.prepare(
      "INSERT INTO report_inputs (period, revision, inputs_json, entered_at, entered_by) VALUES (?,?,?,?,?)",
    ).run(inputs.period, revision, canonicalJson(inputs), at, opts.actor);
    audit(db, at, opts.actor, "inputs", inputs.period, revision, null, "");
  })();
  return inputs;
}

/** The current manual inputs of every month of a period ("2026-11" or "2026"). */
export function loadInputs(db: Db, period: string): ManualInputs[] {
  const rows = db
    .prepare(
      `SELECT i.inputs_json AS j FROM report_inputs i
       WHERE (i.period = ? OR i.period LIKE ? ) AND i.revision = (SELECT MAX(revision) FROM report_inputs WHERE period = i.period)
       ORDER BY i.period`,
    )
    .all(period, period.length === 4 ? `${period}-%` : period) as { j: string }[];
  return rows.map((r) => parseManualInputs(JSON.parse(r.j)));
}

export function auditLog(
  db: Db,
  period: string,
): {
  at: number;
  actor: string;
  action: string;
  revision: number | null;
  digest: string | null;
  detail: string;
}[] {
  return db
    .prepare(
      "SELECT at, actor, action, revision, digest, detail FROM report_audit WHERE period = ? ORDER BY id",
    )
    .all(period) as never;
}

function audit(
  db: Db,
  at: number,
  actor: string,
  action: string,
  period: string,
  revision: number | null,
  digest: string | null,
  detail: string,
): void {
  db.prepare(
    "INSERT INTO report_audit (at, actor, action, period, revision, digest, detail) VALUES (?,?,?,?,?,?,?)",
  ).run(at, actor, action, period, revision, digest, detail);
}
