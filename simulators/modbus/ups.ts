/**
 * A UPS with a Modbus port (the assumed map of drivers/modbus/profiles/ups-modbus.ts, input
 * registers). Faults: `on-battery` (charge drains 2 % a minute), `no-output`.
 */
import { put, type SimModel } from "./model.ts";

export function upsModel(startedAt: number): SimModel {
  let last = startedAt;
  let charge = 100;
  return {
    faults: ["on-battery", "no-output"],
    tables(now, has) {
      const dt = Math.max(0, (now - last) / 1000);
      last = now;
      const onBattery = has("on-battery");
      charge = onBattery ? Math.max(0, charge - dt / 30) : Math.min(100, charge + dt / 60);
      const status = charge <= 0 ? 4 : charge < 25 ? 3 : 2;
      const source = has("no-output") || charge <= 0 ? 2 : onBattery ? 5 : 3;
      const i = new Map<number, number>();
      put(i, 0, [onBattery ? 1 : 0]);
      put(i, 1, [status]);
      put(i, 2, [Math.round(charge)]);
      put(i, 3, [Math.round((charge / 100) * 45)]);
      put(i, 4, [onBattery ? 0 : 2287]);
      put(i, 5, [source === 2 ? 0 : 2300]);
      put(i, 6, [source === 2 ? 0 : 38]);
      put(i, 7, [source]);
      put(i, 8, [onBattery || source === 2 ? 1 : 0]);
      return { input: i };
    },
  };
}
