/** The SNMP driver pointed at a test's real snmpd (startSnmpd in peers/), for driver tests. */
import { createSnmpDriver } from "../../drivers/snmp/index.ts";
import { snmpOptions } from "../../drivers/snmp/options.ts";
import type { Snmpd } from "../../peers/index.ts";
import { testContext, testDevice } from "./driver-context.ts";

/** A driver for snmpd's host (profile generic-host) with `raw` driver options over the defaults. */
export function snmpdDriver(snmpd: Snmpd, raw: Record<string, unknown>, timeoutMs = 3_000) {
  const options = snmpOptions.parse({
    protocol: "snmp",
    profile: "generic-host",
    host: "127.0.0.1",
    port: snmpd.port,
    ...raw,
  });
  return createSnmpDriver(testDevice("host", options, timeoutMs), testContext());
}
