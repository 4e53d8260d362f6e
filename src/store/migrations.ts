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
    version: 2,
    description: "health ledger: device state transitions, site deployments, maintenance windows and drills",
    up: `
      CREATE TABLE state_transitions (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        site TEXT NOT NULL,
        state TEXT NOT NULL,        -- up|degraded|down|impacted|maintenance|not-in-service|unmonitored
        previous TEXT,              -- NULL for the device's first recorded state
        at INTEGER NOT NULL,        -- ms since epoch: when the state began (outages: the first failed poll)
        recorded_at INTEGER NOT NULL, -- ms since epoch: when it was declared
        code TEXT,                  -- fault code for down/degraded (rule code or 'unreachable')
        cause TEXT NOT NULL,        -- person-readable reason
        detail TEXT,                -- JSON: upstream, raw state, window id...
        third_party INTEGER NOT NULL DEFAULT 0 -- 1: a third party's outage (never the contractor's)
      );
      -- Covering index: availability reads timelines from the index alone.
      CREATE INDEX state_transitions_device_at ON state_transitions(device, at, id, state, third_party);
      CREATE INDEX state_transitions_at ON state_transitions(at);
      CREATE INDEX state_transitions_recorded ON state_transitions(recorded_at);
      CREATE TRIGGER state_transitions_no_update BEFORE UPDATE ON state_transitions
        BEGIN SELECT RAISE(ABORT, 'state_transitions is append-only'); END;
      CREATE TRIGGER state_transitions_no_delete BEFORE DELETE ON state_transitions
        BEGIN SELECT RAISE(ABORT, 'state_transitions is append-only'); END;

      CREATE TABLE site_deployments (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        deployed INTEGER NOT NULL,  -- 1 deployed (in service), 0 stood down
        at INTEGER NOT NULL,        -- ms since epoch: effective time
        recorded_at INTEGER NOT NULL,
        who TEXT NOT NULL,
        note TEXT
      );
      CREATE INDEX site_deployments_site_at ON site_deployments(site, at, id);
      CREATE TRIGGER site_deployments_no_update BEFORE UPDATE ON site_deployments
        BEGIN SELECT RAISE(ABORT, 'site_deployments is append-only'); END;

      CREATE TABLE maintenance_windows (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,         -- maintenance|drill
        devices TEXT NOT NULL,      -- JSON array of device ids ([] = none named)
        sites TEXT NOT NULL,        -- JSON array of site ids ([] = none named)
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        who TEXT NOT NULL,
        why TEXT NOT NULL,
        approval_ref TEXT,
        status TEXT NOT NULL,       -- requested|approved|cancelled
        approved_by TEXT,
        approved_at INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX maintenance_windows_time ON maintenance_windows(starts_at, ends_at);
    `,
  },
  {
    version: 3,
    description: "fault tickets with the contract's fault record, and their append-only audit trail",
    up: `
      CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        device TEXT,                -- NULL for a consultation not about one device
        site TEXT,
        code TEXT NOT NULL,         -- fault code: rule code, 'unreachable', or 'manual'
        level TEXT NOT NULL,        -- major|general|consult
        source TEXT NOT NULL,       -- auto|manual
        state TEXT NOT NULL,        -- opened|accepted|onsite|cleared|closed
        reported_at INTEGER NOT NULL, -- SLA clocks start here
        fault_start INTEGER NOT NULL, -- the outage's first failed poll (or the reported start)
        accepted_at INTEGER,
        arrived_at INTEGER,
        cleared_at INTEGER,         -- when the contractor reported it cleared (销障); NULL again after a reject
        repaired_at INTEGER,        -- repair time of the record; stops the repair clock
        restored_at INTEGER,        -- measured: first good poll of the recovery run
        closed_at INTEGER,          -- verified by the bureau (结单)
        repeat_of INTEGER REFERENCES tickets(id),
        flapping INTEGER NOT NULL DEFAULT 0,
        rejections INTEGER NOT NULL DEFAULT 0,
        symptom TEXT NOT NULL,
        fault_type TEXT,
        cause TEXT,
        handling TEXT,
        responsibility TEXT,
        lessons TEXT,
        handler TEXT,
        opened_by TEXT NOT NULL
      );
      CREATE UNIQUE INDEX tickets_one_open ON tickets(device, code) WHERE state != 'closed' AND device IS NOT NULL;
      CREATE INDEX tickets_reported ON tickets(reported_at);
      CREATE INDEX tickets_state ON tickets(state);

      CREATE TABLE ticket_events (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,        -- opened|accepted|arrived|cleared|verified|rejected|commented|updated|restored|recurred|flapping|breached|warned
        from_state TEXT,
        to_state TEXT,
        detail TEXT                 -- JSON
      );
      CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
      CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
      CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
    `,
  },
  {
    version: 10,
    description: "outbox: what the sinks (InfluxDB, MQTT) still have to deliver, and what a server rejected",
    up: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, -- delivery order
        sink TEXT NOT NULL,         -- influx | mqtt
        key TEXT NOT NULL,          -- the device (or event stream) the entry is about
        created_at INTEGER NOT NULL, -- ms since epoch, when it was committed
        points INTEGER NOT NULL,    -- lines (influx) or messages (mqtt) in body
        bytes INTEGER NOT NULL,     -- length of body
        body TEXT NOT NULL          -- line protocol, newline-separated; or one JSON MQTT message
      );
      CREATE INDEX outbox_sink_id ON outbox (sink, id);
      CREATE TABLE outbox_quarantine (
        id INTEGER PRIMARY KEY,
        sink TEXT NOT NULL,
        quarantined_at INTEGER NOT NULL, -- ms since epoch
        status INTEGER,             -- HTTP status of the rejection
        reason TEXT NOT NULL,       -- the server's answer, truncated
        body TEXT NOT NULL          -- the rejected line (or message)
      );
      CREATE INDEX outbox_quarantine_sink ON outbox_quarantine (sink, id);
    `,
  },
  {
    version: 11,
    description:
      "outbox cursor: the last entry each sink delivered in order; entries up to it are purged later",
    up: `
      CREATE TABLE outbox_cursor (
        sink TEXT PRIMARY KEY,
        acked_id INTEGER NOT NULL   -- every entry of the sink with id <= acked_id was acknowledged
      );
    `,
  },
  {
    version: 12,
    description:
      "outbox group commits: one row holds the entries of one commit (segments index; NULL = one entry)",
    up: `
      -- NULL: the row is one entry (key, body). Otherwise a JSON array [[key, points, bytes, chars], …]
      -- of the entries whose bodies are concatenated, in commit order, in body (chars: UTF-16 length).
      ALTER TABLE outbox ADD COLUMN segments TEXT;
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
  {
    version: 30,
    description:
      "records: inspection plans and records, rectifications, joint tests, drills, support tasks, call-backs and the bureau's register; immutable versions and signatures, audit trail",
    up: `
      CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,              -- plan | inspection | rectification | joint-test | drill | support | callback | register
        period TEXT NOT NULL,            -- "2026-11": the month the record counts in (a plan: the month it plans)
        subject TEXT,                    -- device id, ticket id or register entry kind
        state TEXT NOT NULL,             -- the kind's state machine (records/kinds.ts)
        version INTEGER NOT NULL,        -- the current version in record_versions
        created_at INTEGER NOT NULL,     -- ms since epoch
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX records_period ON records (period, kind);
      CREATE TABLE record_versions (
        record_id INTEGER NOT NULL REFERENCES records (id),
        version INTEGER NOT NULL,        -- 1, 2, …: every change of content is a new version
        body_json TEXT NOT NULL,         -- the validated content
        digest TEXT NOT NULL,            -- sha256 of the canonical JSON of kind, id, version and body
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT,                     -- why a signed or returned record was corrected
        PRIMARY KEY (record_id, version)
      );
      CREATE TRIGGER record_versions_immutable_update BEFORE UPDATE ON record_versions
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable: a correction is a new version'); END;
      CREATE TRIGGER record_versions_immutable_delete BEFORE DELETE ON record_versions
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable: a correction is a new version'); END;
      CREATE TABLE record_signatures (
        id INTEGER PRIMARY KEY,
        record_id INTEGER NOT NULL REFERENCES records (id),
        version INTEGER NOT NULL,        -- the version signed
        action TEXT NOT NULL,            -- submit | sign | approve | countersign | return | close | register
        signer TEXT NOT NULL,            -- the token's name
        role TEXT NOT NULL,              -- engineer | supervisor
        at INTEGER NOT NULL,
        digest TEXT NOT NULL,            -- the signed version's digest
        comment TEXT
      );
      CREATE TRIGGER record_signatures_immutable_update BEFORE UPDATE ON record_signatures
        BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;
      CREATE TRIGGER record_signatures_immutable_delete BEFORE DELETE ON record_signatures
        BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;
      CREATE TABLE record_events (
        id INTEGER PRIMARY KEY,
        record_id INTEGER NOT NULL REFERENCES records (id),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        version INTEGER NOT NULL,
        detail TEXT                      -- JSON
      );
      CREATE INDEX record_events_record ON record_events (record_id, id);
    `,
  },
];
