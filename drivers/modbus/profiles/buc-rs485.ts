/**
 * 25 W Ku BUC with an RS-485 M&C port, read through an RS-485/Modbus gateway.
 * ASSUMED register map (no public ICD for the TJKCSSPB BUC, device-polling.md §2 and §13): verify
 * against the vendor's M&C document before relying on it. Holding registers:
 *   0  status bits: bit0 summary alarm, bit1 PLL/LO locked, bit2 muted (TX disabled)
 *   1  output power, i16, 0.1 dBm
 *   2  temperature, i16, 0.1 °C
 */
import type { ModbusProfile } from "../profile.ts";
import { compose, gauge, rule } from "./blocks.ts";

export const bucRs485: ModbusProfile = {
  ...compose({
    points: [
      { metric: "buc_summary_alarm", address: 0, type: "bit", bit: 0 },
      { metric: "buc_pll_locked", address: 0, type: "bit", bit: 1 },
      { metric: "buc_muted", address: 0, type: "bit", bit: 2 },
      { metric: "buc_output_power_dbm", address: 1, type: "i16", scale: 0.1 },
      { metric: "buc_temperature_celsius", address: 2, type: "i16", scale: 0.1 },
    ],
    metrics: [
      gauge("buc_summary_alarm", "bool", "1 while the BUC reports its summary alarm."),
      gauge("buc_pll_locked", "bool", "1 while the BUC local oscillator is locked to the reference."),
      gauge("buc_muted", "bool", "1 while the BUC output is muted (transmit disabled)."),
      gauge("buc_output_power_dbm", "dBm", "BUC output power detector reading."),
      gauge("buc_temperature_celsius", "degrees Celsius", "BUC amplifier temperature."),
    ],
    rules: [
      rule("buc_pll_unlock", "down", "buc_pll_locked", "==", 0, "BUC本振失锁", "BUC PLL unlocked", {
        linkDrop: true,
      }),
      rule("buc_summary_alarm", "down", "buc_summary_alarm", "==", 1, "BUC综合告警", "BUC summary alarm"),
      rule("buc_muted", "degraded", "buc_muted", "==", 1, "BUC静音(发射关闭)", "BUC muted (TX off)"),
      rule(
        "buc_temperature_high",
        "degraded",
        "buc_temperature_celsius",
        ">",
        70,
        "BUC温度高",
        "BUC above 70 °C",
      ),
    ],
  }),
  source: "ASSUMED map (no public BUC ICD): status bits at 0, power at 1, temperature at 2",
};
