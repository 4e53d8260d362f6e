/**
 * The daemon's Prometheus metrics. Self-metrics follow Prometheus naming; device values are
 * exported as `emcomm_<declared metric name>` with `device` and `site` labels plus the labels the
 * profile declares. A device whose last poll failed exports no values, only `emcomm_device_up 0`
 * (as snmp_exporter does). Every metric is declared once, here or in a profile.
 *
 * The per-device families (values, `emcomm_device_up`, `emcomm_device_info`, the poll duration
 * histogram) are collected on scrape from the status board and written as text (metrics-text.ts):
 * recording a poll touches no label set and keeps no series; a scrape appends each line as its
 * kept prefix and its value to one array joined once. Sparse families (errors, skips) stay prom-client metrics.
 */
import { Counter, collectDefaultMetrics } from "prom-client";
import type { PollOutcome } from "./core/outcome.ts";
import type { MetricSpec, Sample } from "./core/types.ts";
import { ExpositionRegistry, escapeLabelValue, familyHeader, formatValue } from "./metrics-text.ts";
import type { StatusBoard } from "./status.ts";

export const METRIC_PREFIX = "emcomm_";

export interface DeviceIdentity {
  id: string;
  site: string;
  kind: string;
  vendor: string;
  model: string;
  criticality: string;
  polled: boolean;
}

/** Upper bounds (seconds) of emcomm_poll_duration_seconds. */
export const POLL_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const UP_HELP =
  "1 if the last poll of the device succeeded, 0 if it failed. Absent for devices that are not polled.";
const INFO_HELP = "Inventory of monitored devices (value always 1).";
const DURATION_HELP = "Duration of device polls, successful or not.";

/** What the exposition keeps per device between scrapes. */
interface DeviceSeries {
  /** `device="…"` and `device="…",site="…"`, escaped once. */
  readonly deviceLabel: string;
  readonly labels: string;
  /** `emcomm_device_up{device="…",site="…",kind="…"} ` */
  readonly upPrefix: string;
  /** Poll durations: count per bucket (not cumulative), then the sum and the count. */
  readonly buckets: Float64Array;
  durationSum: number;
  durationCount: number;
  /** The histogram's line prefixes (`…_bucket{le="0.005",device="…"} `), written on first use. */
  durationPrefixes?: string[];
  /**
   * Value line prefixes (`emcomm_if_oper_up{device="…",site="…",ifname="…"} `) by metric, then by
   * the sample's labels object (drivers reuse one per row while its text is unchanged; unlabelled
   * samples use the metric name). Kept between scrapes, so a steady device allocates only its
   * values; emptied when it outgrows the device's samples (labels objects that change every poll).
   */
  prefixes: Map<string, Map<object | undefined, string>>;
  prefixCount: number;
}

export class DaemonMetrics {
  readonly registry = new ExpositionRegistry();
  private readonly errors: Counter;
  private readonly skipped: Counter;
  private readonly undeclared: Counter;
  private readonly devices = new Map<string, DeviceSeries>();
  private readonly info: string;

  constructor(
    devices: readonly DeviceIdentity[],
    private readonly specs: ReadonlyMap<string, MetricSpec>,
    private readonly status: StatusBoard,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    this.registry.addTextFamilies(
      [
        { name: "emcomm_device_up", help: UP_HELP, type: "gauge", labelNames: ["device", "site", "kind"] },
        {
          name: "emcomm_device_info",
          help: INFO_HELP,
          type: "gauge",
          labelNames: ["device", "site", "kind", "vendor", "model", "criticality", "polled"],
        },
        {
          name: "emcomm_poll_duration_seconds",
          help: DURATION_HELP,
          type: "histogram",
          labelNames: ["device"],
        },
      ],
      (out) => this.render(out),
    );
    this.errors = new Counter({
      name: "emcomm_poll_errors_total",
      help: "Failed polls by device and error kind.",
      labelNames: ["device", "kind"],
      registers,
    });
    this.skipped = new Counter({
      name: "emcomm_polls_skipped_total",
      help: "Scheduled polls skipped because the previous poll of the device was still running.",
      labelNames: ["device"],
      registers,
    });
    this.undeclared = new Counter({
      name: "emcomm_undeclared_samples_total",
      help: "Samples dropped because their metric is not declared by the device's profile (a driver bug).",
      labelNames: ["device"],
      registers,
    });
    const info = [familyHeader("emcomm_device_info", INFO_HELP, "gauge")];
    for (const d of devices) {
      const deviceLabel = `device="${escapeLabelValue(d.id)}"`;
      const labels = `${deviceLabel},site="${escapeLabelValue(d.site)}"`;
      this.devices.set(d.id, {
        deviceLabel,
        labels,
        upPrefix: `emcomm_device_up{${labels},kind="${escapeLabelValue(d.kind)}"} `,
        buckets: new Float64Array(POLL_DURATION_BUCKETS.length),
        durationSum: 0,
        durationCount: 0,
        prefixes: new Map(),
        prefixCount: 0,
      });
      info.push(
        `emcomm_device_info{${labels},kind="${escapeLabelValue(d.kind)}",vendor="${escapeLabelValue(d.vendor)}",model="${escapeLabelValue(d.model)}",criticality="${escapeLabelValue(d.criticality)}",polled="${d.polled}"} 1`,
      );
    }
    this.info = `${info.join("\n")}\n`;
  }

