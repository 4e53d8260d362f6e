/**
 * Ka portable station (AKD-P05A). ASSUMED API: no public interface document; this profile reads a
 * JSON status document at /api/v1/status:
 *   { "modem": { "locked": true, "ebno_db": 9.4, "tx_on": true },
 *     "position": { "lat": 24.81, "lon": 113.6 } }
 * Verify against the station's controller before relying on it.
 */

import { gauge, rule } from "../../shared/model.ts";
import type { HttpProfile } from "../profile.ts";

export const kaStation: HttpProfile = {
  endpoints: [
    {
      path: "/api/v1/status",
      format: "json",
      fields: [
        { metric: "ka_sat_locked", path: "modem.locked" },
        { metric: "ka_ebno_db", path: "modem.ebno_db", optional: true },
        { metric: "ka_tx_on", path: "modem.tx_on" },
        { metric: "ka_latitude_degrees", path: "position.lat", optional: true },
        { metric: "ka_longitude_degrees", path: "position.lon", optional: true },
      ],
    },
  ],
  metrics: [
    gauge("ka_sat_locked", "bool", "1 while the Ka modem is locked to the satellite carrier."),
    gauge("ka_ebno_db", "dB", "Received Eb/No."),
    gauge("ka_tx_on", "bool", "1 while the station transmits."),
    gauge("ka_latitude_degrees", "degrees", "Station latitude (WGS84)."),
    gauge("ka_longitude_degrees", "degrees", "Station longitude (WGS84)."),
  ],
  rules: [
    rule("ka_unlocked", "down", "ka_sat_locked", "==", 0, "Ka卫星失锁", "Ka satellite unlocked", {
      linkDrop: true,
    }),
    rule("ka_tx_off", "down", "ka_tx_on", "==", 0, "Ka发射关闭", "Ka transmit off", { linkDrop: true }),
    rule("ka_ebno_low", "degraded", "ka_ebno_db", "<", 4, "Ka信号余量低", "Eb/No below 4 dB"),
  ],
  source: "ASSUMED JSON status API (no public AKD-P05A interface document)",
};
