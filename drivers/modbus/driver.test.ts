/**
 * The Modbus driver end to end over TCP against our simulator's server: profile values, faults
 * as typed errors, the shared bus keeping a dead unit from delaying a live one.
 */
import { afterEach, describe, expect, it } from "vitest";
import { modelFor } from "../../simulators/modbus/index.ts";
import { readRange } from "../../simulators/modbus/model.ts";
import { type ModbusTcpServer, startModbusTcpServer } from "../../simulators/modbus/server.ts";
import { FaultBook } from "../../simulators/registry.ts";
import { systemClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { testContext, testDevice } from "../../test/support/driver-context.ts";
import { modbusDriver, modbusOptions } from "./index.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function simulate(profile: string, unitId = 1) {
  const model = modelFor(profile, systemClock.now())!;
  const book = new FaultBook(["silent", "garbage", "busy", "short", ...model.faults]);
  const has = (f: string) => book.has("d", f);
  const server = await startModbusTcpServer((req) => {
    if (req.unitId !== unitId) return { exception: 11 };
    if (has("silent")) return { silent: true };
    if (has("garbage")) return { garbage: true };
    if (has("busy")) return { exception: 6 };
    const r = readRange(model.tables(systemClock.now(), has)[req.table], req.address, req.count);
    return has("short") && "values" in r ? { short: true, values: r.values } : r;
  });
  cleanups.push(() => server.close());
  return { server, fault: (f: string) => book.inject("d", f) };
}

function driverFor(id: string, block: Record<string, unknown>, ctx = testContext()): PolledDriver {
  const options = modbusOptions.parse({ protocol: "modbus", transport: "tcp", host: "127.0.0.1", ...block });
  const d = modbusDriver.create(testDevice(id, options), ctx) as PolledDriver;
  cleanups.push(async () => {
    await d.close();
    await ctx.closeAll();
  });
  return d;
}

const value = (samples: Sample[], metric: string, labels?: Record<string, string>) =>
  samples.find((s) => s.metric === metric && (!labels || JSON.stringify(s.labels) === JSON.stringify(labels)))
    ?.value;

async function failure(p: Promise<unknown>): Promise<PollError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PollError);
  return err as PollError;
}

