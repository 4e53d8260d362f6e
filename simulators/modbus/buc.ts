/**
 * The 25 W Ku BUC behind its RS-485 gateway (the assumed map of drivers/modbus/profiles/buc-rs485.ts).
 * Faults: `pll-unlock`, `summary-alarm`, `muted` (no output power), `overheat` (78 °C).
 */
import { encodeValue } from "../../drivers/modbus/codec.ts";
import { put, type SimModel } from "./model.ts";

export function bucModel(): SimModel {
  return {
    faults: ["pll-unlock", "summary-alarm", "muted", "overheat"],
    tables(now, has) {
      const t = now / 1000;
      const muted = has("muted");
      const bits = (has("summary-alarm") ? 1 : 0) | (has("pll-unlock") ? 0 : 2) | (muted ? 4 : 0);
      const power = muted ? -300 : Math.round(430 + 4 * Math.sin(t / 20));
      const temp = has("overheat") ? 780 : Math.round(452 + 15 * Math.sin(t / 300));
      const h = new Map<number, number>();
      put(h, 0, [bits]);
      put(h, 1, encodeValue(power, "i16"));
      put(h, 2, encodeValue(temp, "i16"));
      return { holding: h };
    },
  };
}
