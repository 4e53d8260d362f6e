/** SNMPv2-MIB system group: uptime, and reboot detection from sysUpTime going backwards. */
import { type Block, counter, gauge } from "../profile.ts";

export const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";

export function system(): Block {
  return {
    name: "system",
    metrics: [
      gauge("system_uptime_seconds", "seconds", "Agent uptime (sysUpTime)."),
      counter(
        "system_reboots_total",
        "count",
        "Reboots seen by this daemon since it started (sysUpTime went backwards).",
      ),
    ],
    scalars: [{ metric: "system_uptime_seconds", oid: SYS_UPTIME, scale: 0.01, role: "uptime" }],
  };
}
