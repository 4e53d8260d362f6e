/**
 * The MQTT driver through a real mosquitto broker with a password file: QoS 1 reports from two
 * terminals survive a broker restart in the middle of the stream (persistent sessions on both
 * sides, broker persistence on), with no report lost and no terminal counted as stale; a client
 * with wrong credentials gets nothing and its terminal fails as auth, without crashing anything.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, missing, startPeer, waitForPort } from "../../peers/index.ts";
import { parseConfigText } from "../../src/config/load.ts";
import type { PollError } from "../../src/core/errors.ts";
import type { StreamedDriver } from "../../src/core/types.ts";
import { pollOnce } from "../../src/poll-once.ts";
import { recordingSink, testContext, testDevice, until } from "../../test/support/driver-context.ts";
import { selfSignedCert } from "../../test/support/tls.ts";
import { mqttDriver, mqttOptions } from "./index.ts";

const why = missing("/usr/sbin/mosquitto", "/usr/bin/mosquitto_passwd", "/usr/bin/openssl");

describe.skipIf(why)(`mqtt driver through mosquitto${why ? ` (skipped: ${why})` : ""}`, () => {
  let dir = "";
  let port = 0;
  let tlsPort = 0;
  let broker: ReturnType<typeof startPeer> | undefined;
  const ctx = testContext();
  const drivers: StreamedDriver[] = [];
  let publisher: MqttClient | undefined;

  const startBroker = async () => {
    broker = startPeer("/usr/sbin/mosquitto", ["-c", join(dir, "mosquitto.conf")]);
    await waitForPort(port);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emcomm-mosquitto-"));
    port = await freePort();
    tlsPort = await freePort();
    const pem = selfSignedCert(dir);
    execFileSync("/usr/bin/mosquitto_passwd", ["-b", "-c", join(dir, "passwd"), "emcomm", "field-s3cret"]);
    writeFileSync(
      join(dir, "mosquitto.conf"),
      [
        "user root", // only used when started as root (CI); keeps the temp files readable
        `listener ${port} 127.0.0.1`,
        "per_listener_settings false",
        `listener ${tlsPort} 127.0.0.1`,
        `certfile ${pem.cert}`,
        `keyfile ${pem.key}`,
        "allow_anonymous false",
        `password_file ${join(dir, "passwd")}`,
        "persistence true",
        `persistence_location ${dir}/`,
        "log_dest none",
        "",
      ].join("\n"),
    );
    await startBroker();
  });
  afterAll(async () => {
    await publisher?.endAsync(true);
    await Promise.all(drivers.map((d) => d.stop()));
    await ctx.closeAll();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const driver = (id: string, extra: Record<string, unknown>) => {
    const options = mqttOptions.parse({
      protocol: "mqtt",
      profile: "beidou-box",
      broker: `mqtt://127.0.0.1:${port}`,
      topic: `emcomm/beidou/${id}/telemetry`,
      username: "emcomm",
      password: "field-s3cret",
      ...extra,
    });
    const d = mqttDriver.create(testDevice(id, options), ctx) as StreamedDriver;
    drivers.push(d);
    return d;
  };

  it("loses no QoS 1 report across a broker restart", async () => {
    const ids = ["bd-1", "bd-2"];
    const sinks = ids.map(() => recordingSink());
    for (const [i, id] of ids.entries())
      await driver(id, { reportInterval: "2s", missedReports: 3 }).start(sinks[i]!);

    publisher = connect(`mqtt://127.0.0.1:${port}`, {
      username: "emcomm",
      password: "field-s3cret",
      clientId: "field-test-publisher",
      clean: false,
      reconnectPeriod: 200,
    });
    await new Promise<void>((resolve) => publisher!.once("connect", () => resolve()));
    const N = 30;
    for (let seq = 0; seq < N; seq++) {
      if (seq === 12) {
        await broker!.stop();
        await startBroker();
      }
      for (const id of ids)
        publisher.publish(
          `emcomm/beidou/${id}/telemetry`,
          JSON.stringify({
            time: Date.now(),
            fix: "3d",
            position: { lat: 24.81, lon: 113.6 },
            sats: 9,
            battery: seq,
            rdss: { ok: true },
          }),
          { qos: 1 },
        );
      await new Promise((r) => setTimeout(r, 60));
    }
    const seen = (i: number) =>
      new Set(
        sinks[i]!.batches.map((b) => b.samples.find((s) => s.metric === "beidou_battery_percent")!.value),
      );
    await until(() => seen(0).size === N && seen(1).size === N, "every report of both terminals", 20_000);
    expect([...seen(0)].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(sinks[0]!.errors).toEqual([]);
    expect(sinks[1]!.errors).toEqual([]);
  });

  it("a client the broker refuses hears nothing and its terminal is reported as an auth failure", async () => {
    const sink = recordingSink();
    await driver("bd-3", {
      username: "intruder",
      password: "wrong",
      reportInterval: "1s",
      missedReports: 1,
    }).start(sink);
    await until(() => sink.errors.length > 0, "a stale error", 5000);
    expect(sink.batches).toEqual([]);
    expect((sink.errors[0]!.error as PollError).kind).toBe("auth");
    expect(sink.errors[0]!.error.message).toMatch(/the broker refused our credentials/);
    // The staleness watchdog says the same once the reports are overdue.
    await until(() => sink.errors.length > 1, "the watchdog's error", 5000);
    expect(sink.errors.slice(1).map((e) => e.error.message)).toContainEqual(
      expect.stringMatching(/no valid report for 1 s .*the broker refused our credentials/),
    );
  });

  const publishReport = (id: string, battery = 50) =>
    publisher!.publishAsync(
      `emcomm/beidou/${id}/telemetry`,
      JSON.stringify({ time: Date.now(), fix: "none", sats: 0, battery, rdss: { ok: true } }),
      { qos: 1 },
    );

  it.each([
    ["good listed first", ["good", "bad"]],
    ["bad listed first", ["bad", "good"]],
  ])(
    "one user, a good and a wrong password (%s): the good one reports, every bad one says auth at once",
    async (order, kinds) => {
      const tag = order.startsWith("good") ? "g" : "b";
      const sinks = new Map<string, ReturnType<typeof recordingSink>>();
      // Two terminals with the wrong password: the refusal reaches both, not only the first.
      for (const kind of [...kinds, "bad"]) {
        const id = `bd-${tag}-${kind}-${sinks.size}`;
        const sink = recordingSink();
        sinks.set(id, sink);
        // 60 s between reports: any error within the test is not the staleness watchdog's.
        await driver(id, {
          reportInterval: "60s",
          ...(kind === "bad" ? { password: "not-the-password" } : {}),
        }).start(sink);
      }
      for (const id of sinks.keys()) await publishReport(id);
      const good = [...sinks].filter(([id]) => id.includes("good")).map(([, s]) => s);
      const bad = [...sinks].filter(([id]) => id.includes("bad")).map(([, s]) => s);
      await until(() => good.every((s) => s.batches.length === 1), "the good terminal's report", 10_000);
      await until(() => bad.every((s) => s.errors.length > 0), "an auth error on every bad terminal", 10_000);
      for (const s of good) expect(s.errors).toEqual([]);
      for (const s of bad) {
        expect(s.batches).toEqual([]);
        expect(s.errors[0]!.error).toMatchObject({
          kind: "auth",
          message: expect.stringMatching(
            /the broker refused our credentials \(Connection refused: Not authorized\)/,
          ),
        });
      }
    },
  );

  it("emcomm poll while the daemon runs: both hear the terminal, neither is disconnected", async () => {
    const lines: string[] = [];
    const capture = { write: (line: string) => void lines.push(line) };
    const daemonCtx = { ...testContext(), log: pino({ level: "info" }, capture) };
    const sink = recordingSink();
    const options = mqttOptions.parse({
      protocol: "mqtt",
      profile: "beidou-box",
      broker: `mqtt://127.0.0.1:${port}`,
      topic: "emcomm/beidou/bd-shared/telemetry",
      username: "emcomm",
      password: "field-s3cret",
    });
    const daemonDriver = mqttDriver.create(testDevice("bd-shared", options), daemonCtx) as StreamedDriver;
    await daemonDriver.start(sink);
    try {
      await publishReport("bd-shared", 1);
      await until(() => sink.batches.length === 1, "the daemon's first report");

      process.env.EMCOMM_TEST_MQTT_PASSWORD = "field-s3cret";
      const config = parseConfigText(
        [
          "sites:",
          "  - { id: beidou, name: { zh: 北斗, en: Beidou } }",
          "devices:",
          "  - { id: bd-shared, name: { zh: 盒子, en: Box }, site: beidou, system: beidou, kind: beidou-terminal, vendor: x, model: y,",
          `      driver: { protocol: mqtt, profile: beidou-box, broker: "mqtt://127.0.0.1:${port}", topic: emcomm/beidou/bd-shared/telemetry,`,
          '                username: emcomm, password: "${EMCOMM_TEST_MQTT_PASSWORD}" } }',
          "",
        ].join("\n"),
      );
      const polling = pollOnce(config, { log: pino({ level: "silent" }), streamWaitMs: 8_000 });
      let battery = 2;
      const ticker = setInterval(() => void publishReport("bd-shared", battery++), 200);
      const [result] = await polling.finally(() => clearInterval(ticker));
      expect(result!.error).toBeUndefined();
      expect(result!.samples.find((x) => x.metric === "beidou_battery_percent")?.value).toBeGreaterThan(1);

      const before = sink.batches.length;
      await publishReport("bd-shared", 99);
      await until(() => sink.batches.length > before, "the daemon hearing on after the poll");
      const said = lines.map((l) => JSON.parse(l) as { msg: string });
      expect(said.filter((l) => l.msg === "mqtt connected")).toHaveLength(1);
      expect(said.filter((l) => /unreachable|error/.test(l.msg))).toEqual([]);
      expect(sink.errors).toEqual([]);
    } finally {
      await daemonDriver.stop();
      await daemonCtx.closeAll();
    }
  });

  it("connects over TLS with the broker's CA, and not without it", async () => {
    const ok = recordingSink();
    const refused = recordingSink();
    const tls = (id: string, extra: Record<string, unknown>) =>
      driver(id, {
        broker: `mqtts://127.0.0.1:${tlsPort}`,
        reportInterval: "1s",
        missedReports: 2,
        ...extra,
      });
    await tls("bd-tls", { tls: { ca: join(dir, "cert.pem") } }).start(ok);
    // Same credentials, own connection (client id), no CA: only the certificate check can refuse it.
    await tls("bd-untrusted", { clientId: "emcomm-untrusted" }).start(refused);
    const pub = connect(`mqtts://127.0.0.1:${tlsPort}`, {
      username: "emcomm",
      password: "field-s3cret",
      ca: readFileSync(join(dir, "cert.pem")),
    });
    await new Promise<void>((resolve) => pub.once("connect", () => resolve()));
    const report = { time: Date.now(), fix: "none", sats: 0, battery: 50, rdss: { ok: true } };
    for (const id of ["bd-tls", "bd-untrusted"])
      await pub.publishAsync(`emcomm/beidou/${id}/telemetry`, JSON.stringify(report), { qos: 1 });
    await until(() => ok.batches.length === 1, "a report over TLS");
    expect(ok.value("beidou_fix")).toBe(0);
    await until(() => refused.errors.length > 0, "the untrusted client's terminal failing", 5000);
    expect(refused.batches).toEqual([]);
    expect((refused.errors[0]!.error as PollError).kind).toBe("unreachable");
    expect(refused.errors[0]!.error.message).toMatch(/broker not connected \(.*certificate/i);
    await pub.endAsync();
  });
});
