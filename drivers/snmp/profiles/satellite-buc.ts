/**
 * Satellite BUC, vendor-neutral (TJKCSSPB 25 W Ku: no public M&C map). Summary alarm is Newtec's
 * ntcMoRfBucHardware; the rest sit under the RFC 5612 example enterprise. ALL ASSUMPTIONS: point
 * `driver.oids` at the vendor's objects.
 */
import { type Block, gauge, rule } from "../profile.ts";
import { EXAMPLE } from "./satellite-modem.ts";

export const BUC = {
  summaryAlarm: "1.3.6.1.4.1.5835.5.2.10000.1.1.1.0", // off(0)/on(1)
  outputPower: `${EXAMPLE}.2.1.1.0`, // 0.1 dBm
  temperature: `${EXAMPLE}.2.1.2.0`, // °C
  pllLocked: `${EXAMPLE}.2.1.3.0`, // unlocked(0)/locked(1)
  muted: `${EXAMPLE}.2.1.4.0`, // no(0)/yes(1)
} as const;

export function satelliteBuc(): Block {
  return {
    name: "satelliteBuc",
    metrics: [
      gauge("buc_output_power_dbm", "dBm", "RF output power detector."),
      gauge("buc_temperature_celsius", "°C", "Amplifier temperature."),
      gauge("buc_pll_locked", "bool", "LO/PLL locked to the 10 MHz reference."),
      gauge("buc_summary_alarm", "bool", "Summary (hardware) alarm."),
      gauge("buc_muted", "bool", "Transmit muted."),
    ],
    scalars: [
      { metric: "buc_summary_alarm", oid: BUC.summaryAlarm },
      { metric: "buc_output_power_dbm", oid: BUC.outputPower, scale: 0.1 },
      { metric: "buc_temperature_celsius", oid: BUC.temperature, required: false },
      { metric: "buc_pll_locked", oid: BUC.pllLocked },
      { metric: "buc_muted", oid: BUC.muted, required: false },
    ],
    rules: [
      rule("buc_alarm", "down", "buc_summary_alarm", "==", 1, "BUC综合告警", "BUC summary alarm"),
      rule("pll_unlock", "down", "buc_pll_locked", "==", 0, "BUC本振失锁", "BUC PLL unlocked"),
      rule("muted", "down", "buc_muted", "==", 1, "BUC静默（无发射）", "BUC muted (no transmit)"),
      rule("temperature_critical", "down", "buc_temperature_celsius", ">", 80, "BUC过温", "BUC above 80 °C"),
      rule(
        "temperature_high",
        "degraded",
        "buc_temperature_celsius",
        ">",
        70,
        "BUC温度高",
        "BUC above 70 °C",
      ),
    ],
  };
}
