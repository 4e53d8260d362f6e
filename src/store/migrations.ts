/**
 * Versioned schema of the store. Append only: never edit a migration that has shipped; add the
 * next version. Versions are strictly increasing; numbers are reserved per capability (10..19 outbox),
 * so gaps are allowed and migrate() applies every version the store has not recorded.
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
];