describe("modbus driver against the simulator", () => {
  it("reads the generator profile, and the start failure on mains loss", async () => {
    const sim = await simulate("dse-generator");
    const d = driverFor("gen", { profile: "dse-generator", port: sim.server.port });
    let s = await d.poll(AbortSignal.timeout(2000));
    expect(value(s, "generator_mode")).toBe(1);
    expect(value(s, "generator_fuel_percent")).toBe(78);
    expect(value(s, "generator_engine_state")).toBe(0);
    expect(value(s, "generator_running")).toBe(0);
    expect(value(s, "generator_starts_total")).toBe(412);
    expect(value(s, "generator_run_hours")).toBe(1234);
    expect(value(s, "generator_shutdown_alarm")).toBe(0);
    expect(value(s, "generator_battery_volts")).toBe(13.2);

    sim.fault("mains-loss");
    s = await d.poll(AbortSignal.timeout(2000));
    expect(value(s, "generator_running")).toBe(1);
    expect(value(s, "generator_voltage_volts", { phase: "L1" })).toBeGreaterThan(225);
    expect(value(s, "generator_frequency_hertz")).toBeCloseTo(50, 0);
    expect(value(s, "generator_load_percent")).toBeGreaterThan(40);
    expect(value(s, "generator_starts_total")).toBe(413);
  });

  it("reports fail to start as an alarm sample", async () => {
    const sim = await simulate("dse-generator");
    sim.fault("fail-to-start");
    sim.fault("mains-loss");
    const d = driverFor("gen", { profile: "dse-generator", port: sim.server.port });
    const s = await d.poll(AbortSignal.timeout(2000));
    expect(value(s, "generator_fail_to_start")).toBe(1);
    expect(value(s, "generator_shutdown_alarm")).toBe(1);
    expect(value(s, "generator_running")).toBe(0);
  });

  it("turns exceptions, short answers, garbage and a refused port into typed errors", async () => {
    const sim = await simulate("buc-rs485", 2);
    const d = driverFor("buc", {
      profile: "buc-rs485",
      port: sim.server.port,
      unitId: 2,
      requestTimeout: "300ms",
    });
    expect(value(await d.poll(AbortSignal.timeout(2000)), "buc_pll_locked")).toBe(1);

    const wrongUnit = driverFor("buc3", { profile: "buc-rs485", port: sim.server.port, unitId: 3 });
    const gw = await failure(wrongUnit.poll(AbortSignal.timeout(2000)));
    expect(gw.kind).toBe("device");
    expect(gw.message).toContain("gateway-target-failed-to-respond");

    sim.fault("busy");
    const busy = await failure(d.poll(AbortSignal.timeout(2000)));
    expect(busy.kind).toBe("device");
    expect(busy.message).toMatch(/exception 6 server-device-busy/);
    expect(busy.message).toContain(`127.0.0.1:${sim.server.port} unit 2`);

    const sim2 = await simulate("buc-rs485", 2);
    sim2.fault("short");
    const short = driverFor("buc-short", { profile: "buc-rs485", port: sim2.server.port, unitId: 2 });
    expect((await failure(short.poll(AbortSignal.timeout(2000)))).kind).toBe("protocol");

    const sim3 = await simulate("buc-rs485", 2);
    sim3.fault("garbage");
    const junk = driverFor("buc-junk", {
      profile: "buc-rs485",
      port: sim3.server.port,
      unitId: 2,
      requestTimeout: "300ms",
    });
    expect(["protocol", "timeout"]).toContain((await failure(junk.poll(AbortSignal.timeout(2000)))).kind);

    await sim3.server.close();
    const refused = driverFor("gone", { profile: "buc-rs485", port: sim3.server.port });
    expect((await failure(refused.poll(AbortSignal.timeout(2000)))).kind).toBe("unreachable");
  });

  it("names a serial port that does not exist", async () => {
    const options = modbusOptions.parse({
      protocol: "modbus",
      profile: "ups-modbus",
      transport: "rtu",
      serial: { path: "/dev/ttyEMCOMM-NOPE" },
    });
    const ctx = testContext();
    const d = modbusDriver.create(testDevice("ups", options), ctx) as PolledDriver;
    const err = await failure(d.poll(AbortSignal.timeout(2000)));
    expect(err.kind).toBe("config");
    expect(err.message).toContain("/dev/ttyEMCOMM-NOPE");
    await d.close();
  });

  it("rejects contradictory transport options at load", () => {
    const bad = modbusOptions.safeParse({
      protocol: "modbus",
      profile: "ups-modbus",
      transport: "rtu",
      host: "x",
    });
    expect(bad.success).toBe(false);
    expect(
      modbusOptions.safeParse({ protocol: "modbus", profile: "ups-modbus", host: "x", bogus: 1 }).success,
    ).toBe(false);
  });

  it("keeps a dead unit on a shared bus from holding back a live one", async () => {
    let live = 0;
    const server: ModbusTcpServer = await startModbusTcpServer((req) => {
      if (req.unitId === 1) return { silent: true };
      live++;
      return { values: Array.from({ length: req.count }, () => 2) };
    });
    cleanups.push(() => server.close());
    const ctx = testContext();
    const block = { profile: "ups-modbus", port: server.port, requestTimeout: "400ms" };
    const dead = driverFor("dead", { ...block, unitId: 1 }, ctx);
    const alive = driverFor("alive", { ...block, unitId: 2 }, ctx);
    for (let round = 0; round < 2; round++) {
      const t0 = performance.now();
      const [a, b] = await Promise.allSettled([
        dead.poll(AbortSignal.timeout(3000)),
        alive.poll(AbortSignal.timeout(3000)),
      ]);
      expect(a.status).toBe("rejected");
      expect((a as PromiseRejectedResult).reason.kind).toBe("timeout");
      expect(b.status).toBe("fulfilled");
      expect(value((b as PromiseFulfilledResult<Sample[]>).value, "ups_battery_status")).toBe(2);
      // At most one of the dead unit's request timeouts stands before the live unit's answer.
      expect(performance.now() - t0).toBeLessThan(1200);
    }
    expect(live).toBe(2);
  });
});
