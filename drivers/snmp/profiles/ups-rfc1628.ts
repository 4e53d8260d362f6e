/** RFC 1628 UPS-MIB (mib-2 33): battery, runtime, on battery/bypass, input/output lines, alarms. */
import { type Block, gauge, rule } from "../profile.ts";

export const UPS = {
  batteryStatus: "1.3.6.1.2.1.33.1.2.1.0",
  secondsOnBattery: "1.3.6.1.2.1.33.1.2.2.0",
  minutesRemaining: "1.3.6.1.2.1.33.1.2.3.0",
  chargeRemaining: "1.3.6.1.2.1.33.1.2.4.0",
  inputVoltage: "1.3.6.1.2.1.33.1.3.3.1.3",
  outputSource: "1.3.6.1.2.1.33.1.4.1.0",
  outputVoltage: "1.3.6.1.2.1.33.1.4.4.1.2",
  outputPercentLoad: "1.3.6.1.2.1.33.1.4.4.1.5",
  alarmsPresent: "1.3.6.1.2.1.33.1.6.1.0",
  /** Traps: upsTraps (upsTrapOnBattery .1, upsTrapTestCompleted .2, upsTrapAlarmEntryAdded .3, …Removed .4). */
  traps: "1.3.6.1.2.1.33.2",
  /** Well-known alarm OIDs: .N (2 OnBattery, 3 LowBattery, 4 DepletedBattery, 14 UpsOutputOff). */
  wellKnownAlarms: "1.3.6.1.2.1.33.1.6.3",
} as const;

export function upsRfc1628(): Block {
  return {
    name: "upsRfc1628",
    metrics: [
      gauge("ups_on_battery", "bool", "Output is fed from the battery (upsOutputSource = battery(5))."),
      gauge("ups_battery_status", "enum", "upsBatteryStatus: unknown(1) normal(2) low(3) depleted(4)."),
      gauge("ups_battery_charge_percent", "percent", "upsEstimatedChargeRemaining."),
      gauge("ups_minutes_remaining", "minutes", "upsEstimatedMinutesRemaining."),
      gauge("ups_input_voltage_volts", "V", "upsInputVoltage per input line.", ["line"]),
      gauge("ups_output_voltage_volts", "V", "upsOutputVoltage per output line.", ["line"]),
      gauge("ups_output_load_percent", "percent", "upsOutputPercentLoad per output line.", ["line"]),
      gauge(
        "ups_output_source",
        "enum",
        "upsOutputSource: other(1) none(2) normal(3) bypass(4) battery(5) booster(6) reducer(7).",
      ),
      gauge("ups_alarms_present", "count", "upsAlarmsPresent: rows in the alarm table."),
    ],
    scalars: [
      { metric: "ups_battery_status", oid: UPS.batteryStatus },
      { metric: "ups_minutes_remaining", oid: UPS.minutesRemaining },
      { metric: "ups_battery_charge_percent", oid: UPS.chargeRemaining },
      { metric: "ups_output_source", oid: UPS.outputSource },
      { metric: "ups_on_battery", oid: UPS.outputSource, map: { 5: 1 }, mapDefault: 0 },
      { metric: "ups_alarms_present", oid: UPS.alarmsPresent },
    ],
    tables: [
      { label: "line", columns: [{ metric: "ups_input_voltage_volts", oid: UPS.inputVoltage }] },
      {
        label: "line",
        columns: [
          { metric: "ups_output_voltage_volts", oid: UPS.outputVoltage },
          { metric: "ups_output_load_percent", oid: UPS.outputPercentLoad },
        ],
      },
    ],
    rules: [
      rule("no_output", "down", "ups_output_source", "==", 2, "UPS无输出", "UPS output source is none"),
      rule("battery_depleted", "down", "ups_battery_status", "==", 4, "电池耗尽", "Battery depleted"),
      rule("battery_low", "degraded", "ups_battery_status", "==", 3, "电池电量低", "Battery low"),
      rule(
        "on_battery",
        "degraded",
        "ups_on_battery",
        "==",
        1,
        "UPS电池供电（市电中断）",
        "UPS on battery (mains lost)",
      ),
      rule("on_bypass", "degraded", "ups_output_source", "==", 4, "UPS旁路供电", "UPS on bypass"),
      rule(
        "runtime_low",
        "degraded",
        "ups_minutes_remaining",
        "<",
        15,
        "剩余续航不足15分钟",
        "Less than 15 min of runtime left",
      ),
      rule(
        "charge_low",
        "degraded",
        "ups_battery_charge_percent",
        "<",
        20,
        "电池电量低于20%",
        "Battery charge below 20 %",
      ),
      rule("overload", "degraded", "ups_output_load_percent", ">", 95, "UPS过载", "Output load above 95 %", {
        labels: { line: "1" },
      }),
    ],
  };
}
