/**
 * Config of the sinks (top-level key `sinks`): InfluxDB and MQTT events. Both are optional; a
 * sink that is not configured is not started. Strict like the rest of the config, no I/O.
 */
import { z } from "zod";
import { duration } from "../config/duration.ts";
import { secretSchema } from "../config/secret.ts";

const size = z
  .union([z.number().int().min(0), z.string().regex(/^\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB)$/)])
  .transform((v) => (typeof v === "number" ? v : parseSize(v)))
  .meta({ description: 'Bytes: a number or "512MiB", "2GB", "64KiB".' });

const units: Record<string, number> = {
  B: 1,
  KB: 1e3,
  KiB: 1024,
  MB: 1e6,
  MiB: 1024 ** 2,
  GB: 1e9,
  GiB: 1024 ** 3,
};

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text.trim())!;
  return Math.round(Number(m[1]) * units[m[2]!]!);
}

/** What the outbox does when its backlog reaches maxBacklogBytes. */
const outboxFields = {
  /** Disk budget of the backlog (uncompressed bytes). */
  maxBacklogBytes: size.default(512 * 1024 ** 2),
  /** drop-oldest keeps the present (default); drop-newest keeps the history. Both count and log. */
  onFull: z.enum(["drop-oldest", "drop-newest"]).default("drop-oldest"),
  /** Cap on the bytes per second (after gzip) used while draining a backlog; 0 = no cap. */
  drainBandwidth: size.default(0),
  /** First retry delay after a failed write; doubles up to maxBackoff, with jitter. */
  initialBackoff: duration("10ms").prefault("1s"),
  maxBackoff: duration("100ms").prefault("60s"),
};

export const influxSinkSchema = z.strictObject({
  /** Base URL of InfluxDB 2.x/3.x (or 1.8+, which serves the same /api/v2/write). */
  url: z.url(),
  /** Organisation (2.x); ignored by 1.8 and 3.x. */
  org: z.string().default(""),
  /** Bucket (2.x), database (3.x) or "database/retention-policy" (1.8). */
  bucket: z.string().min(1).default("emcomm"),
  /** API token (2.x/3.x) or "user:password" (1.8); leave out when the server needs none. */
  token: secretSchema.optional(),
  /** Timestamp precision of the lines; the schema's timestamps are milliseconds. */
  precision: z.enum(["ms", "us", "ns"]).default("ms"),
  /** A batch closes at this many lines... */
  batchSize: z.number().int().min(1).max(100_000).default(5000),
  /** ...or when its oldest line is this old. */
  flushInterval: duration("10ms").prefault("1s"),
  /** Compress request bodies (gzip). */
  gzip: z.boolean().default(true),
  /**
   * zlib level of the gzipped bodies: 1 (default) costs about a fifth of the CPU of level 6 for
   * bodies about 10 % larger; 9 for the smallest bodies on a slow, paid link.
   */
  gzipLevel: z.number().int().min(1).max(9).default(1),
  /** Deadline of one write request. */
  timeout: duration("100ms").prefault("10s"),
  ...outboxFields,
  /**
   * After an outage, send every device's newest entry first, then the history in order (the
   * server keeps points by timestamp, so the stored series ends up the same).
   */
  newestFirst: z.boolean().default(false),
  /**
   * Requests in flight at once while a backlog drains. Entries are spread over this many lanes by
   * device, so each series still arrives in order; 1 sends strictly one batch at a time.
   */
  drainConcurrency: z.number().int().min(1).max(16).default(4),
});

/** MQTT keeps strict commit order (a retained state must not be overtaken by an older one). */
export const mqttSinkSchema = z.strictObject({
  /** mqtt://host:1883 or mqtts://host:8883. */
  url: z.string().regex(/^(mqtt|mqtts|ws|wss):\/\//, "an mqtt://, mqtts://, ws:// or wss:// URL"),
  clientId: z.string().min(1).default("emcomm-monitor"),
  username: z.string().optional(),
  password: secretSchema.optional(),
  /** Topics start with this prefix (see README "Events on MQTT"). */
  topicPrefix: z
    .string()
    .regex(/^[^#+\s]+$/, "a topic prefix without wildcards or spaces")
    .default("emcomm"),
  batchSize: z.number().int().min(1).max(10_000).default(100),
  flushInterval: duration("0ms").prefault("100ms"),
  timeout: duration("100ms").prefault("10s"),
  ...outboxFields,
  maxBacklogBytes: size.default(64 * 1024 ** 2),
});

export const sinksSchema = z
  .strictObject({
    influx: influxSinkSchema.optional(),
    mqtt: mqttSinkSchema.optional(),
    /**
     * Durability of the outbox. `full` (default): an outcome is acknowledged once an fsynced commit
     * covers it (group commits every commitWindow, one fsync per second at most, events at once), so
     * neither a SIGKILL nor a power loss loses anything acknowledged. `normal`: acknowledged at commit
     * (never fsynced by the outbox): a SIGKILL loses nothing acknowledged, a power loss or OS crash
     * can lose the commits since SQLite last synced the WAL (its last checkpoint).
     */
    synchronous: z.enum(["full", "normal"]).default("full"),
    /**
     * Group commit: poll outcomes are appended to an open batch and committed together, as one row,
     * when this window ends (or at 5,000 lines / 1 MiB); a SIGKILL or power loss can lose only what
     * is not yet acknowledged (see synchronous). Events are committed before their call returns.
     * 0ms: one fsynced commit per outcome, before record() returns (about 4x the sink's CPU).
     */
    commitWindow: duration().prefault("50ms"),
    /**
     * Write-behind of poll outcomes for InfluxDB: while the sink is caught up, outcomes wait in memory
     * this long and are sent from there (the next batch, within flushInterval); only what the server
     * has not acknowledged by then is committed (and so is everything while a backlog waits or after
     * a failed write). A crash or power loss can lose at most this long of outcomes the server had
     * not acknowledged. 0ms (or commitWindow 0ms): every outcome is committed within commitWindow
     * before it is sent. Must be longer than influx.flushInterval.
     */
    writeBehind: duration().prefault("3s"),
  })
  .superRefine((sinks, ctx) => {
    if (sinks.influx && sinks.writeBehind > 0 && sinks.writeBehind <= sinks.influx.flushInterval)
      ctx.addIssue({
        code: "custom",
        path: ["writeBehind"],
        message: `must be longer than influx.flushInterval (${sinks.influx.flushInterval} ms), or 0ms`,
        input: sinks.writeBehind,
      });
  });

export type InfluxSinkConfig = z.output<typeof influxSinkSchema>;
export type MqttSinkConfig = z.output<typeof mqttSinkSchema>;
export type SinksConfig = z.output<typeof sinksSchema>;
