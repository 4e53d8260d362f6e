/**
 * Our Modbus driver against pymodbus (python3-pymodbus, run by /usr/bin/python3), a server
 * nobody here wrote, serving a GenComm map written independently in pymodbus_server.py.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  freePort,
  missing,
  PYMODBUS_SERIAL,
  PYMODBUS_SERVER,
  startPeer,
  waitForPort,
} from "../../peers/index.ts";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { testContext, testDevice } from "../../test/support/driver-context.ts";
import { modbusDriver, modbusOptions } from "./index.ts";
import { openModbusLink } from "./transport.ts";

const why = missing("/usr/bin/python3", "/usr/lib/python3/dist-packages/pymodbus/__init__.py");

/**
 * Polls three units of one line at once (a generator at 1, a BUC at 2, a BUC at 3 that answers
 * with an exception), checks the two BUCs' outcomes, and returns the generator's samples.
 */
async function pollSharedLine(
  driver: (unitId: number, profile: string) => PolledDriver,
  ms: number,
): Promise<Sample[]> {
  const units = [driver(1, "dse-generator"), driver(2, "buc-rs485"), driver(3, "buc-rs485")];
  const [g, b, f] = await Promise.allSettled(units.map((d) => d.poll(AbortSignal.timeout(ms))));
  expect(g!.status, String((g as PromiseRejectedResult).reason)).toBe("fulfilled");
  expect(b!.status).toBe("fulfilled");
  expect((f as PromiseRejectedResult).reason.message).toContain("server-device-failure");
  return (g as PromiseFulfilledResult<Sample[]>).value;
}

describe.skipIf(why)(`modbus driver against pymodbus${why ? ` (skipped: ${why})` : ""}`, () => {
  let port = 0;
  let peer: ReturnType<typeof startPeer>;
  const ctx = testContext();
  const drivers: PolledDriver[] = [];
  const driver = (unitId: number, profile = "dse-generator") => {
    const options = modbusOptions.parse({ protocol: "modbus", profile, host: "127.0.0.1", port, unitId });
    const d = modbusDriver.create(testDevice(`u${unitId}`, options), ctx) as PolledDriver;
    drivers.push(d);
    return d;
  };

  beforeAll(async () => {
    port = await freePort();
    peer = startPeer("/usr/bin/python3", [PYMODBUS_SERVER, String(port)]);
    await waitForPort(port);
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    await ctx.closeAll();
    await peer?.stop();
  });

  it("reads the generator's values as the profile says", async () => {
    const samples = await driver(1).poll(AbortSignal.timeout(3000));
    const byKey = Object.fromEntries(
      samples.map((s: Sample) => [
        s.labels ? `${s.metric}{${Object.values(s.labels).join(",")}}` : s.metric,
        s.value,
      ]),
    );
    expect(byKey).toEqual({
      generator_mode: 2,
      generator_coolant_celsius: -5,
      generator_fuel_percent: 64,
      generator_battery_volts: 12.8,
      generator_frequency_hertz: 50.1,
      "generator_voltage_volts{L1}": 230.4,
      "generator_voltage_volts{L2}": 231,
      "generator_voltage_volts{L3}": 229.9,
      generator_engine_state: 3,
      generator_running: 1,
      generator_run_hours: 100,
      generator_starts_total: 77,
      generator_warning_alarm: 1,
      generator_shutdown_alarm: 0,
      generator_fail_to_start: 1,
      generator_load_percent: 61.2,
      "profile_block_supported{status}": 1,
      "profile_block_supported{instruments}": 1,
      "profile_block_supported{mains}": 1,
      "profile_block_supported{load}": 1,
      "profile_block_supported{counters}": 1,
      "profile_block_supported{alarms}": 1,
      // oil pressure, engine speed and the mains are 0xFFFF (GenComm "unimplemented"): no sample
    });
  });

  it("a controller without the alarm page: the poll stands, the alarm block says unsupported", async () => {
    const d = driver(5);
    const warn = vi.spyOn(ctx.log, "warn");
    for (let i = 0; i < 2; i++) {
      const samples = await d.poll(AbortSignal.timeout(3000));
      const byKey = Object.fromEntries(
        samples.map((s: Sample) => [
          s.labels ? `${s.metric}{${Object.values(s.labels).join(",")}}` : s.metric,
          s.value,
        ]),
      );
      expect(byKey).toMatchObject({
        generator_engine_speed_rpm: 1500,
        generator_oil_pressure_kpa: 352,
        "generator_mains_voltage_volts{L1}": 228.7,
        "generator_mains_voltage_volts{L2}": 230.1,
        "generator_mains_voltage_volts{L3}": 229.5,
        generator_mains_frequency_hertz: 49.9,
        generator_engine_state: 0,
        // the status register says stopped; the speed says it runs
        generator_running: 1,
        generator_starts_total: 12,
        "profile_block_supported{alarms}": 0,
        "profile_block_supported{instruments}": 1,
        "profile_block_supported{mains}": 1,
      });
      expect(Object.keys(byKey).filter((k) => k.endsWith("_alarm") || k.endsWith("fail_to_start"))).toEqual(
        [],
      );
    }
    // Logged once, not at every poll.
    expect(warn.mock.calls.filter((c) => String(c[1]).includes("unsupported"))).toHaveLength(1);
  });

  it("reads all four tables (function codes 1-4) through the link", async () => {
    const options = modbusOptions.parse({
      protocol: "modbus",
      profile: "ups-modbus",
      host: "127.0.0.1",
      port,
    });
    const link = openModbusLink(options, "pymodbus");
    try {
      expect(await link.read(4, "coil", 0, 7, 1000)).toEqual([true, false, false, true, false, false, true]);
      expect(await link.read(4, "discrete", 2, 4, 1000)).toEqual([false, true, false, true]);
      expect(await link.read(4, "holding", 48, 2, 1000)).toEqual([1048, 1049]);
      expect(await link.read(4, "input", 0, 3, 1000)).toEqual([2000, 2001, 2002]);
    } finally {
      await link.close();
    }
  });

  it("turns pymodbus exceptions into typed device errors", async () => {
    const illegal = await driver(2, "buc-rs485")
      .poll(AbortSignal.timeout(3000))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // unit 2 holds registers 0-9 only: the BUC map (0-2) reads fine
    expect(illegal).toBeUndefined();
    const gen = await driver(2)
      .poll(AbortSignal.timeout(3000))
      .catch((e: unknown) => e);
    expect(gen).toBeInstanceOf(PollError);
    expect((gen as PollError).kind).toBe("device");
    expect((gen as PollError).message).toContain("illegal-data-address");
    const failing = await driver(3, "buc-rs485")
      .poll(AbortSignal.timeout(3000))
      .catch((e: unknown) => e);
    expect((failing as PollError).kind).toBe("device");
    expect((failing as PollError).message).toContain("server-device-failure");
  });
});

