/**
 * net-snmp's own tools read our SNMP simulator (v2c and v3 authPriv) and get the values the
 * profile says: for every profile, each object snmpget/snmpbulkwalk returns, decoded by the profile,
 * equals the sample our driver produced from the same agent. Jitter is off (random = 0.5) so values
 * hold still between the two reads.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { float32FromOctets, transform } from "../../drivers/snmp/codec.ts";
import { createSnmpDriver } from "../../drivers/snmp/index.ts";
import { snmpOptions } from "../../drivers/snmp/options.ts";
import { snmpProfiles } from "../../drivers/snmp/profiles/index.ts";
import { haveSnmpTools, parseOutput, snmpCmd } from "../../peers/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createSharedResources } from "../../src/core/resources.ts";
import type { Sample } from "../../src/core/types.ts";
import { SIM_V3, type SnmpSimulator, startSnmpSimulator } from "./index.ts";

const log = pino({ level: "silent" });
const profiles = [...snmpProfiles.keys()];
let sim: SnmpSimulator;

beforeAll(async () => {
  sim = await startSnmpSimulator(
    profiles.map((p) => ({ id: p, kind: "x", site: "s", driver: { protocol: "snmp", profile: p } })),
    { clock: systemClock, log },
    { trapTarget: null, random: () => 0.5 },
  );
});
afterAll(async () => {
  await sim?.stop();
});

async function pollOnce(profile: string, raw: Record<string, unknown>): Promise<Sample[]> {
  const options = snmpOptions.parse({
    protocol: "snmp",
    profile,
    host: "127.0.0.1",
    port: sim.port(profile),
    ...raw,
  });
  const driver = createSnmpDriver(
    { id: profile, site: "s", kind: "x", intervalMs: 10_000, timeoutMs: 3_000, options },
    { clock: systemClock, log, resources: createSharedResources() },
  );
  try {
    return await driver.poll(new AbortController().signal);
  } finally {
    await driver.close();
  }
}

/** Parses a -On value as net-snmp prints it back into a number the profile can decode. */
function decodeText(
  text: string,
  codec: { codec?: string } & Parameters<typeof transform>[1],
): number | undefined {
  if (codec.codec === "float32") {
    const f = float32FromOctets(text);
    return f === undefined ? undefined : transform(f, codec);
  }
  const m = /^\(?(-?\d+)\)?/.exec(text);
  return m ? transform(Number(m[1]), codec) : undefined;
}

describe.skipIf(!haveSnmpTools)("snmp simulator read by net-snmp tools", () => {
  it.each(profiles)("%s: snmpget/snmpbulkwalk (v2c) agree with the driver", async (profile) => {
    const p = snmpProfiles.get(profile as never)!;
    const port = sim.port(profile)!;
    const samples = await pollOnce(profile, { community: "public" });
    const target = `127.0.0.1:${port}`;
    const scalars = p.scalars.filter((s) => s.role !== "uptime");
    if (scalars.length > 0) {
      const got = parseOutput(
        await snmpCmd("snmpget", ["-v2c", "-c", "public", "-Ox", target, ...scalars.map((s) => s.oid)]),
      );
      for (const s of scalars) {
        const text = got.get(s.oid);
        expect(text, `${s.oid} answered`).toBeDefined();
        const want = decodeText(s.codec === "float32" ? text! : text!.replace(/^"|"$/g, ""), s);
        const sample = samples.find((x) => x.metric === s.metric);
        if (want === undefined) expect(sample).toBeUndefined();
        else expect(sample?.value, s.metric).toBeCloseTo(want, 4);
      }
    }
    for (const table of p.tables)
      for (const column of table.columns.filter((c) => c.as !== "rate" && c.as !== "counter")) {
        const rows = parseOutput(await snmpCmd("snmpbulkwalk", ["-v2c", "-c", "public", target, column.oid]));
        const decoded = [...rows.values()].map((t) => decodeText(t, column)).filter((v) => v !== undefined);
        const fromDriver = samples.filter((x) => x.metric === column.metric).map((x) => x.value);
        expect(fromDriver.sort(), column.metric).toEqual(decoded.sort());
      }
    expect(samples.length).toBeGreaterThan(0);
  });

  it("serves the v3 authPriv user (SHA/AES) to snmpget and to our driver, and refuses wrong keys", async () => {
    const target = `127.0.0.1:${sim.port("ups-rfc1628")}`;
    const v3 = ["-v3", "-l", "authPriv", "-u", SIM_V3.user, "-a", "SHA", "-A", SIM_V3.authKey, "-x", "AES"];
    const got = parseOutput(
      await snmpCmd("snmpget", [...v3, "-X", SIM_V3.privKey, target, "1.3.6.1.2.1.33.1.4.1.0"]),
    );
    expect(got.get("1.3.6.1.2.1.33.1.4.1.0")).toBe("3");
    await expect(
      snmpCmd("snmpget", [...v3, "-X", "not-the-key!", "-t", "0.5", "-r", "0", target, "1.3.6.1.2.1.1.3.0"]),
    ).rejects.toThrow();
    const samples = await pollOnce("ups-rfc1628", {
      version: "3",
      v3: { user: SIM_V3.user, authKey: SIM_V3.authKey, privKey: SIM_V3.privKey },
    });
    expect(samples.find((s) => s.metric === "ups_output_source")?.value).toBe(3);
  });

  it("a silent agent holds only its own poll: the others answer meanwhile", async () => {
    sim.inject("satellite-buc", "silent");
    try {
      const started = Date.now();
      const dead = pollOnce("satellite-buc", { community: "public", retries: 0 }).catch((e) => e);
      const alive = await pollOnce("antenna-acu", { community: "public" });
      expect(alive.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await dead).toMatchObject({ kind: "timeout" });
    } finally {
      sim.clear("satellite-buc");
    }
  });

  it("faults move the values the profile's health rules look at", async () => {
    expect(sim.inject("satellite-modem", "modem-unlock")).toBe(true);
    expect(sim.inject("ups-rfc1628", "if-down")).toBe(false);
    try {
      const modem = await pollOnce("satellite-modem", { community: "public" });
      expect(modem.find((s) => s.metric === "modem_rx_locked")?.value).toBe(0);
      expect(modem.find((s) => s.metric === "modem_ebno_db")?.value).toBeLessThan(1);
    } finally {
      sim.clear("satellite-modem");
    }
    sim.inject("h3c-switch", "garbage");
    try {
      await expect(pollOnce("h3c-switch", { community: "public", retries: 0 })).rejects.toMatchObject({
        kind: "protocol",
      });
    } finally {
      sim.clear("h3c-switch");
    }
  });
});
