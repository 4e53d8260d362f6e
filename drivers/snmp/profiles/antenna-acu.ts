/**
 * Vehicle antenna controller (ACU), vendor-neutral. Lock follows Newtec's ntcAntCtrlTxAllowed
 * (the antenna lets the modem transmit only when pointed and locked); state, azimuth and elevation
 * sit under the RFC 5612 example enterprise. ALL ASSUMPTIONS: point `driver.oids` at the vendor's.
 */
import { type Block, gauge, rule } from "../profile.ts";
import { EXAMPLE } from "./satellite-modem.ts";

export const ACU = {
  txAllowed: "1.3.6.1.4.1.5835.5.2.5700.1.2.1.1.4.1", // unknown(0) on(1) off(2)
  state: `${EXAMPLE}.3.1.1.0`, // stowed(0) searching(1) tracking(2) error(3)
  azimuth: `${EXAMPLE}.3.1.2.0`, // 0.01°
  elevation: `${EXAMPLE}.3.1.3.0`, // 0.01°
} as const;

export const acuStates = { stowed: 0, searching: 1, tracking: 2, error: 3 } as const;

export function antennaAcu(): Block {
  return {
    name: "antennaAcu",
    metrics: [
      gauge("antenna_sat_locked", "bool", "Antenna pointed and locked on the satellite."),
      gauge("antenna_azimuth_degrees", "degrees", "Azimuth position."),
      gauge("antenna_elevation_degrees", "degrees", "Elevation position."),
      gauge("antenna_state", "enum", "stowed(0) searching(1) tracking(2) error(3)."),
    ],
    scalars: [
      { metric: "antenna_sat_locked", oid: ACU.txAllowed, map: { 1: 1 }, mapDefault: 0 },
      { metric: "antenna_state", oid: ACU.state },
      { metric: "antenna_azimuth_degrees", oid: ACU.azimuth, scale: 0.01 },
      { metric: "antenna_elevation_degrees", oid: ACU.elevation, scale: 0.01 },
    ],
    rules: [
      rule(
        "sat_unlocked",
        "down",
        "antenna_sat_locked",
        "==",
        0,
        "天线未锁定卫星（链路中断）",
        "Antenna not locked (link drop)",
        {
          linkDrop: true,
        },
      ),
      rule("acu_error", "down", "antenna_state", "==", 3, "天线控制器故障", "Antenna controller error"),
      rule("searching", "degraded", "antenna_state", "==", 1, "天线正在寻星", "Antenna searching"),
    ],
  };
}
