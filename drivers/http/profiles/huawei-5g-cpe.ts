/**
 * Huawei 5G CPE Pro over its HiLink HTTP API (device-polling.md §8; huawei-lte-api, Home
 * Assistant huawei_lte, obsy/packages huawei_hilink.sh): XML answers, a session cookie and CSRF
 * token from /api/webserver/SesTokInfo, values as strings with units ("-95dBm", ">=-51dBm").
 * The LTE keys are read (present in NSA mode too); 5G NR keys (nrrsrp…) are firmware-specific.
 * Firmware that requires a login needs `auth: { type: hilink, password }` (hilink.ts); without it
 * the poll fails with kind auth (error 100003).
 */

import { gauge, rule } from "../../shared/model.ts";
import type { HttpProfile } from "../profile.ts";

export const huawei5gCpe: HttpProfile = {
  session: "hilink",
  endpoints: [
    {
      path: "/api/monitoring/status",
      format: "xml",
      fields: [{ metric: "cpe_connected", path: "ConnectionStatus", anyOf: ["901"] }],
    },
    {
      path: "/api/device/signal",
      format: "xml",
      fields: [
        { metric: "cpe_rsrp_dbm", path: "rsrp", optional: true },
        { metric: "cpe_sinr_db", path: "sinr", optional: true },
        { metric: "cpe_rsrq_db", path: "rsrq", optional: true },
        { metric: "cpe_band", path: "band", optional: true },
      ],
    },
  ],
  metrics: [
    gauge("cpe_connected", "bool", "1 while the CPE's WAN connection is up (HiLink ConnectionStatus 901)."),
    gauge("cpe_rsrp_dbm", "dBm", "Reference signal received power."),
    gauge("cpe_sinr_db", "dB", "Signal to interference and noise ratio."),
    gauge("cpe_rsrq_db", "dB", "Reference signal received quality."),
    gauge("cpe_band", "band number", "Radio band in use."),
  ],
  rules: [
    rule("cpe_disconnected", "down", "cpe_connected", "==", 0, "5G回传中断", "5G backhaul disconnected", {
      linkDrop: true,
    }),
    rule("cpe_rsrp_low", "degraded", "cpe_rsrp_dbm", "<", -110, "5G信号弱(RSRP)", "RSRP below −110 dBm"),
    rule("cpe_sinr_low", "degraded", "cpe_sinr_db", "<", 0, "5G信噪比低", "SINR below 0 dB"),
    rule("cpe_rsrq_low", "degraded", "cpe_rsrq_db", "<", -15, "5G信号质量差(RSRQ)", "RSRQ below −15 dB"),
  ],
  source: "HiLink API per huawei-lte-api / Home Assistant huawei_lte (device-polling.md §8)",
};
