/**
 * Fault codes say what broke: outcomes of real peers (a pymodbus unit raising a Modbus exception,
 * mosquitto refusing a password, a terminal that stops reporting through mosquitto, the SNMP
 * simulator's modem losing lock) go through the health and ticket engines as in the daemon, and
 * each opens a ticket with its own code: protocol, auth, stale, rx_unlock.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modbusDriver, modbusOptions } from "../../drivers/modbus/index.ts";
import { mqttDriver, mqttOptions } from "../../drivers/mqtt/index.ts";
import { createSnmpDriver } from "../../drivers/snmp/index.ts";
import { snmpOptions } from "../../drivers/snmp/options.ts";
import { freePort, missing, PYMODBUS_SERVER, startPeer, waitForPort } from "../../peers/index.ts";
import { type SnmpSimulator, startSnmpSimulator } from "../../simulators/snmp/index.ts";
import { registerSlaMetrics } from "../../src/api/metrics.ts";
import { validateConfig } from "../../src/config/load.ts";
import { FakeClock, systemClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { HealthRule, PolledDriver, Sample, StreamedDriver } from "../../src/core/types.ts";
import { HealthEngine } from "../../src/health/engine.ts";
import { openStore } from "../../src/store/db.ts";
import { TicketEngine } from "../../src/tickets/engine.ts";
import { recordingSink, testContext, testDevice, until } from "../support/driver-context.ts";
import { tcpDevice } from "../support/harness.ts";

const why = missing(
  "/usr/bin/python3",
  "/usr/lib/python3/dist-packages/pymodbus/__init__.py",
  "/usr/sbin/mosquitto",
  "/usr/bin/mosquitto_passwd",
);

describe.skipIf(why)(`fault codes from the cause${why ? ` (skipped: ${why})` : ""}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-fault-codes-"));
  const ctx = testContext();
  const stops: (() => Promise<unknown>)[] = [];
  let modbusPort = 0;
  let mqttPort = 0;
  let sim: SnmpSimulator;

  beforeAll(async () => {
    modbusPort = await freePort();
    const pymodbus = startPeer("/usr/bin/python3", [PYMODBUS_SERVER, String(modbusPort)]);
    stops.push(() => pymodbus.stop());
    mqttPort = await freePort();
    execFileSync("/usr/bin/mosquitto_passwd", ["-b", "-c", join(dir, "passwd"), "emcomm", "field-s3cret"]);
    writeFileSync(
      join(dir, "mosquitto.conf"),
      [
        "user root",
        `listener ${mqttPort} 127.0.0.1`,
        "allow_anonymous false",
        `password_file ${join(dir, "passwd")}`,
        "log_dest none",
        "",
      ].join("\n"),
    );
    const broker = startPeer("/usr/sbin/mosquitto", ["-c", join(dir, "mosquitto.conf")]);
    stops.push(() => broker.stop());
    sim = await startSnmpSimulator(
      [
        {
          id: "modem",
          kind: "satellite-modem",
          site: "s",
          driver: { protocol: "snmp", profile: "satellite-modem" },
        },
      ],
      { clock: new FakeClock(), log: pino({ level: "silent" }) },
      { trapTarget: null },
    );
    stops.push(() => sim.stop());
    await waitForPort(modbusPort);
    await waitForPort(mqttPort);
  });
  afterAll(async () => {
    await ctx.closeAll();
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One outcome of a real device: its samples, or the PollError it failed with. */
  type Outcome = Sample[] | PollError;

  async function modbusException(): Promise<Outcome> {
    // Unit 3's register store raises: Modbus exception 4, server device failure.
    const options = modbusOptions.parse({
      protocol: "modbus",
      profile: "buc-rs485",
      host: "127.0.0.1",
      port: modbusPort,
      unitId: 3,
    });
    const d = modbusDriver.create(testDevice("gen", options), ctx) as PolledDriver;
    try {
      return await d.poll(AbortSignal.timeout(3000)).catch((e: PollError) => e);
    } finally {
      await d.close();
    }
  }

  async function mqttError(id: string, password: string): Promise<Outcome> {
    const options = mqttOptions.parse({
      protocol: "mqtt",
      profile: "beidou-box",
      broker: `mqtt://127.0.0.1:${mqttPort}`,
      topic: `emcomm/beidou/${id}/telemetry`,
      username: "emcomm",
      password,
      reportInterval: "1s",
      missedReports: 1,
    });
    const d = mqttDriver.create(testDevice(id, options), ctx) as StreamedDriver;
    const sink = recordingSink();
    await d.start(sink);
    try {
      await until(() => sink.errors.length > 0, `${id}'s first error`, 10_000);
      return sink.errors[0]!.error as PollError;
    } finally {
      await d.stop();
    }
  }

  async function modemUnlocked(): Promise<{ outcome: Outcome; rules: readonly HealthRule[] }> {
    expect(sim.inject("modem", "modem-unlock")).toBe(true);
    const options = snmpOptions.parse({
      protocol: "snmp",
      profile: "satellite-modem",
      host: "127.0.0.1",
      port: sim.port("modem"),
      community: "public",
    });
    const d = createSnmpDriver(
      { id: "modem", site: "s", kind: "satellite-modem", intervalMs: 10_000, timeoutMs: 3000, options },
      { clock: systemClock, log: pino({ level: "silent" }), resources: ctx.resources },
    );
    try {
      return { outcome: await d.poll(new AbortController().signal), rules: d.rules };
    } finally {
      await d.close();
    }
  }

  it("a Modbus exception, an MQTT auth refusal, a stale terminal and a modem unlock: one ticket each, its own code", async () => {
    const modem = await modemUnlocked();
    const outcomes: Record<string, Outcome> = {
      gen: await modbusException(),
      "bd-refused": await mqttError("bd-refused", "not-the-password"),
      "bd-quiet": await mqttError("bd-quiet", "field-s3cret"),
      modem: modem.outcome,
    };
    expect(
      Object.fromEntries(
        Object.entries(outcomes).map(([id, o]) => [id, o instanceof PollError ? o.kind : "samples"]),
      ),
    ).toEqual({
      gen: "device",
      "bd-refused": "auth",
      "bd-quiet": "stale",
      modem: "samples",
    });

    const clock = new FakeClock(Date.UTC(2026, 10, 2, 2, 0, 0));
    const config = validateConfig({
      daemon: { dataDir: dir },
      sites: [{ id: "s", name: { zh: "站", en: "Site" } }],
      devices: Object.keys(outcomes).map((id) => tcpDevice(id, "s")),
    });
    const db = openStore(dir);
    const log = pino({ level: "silent" });
    const health = new HealthEngine({ db, config, clock, log, rules: new Map([["modem", modem.rules]]) });
    const tickets = new TicketEngine({ db, config, clock, log });
    health.onTransition((t, h) => tickets.onTransition(t, h));
    health.resume(null);
    try {
      for (let round = 0; round < 3; round++) {
        const now = clock.now();
        for (const [deviceId, o] of Object.entries(outcomes))
          health.observe({
            deviceId,
            trigger: "schedule",
            startedAt: now,
            finishedAt: now + 5,
            samples: o instanceof PollError ? [] : o,
            ...(o instanceof PollError ? { error: o } : {}),
          });
        await clock.advance(60_000);
      }
      const codes = Object.fromEntries(tickets.openTickets().map((t) => [t.device, t.code]));
      expect(codes).toEqual({
        gen: "protocol",
        "bd-refused": "auth",
        "bd-quiet": "stale",
        modem: "rx_unlock",
      });
      // The health view (console, alert labels) and the ticket's fault type (the report) say the same.
      expect(Object.fromEntries(health.states().map((h) => [h.device, h.code]))).toEqual(codes);
      expect(Object.fromEntries(tickets.openTickets().map((t) => [t.device, t.faultType]))).toEqual(codes);
      const registry = new Registry();
      registerSlaMetrics({ registry, config, db, clock, health, tickets });
      const fault = await registry.getSingleMetric("emcomm_device_fault")!.get();
      expect(Object.fromEntries(fault.values.map((v) => [v.labels.device, v.labels.code]))).toEqual(codes);
    } finally {
      db.close();
    }
  });
});
