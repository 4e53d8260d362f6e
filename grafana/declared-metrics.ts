/**
 * Every metric and InfluxDB field the dashboards and alert rules may use, in one place.
 * Called by the dashboard generator's test and the rule checks (test/noc/configs.test.ts), once
 * per run; pure apart from building a throw-away DaemonMetrics registry.
 *
 * Sources, in order:
 *  1. the core's own metrics: read from a DaemonMetrics registry (src/metrics.ts), not copied;
 *  2. device metrics the drivers declare: every profile's MetricSpecs (drivers/index.ts);
 *  3. the shared names agreed between engineers (HELPERS.md "Shared metric names"), listed below
 *     until every driver that emits them is merged: then (2) covers them and this list can shrink
 *     to the health/ticket/outbox metrics, which have no MetricSpec.
 */
import { drivers } from "../drivers/index.ts";
import { DaemonMetrics, METRIC_PREFIX } from "../src/metrics.ts";
import { StatusBoard } from "../src/status.ts";

/** Device metric (without the emcomm_ prefix) → its own labels beyond device and site. */
export const sharedDeviceMetrics: Readonly<Record<string, readonly string[]>> = {
  // satellite modem
  modem_rx_locked: [],
  modem_ebno_db: [],
  modem_rx_level_dbm: [],
  modem_link_margin_db: [],
  modem_tx_on: [],
  modem_tx_power_dbm: [],
  modem_ber_ratio: [],
  modem_freq_offset_hz: [],
  modem_buc_alarm: [],
  modem_lnb_alarm: [],
  modem_temperature_celsius: [],
  // BUC
  buc_output_power_dbm: [],
  buc_temperature_celsius: [],
  buc_pll_locked: [],
  buc_summary_alarm: [],
  buc_muted: [],
  // antenna controller
  antenna_sat_locked: [],
  antenna_azimuth_degrees: [],
  antenna_elevation_degrees: [],
  antenna_state: [],
  // UPS
  ups_on_battery: [],
  ups_battery_status: [],
  ups_battery_charge_percent: [],
  ups_minutes_remaining: [],
  ups_input_voltage_volts: ["line"],
  ups_output_voltage_volts: ["line"],
  ups_output_load_percent: ["line"],
  ups_output_source: [],
  ups_alarms_present: [],
  // generator
  generator_engine_state: [],
  generator_mode: [],
  generator_running: [],
  generator_fuel_percent: [],
  generator_oil_pressure_kpa: [],
  generator_coolant_celsius: [],
  generator_battery_volts: [],
  generator_voltage_volts: ["phase"],
  generator_frequency_hertz: [],
  generator_load_percent: [],
  generator_run_hours: [],
  generator_starts_total: [],
  generator_warning_alarm: [],
  generator_shutdown_alarm: [],
  generator_fail_to_start: [],
  // interfaces and system
  if_oper_up: ["ifname"],
  if_admin_up: ["ifname"],
  if_in_bits_per_second: ["ifname"],
  if_out_bits_per_second: ["ifname"],
  if_in_errors_total: ["ifname"],
  if_out_errors_total: ["ifname"],
  if_in_discards_total: ["ifname"],
  system_uptime_seconds: [],
  // switch/router entities
  cpu_usage_percent: ["entity"],
  memory_usage_percent: ["entity"],
  temperature_celsius: ["entity"],
  fan_ok: ["fan"],
  psu_ok: ["psu"],
  poe_power_watts: ["port"],
  // 5G CPE
  cpe_connected: [],
  cpe_rsrp_dbm: [],
  cpe_sinr_db: [],
  cpe_rsrq_db: [],
  cpe_band: [],
  // Ka station
  ka_sat_locked: [],
  ka_ebno_db: [],
  ka_tx_on: [],
  ka_latitude_degrees: [],
  ka_longitude_degrees: [],
  // video terminal
  vc_registered: [],
  vc_in_call: [],
  vc_camera_present: [],
  vc_microphone_present: [],
  // Beidou
  beidou_fix: [],
  beidou_latitude_degrees: [],
  beidou_longitude_degrees: [],
  beidou_battery_percent: [],
  beidou_sats_used: [],
  beidou_rdss_ok: [],
  beidou_report_age_seconds: [],
  // PDT base station
  pdt_radio_enabled: [],
  pdt_repeating: [],
  pdt_forward_power_watts: [],
  pdt_vswr_ratio: [],
  pdt_pa_temperature_celsius: [],
  pdt_supply_volts: [],
};

