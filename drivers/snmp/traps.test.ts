/**
 * Traps from net-snmp's snmptrap (v2c and v3 authPriv) reach the daemon's receiver and re-poll the
 * device they came from; unknown sources, bad credentials and thousands of random datagrams are
 * counted discards and the daemon keeps polling.
 */
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveSnmpTools, snmpCmd } from "../../peers/index.ts";
import { SIM_V3, SIM_V3_USER, type SnmpSimulator, startSnmpSimulator } from "../../simulators/snmp/index.ts";
import { validateConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";
import { type Daemon, startDaemon } from "../../src/daemon.ts";
import { snmpOptions } from "./options.ts";
import { startTrapReceiver } from "./traps.ts";

const log = pino({ level: "silent" });
let sim: SnmpSimulator;
let daemon: Daemon;
let dir: string;
const outcomes: PollOutcome[] = [];

const device = (id: string, kind: string, profile: string, driver: Record<string, unknown>) => ({
  id,
  name: { zh: id, en: id },
  site: "lab",
  system: "lab",
  kind,
  vendor: "sim",
  model: "sim",
  interval: "1h",
  driver: { protocol: "snmp", profile, host: "127.0.0.1", ...driver },
});

async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Lets re-polls from earlier (address-wide) traps finish, so counts start from a quiet daemon. */
async function settle() {
  let n = -1;
  while (n !== outcomes.length) {
    n = outcomes.length;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const metric = async (name: string, label: string) => {
  const text = await daemon.metrics.registry.metrics();
  const m = new RegExp(`^${name}\\{[^}]*${label}[^}]*\\} (\\d+)`, "m").exec(text);
  return m ? Number(m[1]) : 0;
};

describe.skipIf(!haveSnmpTools)("snmp traps", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emcomm-traps-"));
    sim = await startSnmpSimulator(
      [
        { id: "ups", kind: "ups", site: "lab", driver: { protocol: "snmp", profile: "ups-rfc1628" } },
        { id: "sw", kind: "switch", site: "lab", driver: { protocol: "snmp", profile: "h3c-switch" } },
      ],
      { clock: systemClock, log },
      { trapTarget: null },
    );
    const config = validateConfig({
      daemon: { dataDir: dir, traps: { enabled: true, port: 0 }, log: { level: "silent" } },
      sites: [{ id: "lab", name: { zh: "实验室", en: "Lab" }, calendar: "always" }],
      devices: [
        device("ups", "ups", "ups-rfc1628", { port: sim.port("ups"), community: "public" }),
        device("sw", "switch", "h3c-switch", {
          port: sim.port("sw"),
          version: "3",
          v3: { user: SIM_V3.user, authKey: SIM_V3.authKey, privKey: SIM_V3.privKey },
        }),
      ],
    });
    daemon = await startDaemon({ config, log, http: false });
    daemon.pipeline.subscribe("test", (o) => outcomes.push(o));
  });
  afterAll(async () => {
    await daemon?.stop();
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const requested = (id: string) => outcomes.filter((o) => o.deviceId === id && o.trigger === "request");

  it("snmptrap v2c linkDown from the UPS's address re-polls it", async () => {
    const before = requested("ups").length;
    const port = daemon.snmpTraps!.port;
    // Both devices share 127.0.0.1 and snmptrap sends from a random port: both are re-polled.
    await snmpCmd("snmptrap", [
      "-v2c",
      "-c",
      "public",
      `127.0.0.1:${port}`,
      "",
      "1.3.6.1.6.3.1.1.5.3",
      "1.3.6.1.2.1.2.2.1.1.1",
      "i",
      "1",
    ]);
    const o = await waitFor(() => requested("ups")[before]);
    expect(o.error).toBeUndefined();
    expect(await metric("emcomm_snmp_traps_total", 'kind="linkDown"')).toBeGreaterThanOrEqual(1);
  });

  it("snmptrap v3 authPriv (the switch's user) re-polls", async () => {
    const before = requested("sw").length;
    await snmpCmd("snmptrap", [
      "-v3",
      "-e",
      "0x80001f8880aabbccdd",
      "-l",
      "authPriv",
      "-u",
      SIM_V3.user,
      "-a",
      "SHA",
      "-A",
      SIM_V3.authKey,
      "-x",
      "AES",
      "-X",
      SIM_V3.privKey,
      `127.0.0.1:${daemon.snmpTraps!.port}`,
      "",
      "1.3.6.1.2.1.33.2.1",
    ]);
    const o = await waitFor(() => requested("sw")[before]);
    expect(o.error).toBeUndefined();
    expect(await metric("emcomm_snmp_traps_total", 'kind="ups"')).toBeGreaterThanOrEqual(1);
  });

  it("a simulator fault sends its trap from the device's own port: only that device is re-polled", async () => {
    sim.setTrapTarget({ port: daemon.snmpTraps!.port! });
    await settle();
    await new Promise((r) => setTimeout(r, 1100)); // re-polls held back by the per-device limit have run
    await settle();
    const ups = requested("ups").length;
    const sw = requested("sw").length;
    sim.inject("sw", "if-down");
    const o = await waitFor(() => requested("sw")[sw]);
    expect(
      o.samples.find((s) => s.metric === "if_oper_up" && s.labels?.ifname === "GigabitEthernet1/0/1")?.value,
    ).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(requested("ups").length).toBe(ups);
    sim.clear("sw");
    sim.setTrapTarget(null);
  });

  it("wrong community is a counted discard, not a poll", async () => {
    const before = await metric("emcomm_snmp_trap_discards_total", 'reason="rejected"');
    await snmpCmd("snmptrap", [
      "-v2c",
      "-c",
      "intruder",
      `127.0.0.1:${daemon.snmpTraps!.port}`,
      "",
      "1.3.6.1.6.3.1.1.5.3",
    ]);
    const after = await waitFor(async () => {
      const n = await metric("emcomm_snmp_trap_discards_total", 'reason="rejected"');
      return n > before ? n : undefined;
    }, 2000).catch(() => before);
    expect(after).toBeGreaterThan(before);
  });

  it("survives thousands of random and truncated datagrams, counting them", async () => {
    const port = daemon.snmpTraps!.port;
    const s = createSocket("udp4");
    const valid = Buffer.from(
      "302902010104067075626c6963a71c02040c0f1f0b020100020100300e300c06082b060102010103004300",
      "hex",
    );
    for (let i = 0; i < 3000; i++) {
      const junk =
        i % 3 === 0
          ? valid.subarray(0, 1 + (i % valid.length)) // truncated SNMP
          : Buffer.from(Array.from({ length: 1 + (i % 200) }, () => Math.floor(Math.random() * 256)));
      s.send(junk, port, "127.0.0.1");
      // paced, so the kernel's socket buffer does not drop them before the receiver sees them
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 500));
    s.close();
    const undecodable = await metric("emcomm_snmp_trap_discards_total", 'reason="undecodable"');
    const rejected = await metric("emcomm_snmp_trap_discards_total", 'reason="rejected"');
    expect(undecodable + rejected).toBeGreaterThan(2700);
    // still receiving and still polling
    const before = requested("ups").length;
    await snmpCmd("snmptrap", ["-v2c", "-c", "public", `127.0.0.1:${port}`, "", "1.3.6.1.6.3.1.1.5.4"]);
    await waitFor(() => requested("ups")[before]);
  });
});

describe("snmp engineId option", () => {
  const base = {
    protocol: "snmp",
    profile: "antenna-acu",
    host: "127.0.0.1",
    version: "3",
    v3: { user: "u", level: "noAuthNoPriv" },
  };
  it("is stored as lower-case hex without 0x", () => {
    expect(snmpOptions.parse({ ...base, engineId: "0x80001F8880AABBCCDD" }).engineId).toBe(
      "80001f8880aabbccdd",
    );
  });
  it.each(["0x80001f888", "80001f88", "zz001f8880aabbccdd", "00".repeat(33)])(
    "rejects %s with its path",
    (engineId) => {
      const r = snmpOptions.safeParse({ ...base, engineId });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(["engineId"]);
    },
  );
  it("is only for SNMP v3", () => {
    const r = snmpOptions.safeParse({
      ...base,
      version: "2c",
      community: "public",
      engineId: "80001f8880aabbccdd",
    });
    expect(r.error?.issues.map((i) => i.path)).toEqual([["engineId"]]);
  });
});

describe.skipIf(!haveSnmpTools)("snmp trap receiver on its own", () => {
  it("counts a trap from an address no device has as unknown_source and polls nothing", async () => {
    const registry = new Registry();
    const polled: string[] = [];
    // 192.0.2.1 (TEST-NET-1) is only compared with, never sent to.
    const receiver = await startTrapReceiver({
      host: "127.0.0.1",
      port: 0,
      devices: [{ id: "remote", host: "192.0.2.1", port: 161, community: "public" }],
      log,
      registry,
      onTrap: (id) => polled.push(id),
    });
    try {
      await snmpCmd("snmptrap", [
        "-v2c",
        "-c",
        "public",
        `127.0.0.1:${receiver.port}`,
        "",
        "1.3.6.1.6.3.1.1.5.3",
      ]);
      const until = Date.now() + 3000;
      let text = "";
      while (Date.now() < until && !/reason="unknown_source"\} 1/.test(text)) {
        await new Promise((r) => setTimeout(r, 50));
        text = await registry.metrics();
      }
      expect(text).toMatch(/emcomm_snmp_trap_discards_total\{reason="unknown_source"\} 1/);
      expect(polled).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });

  it("maps an SNMPv1 linkDown trap (generic 2) to its kind and device", async () => {
    const seen: { id: string; kind: string }[] = [];
    const receiver = await startTrapReceiver({
      host: "127.0.0.1",
      port: 0,
      devices: [{ id: "old-switch", host: "127.0.0.1", port: 161, community: "public" }],
      log,
      onTrap: (id, trap) => seen.push({ id, kind: trap.kind }),
    });
    try {
      await snmpCmd("snmptrap", [
        "-v1",
        "-c",
        "public",
        `127.0.0.1:${receiver.port}`,
        "1.3.6.1.4.1.8072",
        "127.0.0.1",
        "2",
        "0",
        "",
      ]);
      const until = Date.now() + 3000;
      while (Date.now() < until && seen.length === 0) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([{ id: "old-switch", kind: "linkDown" }]);
    } finally {
      await receiver.stop();
    }
  });

  it("a v3 trap or inform maps by engine id among devices sharing an address; an unknown engine id is discarded", async () => {
    const registry = new Registry();
    const polled: string[] = [];
    const receiver = await startTrapReceiver({
      host: "127.0.0.1",
      port: 0,
      devices: [
        { id: "acu-a", host: "127.0.0.1", port: 161, v3: SIM_V3_USER, engineId: "80001f8880aaaaaaaa" },
        { id: "acu-b", host: "127.0.0.1", port: 161, v3: SIM_V3_USER, engineId: "80001f8880bbbbbbbb" },
      ],
      log,
      registry,
      onTrap: (id) => polled.push(id),
    });
    const trapFrom = (engineId: string, inform = false) =>
      snmpCmd("snmptrap", [
        ...(inform ? ["-Ci", "-E"] : ["-e"]),
        engineId,
        "-v3",
        "-l",
        "authPriv",
        "-u",
        SIM_V3.user,
        "-a",
        "SHA",
        "-A",
        SIM_V3.authKey,
        "-x",
        "AES",
        "-X",
        SIM_V3.privKey,
        `127.0.0.1:${receiver.port}`,
        "",
        "1.3.6.1.6.3.1.1.5.3",
      ]);
    const discarded = async () =>
      Number(
        /emcomm_snmp_trap_discards_total\{reason="unknown_engine"\} (\d+)/.exec(
          await registry.metrics(),
        )?.[1],
      );
    try {
      await trapFrom("0x80001F8880BBBBBBBB");
      await waitFor(() => polled.length > 0);
      await trapFrom("0x80001f8880cccccccc");
      await waitFor(async () => (await discarded()) === 1);
      await trapFrom("0x80001f8880aaaaaaaa");
      await waitFor(() => polled.length > 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(polled).toEqual(["acu-b", "acu-a"]);
      expect(await discarded()).toBe(1);
      // An inform is authoritative at the receiver: its originator is the contextEngineID.
      await trapFrom("0x80001f8880bbbbbbbb", true);
      await waitFor(() => polled.length > 2);
      expect(polled).toEqual(["acu-b", "acu-a", "acu-b"]);
    } finally {
      await receiver.stop();
    }
  });

  it("a trap port already in use is a rejected start, not a crash", async () => {
    const taken = createSocket("udp4");
    await new Promise<void>((resolve) => taken.bind(0, "127.0.0.1", resolve));
    try {
      await expect(
        startTrapReceiver({
          host: "127.0.0.1",
          port: taken.address().port,
          devices: [],
          log,
          onTrap: () => {},
        }),
      ).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      taken.close();
    }
  });
});
