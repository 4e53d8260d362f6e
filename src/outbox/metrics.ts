/**
 * Self-metrics of the outboxes and sinks (names shared with the dashboards, see README). One
 * instance per daemon, registered in the daemon's registry; every outbox and forwarder reports
 * into it with its sink name ("influx", "mqtt").
 */
import { Counter, Gauge, type Registry } from "prom-client";

export interface BacklogSource {
  readonly sink: string;
  backlog(): { points: number; bytes: number; oldestAt: number | undefined };
  /** Entries held in memory, not yet committed to the store. */
  uncommitted(): { points: number; bytes: number };
}

export type DropReason = "budget" | "quarantined" | "unwritable";
export type WriteErrorKind =
  | "timeout"
  | "unreachable"
  | "server"
  | "throttled"
  | "auth"
  | "rejected"
  | "other";

export class SinkMetrics {
  private readonly sources: BacklogSource[] = [];
  private readonly dropped: Counter;
  private readonly errors: Counter;
  private readonly written: Counter;
  private readonly commitFailures: Counter;

  constructor(registry: Registry, now: () => number) {
    const registers = [registry];
    const sources = this.sources;
    new Gauge({
      name: "emcomm_outbox_backlog_points",
      help: "Points (InfluxDB lines, MQTT messages) committed to the outbox and not yet acknowledged by the server.",
      labelNames: ["sink"],
      registers,
      collect() {
        for (const s of sources) this.set({ sink: s.sink }, s.backlog().points);
      },
    });
    new Gauge({
      name: "emcomm_outbox_backlog_bytes",
      help: "Bytes of the outbox backlog (uncompressed), counted against the sink's maxBacklogBytes.",
      labelNames: ["sink"],
      registers,
      collect() {
        for (const s of sources) this.set({ sink: s.sink }, s.backlog().bytes);
      },
    });
    new Gauge({
      name: "emcomm_outbox_oldest_age_seconds",
      help: "Age of the oldest undelivered outbox entry (0 when the backlog is empty).",
      labelNames: ["sink"],
      registers,
      collect() {
        for (const s of sources) {
          const oldest = s.backlog().oldestAt;
          this.set({ sink: s.sink }, oldest === undefined ? 0 : Math.max(0, (now() - oldest) / 1000));
        }
      },
    });
    new Gauge({
      name: "emcomm_outbox_uncommitted_points",
      help: "Points held in memory and not yet committed to the store (with write-behind, those awaiting the server; grows while the store cannot write).",
      labelNames: ["sink"],
      registers,
      collect() {
        for (const s of sources) this.set({ sink: s.sink }, s.uncommitted().points);
      },
    });
    this.commitFailures = new Counter({
      name: "emcomm_outbox_commit_failures_total",
      help: "Outbox group commits that failed (busy, I/O error, disk full); their entries are kept and retried.",
      labelNames: ["sink"],
      registers,
    });
    this.dropped = new Counter({
      name: "emcomm_outbox_dropped_points_total",
      help: "Points that will never be delivered: budget (disk budget full), quarantined (rejected by the server as malformed), unwritable (no finite field).",
      labelNames: ["sink", "reason"],
      registers,
    });
    this.errors = new Counter({
      name: "emcomm_sink_write_errors_total",
      help: "Failed write attempts by kind (timeout, unreachable, server, throttled, auth, rejected, other); retried unless rejected.",
      labelNames: ["sink", "kind"],
      registers,
    });
    this.written = new Counter({
      name: "emcomm_sink_points_written_total",
      help: "Points acknowledged by the server.",
      labelNames: ["sink"],
      registers,
    });
  }

  addSource(source: BacklogSource): void {
    this.sources.push(source);
  }

  drop(sink: string, reason: DropReason, points: number): void {
    if (points > 0) this.dropped.inc({ sink, reason }, points);
  }

  commitFailed(sink: string): void {
    this.commitFailures.inc({ sink });
  }

  writeError(sink: string, kind: WriteErrorKind): void {
    this.errors.inc({ sink, kind });
  }

  wrote(sink: string, points: number): void {
    if (points > 0) this.written.inc({ sink }, points);
  }
}
