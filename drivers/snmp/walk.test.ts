/** The wire plan and the driver's error kinds, against a replaying fake transport. */
import { getEventListeners } from "node:events";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import { createSharedResources } from "../../src/core/resources.ts";
import { FakeTransport, mib } from "../../test/support/snmp-fake-transport.ts";
import { createSnmpDriver } from "./index.ts";
import { snmpOptions } from "./options.ts";
import { IF } from "./profiles/if-mib.ts";
import { SYS_UPTIME } from "./profiles/system.ts";
import { collect } from "./walk.ts";

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

/** sysUpTime plus an ifTable/ifXTable of `rows` interfaces whose octet counters read `octets`. */
function ifAgent(rows: number, octets: number, uptime = 1000) {
  const entries: [string, number, unknown][] = [[SYS_UPTIME, 67, uptime]];
  for (let i = 1; i <= rows; i++) {
    entries.push(
      [`${IF.ifAdminStatus}.${i}`, 2, 1],
      [`${IF.ifOperStatus}.${i}`, 2, i === 2 ? 2 : 1],
      [`${IF.ifInDiscards}.${i}`, 65, 0],
      [`${IF.ifInErrors}.${i}`, 65, 3],
      [`${IF.ifOutErrors}.${i}`, 65, 0],
      [`${IF.ifName}.${i}`, 4, Buffer.from(`GE1/0/${i}`)],
      [`${IF.ifHCInOctets}.${i}`, 70, u64(octets * i)],
      [`${IF.ifHCOutOctets}.${i}`, 70, u64(octets)],
    );
  }
  // Something after the tables, so walks end on a foreign OID like on a real agent.
  entries.push(["1.3.6.1.6.3.1.1.6.1.0", 2, 1]);
  return mib(entries);
}

function driverFor(fake: FakeTransport, raw: Record<string, unknown> = {}) {
  const clock = new FakeClock(0);
  const options = snmpOptions.parse({
    protocol: "snmp",
    profile: "h3c-switch",
    host: "127.0.0.1",
    community: "public",
    ...raw,
  });
  const driver = createSnmpDriver(
    { id: "sw", site: "s", kind: "switch", intervalMs: 10_000, timeoutMs: 5_000, options },
    { clock, log: pino({ level: "silent" }), resources: createSharedResources() },
    () => fake,
  );
  return { driver, clock };
}

const never = new AbortController().signal;

describe("wire plan", () => {
  it("reads scalars and every column in one GETBULK once table sizes are learned", async () => {
    const fake = new FakeTransport(ifAgent(4, 1000));
    const { driver, clock } = driverFor(fake);
    await driver.poll(never);
    fake.requests.length = 0;
    fake.set(ifAgent(4, 2250, 2000));
    await clock.advance(10_000);
    const samples = await driver.poll(never);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ op: "getBulk", nonRepeaters: 1, maxRepetitions: 5 });
    const rate = samples.find((s) => s.metric === "if_in_bits_per_second" && s.labels?.ifname === "GE1/0/2");
    expect(rate?.value).toBe(((2250 - 1000) * 2 * 8) / 10);
    expect(samples.find((s) => s.metric === "if_oper_up" && s.labels?.ifname === "GE1/0/2")?.value).toBe(0);
  });

  it("continues columns longer than max-repetitions with further GETBULKs", async () => {
    const fake = new FakeTransport(ifAgent(30, 1));
    const got = await collect(
      fake,
      { scalars: [SYS_UPTIME], columns: [IF.ifName, IF.ifOperStatus] },
      { version: "2c", maxRepetitions: 10 },
      { bulk: true },
    );
    expect(got.columns.get(IF.ifName)?.size).toBe(30);
    expect(got.columns.get(IF.ifOperStatus)?.size).toBe(30);
    expect(fake.requests.filter((r) => r.op === "getBulk")).toHaveLength(4);
  });

  it("carries on when the agent truncates a GETBULK answer (even inside the first row)", async () => {
    const fake = new FakeTransport(ifAgent(6, 1));
    fake.truncateAt = 3;
    const got = await collect(
      fake,
      { scalars: [SYS_UPTIME], columns: [IF.ifName, IF.ifOperStatus, IF.ifAdminStatus, IF.ifInErrors] },
      { version: "2c", maxRepetitions: 25 },
      { bulk: true },
    );
    for (const c of [IF.ifName, IF.ifOperStatus, IF.ifAdminStatus, IF.ifInErrors])
      expect(got.columns.get(c)?.size).toBe(6);
    expect(got.scalars.has(SYS_UPTIME)).toBe(true);
  });

  it("halves max-repetitions on tooBig", async () => {
    const fake = new FakeTransport(ifAgent(3, 1));
    fake.tooBigAbove = 20;
    const got = await collect(
      fake,
      { scalars: [], columns: [IF.ifName, IF.ifOperStatus, IF.ifAdminStatus] },
      { version: "2c", maxRepetitions: 25 },
      { bulk: true },
    );
    expect(got.columns.get(IF.ifName)?.size).toBe(3);
    expect(fake.requests[0]?.maxRepetitions).toBe(25);
    expect(fake.requests.at(-1)?.maxRepetitions).toBeLessThanOrEqual(6);
  });

  it("falls back to GET + GETNEXT when the agent rejects GETBULK, and remembers it", async () => {
    const fake = new FakeTransport(ifAgent(2, 1));
    fake.failBulk = 5;
    const memory = { bulk: true };
    const plan = { scalars: [SYS_UPTIME], columns: [IF.ifName] };
    const got = await collect(fake, plan, { version: "2c", maxRepetitions: 10 }, memory);
    expect(memory.bulk).toBe(false);
    expect(got.columns.get(IF.ifName)?.size).toBe(2);
    fake.requests.length = 0;
    await collect(fake, plan, { version: "2c", maxRepetitions: 10 }, memory);
    expect(fake.requests.map((r) => r.op)).toEqual(["get", "getNext", "getNext", "getNext"]);
  });

  it("SNMPv1: noSuchName on a missing optional object does not fail the poll", async () => {
    const fake = new FakeTransport(ifAgent(1, 1));
    fake.v1 = true;
    const got = await collect(
      fake,
      { scalars: [SYS_UPTIME, "1.3.6.1.2.1.25.1.6.0"], columns: [IF.ifName] },
      { version: "1", maxRepetitions: 10 },
      { bulk: true },
    );
    expect(got.scalars.has(SYS_UPTIME)).toBe(true);
    expect(got.missing.get("1.3.6.1.2.1.25.1.6.0")).toBe("noSuchName");
    expect(got.columns.get(IF.ifName)?.size).toBe(1);
  });
});

