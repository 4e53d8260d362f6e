/**
 * Our driver against a real net-snmp snmpd (started here: temp config, loopback high port, v2c
 * community + v3 authPriv user): IF-MIB and HOST-RESOURCES values match what snmpget reads; bad
 * credentials, missing objects and a silent agent are poll errors of the right kind.
 */
import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  haveSnmpd,
  haveSnmpTools,
  parseOutput,
  type Snmpd,
  snmpCmd,
  startSnmpd,
  V3,
  V3_SHA512,
  v3Args,
} from "../../peers/index.ts";
import { snmpdDriver } from "../../test/support/snmpd-driver.ts";
import { HR } from "./profiles/host-resources.ts";
import { IF } from "./profiles/if-mib.ts";

let snmpd: Snmpd;

const driver = (raw: Record<string, unknown>, timeoutMs?: number) => snmpdDriver(snmpd, raw, timeoutMs);

async function pollOnce(raw: Record<string, unknown>, timeoutMs?: number) {
  const d = driver(raw, timeoutMs);
  try {
    return await d.poll(new AbortController().signal);
  } finally {
    await d.close();
  }
}

const v3 = { version: "3", v3: { user: V3.user, authKey: V3.authKey, privKey: V3.privKey } };

describe.skipIf(!haveSnmpd || !haveSnmpTools)("snmp driver against a real snmpd", () => {
  beforeAll(async () => {
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it.each([
    ["v2c", { community: "public" }],
    ["v3 authPriv SHA/AES", v3],
    ["v1", { version: "1", community: "public" }],
    [
      "v3 authNoPriv SHA-512",
      {
        version: "3",
        v3: { user: V3_SHA512.user, level: "authNoPriv", authProtocol: "sha512", authKey: V3_SHA512.authKey },
      },
    ],
  ])("%s: IF-MIB and HOST-RESOURCES values match snmpget", async (_, raw) => {
    const samples = await pollOnce(raw);
    const target = `127.0.0.1:${snmpd.port}`;
    const names = parseOutput(await snmpCmd("snmpbulkwalk", ["-v2c", "-c", "public", target, IF.ifName]));
    const oper = parseOutput(
      await snmpCmd("snmpbulkwalk", ["-v2c", "-c", "public", target, IF.ifOperStatus]),
    );
    expect(names.size).toBeGreaterThan(0);
    for (const [oid, name] of names) {
      const index = oid.slice(IF.ifName.length + 1);
      const want =
        oper.get(`${IF.ifOperStatus}.${index}`)?.startsWith("up") ||
        oper.get(`${IF.ifOperStatus}.${index}`) === "1"
          ? 1
          : 0;
      expect(samples.find((s) => s.metric === "if_oper_up" && s.labels?.ifname === name)?.value, name).toBe(
        want,
      );
      expect(samples.some((s) => s.metric === "if_in_errors_total" && s.labels?.ifname === name)).toBe(true);
    }
    const cpus = parseOutput(
      await snmpCmd("snmpbulkwalk", ["-v2c", "-c", "public", target, HR.hrProcessorLoad]),
    );
    const cpuEntities = samples.filter((s) => s.metric === "cpu_usage_percent").map((s) => s.labels?.entity);
    expect(cpuEntities.sort()).toEqual(
      [...cpus.keys()].map((o) => o.slice(HR.hrProcessorLoad.length + 1)).sort(),
    );
    const procs = Number(
      parseOutput(await snmpCmd("snmpget", [...v3Args(), target, HR.hrSystemProcesses])).get(
        HR.hrSystemProcesses,
      ),
    );
    const mine = samples.find((s) => s.metric === "host_processes")?.value ?? 0;
    expect(Math.abs(mine - procs)).toBeLessThan(30);
    const uptime = Number(
      /\((\d+)\)/.exec(
        parseOutput(await snmpCmd("snmpget", ["-v2c", "-c", "public", target, "1.3.6.1.2.1.1.3.0"])).get(
          "1.3.6.1.2.1.1.3.0",
        ) ?? "",
      )?.[1],
    );
    const myUptime = samples.find((s) => s.metric === "system_uptime_seconds")?.value ?? -1;
    expect(uptime / 100 - myUptime).toBeGreaterThanOrEqual(0);
    expect(uptime / 100 - myUptime).toBeLessThan(5);
  });

  it("counts octets into bit rates across two polls (Counter64)", async () => {
    const d = driver({ community: "public" });
    try {
      // Our own SNMP traffic flows over lo, so its rate turns positive once snmpd's IF-MIB cache
      // (a few seconds) refreshes; every poll after the first carries a rate.
      let rate: number | undefined;
      let polls = 0;
      for (; polls < 16 && !(rate && rate > 0); polls++) {
        const samples = await d.poll(new AbortController().signal);
        rate = samples.find((s) => s.metric === "if_in_bits_per_second" && s.labels?.ifname === "lo")?.value;
        if (polls > 0) expect(rate).toBeGreaterThanOrEqual(0);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(rate).toBeGreaterThan(0);
      // one GETBULK per poll once the table sizes are known (the first poll may need one more)
      expect(d.pdus).toBeLessThanOrEqual(polls + 1);
    } finally {
      await d.close();
    }
  });

  it("wrong community: timeout that says why", async () => {
    await expect(pollOnce({ community: "not-public", retries: 0 }, 600)).rejects.toMatchObject({
      kind: "timeout",
      message: expect.stringMatching(/wrong community/),
    });
  });

  it("wrong v3 keys: auth", async () => {
    await expect(
      pollOnce({ version: "3", v3: { user: V3.user, authKey: "wrong-auth-pass", privKey: V3.privKey } }),
    ).rejects.toMatchObject({ kind: "auth" });
    await expect(
      pollOnce({ version: "3", v3: { user: "nobody", authKey: V3.authKey, privKey: V3.privKey } }),
    ).rejects.toMatchObject({ kind: "auth" });
  });

  it("required objects the agent does not have (noSuchObject): decode, naming them", async () => {
    const d = driver({ profile: "ups-rfc1628", community: "public" });
    await expect(d.poll(new AbortController().signal)).rejects.toMatchObject({
      kind: "decode",
      message: expect.stringMatching(/ups_battery_status \(1\.3\.6\.1\.2\.1\.33\.1\.2\.1\.0: noSuchObject\)/),
    });
    await d.close();
  });
});

describe("snmp driver against an agent that never answers", () => {
  let silent: Socket;
  let port = 0;
  beforeAll(async () => {
    silent = createSocket("udp4");
    silent.on("message", () => {});
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    port = silent.address().port;
  });
  afterAll(() => silent.close());

  it("times out within the poll deadline", async () => {
    const d = driver({ port, community: "public" }, 500);
    const started = Date.now();
    await expect(d.poll(new AbortController().signal)).rejects.toMatchObject({ kind: "timeout" });
    expect(Date.now() - started).toBeLessThan(1500);
    await d.close();
  });
});
