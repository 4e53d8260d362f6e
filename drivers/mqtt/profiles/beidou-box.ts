/** Beidou smart communication box (RDSS short message + RNSS position) reporting over MQTT. */
import type { DeviceModel } from "../../../src/core/types.ts";
import { counter, gauge, rule } from "../../shared/model.ts";

export const beidouBox: DeviceModel = {
  metrics: [
    gauge("beidou_fix", "enum", "RNSS fix: 0 none, 2 2D, 3 3D."),
    gauge("beidou_latitude_degrees", "degrees", "Reported latitude (WGS84/CGCS2000)."),
    gauge("beidou_longitude_degrees", "degrees", "Reported longitude (WGS84/CGCS2000)."),
    gauge("beidou_battery_percent", "percent", "Terminal battery charge."),
    gauge("beidou_sats_used", "count", "Satellites used in the fix."),
    gauge("beidou_rdss_ok", "bool", "1 while the RDSS short-message link works (card and beams)."),
    gauge("beidou_report_age_seconds", "seconds", "Age of the report when it arrived."),
    counter(
      "mqtt_invalid_payloads_total",
      "messages",
      "Messages on the device's topic that failed validation.",
    ),
  ],
  rules: [
    rule("beidou_no_fix", "degraded", "beidou_fix", "==", 0, "北斗无定位", "no RNSS fix"),
    rule(
      "beidou_few_sats",
      "degraded",
      "beidou_sats_used",
      "<",
      4,
      "可用卫星不足",
      "fewer than 4 satellites",
    ),
    rule("beidou_rdss_down", "degraded", "beidou_rdss_ok", "==", 0, "RDSS短报文不可用", "RDSS link down", {
      linkDrop: true,
    }),
    rule(
      "beidou_battery_low",
      "degraded",
      "beidou_battery_percent",
      "<",
      20,
      "终端电量低",
      "battery below 20 %",
    ),
  ],
};