  /** Called by the pipeline for every outcome, on the poll path: counts only, no label sets. */
  record(outcome: PollOutcome, _kind: string): void {
    const series = this.devices.get(outcome.deviceId);
    if (series && outcome.trigger !== "stream") {
      const seconds = (outcome.finishedAt - outcome.startedAt) / 1000;
      const bucket = POLL_DURATION_BUCKETS.findIndex((le) => seconds <= le);
      if (bucket >= 0) series.buckets[bucket]!++;
      series.durationSum += seconds;
      series.durationCount++;
    }
    if (outcome.error) this.errors.inc({ device: outcome.deviceId, kind: outcome.error.kind });
    for (const s of outcome.samples)
      if (!this.specs.has(s.metric)) this.undeclared.inc({ device: outcome.deviceId });
  }

  recordSkip(deviceId: string): void {
    this.skipped.inc({ device: deviceId });
  }

  /** The per-device families, from the status board, as text fragments; called once per scrape. */
  private render(out: string[]): void {
    out.push(this.info, "\n");
    const up = [familyHeader("emcomm_device_up", UP_HELP, "gauge"), "\n"];
    const duration = [familyHeader("emcomm_poll_duration_seconds", DURATION_HELP, "histogram"), "\n"];
    const values = new Map<string, string[]>();
    for (const spec of this.specs.values())
      values.set(spec.name, [
        familyHeader(METRIC_PREFIX + spec.name, `${spec.help} (${spec.unit})`, "gauge"),
        "\n",
      ]);
    const seen = new Set<string>();
    for (const status of this.status.all()) {
      const series = this.devices.get(status.id);
      if (!series) continue;
      if (status.up !== null) up.push(series.upPrefix, status.up ? "1\n" : "0\n");
      if (series.durationCount > 0) renderDuration(series, duration);
      if (status.up && status.latest) this.deviceLines(series, status.latest.samples, values, seen);
    }
    let first = true;
    for (const family of [up, duration, ...values.values()]) {
      if (!first) out.push("\n");
      first = false;
      for (const fragment of family) out.push(fragment);
    }
  }

  /**
   * Appends a device's value lines to their families. The first sample of a series wins (as the
   * health rules read it): `seen` is cleared here and only holds this device's series.
   */
  private deviceLines(
    series: DeviceSeries,
    samples: readonly Sample[],
    families: Map<string, string[]>,
    seen: Set<string>,
  ): void {
    seen.clear();
    if (series.prefixCount > 2 * samples.length + 16) {
      series.prefixes.clear();
      series.prefixCount = 0;
    }
    for (const s of samples) {
      const family = families.get(s.metric);
      if (!family) continue;
      let byLabels = series.prefixes.get(s.metric);
      if (!byLabels) {
        byLabels = new Map();
        series.prefixes.set(s.metric, byLabels);
      }
      let prefix = byLabels.get(s.labels);
      if (prefix === undefined) {
        prefix = this.linePrefix(series.labels, s);
        byLabels.set(s.labels, prefix);
        series.prefixCount++;
      }
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      family.push(prefix, `${formatValue(s.value)}\n`);
    }
  }

  private linePrefix(deviceLabels: string, s: Sample): string {
    let labels = deviceLabels;
    for (const name of this.specs.get(s.metric)?.labels ?? [])
      labels += `,${name}="${escapeLabelValue(s.labels?.[name] ?? "")}"`;
    return `${METRIC_PREFIX}${s.metric}{${labels}} `;
  }
}

function renderDuration(series: DeviceSeries, out: string[]): void {
  const name = "emcomm_poll_duration_seconds";
  const device = series.deviceLabel;
  series.durationPrefixes ??= [
    ...POLL_DURATION_BUCKETS.map((le) => `${name}_bucket{le="${le}",${device}} `),
    `${name}_bucket{le="+Inf",${device}} `,
    `${name}_sum{${device}} `,
    `${name}_count{${device}} `,
  ];
  const prefixes = series.durationPrefixes;
  let cumulative = 0;
  for (let i = 0; i < POLL_DURATION_BUCKETS.length; i++) {
    cumulative += series.buckets[i]!;
    out.push(prefixes[i]!, `${cumulative}\n`);
  }
  const n = POLL_DURATION_BUCKETS.length;
  out.push(prefixes[n]!, `${series.durationCount}\n`);
  out.push(prefixes[n + 1]!, `${formatValue(series.durationSum)}\n`);
  out.push(prefixes[n + 2]!, `${series.durationCount}\n`);
}
