/**
 * The simulator's faults over simulated time (FakeClock drives the simulator; the driver polls it
 * for real over loopback): UPS on battery drains charge and runtime and recovers on mains, BUC
 * alarm collapses output power, a slow agent outlasts the poll deadline.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSnmpDriver } from "../../drivers/snmp/index.ts";
import { snmpOptions } from "../../drivers/snmp/options.ts";
import { FakeClock, systemClock } from "../../src/core/clock.ts";
import { createSharedResources } from "../../src/core/resources.ts";
import { type SnmpSimulator, startSnmpSimulator } from "./index.ts";

const log = pino({ level: "silent" });
const clock = new FakeClock();
process.env.EMCOMM_TEST_ACU_COMMUNITY = "acu-secret";
let sim: SnmpSimulator;

beforeAll(async () => {
  sim = await startSnmpSimulator(
    [
      { id: "ups", kind: "ups", site: "s", driver: { protocol: "snmp", profile: "ups-rfc1628" } },
      { id: "buc", kind: "satellite-buc", site: "s", driver: { protocol: "snmp", profile: "satellite-buc" } },
      {
        id: "acu",
        kind: "satellite-antenna",
        site: "s",
        driver: { protocol: "snmp", profile: "antenna-acu", community: "${EMCOMM_TEST_ACU_COMMUNITY}" },
      },
    ],
    { clock, log },
    { trapTarget: null },
  );
});
afterAll(async () => {
  await sim?.stop();
});

const profiles: Record<string, string> = { ups: "ups-rfc1628", buc: "satellite-buc", acu: "antenna-acu" };

async function poll(id: string, timeoutMs = 3000, community = "public") {
  const options = snmpOptions.parse({
    protocol: "snmp",
    profile: profiles[id],
    host: "127.0.0.1",
    port: sim.port(id),
    community,
    retries: 0,
  });
  const d = createSnmpDriver(
    { id, site: "s", kind: "x", intervalMs: 10_000, timeoutMs, options },
    { clock: systemClock, log, resources: createSharedResources() },
  );
  try {
    const samples = await d.poll(new AbortController().signal);
    return (metric: string, labels?: Record<string, string>) =>
      samples.find(
        (s) =>
          s.metric === metric && (!labels || Object.entries(labels).every(([k, v]) => s.labels?.[k] === v)),
      )?.value;
  } finally {
    await d.close();
  }
}

describe("snmp simulator faults over time", () => {
  it("UPS on battery: runtime and charge fall, mains comes back and they recover", async () => {
    await clock.advance(1_000);
    let v = await poll("ups");
    expect(v("ups_on_battery")).toBe(0);
    expect(v("ups_input_voltage_volts", { line: "1" })).toBeGreaterThan(200);
    const fullMinutes = v("ups_minutes_remaining")!;

    sim.inject("ups", "ups-on-battery");
    await clock.advance(1_000);
    v = await poll("ups");
    expect(v("ups_on_battery")).toBe(1);
    expect(v("ups_output_source")).toBe(5);
    expect(v("ups_input_voltage_volts", { line: "1" })).toBe(0);
    expect(v("ups_alarms_present")).toBe(1);

    await clock.advance(600_000); // ten minutes on battery: 1 % per 10 s
    v = await poll("ups");
    expect(v("ups_battery_charge_percent")).toBeLessThanOrEqual(41);
    expect(v("ups_minutes_remaining")).toBeLessThan(fullMinutes);
    expect(v("ups_battery_status")).toBe(2);
    await clock.advance(200_000);
    v = await poll("ups");
    expect(v("ups_battery_status")).toBe(3); // low

    sim.clear("ups");
    await clock.advance(600_000);
    v = await poll("ups");
    expect(v("ups_on_battery")).toBe(0);
    expect(v("ups_battery_charge_percent")).toBeGreaterThan(40);
  });

  it("BUC alarm: summary alarm on, output power collapses", async () => {
    sim.inject("buc", "buc-alarm");
    await clock.advance(1_000);
    const v = await poll("buc");
    expect(v("buc_summary_alarm")).toBe(1);
    expect(v("buc_output_power_dbm")).toBeLessThan(0);
    sim.clear("buc");
  });

  it("slow agent: answers after the poll deadline, so the poll times out", async () => {
    sim.inject("buc", "slow");
    try {
      await expect(poll("buc", 800)).rejects.toMatchObject({ kind: "timeout" });
    } finally {
      sim.clear("buc");
    }
  });

  it("antenna unlock: not locked (link drop) and searching; the ACU answers its inventory community", async () => {
    expect(sim.inject("acu", "antenna-unlock")).toBe(true);
    await clock.advance(1_000);
    const v = await poll("acu", 3000, "acu-secret");
    expect(v("antenna_sat_locked")).toBe(0);
    expect(v("antenna_state")).toBe(1);
    sim.clear("acu");
    await expect(poll("acu", 600, "public")).rejects.toMatchObject({ kind: "timeout" });
  });
});
