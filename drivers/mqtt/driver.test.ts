/**
 * The MQTT driver with the demo's simulator (embedded aedes broker and Beidou publisher) on one
 * FakeClock: reports become samples, silence becomes a stale error after the configured number
 * of missed reports, invalid payloads are counted and never stop the stream.
 */
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { mqttSimulator } from "../../simulators/mqtt/index.ts";
import type { RunningSimulator } from "../../simulators/registry.ts";
import { FakeClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { StreamedDriver } from "../../src/core/types.ts";
import { recordingSink, testContext, testDevice, until } from "../../test/support/driver-context.ts";
import { mqttDriver, mqttOptions } from "./index.ts";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function setup() {
  const clock = new FakeClock(Date.UTC(2026, 10, 24, 5, 0, 0));
  const boxes = ["bd-a", "bd-b"].map((id) => ({
    id,
    kind: "beidou-terminal",
    site: "lab",
    driver: { protocol: "mqtt", profile: "beidou-box", topic: `emcomm/beidou/${id}/telemetry` },
  }));
  const sim: RunningSimulator = await mqttSimulator.start(boxes, { clock, log: pino({ level: "silent" }) });
  stops.push(() => sim.stop());
  const ctx = testContext(clock);
  stops.push(() => ctx.closeAll());
  const drivers = boxes.map((b) => {
    const options = mqttOptions.parse({ ...b.driver, ...sim.endpoint(b.id) });
    const d = mqttDriver.create(testDevice(b.id, options), ctx) as StreamedDriver;
    stops.push(() => d.stop());
    return d;
  });
  return { clock, sim, drivers };
}

describe("mqtt driver with the simulator", () => {
  it("streams reports, and marks a quiet terminal stale after three missed reports", async () => {
    const { clock, sim, drivers } = await setup();
    const [a, b] = [recordingSink(), recordingSink()];
    await drivers[0]!.start(a);
    await drivers[1]!.start(b);
    await clock.advance(1000);
    await until(() => a.batches.length >= 1 && b.batches.length >= 1, "first reports");
    expect(a.value("beidou_fix")).toBe(3);
    expect(a.value("beidou_latitude_degrees")).toBeCloseTo(24.81, 0);

    sim.inject("bd-a", "silent");
    const before = b.batches.length;
    for (let i = 0; i < 3; i++) {
      await clock.advance(5000);
      await until(() => b.batches.length >= before + i + 1, "b's reports");
    }
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]!.error).toBeInstanceOf(PollError);
    expect((a.errors[0]!.error as PollError).kind).toBe("stale");
    expect(a.errors[0]!.error.message).toMatch(/emcomm\/beidou\/bd-a\/telemetry: no valid report for 15 s/);
    expect(b.errors).toHaveLength(0);
  });

  it("counts invalid payloads when they arrive, as protocol errors, and keeps going", async () => {
    const { clock, sim, drivers } = await setup();
    const a = recordingSink();
    await drivers[0]!.start(a);
    sim.inject("bd-a", "garbage");
    await clock.advance(1000);
    await until(() => a.errors.length === 1, "the first invalid payload, counted as it arrives");
    await clock.advance(5000);
    await until(() => a.errors.length === 2, "the second invalid payload");
    expect(a.batches).toHaveLength(0);
    expect(a.errors.map((e) => [(e.error as PollError).kind, e.counters])).toEqual([
      ["protocol", [{ metric: "mqtt_invalid_payloads_total", value: 1 }]],
      ["protocol", [{ metric: "mqtt_invalid_payloads_total", value: 2 }]],
    ]);
    expect(a.errors[0]!.error.message).toMatch(/invalid payload: /);
    sim.clear("bd-a");
    await clock.advance(5000);
    await until(() => a.batches.length === 1, "a valid report after garbage");
    expect(a.value("mqtt_invalid_payloads_total")).toBe(2);
    expect(a.errors).toHaveLength(2);
  });

  it("refuses contradictory options at load", () => {
    const base = { protocol: "mqtt", profile: "beidou-box", broker: "mqtt://127.0.0.1:1883", topic: "a/b" };
    expect(mqttOptions.safeParse(base).success).toBe(true);
    expect(mqttOptions.safeParse({ ...base, topic: "a/#" }).success).toBe(false);
    expect(mqttOptions.safeParse({ ...base, broker: "http://x" }).success).toBe(false);
    expect(mqttOptions.safeParse({ ...base, qos: 2 }).success).toBe(false);
  });
});
