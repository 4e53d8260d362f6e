/**
 * The daemon's Prometheus metrics. Self-metrics follow Prometheus naming; device values are
 * exported as `emcomm_<declared metric name>` with `device` and `site` labels plus the labels the
 * profile declares. A device whose last poll failed exports no values, only `emcomm_device_up 0`
 * (as snmp_exporter does). Every metric is declared once, here or in a profile.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PollOutcome } from "./core/outcome.ts";
import type { MetricSpec } from "./core/types.ts";
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

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly up: Gauge;
  private readonly duration: Histogram;
  private readonly errors: Counter;
  private readonly skipped: Counter;
  private readonly undeclared: Counter;
  private readonly sites = new Map<string, string>();

  constructor(
    devices: readonly DeviceIdentity[],
    private readonly specs: ReadonlyMap<string, MetricSpec>,
    private readonly status: StatusBoard,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    this.up = new Gauge({
      name: "emcomm_device_up",
      help: "1 if the last poll of the device succeeded, 0 if it failed. Absent for devices that are not polled.",
      labelNames: ["device", "site", "kind"],
      registers,
    });
    const info = new Gauge({
      name: "emcomm_device_info",
      help: "Inventory of monitored devices (value always 1).",
      labelNames: ["device", "site", "kind", "vendor", "model", "criticality", "polled"],
      registers,
    });
    this.duration = new Histogram({
      name: "emcomm_poll_duration_seconds",
      help: "Duration of device polls, successful or not.",
      labelNames: ["device"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
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
    for (const d of devices) {
      this.sites.set(d.id, d.site);
      info.set(
        {
          device: d.id,
          site: d.site,
          kind: d.kind,
          vendor: d.vendor,
          model: d.model,
          criticality: d.criticality,
          polled: String(d.polled),
        },
        1,
      );
    }
    this.registerDeviceValues();
  }

  record(outcome: PollOutcome, kind: string): void {
    const site = this.sites.get(outcome.deviceId) ?? "";
    this.up.set({ device: outcome.deviceId, site, kind }, outcome.error ? 0 : 1);
    if (outcome.trigger !== "stream")
      this.duration.observe({ device: outcome.deviceId }, (outcome.finishedAt - outcome.startedAt) / 1000);
    if (outcome.error) this.errors.inc({ device: outcome.deviceId, kind: outcome.error.kind });
    for (const s of outcome.samples)
      if (!this.specs.has(s.metric)) this.undeclared.inc({ device: outcome.deviceId });
  }

  recordSkip(deviceId: string): void {
    this.skipped.inc({ device: deviceId });
  }

  private registerDeviceValues(): void {
    const status = this.status;
    const sites = this.sites;
    for (const spec of this.specs.values()) {
      const labelNames = ["device", "site", ...(spec.labels ?? [])];
      new Gauge({
        name: METRIC_PREFIX + spec.name,
        help: `${spec.help} (${spec.unit})`,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const device of status.all()) {
            if (!device.up || !device.latest) continue;
            const site = sites.get(device.id) ?? "";
            for (const s of device.latest.samples) {
              if (s.metric !== spec.name) continue;
              const labels: Record<string, string> = { device: device.id, site };
              for (const name of spec.labels ?? []) labels[name] = s.labels?.[name] ?? "";
              this.set(labels, s.value);
            }
          }
        },
      });
    }
  }
}
