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

/** Applies every migration newer than the file's user_version. Returns the version reached. */
export function migrate(db: Db): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma("user_version", { simple: true }) as number;
}
