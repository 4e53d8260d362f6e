/**
 * Versioned schema of the store. Append only: never edit a migration that has shipped; add the
 * next version of your range. Versions are unique; gaps are allowed (each capability numbers its own
 * range, e.g. reports 20..29) and migrate() applies what is missing in version order.
 */
export interface Migration {
  version: number;
  description: string;
  up: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "daemon runs: when the monitor itself was watching (gaps are 'unmonitored', never downtime)",
    up: `
      CREATE TABLE daemon_runs (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,   -- ms since epoch
        heartbeat_at INTEGER NOT NULL, -- ms since epoch, advanced while running
        stopped_at INTEGER,            -- ms since epoch; NULL if it did not stop cleanly
        version TEXT NOT NULL,
        config_digest TEXT NOT NULL
      );
    `,
  },
  {
    version: 20,
    description:
      "reports: frozen months (inputs, policy, result, SHA-256 digest) as immutable revisions, audit, manual inputs",
    up: `
      CREATE TABLE report_revisions (
        period TEXT NOT NULL,            -- "2026-11" or "2026"
        revision INTEGER NOT NULL,       -- 1, 2, … : a correction is a new revision
        scoring_version TEXT NOT NULL,   -- SCORING_POLICY_VERSION of the code that froze it
        ledger_version TEXT NOT NULL,    -- the availability ledger's accounting-policy version
        config_json TEXT NOT NULL,       -- the scoring policy (ReportConfig) applied
        data_json TEXT NOT NULL,         -- the inputs: the source's snapshot and the manual inputs
        result_json TEXT NOT NULL,       -- the score sheet
        digest TEXT NOT NULL,            -- sha256 of the canonical JSON of the four above
        frozen_at INTEGER NOT NULL,      -- ms since epoch
        frozen_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        supersedes INTEGER,              -- the revision this one corrects
        PRIMARY KEY (period, revision)
      );
      CREATE TRIGGER report_revisions_immutable_update BEFORE UPDATE ON report_revisions
        BEGIN SELECT RAISE(ABORT, 'frozen report revisions are immutable: freeze a new revision'); END;
      CREATE TRIGGER report_revisions_immutable_delete BEFORE DELETE ON report_revisions
        BEGIN SELECT RAISE(ABORT, 'frozen report revisions are immutable: freeze a new revision'); END;
      CREATE TABLE report_audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,             -- ms since epoch
        actor TEXT NOT NULL,
        action TEXT NOT NULL,            -- freeze | correct | verify | inputs
        period TEXT NOT NULL,
        revision INTEGER,
        digest TEXT,
        detail TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE report_inputs (
        period TEXT NOT NULL,            -- "2026-11"
        revision INTEGER NOT NULL,       -- every entry is kept; the highest is current
        inputs_json TEXT NOT NULL,       -- validated ManualInputs
        entered_at INTEGER NOT NULL,
        entered_by TEXT NOT NULL,
        PRIMARY KEY (period, revision)
      );
    `,
  },
];