describe("errors", () => {
  it("a missing required object is a decode error naming it", async () => {
    const fake = new FakeTransport(mib([["1.3.6.1.2.1.1.1.0", 4, Buffer.from("x")]]));
    const { driver } = driverFor(fake, { profile: "ups-rfc1628" });
    const err = await driver.poll(never).catch((e) => e);
    expect(err).toBeInstanceOf(PollError);
    expect(err.kind).toBe("decode");
    expect(err.message).toMatch(/system_uptime_seconds \(1\.3\.6\.1\.2\.1\.1\.3\.0: noSuchObject\)/);
  });

  it("an error-status answer is a device error", async () => {
    const fake = new FakeTransport(ifAgent(1, 1));
    fake.getBulk = async () => {
      throw new PollError("device", "fake: error-status genErr");
    };
    const { driver } = driverFor(fake);
    await expect(driver.poll(never)).rejects.toMatchObject({ kind: "device" });
  });

  it("a poll past its deadline rejects as timeout", async () => {
    const fake = new FakeTransport(ifAgent(1, 1));
    fake.getBulk = () => new Promise(() => {});
    const { driver } = driverFor(fake);
    const ac = new AbortController();
    const pending = driver.poll(ac.signal);
    ac.abort(new Error("deadline"));
    await expect(pending).rejects.toMatchObject({ kind: "timeout" });
  });

  it("a poll whose deadline already passed rejects as timeout without a request", async () => {
    const fake = new FakeTransport(ifAgent(1, 1));
    const { driver } = driverFor(fake);
    await expect(driver.poll(AbortSignal.abort(new Error("deadline")))).rejects.toMatchObject({
      kind: "timeout",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("leaves no abort listener behind on a signal that outlives its polls", async () => {
    const fake = new FakeTransport(ifAgent(1, 1));
    const { driver } = driverFor(fake);
    const ac = new AbortController();
    for (let i = 0; i < 5; i++) await driver.poll(ac.signal);
    fake.getBulk = async () => {
      throw new PollError("device", "fake: error-status genErr");
    };
    await expect(driver.poll(ac.signal)).rejects.toMatchObject({ kind: "device" });
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("counts a reboot when sysUpTime goes backwards and skips that round's rates", async () => {
    const fake = new FakeTransport(ifAgent(1, 1000, 900_000));
    const { driver, clock } = driverFor(fake);
    await driver.poll(never);
    fake.set(ifAgent(1, 10, 300));
    await clock.advance(10_000);
    const samples = await driver.poll(never);
    expect(samples.find((s) => s.metric === "system_reboots_total")?.value).toBe(1);
    expect(samples.some((s) => s.metric === "if_in_bits_per_second")).toBe(false);
  });
});
