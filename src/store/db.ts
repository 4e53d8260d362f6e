/**
 * The embedded store: one SQLite file (WAL) under the data directory. It holds what must survive
 * a restart: daemon runs, device state transitions, tickets, the outbox. Schema changes are
 * migrations appended to src/store/migrations.ts, applied in order at open, each in a transaction.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { migrations } from "./migrations.ts";

export type Db = Database.Database;

export function openStore(dataDir: string, file = "emcomm.db"): Db {
  const path = dataDir === ":memory:" ? ":memory:" : join(dataDir, file);
  if (path !== ":memory:") mkdirSync(dataDir, { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/**
 * Applies every migration the store has not recorded, in version order, each in a transaction.
 * Versions are reserved in ranges per capability, so a store may have seen 1 and 10 before 2..9
 * exist: applied versions are recorded one by one (schema_migrations), not only as the highest.
 * Returns the highest version applied.
 */
export function migrate(db: Db): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
  const current = db.pragma("user_version", { simple: true }) as number;
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  // A store from before schema_migrations existed recorded only user_version (consecutive then).
  if (applied.size === 0 && current > 0)
    for (const m of migrations) if (m.version <= current) applied.add(m.version);
  const record = db.prepare("INSERT OR IGNORE INTO schema_migrations (version) VALUES (?)");
  for (const v of applied) record.run(v);
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.version);
      const highest = Math.max(m.version, db.pragma("user_version", { simple: true }) as number);
      db.pragma(`user_version = ${highest}`);
    })();
  }
  return db.pragma("user_version", { simple: true }) as number;
}
