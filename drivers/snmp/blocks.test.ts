/**
 * Profiles degrade by block against a real snmpd: polled as an H3C switch, net-snmp's agent has
 * IF-MIB but not HH3C-ENTITY-EXT-MIB, so the h3cComware block reports itself unsupported (logged
 * once) and the interfaces stand.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { haveSnmpd, haveSnmpTools, type Snmpd, startSnmpd } from "../../peers/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createSharedResources } from "../../src/core/resources.ts";
import { createSnmpDriver } from "./index.ts";
import { snmpOptions } from "./options.ts";

let snmpd: Snmpd;

describe.skipIf(!haveSnmpd || !haveSnmpTools)("snmp profile blocks against a real snmpd", () => {
  beforeAll(async () => {
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it("a block the agent does not have is unsupported; the rest of the poll stands", async () => {
    const log = pino({ level: "silent" });
    const warn = vi.spyOn(log, "warn");
    const options = snmpOptions.parse({
      protocol: "snmp",
      profile: "h3c-switch",
      host: "127.0.0.1",
      port: snmpd.port,
      community: "public",
    });
    const d = createSnmpDriver(
      { id: "sw", site: "s", kind: "switch", intervalMs: 10_000, timeoutMs: 3_000, options },
      { clock: systemClock, log, resources: createSharedResources() },
    );
    try {
      for (let i = 0; i < 2; i++) {
        const samples = await d.poll(new AbortController().signal);
        const supported = Object.fromEntries(
          samples
            .filter((s) => s.metric === "profile_block_supported")
            .map((s) => [s.labels!.block, s.value]),
        );
        expect(supported).toEqual({ system: 1, ifMib: 1, h3cComware: 0 });
        expect(samples.some((s) => s.metric === "if_oper_up" && s.labels?.ifname === "lo")).toBe(true);
      }
      expect(warn.mock.calls.filter((c) => String(c[1]).includes("unsupported"))).toHaveLength(1);
    } finally {
      await d.close();
    }
  });
});