/** Health, ticket and outbox metrics: full name → labels. */
export const serviceMetrics: Readonly<Record<string, readonly string[]>> = {
  emcomm_device_state: ["device", "site", "kind", "state"],
  emcomm_device_fault: ["device", "site", "code"],
  emcomm_site_in_service: ["site"],
  emcomm_tickets_open: ["level", "state"],
  emcomm_ticket_clock_remaining_seconds: ["ticket", "device", "site", "level", "clock"],
  emcomm_ticket_breaches_total: ["level", "clock"],
  emcomm_availability_month_to_date_ratio: ["device", "site"],
  emcomm_outbox_backlog_points: ["sink"],
  emcomm_outbox_backlog_bytes: ["sink"],
  emcomm_outbox_oldest_age_seconds: ["sink"],
  emcomm_outbox_dropped_points_total: ["sink", "reason"],
  emcomm_outbox_uncommitted_points: ["sink"],
  emcomm_outbox_commit_failures_total: ["sink"],
  emcomm_store_writable: [],
  emcomm_store_held_writes: [],
  emcomm_store_write_failures_total: ["what"],
  emcomm_sink_write_errors_total: ["sink", "kind"],
  emcomm_sink_points_written_total: ["sink"],
};

/** Series Prometheus makes itself, which rules and panels may use as well. */
export const prometheusSeries: Readonly<Record<string, readonly string[]>> = {
  up: ["job", "instance"],
  ALERTS: ["alertname", "alertstate"],
};

/** Device metric name → its own labels: the shared names plus every driver profile's MetricSpecs. */
export function deviceMetrics(): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>(Object.entries(sharedDeviceMetrics));
  for (const driver of drivers)
    for (const model of driver.profiles().values())
      for (const spec of model.metrics) out.set(spec.name, spec.labels ?? []);
  return out;
}

/** The core's metric names as the daemon registers them (src/metrics.ts), with histogram series. */
export function coreMetrics(): Map<string, readonly string[]> {
  const metrics = new DaemonMetrics([], new Map(), new StatusBoard([]));
  const out = new Map<string, readonly string[]>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    const labels = (m as unknown as { labelNames?: string[] }).labelNames ?? [];
    out.set(m.name, labels);
    if ((m as unknown as { type?: string }).type === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"])
        out.set(m.name + suffix, suffix === "_bucket" ? [...labels, "le"] : labels);
  }
  return out;
}

/** Every series name PromQL may use → its labels (job and instance are added by Prometheus). */
export function declaredPromMetrics(): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [name, labels] of deviceMetrics()) out.set(METRIC_PREFIX + name, ["device", "site", ...labels]);
  for (const [name, labels] of coreMetrics()) out.set(name, labels);
  for (const [name, labels] of Object.entries(serviceMetrics)) out.set(name, labels);
  for (const [name, labels] of Object.entries(prometheusSeries)) out.set(name, labels);
  return out;
}

export interface InfluxMeasurement {
  fields: ReadonlySet<string>;
  tags: ReadonlySet<string>;
}

/**
 * The InfluxDB schema (HELPERS.md, written by the outbox's Influx sink): device samples go to the
 * measurement named by the metric's first token, with the metric name as field key; plus the
 * `poll`, `device_state` and `ticket_event` measurements.
 */
export function declaredInfluxSchema(): Map<string, InfluxMeasurement> {
  const out = new Map<string, { fields: Set<string>; tags: Set<string> }>();
  const add = (measurement: string, fields: readonly string[], tags: readonly string[]) => {
    const m = out.get(measurement) ?? { fields: new Set<string>(), tags: new Set<string>() };
    for (const f of fields) m.fields.add(f);
    for (const t of tags) m.tags.add(t);
    out.set(measurement, m);
  };
  for (const [name, labels] of deviceMetrics())
    add(influxMeasurement(name), [name], ["device", "site", "kind", ...labels]);
  add("poll", ["up", "duration_seconds", "error_kind"], ["device", "site", "kind"]);
  add("device_state", ["state", "previous", "cause"], ["device", "site", "kind"]);
  add("ticket_event", ["ticket", "state", "actor"], ["device", "site", "level", "event"]);
  return out;
}

/** `modem_ebno_db` → `modem`. */
export function influxMeasurement(metric: string): string {
  return metric.split("_")[0]!;
}
