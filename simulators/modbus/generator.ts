/**
 * A DSE-style generator controller (GenComm registers as in drivers/modbus/profiles/dse-generator.ts).
 * In auto mode it starts when the mains fail (fault `mains-loss`) and stops when they return.
 * While it runs it burns fuel (1 % a minute), so a long outage ends with a low-fuel warning.
 * Faults: `mains-loss`, `fail-to-start` (the next start attempt fails: fail-to-start shutdown
 * alarm), `fuel-low` (tank at 15 %: warning), `estop` (emergency-stop shutdown alarm).
 */
import { encodeValue } from "../../drivers/modbus/codec.ts";
import { put, type SimModel } from "./model.ts";

const ALARM_BASE = 2049;
const ALARMS = 99;
/** Indices in the page-8 alarm list (VIC-SIM dse_alarms.json order). */
const EMERGENCY_STOP = 0;
const FAIL_TO_START = 6;
/** [ASSUMPTION] index used by the simulator for "low fuel level" (warning). */
const LOW_FUEL = 30;

export function generatorModel(startedAt: number): SimModel {
  let last = startedAt;
  let engine = 0; // 0 stopped, 3 running
  let fuel = 78;
  let runSeconds = 1234 * 3600;
  let starts = 412;
  let failed = false;
  return {
    faults: ["mains-loss", "fail-to-start", "fuel-low", "estop"],
    tables(now, has) {
      const dt = Math.max(0, (now - last) / 1000);
      last = now;
      if (engine === 3) {
        fuel = Math.max(0, fuel - dt / 60);
        runSeconds += dt;
      }
      if (has("fuel-low")) fuel = Math.min(fuel, 15);
      const estop = has("estop");
      if (!has("mains-loss")) failed = false;
      if (has("mains-loss") && engine === 0 && !failed && !estop) {
        starts++;
        if (has("fail-to-start")) failed = true;
        else engine = 3;
      }
      if ((!has("mains-loss") || estop || fuel <= 0) && engine === 3) engine = 0;
      const running = engine === 3;
      const t = now / 1000;
      const wobble = (amp: number, period: number) => amp * Math.sin((2 * Math.PI * t) / period);

      const alarms = new Array<number>(ALARMS).fill(1);
      if (failed) alarms[FAIL_TO_START] = 3;
      if (estop) alarms[EMERGENCY_STOP] = 3;
      if (fuel < 20) alarms[LOW_FUEL] = 2;
      const h = new Map<number, number>();
      put(h, 768, [1, 4623]);
      put(h, 770, encodeValue(20_461_234, "u32"));
      put(h, 772, [1]); // auto
      put(h, 1024, [running ? Math.round(380 + wobble(8, 30)) : 0]);
      put(h, 1025, encodeValue(running ? 82 + Math.round(wobble(2, 120)) : 24, "i16"));
      put(h, 1026, encodeValue(running ? 88 : 24, "i16"));
      put(h, 1027, [Math.round(fuel)]);
      put(h, 1028, [running ? 141 : 0]);
      put(h, 1029, [running ? 139 : 132]);
      put(h, 1030, [running ? 1500 : 0]);
      put(h, 1031, [running ? Math.round(500 + wobble(2, 17)) : 0]);
      for (const [i, a] of [1032, 1034, 1036].entries())
        put(h, a, encodeValue(running ? Math.round(2301 + wobble(15, 23 + i)) : 0, "u32"));
      for (const a of [1044, 1046, 1048]) put(h, a, encodeValue(running ? 182 : 0, "u32"));
      for (const a of [1052, 1054, 1056]) put(h, a, encodeValue(running ? 4100 : 0, "i32"));
      const mainsUp = !has("mains-loss");
      put(h, 1059, [mainsUp ? Math.round(500 + wobble(1, 41)) : 0]);
      for (const [i, a] of [1060, 1062, 1064].entries())
        put(h, a, encodeValue(mainsUp ? Math.round(2290 + wobble(12, 29 + i)) : 0, "u32"));
      put(h, 1408, [engine]);
      put(h, 1536, encodeValue(running ? 12_300 : 0, "i32"));
      put(h, 1558, encodeValue(running ? Math.round(455 + wobble(20, 45)) : 0, "i16"));
      put(h, 1798, encodeValue(Math.floor(runSeconds), "u32"));
      put(h, 1800, encodeValue(98_765, "u32"));
      put(h, 1808, encodeValue(starts, "u32"));
      put(h, 2048, [alarms.filter((a) => a >= 2).length]);
      for (let r = 0; r < Math.ceil(ALARMS / 4); r++) {
        const n = (i: number) => alarms[r * 4 + i] ?? 15;
        put(h, ALARM_BASE + r, [(n(0) << 12) | (n(1) << 8) | (n(2) << 4) | n(3)]);
      }
      return { holding: h };
    },
  };
}
