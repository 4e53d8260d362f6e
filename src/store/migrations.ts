/**
 * Versioned schema of the store. Append only: never edit a migration that has shipped; add the
 * next version. Versions must be consecutive from 1 (test/unit/store.test.ts checks).
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
];
