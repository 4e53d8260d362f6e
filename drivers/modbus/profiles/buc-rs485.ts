/**
 * 25 W Ku BUC with an RS-485 M&C port, read through an RS-485/Modbus gateway.
 * ASSUMED register map (no public ICD for the TJKCSSPB BUC, device-polling.md §2 and §13): verify
 * against the vendor's M&C document before relying on it. Holding registers:
 *   0  status bits: bit0 summary alarm, bit1 PLL/LO locked, bit2 muted (TX disabled)
 *   1  output power, i16, 0.1 dBm
 *   2  temperature, i16, 0.1 °C
 */

import { bucMetrics, bucRules } from "../../shared/buc.ts";
import type { ModbusProfile } from "../profile.ts";
import { compose } from "./blocks.ts";

export const bucRs485: ModbusProfile = {
  ...compose({
    points: [
      { metric: "buc_summary_alarm", address: 0, type: "bit", bit: 0 },
      { metric: "buc_pll_locked", address: 0, type: "bit", bit: 1 },
      { metric: "buc_muted", address: 0, type: "bit", bit: 2 },
      { metric: "buc_output_power_dbm", address: 1, type: "i16", scale: 0.1 },
      { metric: "buc_temperature_celsius", address: 2, type: "i16", scale: 0.1 },
    ],
    metrics: [...bucMetrics],
    rules: [...bucRules],
  }),
  source: "ASSUMED map (no public BUC ICD): status bits at 0, power at 1, temperature at 2",
};
