/**
 * Satellite BUC, vendor-neutral (TJKCSSPB 25 W Ku: no public M&C map). Summary alarm is Newtec's
 * ntcMoRfBucHardware; the rest sit under the RFC 5612 example enterprise. ALL ASSUMPTIONS: point
 * `driver.oids` at the vendor's objects.
 */
import { bucMetrics, bucRules } from "../../shared/buc.ts";
import type { Block } from "../profile.ts";
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
    metrics: [...bucMetrics],
    scalars: [
      { metric: "buc_summary_alarm", oid: BUC.summaryAlarm },
      { metric: "buc_output_power_dbm", oid: BUC.outputPower, scale: 0.1 },
      { metric: "buc_temperature_celsius", oid: BUC.temperature, required: false },
      { metric: "buc_pll_locked", oid: BUC.pllLocked },
      { metric: "buc_muted", oid: BUC.muted, required: false },
    ],
    rules: [...bucRules],
  };
}
