/**
 * The daemon's Prometheus metrics. Self-metrics follow Prometheus naming; device values are
 * exported as `emcomm_<declared metric name>` with `device` and `site` labels plus the labels the
 * profile declares. A device whose last poll failed exports no values, only `emcomm_device_up 0`
 * (as snmp_exporter does). Every metric is declared once, here or in a profile.
 *
 * The per-device families (values, `emcomm_device_up`, `emcomm_device_info`, the poll duration
 * histogram) are collected on scrape from the status board and written as text (metrics-text.ts):
 * recording a poll touches no label set and keeps no series; a scrape appends each line as
 * fragments kept between scrapes (see DeviceSeries) and its value to one array joined once. Sparse families (errors, skips) stay prom-client metrics.
 */
import { Counter } from "prom-client";
import { type PollOutcome, sameShape } from "./core/outcome.ts";
import type { MetricSpec, Sample } from "./core/types.ts";
import { registerProcessMetrics } from "./metrics-process.ts";
import { ExpositionRegistry, escapeLabelValue, familyHeader, flatText, formatValue } from "./metrics-text.ts";
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
const UP_HEADER = familyHeader("emcomm_device_up", UP_HELP, "gauge");
const DURATION_HEADER = familyHeader("emcomm_poll_duration_seconds", DURATION_HELP, "histogram");

/**
 * What the exposition keeps per device between scrapes. A value line is written as three
 * fragments: its head (`\nemcomm_if_oper_up{device="…",site="…"`, one string per device and
 * family), the sample's own labels (`,ifname="eth0"} `, one string per distinct text in the whole
 * fleet) and its value; so a device keeps one string per family, not one per line.
 */
interface DeviceSeries {
  /** `device="…",site="…"`, escaped once. */
  readonly labels: string;
  /** `\nemcomm_device_up{device="…",site="…",kind="…"} ` */
  readonly upPrefix: string;
  /** Poll durations: count per bucket (not cumulative), then the sum and the count. */
  readonly buckets: Float64Array;
  durationSum: number;
  durationCount: number;
  /** `device="…"} `: the end of each of the histogram's lines. */
  readonly durationLabels: string;
  /**
   * One line per sample of the latest poll, in its order. Kept between scrapes while each
   * position holds the same metric and labels object (drivers reuse one per row while its text is
   * unchanged), so a steady device costs a scrape two comparisons and its values per line.
   */
  lines: ValueLine[];
}

/** How one sample of a device is written, decided when the device's samples change shape. */
interface ValueLine {
  readonly metric: string;
  readonly labels: object | undefined;
  /** Index of its family, or -1: not written (undeclared, or an earlier sample wrote its series). */
  readonly family: number;
  /** `\nemcomm_if_oper_up{device="…",site="…"`, shared by the device's lines of the family. */
  readonly head: string;
  /** The sample's own labels and the end of the braces (`,ifname="eth0"} `), shared (sharedText). */
  readonly suffix: string;
}

export class DaemonMetrics {
  readonly registry = new ExpositionRegistry();
  private readonly errors: Counter;
  private readonly skipped: Counter;
  private readonly undeclared: Counter;
  private readonly devices = new Map<string, DeviceSeries>();
  private readonly info: string;
  /** Value families in exposition order (the specs'), with their HELP and TYPE lines. */
  private readonly familyHeaders: string[] = [];
  /** Each value family's line head, `\nemcomm_if_oper_up{`. */
  private readonly familyHeads: string[] = [];
  private readonly familyIndex = new Map<string, number>();

