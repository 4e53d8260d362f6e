/**
 * PDT base station, modelled on the Hytera repeater MIB (enterprise 40297, SNMPv1). That the
 * 370 MHz PDT base station exposes these objects is an ASSUMPTION. Analogue values are 4-octet
 * IEEE-754 floats (LibreNMS hytera_h2f).
 */
import { type Block, gauge, rule } from "../profile.ts";

const HYT = "1.3.6.1.4.1.40297.1.2";

export const PDT = {
  supplyVoltage: `${HYT}.1.2.1.0`,
  paTemperature: `${HYT}.1.2.2.0`,
  vswr: `${HYT}.1.2.4.0`,
  forwardPower: `${HYT}.1.2.5.0`,
  knockdown: `${HYT}.2.6.0`, // repeating(0) knockdown(1)
  radioState: `${HYT}.2.7.0`, // enable(0) disable(1)
} as const;

export function pdtRepeater(): Block {
  return {
    name: "pdtRepeater",
    metrics: [
      gauge("pdt_radio_enabled", "bool", "Radio enabled (rptRadioState = enable)."),
      gauge("pdt_repeating", "bool", "Repeating, not knocked down (rptKnockdown)."),
      gauge("pdt_forward_power_watts", "W", "Transmit forward power (rptTxFwdPower)."),
      gauge("pdt_vswr_ratio", "ratio", "Antenna VSWR (rptVswr)."),
      gauge("pdt_pa_temperature_celsius", "°C", "Power amplifier temperature (rptPaTemprature)."),
      gauge("pdt_supply_volts", "V", "Supply voltage (rptVoltage)."),
    ],
    scalars: [
      { metric: "pdt_radio_enabled", oid: PDT.radioState, map: { 0: 1, 1: 0 } },
      { metric: "pdt_repeating", oid: PDT.knockdown, map: { 0: 1, 1: 0 } },
      { metric: "pdt_forward_power_watts", oid: PDT.forwardPower, codec: "float32", required: false },
      { metric: "pdt_vswr_ratio", oid: PDT.vswr, codec: "float32", required: false },
      { metric: "pdt_pa_temperature_celsius", oid: PDT.paTemperature, codec: "float32", required: false },
      { metric: "pdt_supply_volts", oid: PDT.supplyVoltage, codec: "float32", required: false },
    ],
    rules: [
      rule("radio_disabled", "down", "pdt_radio_enabled", "==", 0, "基站射频关闭", "Radio disabled"),
      rule("knocked_down", "down", "pdt_repeating", "==", 0, "基站停止转发", "Repeater knocked down"),
      rule("vswr_high", "degraded", "pdt_vswr_ratio", ">", 2, "驻波比过高", "VSWR above 2.0"),
      rule("pa_hot", "degraded", "pdt_pa_temperature_celsius", ">", 70, "功放温度过高", "PA above 70 °C"),
      rule("supply_low", "degraded", "pdt_supply_volts", "<", 11.5, "供电电压低", "Supply below 11.5 V"),
      rule("supply_high", "degraded", "pdt_supply_volts", ">", 14.5, "供电电压高", "Supply above 14.5 V"),
    ],
  };
}
