/**
 * `emcomm outbox status|quarantine`: what the sinks still have to deliver and what a server
 * rejected, read straight from the store (works while the daemon runs: WAL readers do not block).
 */
import type { Command } from "commander";
import { print } from "../api/cli.ts";
import type { Config } from "../config/schema.ts";
import { type Db, openExistingStore, StoreMissingError } from "../store/db.ts";
import { listQuarantine, type QuarantinedEntry } from "./outbox.ts";

/** A sink's undelivered entries, as `outbox status` lists them. */
interface Backlog {
  sink: string;
  entries: number;
  points: number;
  bytes: number;
  oldest: number;
  quarantined: number;
}

const backlogLine = (r: Backlog) =>
  `${r.sink}: ${r.points} points in ${r.entries} entries, ${r.bytes} bytes, oldest ${new Date(r.oldest).toISOString()}, ${r.quarantined} quarantined`;

const quarantineLine = (q: QuarantinedEntry) =>
  `#${q.id} ${new Date(q.quarantinedAt).toISOString()} ${q.sink} ${q.status ?? "-"} ${q.reason}\n    ${q.body}`;

export function registerOutboxCommands(program: Command, load: (file: string) => Config): void {
  const outbox = program.command("outbox").description("inspect the sinks' durable outbox");

  outbox
    .command("status")
    .description("backlog per sink: entries, points, bytes, oldest")
    .requiredOption("-c, --config <file>", "config file (YAML) naming the data directory")
    .option("--json", "print JSON")
    .action((opts: { config: string; json?: boolean }) => {
      const db = openOrExit(load(opts.config).daemon.dataDir);
      const rows = db
        .prepare(
          `SELECT sink, sum(CASE WHEN segments IS NULL THEN 1 ELSE json_array_length(segments) END) AS entries, sum(points) AS points, sum(bytes) AS bytes, min(created_at) AS oldest,
             (SELECT count(*) FROM outbox_quarantine q WHERE q.sink = o.sink) AS quarantined
           FROM outbox o
           WHERE o.id > coalesce((SELECT acked_id FROM outbox_cursor c WHERE c.sink = o.sink), 0)
           GROUP BY sink ORDER BY sink`,
        )
        .all() as Backlog[];
      db.close();
      print(opts, rows, () => rows.map(backlogLine).join("\n") || "outbox empty");
    });

  outbox
    .command("quarantine")
    .description("lines or messages a server rejected as malformed, newest first, with its answer")
    .requiredOption("-c, --config <file>", "config file (YAML) naming the data directory")
    .option("--sink <sink>", "only this sink (influx, mqtt)")
    .option("--limit <n>", "at most this many", "50")
    .option("--json", "print JSON")
    .action((opts: { config: string; sink?: string; limit: string; json?: boolean }) => {
      const db = openOrExit(load(opts.config).daemon.dataDir);
      const rows = listQuarantine(db, opts.sink, Number(opts.limit) || 50);
      db.close();
      print(opts, rows, () => rows.map(quarantineLine).join("\n") || "quarantine empty");
    });
}

/** These commands only read: a missing store is a clear error (exit 1), never a new empty one. */
function openOrExit(dataDir: string): Db {
  try {
    return openExistingStore(dataDir);
  } catch (err) {
    if (!(err instanceof StoreMissingError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