  constructor(
    devices: readonly DeviceIdentity[],
    private readonly specs: ReadonlyMap<string, MetricSpec>,
    private readonly status: StatusBoard,
  ) {
    const registers = [this.registry];
    registerProcessMetrics(this.registry, METRIC_PREFIX);
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
    for (const spec of specs.values()) {
      this.familyIndex.set(spec.name, this.familyHeaders.length);
      this.familyHeaders.push(
        familyHeader(METRIC_PREFIX + spec.name, `${spec.help} (${spec.unit})`, "gauge"),
      );
      this.familyHeads.push(flatText("\n", METRIC_PREFIX, spec.name, "{"));
    }
    const info = [familyHeader("emcomm_device_info", INFO_HELP, "gauge")];
    for (const d of devices) {
      const deviceLabel = `device="${escapeLabelValue(d.id)}"`;
      const labels = `${deviceLabel},site="${escapeLabelValue(d.site)}"`;
      this.devices.set(d.id, {
        labels,
        upPrefix: flatText("\nemcomm_device_up{", labels, ',kind="', escapeLabelValue(d.kind), '"} '),
        buckets: new Float64Array(POLL_DURATION_BUCKETS.length),
        durationSum: 0,
        durationCount: 0,
        durationLabels: flatText(deviceLabel, "} "),
        lines: [],
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
      const bucket = durationBucket(seconds);
      if (bucket >= 0) series.buckets[bucket]!++;
      series.durationSum += seconds;
      series.durationCount++;
    }
    if (outcome.error) this.errors.inc({ device: outcome.deviceId, kind: outcome.error.kind });
    let undeclared = 0;
    for (const s of outcome.samples) if (!this.specs.has(s.metric)) undeclared++;
    if (undeclared > 0) this.undeclared.inc({ device: outcome.deviceId }, undeclared);
  }

  recordSkip(deviceId: string): void {
    this.skipped.inc({ device: deviceId });
  }

  /**
   * The per-device families, from the status board, as text fragments; called once per scrape.
   * Every line starts with the newline that ends the line before it; each family ends with one.
   * Value lines are counted per family first, then written straight into their place in `out`:
   * no array per family that would grow and be copied again.
   */
  private render(out: string[]): void {
    out.push(this.info, "\n", UP_HEADER);
    for (const status of this.status.all()) {
      const series = this.devices.get(status.id);
      if (series && status.up !== null) out.push(series.upPrefix, status.up ? "1" : "0");
    }
    out.push("\n", "\n", DURATION_HEADER);
    for (const status of this.status.all()) {
      const series = this.devices.get(status.id);
      if (series && series.durationCount > 0) renderDuration(series, out);
    }
    out.push("\n");
    const families = this.familyHeaders.length;
    const next = new Int32Array(families);
    const devices: DeviceSeries[] = [];
    const samplesOf: (readonly Sample[])[] = [];
    for (const status of this.status.all()) {
      const series = this.devices.get(status.id);
      if (!series || !status.up || !status.latest) continue;
      const samples = status.latest.samples;
      for (const line of this.currentLines(series, samples))
        if (line.family >= 0) next[line.family] = next[line.family]! + 3;
      devices.push(series);
      samplesOf.push(samples);
    }
    // Each family: "\n", its header, three fragments a line, "\n"; next[f] becomes where its next line goes.
    let at = out.length;
    out.length = at + 3 * families + next.reduce((sum, n) => sum + n, 0);
    for (let f = 0; f < families; f++) {
      const fragments = next[f]!;
      out[at] = "\n";
      out[at + 1] = this.familyHeaders[f]!;
      next[f] = at + 2;
      at += 2 + fragments;
      out[at++] = "\n";
    }
    for (let d = 0; d < devices.length; d++) {
      const lines = devices[d]!.lines;
      const samples = samplesOf[d]!;
      for (let i = 0; i < samples.length; i++) {
        const line = lines[i]!;
        if (line.family < 0) continue;
        const k = next[line.family]!;
        out[k] = line.head;
        out[k + 1] = line.suffix;
        out[k + 2] = formatValue(samples[i]!.value);
        next[line.family] = k + 3;
      }
    }
  }

  /** A device's lines for its latest samples: the kept ones while every position holds the same metric and labels object, else relinked. */
  private currentLines(series: DeviceSeries, samples: readonly Sample[]): ValueLine[] {
    return sameShape(series.lines, samples) ? series.lines : this.relink(series, samples);
  }

  /**
   * A device's lines for the shape of its latest samples. The first sample of a series wins (as
   * the health rules read it); a later one with the same text is not written.
   */
  private relink(series: DeviceSeries, samples: readonly Sample[]): ValueLine[] {
    const heads = new Map<number, string>();
    for (const line of series.lines) if (line.family >= 0) heads.set(line.family, line.head);
    const written = new Map<number, Set<string>>();
    series.lines = samples.map((s) => {
      const family = this.familyIndex.get(s.metric) ?? -1;
      if (family < 0) return { metric: s.metric, labels: s.labels, family, head: "", suffix: "" };
      let head = heads.get(family);
      if (head === undefined) {
        head = flatText(this.familyHeads[family]!, series.labels);
        heads.set(family, head);
      }
      const suffix = this.lineSuffix(s);
      const suffixes = written.get(family) ?? new Set<string>();
      written.set(family, suffixes);
      const first = !suffixes.has(suffix);
      suffixes.add(suffix);
      return { metric: s.metric, labels: s.labels, family: first ? family : -1, head, suffix };
    });
    return series.lines;
  }

  /** `,ifname="eth0"} `: a sample's own labels as its family declares them, and the closing brace. */
  private lineSuffix(s: Sample): string {
    const pieces: string[] = [];
    for (const name of this.specs.get(s.metric)?.labels ?? [])
      pieces.push(",", name, '="', escapeLabelValue(s.labels?.[name] ?? ""), '"');
    pieces.push("} ");
    return sharedText(flatText(...pieces));
  }
}

/**
 * One copy of each label text the exposition keeps (`,ifname="eth0"} ` is the same string for
 * every device that has an eth0). Emptied when it reaches SHARED_TEXTS (texts that churn): kept
 * lines hold their strings, later ones are shared anew.
 */
const sharedTexts = new Map<string, string>();
const SHARED_TEXTS = 100_000;
function sharedText(text: string): string {
  const known = sharedTexts.get(text);
  if (known !== undefined) return known;
  if (sharedTexts.size >= SHARED_TEXTS) sharedTexts.clear();
  sharedTexts.set(text, text);
  return text;
}

/** The histogram's line heads, up to the device label: one set for every device. */
const DURATION_HEADS = [
  ...[...POLL_DURATION_BUCKETS, "+Inf"].map((le) =>
    flatText('\nemcomm_poll_duration_seconds_bucket{le="', `${le}`, '",'),
  ),
  "\nemcomm_poll_duration_seconds_sum{",
  "\nemcomm_poll_duration_seconds_count{",
];

/** The first bucket whose bound holds `seconds`, or -1 (NaN); a loop, not a closure per poll. */
function durationBucket(seconds: number): number {
  for (let i = 0; i < POLL_DURATION_BUCKETS.length; i++) if (seconds <= POLL_DURATION_BUCKETS[i]!) return i;
  return -1;
}

function renderDuration(series: DeviceSeries, out: string[]): void {
  const device = series.durationLabels;
  let cumulative = 0;
  for (let i = 0; i < POLL_DURATION_BUCKETS.length; i++) {
    cumulative += series.buckets[i]!;
    out.push(DURATION_HEADS[i]!, device, `${cumulative}`);
  }
  const n = POLL_DURATION_BUCKETS.length;
  out.push(DURATION_HEADS[n]!, device, `${series.durationCount}`);
  out.push(DURATION_HEADS[n + 1]!, device, formatValue(series.durationSum));
  out.push(DURATION_HEADS[n + 2]!, device, `${series.durationCount}`);
}