describe.skipIf(why)(
  `modbus driver, RTU over TCP, against pymodbus${why ? ` (skipped: ${why})` : ""}`,
  () => {
    let port = 0;
    let peer: ReturnType<typeof startPeer>;
    const ctx = testContext();
    const drivers: PolledDriver[] = [];
    beforeAll(async () => {
      port = await freePort();
      peer = startPeer("/usr/bin/python3", [PYMODBUS_SERVER, String(port), "rtu"]);
      await waitForPort(port);
    });
    afterAll(async () => {
      await Promise.all(drivers.map((d) => d.close()));
      await ctx.closeAll();
      await peer?.stop();
    });
    const driver = (unitId: number, profile: string) => {
      const options = modbusOptions.parse({
        protocol: "modbus",
        profile,
        transport: "rtu-over-tcp",
        host: "127.0.0.1",
        port,
        unitId,
      });
      const d = modbusDriver.create(testDevice(`rtu${unitId}`, options), ctx) as PolledDriver;
      drivers.push(d);
      return d;
    };

    it("reads RTU frames through a gateway, units sharing the line", async () => {
      const samples = await pollSharedLine(driver, 3000);
      expect(samples.find((s) => s.metric === "generator_fuel_percent")?.value).toBe(64);
      expect(samples.find((s) => s.metric === "generator_run_hours")?.value).toBe(100);
    });

    it("keeps a silent unit from holding back a live one on the gateway", async () => {
      const dead = driver(9, "buc-rs485");
      const live = driver(1, "dse-generator");
      for (let round = 0; round < 2; round++) {
        const t0 = performance.now();
        const [d, l] = await Promise.allSettled([
          dead.poll(AbortSignal.timeout(3000)),
          live.poll(AbortSignal.timeout(3000)),
        ]);
        expect((d as PromiseRejectedResult).reason.kind).toBe("timeout");
        expect(l.status, String((l as PromiseRejectedResult).reason)).toBe("fulfilled");
        expect(
          (l as PromiseFulfilledResult<Sample[]>).value.find((s) => s.metric === "generator_fuel_percent")
            ?.value,
        ).toBe(64);
        // the dead unit's one request timeout (1 s) plus the live unit's six reads
        expect(performance.now() - t0).toBeLessThan(2000);
      }
    });
  },
);

describe.skipIf(why)(
  `modbus driver, RTU on a serial line, against pymodbus${why ? ` (skipped: ${why})` : ""}`,
  () => {
    let child: ChildProcess | undefined;
    let path = "";
    const ctx = testContext();
    const drivers: PolledDriver[] = [];
    beforeAll(async () => {
      child = spawn("/usr/bin/python3", [PYMODBUS_SERIAL], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      path = await new Promise<string>((resolve, reject) => {
        let out = "";
        child!.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /PORT (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child!.once("exit", () => reject(new Error("pymodbus_serial.py exited")));
      });
      await new Promise((r) => setTimeout(r, 300)); // the server opens its end
    });
    afterAll(async () => {
      await Promise.all(drivers.map((d) => d.close()));
      await ctx.closeAll();
      child?.kill("SIGTERM");
    });
    const driver = (unitId: number, profile: string) => {
      const options = modbusOptions.parse({
        protocol: "modbus",
        profile,
        transport: "rtu",
        serial: { path, baudRate: 9600 },
        unitId,
        interFrameGap: "5ms",
      });
      const d = modbusDriver.create(testDevice(`ser${unitId}`, options), ctx) as PolledDriver;
      drivers.push(d);
      return d;
    };

    it("reads two units sharing the line, and one unit's exception", async () => {
      const samples = await pollSharedLine(driver, 5000);
      expect(samples.find((s) => s.metric === "generator_voltage_volts")?.value).toBe(230.4);
      expect(samples.find((s) => s.metric === "generator_fail_to_start")?.value).toBe(1);
    });
  },
);
