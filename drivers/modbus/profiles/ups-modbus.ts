/**
 * UPS with a Modbus port (for UPSes without an SNMP card). ASSUMED register map modelled on the
 * RFC 1628 objects (same enums), verify against the UPS vendor's Modbus table. Input registers:
 *   0  status bits: bit0 on battery
 *   1  battery status (RFC 1628: 1 unknown, 2 normal, 3 low, 4 depleted)
 *   2  battery charge, percent          3  estimated minutes remaining
 *   4  input voltage L1, 0.1 V           5  output voltage L1, 0.1 V
 *   6  output load L1, percent           7  output source (RFC 1628: 2 none, 3 normal, 4 bypass, 5 battery)
 *   8  alarms present, count
 */

import { gauge, rule } from "../../shared/model.ts";
import type { ModbusProfile } from "../profile.ts";
import { compose } from "./blocks.ts";

const line = { line: "L1" } as const;

export const upsModbus: ModbusProfile = {
  ...compose({
    points: [
      { metric: "ups_on_battery", table: "input", address: 0, type: "bit", bit: 0 },
      { metric: "ups_battery_status", table: "input", address: 1 },
      { metric: "ups_battery_charge_percent", table: "input", address: 2 },
      { metric: "ups_minutes_remaining", table: "input", address: 3 },
      { metric: "ups_input_voltage_volts", table: "input", address: 4, scale: 0.1, labels: line },
      { metric: "ups_output_voltage_volts", table: "input", address: 5, scale: 0.1, labels: line },
      { metric: "ups_output_load_percent", table: "input", address: 6, labels: line },
      { metric: "ups_output_source", table: "input", address: 7 },
      { metric: "ups_alarms_present", table: "input", address: 8 },
    ],
    metrics: [
      gauge("ups_on_battery", "bool", "1 while the UPS runs from its battery."),
      gauge(
        "ups_battery_status",
        "enum",
        "Battery status (RFC 1628): 1 unknown, 2 normal, 3 low, 4 depleted.",
      ),
      gauge("ups_battery_charge_percent", "percent", "Battery charge remaining."),
      gauge("ups_minutes_remaining", "minutes", "Estimated run time left on battery."),
      gauge("ups_input_voltage_volts", "volts", "Input voltage per line.", ["line"]),
      gauge("ups_output_voltage_volts", "volts", "Output voltage per line.", ["line"]),
      gauge("ups_output_load_percent", "percent", "Output load per line.", ["line"]),
      gauge("ups_output_source", "enum", "Output source (RFC 1628): 2 none, 3 normal, 4 bypass, 5 battery."),
      gauge("ups_alarms_present", "count", "Alarms the UPS reports as present."),
    ],
    rules: [
      rule("ups_no_output", "down", "ups_output_source", "==", 2, "UPS无输出", "UPS output off"),
      rule(
        "ups_battery_depleted",
        "down",
        "ups_battery_status",
        "==",
        4,
        "UPS电池耗尽",
        "UPS battery depleted",
      ),
      rule("ups_on_battery", "degraded", "ups_on_battery", "==", 1, "UPS电池供电", "UPS on battery"),
      rule("ups_battery_low", "degraded", "ups_battery_status", "==", 3, "UPS电池电量低", "UPS battery low"),
      rule("ups_alarms", "degraded", "ups_alarms_present", ">", 0, "UPS有告警", "UPS alarms present"),
    ],
  }),
  source: "ASSUMED map modelled on RFC 1628 enums: input registers 0–8",
};
