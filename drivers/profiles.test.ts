/**
 * The Modbus, HTTP and MQTT device models are consistent data: every register point and JSON/XML
 * field emits a declared metric, every health rule watches one, and the names are the shared ones
 * (HELPERS.md "Shared metric names") the dashboards and alerts are built on.
 */
import { describe, expect, it } from "vitest";
import { httpProfiles } from "./http/profiles/index.ts";
import { modbusProfiles } from "./modbus/profiles/index.ts";
import { mqttProfiles } from "./mqtt/profiles/index.ts";

const shared = new Set(
  `modem_buc_alarm buc_output_power_dbm buc_temperature_celsius buc_pll_locked buc_summary_alarm buc_muted
  ups_on_battery ups_battery_status ups_battery_charge_percent ups_minutes_remaining ups_input_voltage_volts
  ups_output_voltage_volts ups_output_load_percent ups_output_source ups_alarms_present
  generator_engine_state generator_mode generator_running generator_fuel_percent generator_oil_pressure_kpa
  generator_coolant_celsius generator_battery_volts generator_voltage_volts generator_frequency_hertz
  generator_load_percent generator_run_hours generator_starts_total generator_warning_alarm
  generator_shutdown_alarm generator_fail_to_start generator_engine_speed_rpm generator_mains_frequency_hertz
  generator_mains_voltage_volts cpe_connected cpe_rsrp_dbm cpe_sinr_db cpe_rsrq_db cpe_band
  ka_sat_locked ka_ebno_db ka_tx_on ka_latitude_degrees ka_longitude_degrees vc_registered vc_in_call
  vc_camera_present vc_microphone_present beidou_fix beidou_latitude_degrees beidou_longitude_degrees
  beidou_battery_percent beidou_sats_used beidou_rdss_ok beidou_report_age_seconds
  mqtt_invalid_payloads_total`.split(/\s+/),
);

const emitted = {
  ...Object.fromEntries(
    Object.entries(modbusProfiles).map(([n, p]) => [
      `modbus/${n}`,
      { p, names: [...p.points.map((x) => x.metric), ...(p.derived ?? []).map((d) => d.metric)] },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(httpProfiles).map(([n, p]) => [
      `http/${n}`,
      { p, names: p.endpoints.flatMap((e) => e.fields.map((f) => f.metric)) },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(mqttProfiles).map(([n, p]) => [`mqtt/${n}`, { p, names: p.metrics.map((m) => m.name) }]),
  ),
};

describe.each(Object.entries(emitted))("profile %s", (_name, { p, names }) => {
  const declared = new Set(p.metrics.map((m) => m.name));
  it("declares every metric it emits, once, with the shared name", () => {
    for (const n of names) expect(declared, n).toContain(n);
    expect(declared.size).toBe(p.metrics.length);
    for (const m of p.metrics) {
      expect(shared, m.name).toContain(m.name);
      expect(m.help.length).toBeGreaterThan(10);
    }
  });
  it("emits every metric it declares", () => {
    for (const m of declared) expect(names).toContain(m);
  });
  it("has rules only on declared metrics, with stable codes", () => {
    const codes = new Set<string>();
    for (const r of p.rules) {
      expect(declared, r.code).toContain(r.metric);
      expect(r.code).toMatch(/^[a-z0-9_]+$/);
      expect(codes.has(r.code)).toBe(false);
      codes.add(r.code);
    }
  });
  it("labels each point with the metric's declared labels", () => {
    const points: { metric: string; labels?: Readonly<Record<string, string>> }[] =
      "points" in p ? [...p.points] : "endpoints" in p ? p.endpoints.flatMap((e) => [...e.fields]) : [];
    for (const x of points) {
      const spec = p.metrics.find((m) => m.name === x.metric)!;
      expect(Object.keys(x.labels ?? {}).sort(), x.metric).toEqual([...(spec.labels ?? [])].sort());
    }
  });
});
