/**
 * The embedded store: one SQLite file (WAL) under the data directory. It holds what must survive
 * a restart: daemon runs, device state transitions, tickets, the outbox. Schema changes are
 * migrations appended to src/store/migrations.ts, applied in order at open, each in a transaction.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { migrations } from "./migrations.ts";

export type Db = Database.Database;

/**
 * A store that cannot be used as it is: one line with its path and what to do. `emcomm run`
 * prints it and exits non-zero; nothing is changed in the file.
 */
export class StoreOpenError extends Error {
  override readonly name = "StoreOpenError";
  constructor(
    readonly path: string,
    problem: string,
    todo: string,
    options?: { cause?: unknown },
  ) {
    super(`store ${path}: ${problem}; ${todo}`, options);
  }
}

/**
 * Opens (creating if needed) and migrates the store. A zero-length, corrupt, unwritable store, or
 * one written by a newer emcomm, throws a StoreOpenError instead of starting empty or failing
 * with a raw stack trace.
 */
export function openStore(dataDir: string, file = "emcomm.db"): Db {
  const path = dataDir === ":memory:" ? ":memory:" : join(dataDir, file);
  if (path !== ":memory:") {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (err) {
      throw new StoreOpenError(
        path,
        `its directory cannot be created (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        "check daemon.dataDir and its permissions",
        { cause: err },
      );
    }
    if (existsSync(path) && statSync(path).size === 0)
      throw new StoreOpenError(
        path,
        "the file is empty (zero length), so it holds no history",
        "restore it from a backup, or remove it to start a new empty store",
      );
  }
  let db: Db | undefined;
  try {
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // One connection writes (the daemon's); this only covers a CLI reading during a checkpoint.
    db.pragma("busy_timeout = 1000");
    checkNotNewer(db, path);
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreOpenError) throw err;
    throw explainOpenError(path, err);
  }
}

function explainOpenError(path: string, err: unknown): Error {
  const code = String((err as { code?: unknown }).code ?? "");
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(code))
    return new StoreOpenError(
      path,
      `the file is not a readable SQLite store (${code})`,
      "restore it from a backup, or move it away to start a new empty store",
      { cause: err },
    );
  if (/^SQLITE_(READONLY|CANTOPEN|PERM|IOERR)|^E(ACCES|PERM|ROFS)/.test(code))
    return new StoreOpenError(
      path,
      `the file cannot be opened for writing (${code})`,
      "give the daemon's user write access to it and its directory, on a writable file system",
      { cause: err },
    );
  if (code === "SQLITE_FULL")
    return new StoreOpenError(path, "the disk is full (SQLITE_FULL)", "free space on its file system", {
      cause: err,
    });
  return err instanceof Error ? err : new Error(String(err));
}

/** Refuses a store with migrations this build does not know (written by a newer emcomm). */
function checkNotNewer(db: Db, path: string): void {
  const known = new Set(migrations.map((m) => m.version));
  const latest = Math.max(...known);
  const userVersion = db.pragma("user_version", { simple: true }) as number;
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  const applied = hasTable
    ? (db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[])
    : [];
  const unknown = applied.filter((v) => !known.has(v));
  if (userVersion > latest || unknown.length > 0)
    throw new StoreOpenError(
      path,
      `it was written by a newer emcomm (schema ${unknown.length ? unknown.join(", ") : userVersion}; this one knows up to ${latest})`,
      "run the newer emcomm, or restore a backup made by this version",
    );
}

/** A store that a read command cannot use (missing, empty, not an emcomm store); names its path. */
export class StoreMissingError extends Error {
  override name = "StoreMissingError";
}

/**
 * Opens the store for a command that reads it (reports, availability, outbox status): unlike
 * openStore it never creates one, so a mistyped data directory (or a relative one run from another
 * directory) is an error naming the path it looked at, not an empty store with perfect figures.
 * Pending migrations of an existing store are applied, as the daemon would.
 */
export function openExistingStore(dataDir: string, file = "emcomm.db"): Db {
  const path = resolve(dataDir, file);
  if (!existsSync(path))
    throw new StoreMissingError(
      `no store at ${path}: check --data-dir or the config's daemon.dataDir (a read never creates a store)`,
    );
  let db: Db | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version === 0)
      throw new StoreMissingError(`${path} is empty or not an emcomm store (no migration applied)`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreMissingError) throw err;
    throw new StoreMissingError(`${path}: not a usable emcomm store (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/**
 * Applies every migration not yet applied, in version order, each in its own transaction. Versions
 * are unique but need not be consecutive: capabilities own ranges (reports: 20..29), so a store may
 * meet version 5 after version 20 was applied. Applied versions are recorded in schema_migrations;
 * user_version keeps the highest one. A file from before schema_migrations existed had every
 * migration up to its user_version applied (they were consecutive then). Returns user_version.
 */
export function migrate(db: Db): number {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new Error(`store migrations: version ${m.version} is defined twice`);
    seen.add(m.version);
  }
  const current = db.pragma("user_version", { simple: true }) as number;
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL)",
  );
  const record = db.prepare("INSERT OR IGNORE INTO schema_migrations (version, description) VALUES (?, ?)");
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  if (applied.size === 0 && current > 0) {
    for (const m of migrations) {
      if (m.version > current) continue;
      record.run(m.version, m.description);
      applied.add(m.version);
    }
  }
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.version, m.description);
      const now = db.pragma("user_version", { simple: true }) as number;
      if (m.version > now) db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma("user_version", { simple: true }) as number;
}
