/**
 * What a satellite BUC's readings mean, whatever protocol reads them (SNMP M&C agent, RS-485 via a
 * Modbus gateway). device-polling.md §2: PLL/LO unlock, summary alarm or thermal shutdown stop the
 * transmit chain (down); a muted BUC transmits nothing (down, TX); above 70 °C is a warning.
 */
import type { HealthRule, MetricSpec } from "../../src/core/types.ts";
import { gauge, rule } from "./model.ts";

export const bucMetrics: readonly MetricSpec[] = [
  gauge("buc_output_power_dbm", "dBm", "BUC RF output power (detector reading)."),
  gauge("buc_temperature_celsius", "degrees Celsius", "BUC amplifier temperature."),
  gauge("buc_pll_locked", "bool", "1 while the BUC local oscillator is locked to the 10 MHz reference."),
  gauge("buc_summary_alarm", "bool", "1 while the BUC reports its summary (hardware) alarm."),
  gauge("buc_muted", "bool", "1 while the BUC output is muted (transmit disabled)."),
];

export const bucRules: readonly HealthRule[] = [
  rule("buc_pll_unlock", "down", "buc_pll_locked", "==", 0, "BUC本振失锁", "BUC PLL unlocked", {
    linkDrop: true,
  }),
  rule("buc_summary_alarm", "down", "buc_summary_alarm", "==", 1, "BUC综合告警", "BUC summary alarm"),
  rule("buc_muted", "down", "buc_muted", "==", 1, "BUC静默（无发射）", "BUC muted (no transmit)"),
  rule("buc_temperature_critical", "down", "buc_temperature_celsius", ">", 80, "BUC过温", "BUC above 80 °C"),
  rule(
    "buc_temperature_high",
    "degraded",
    "buc_temperature_celsius",
    ">",
    70,
    "BUC温度高",
    "BUC above 70 °C",
  ),
];
