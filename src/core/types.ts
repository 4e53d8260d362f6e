/**
 * The contract between drivers and the core. The core knows these shapes and nothing about
 * protocols or device models: drivers turn a device's answers into Samples, profiles (data)
 * declare which metrics exist and which conditions mean down or degraded.
 */
import type { Logger } from "pino";
import type { Clock } from "./clock.ts";

/** One measured value. `metric` is a declared name (see MetricSpec), snake_case with its unit. */
export interface Sample {
  metric: string;
  value: number;
  /** Bounded labels only (interface name, PSU index), never a raw value or an error text. */
  labels?: Readonly<Record<string, string>>;
}

/** Declared once per metric by the profile that emits it; dashboards and alerts may use only these. */
export interface MetricSpec {
  /** snake_case with a unit suffix: modem_ebno_db, ups_battery_charge_ratio, if_in_bits_per_second. */
  name: string;
  help: string;
  /** Unit in words for the README: "dB", "dBm", "percent", "seconds", "bits/s", "enum", "bool". */
  unit: string;
  type: "gauge" | "counter";
  labels?: readonly string[];
}

export type HealthSeverity = "down" | "degraded";

/**
 * A condition that makes a device down or degraded, evaluated by the core over the samples of one
 * poll. The first matching sample of `metric` (and `labels`, if given) is compared to `value`.
 */
export interface HealthRule {
  /** Stable identifier of the fault: rx_unlock, ebno_low, on_battery. Part of ticket identity. */
  code: string;
  severity: HealthSeverity;
  metric: string;
  labels?: Readonly<Record<string, string>>;
  op: "<" | "<=" | ">" | ">=" | "==" | "!=";
  value: number;
  /** Whether this condition is a "link drop" (carrier unlock, far end lost) rather than an alarm. */
  linkDrop?: boolean;
  /** Person-facing description, Chinese first. */
  description: { zh: string; en: string };
}

/** What a polled driver's profile says about the device it polls. */
export interface DeviceModel {
  metrics: readonly MetricSpec[];
  rules: readonly HealthRule[];
}

/** Polled shape: the scheduler calls poll() every interval, never twice at once for one device. */
export interface PolledDriver extends DeviceModel {
  readonly shape: "polled";
  /**
   * Reads the device once. Resolves with samples or rejects with a PollError. Must stop its I/O
   * when `signal` aborts (the scheduler's per-poll deadline or shutdown).
   */
  poll(signal: AbortSignal): Promise<Sample[]>;
  /** Releases sessions and sockets. Called once at shutdown or when the device is removed. */
  close(): Promise<void>;
}

/** Receives what a streamed driver hears, as it hears it. Never throws into the driver. */
export interface StreamSink {
  samples(samples: Sample[], at?: number): void;
  /**
   * The device failed (missed reports, broker lost, an invalid payload): recorded like a failed
   * poll. `counters` are samples that changed with the failure (invalid payloads so far), recorded
   * with it so they count when it happens.
   */
  error(error: Error, at?: number, counters?: Sample[]): void;
}

/** Streamed shape (MQTT telemetry): the device pushes, the driver forwards to the sink. */
export interface StreamedDriver extends DeviceModel {
  readonly shape: "streamed";
  start(sink: StreamSink): Promise<void>;
  stop(): Promise<void>;
}

/** Inventory items that are tracked (tickets, inspections) but have no interface to poll. */
export interface ManualDriver extends DeviceModel {
  readonly shape: "manual";
}

export type Driver = PolledDriver | StreamedDriver | ManualDriver;

/** Ref-counted shared connections, e.g. one MQTT client or one RS-485 bus for many devices. */
export interface SharedResources {
  acquire<T extends { close(): Promise<void> | void }>(
    key: string,
    open: () => T,
  ): { value: T; release(): Promise<void> };
}

export interface DriverContext {
  clock: Clock;
  log: Logger;
  resources: SharedResources;
  /**
   * Set by one-shot tools (`emcomm poll`): appended to the client ids drivers present to brokers,
   * with no persistent session, so the tool never takes over the running daemon's connection.
   */
  clientIdSuffix?: string;
}
