/**
 * The InfluxDB sink against the official influxdb:2 image, through testcontainers. Runs wherever
 * a container runtime (Docker) is reachable; elsewhere it reports itself skipped with the reason.
 */
import { InfluxDB } from "@influxdata/influxdb-client";
import pino from "pino";
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../peers/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { listQuarantine } from "../../src/outbox/outbox.ts";
import { influxSinkSchema } from "../../src/sinks/config.ts";
import { InfluxSink } from "../../src/sinks/influx.ts";
import { openStore } from "../../src/store/db.ts";

const TOKEN = "emcomm-test-token";
const runtimeMissing = await Promise.race([
  getContainerRuntimeClient().then(
    () => undefined,
    (err: Error) => `no container runtime reachable (${err.message.split("\n")[0]})`,
  ),
  new Promise<string>((r) =>
    setTimeout(() => r("no container runtime answered within 10 s"), 10_000).unref(),
  ),
]);
if (runtimeMissing) console.warn(`influxdb:2 container test skipped: ${runtimeMissing}`);

const title = runtimeMissing
  ? `InfluxDB sink → influxdb:2 container (skipped: ${runtimeMissing})`
  : "InfluxDB sink → influxdb:2 container";

describe.skipIf(runtimeMissing)(title, () => {
  let container: StartedTestContainer;
  let url: string;

  beforeAll(async () => {
    container = await new GenericContainer("influxdb:2")
      .withEnvironment({
        DOCKER_INFLUXDB_INIT_MODE: "setup",
        DOCKER_INFLUXDB_INIT_USERNAME: "emcomm",
        DOCKER_INFLUXDB_INIT_PASSWORD: "emcomm-password",
        DOCKER_INFLUXDB_INIT_ORG: "noc",
        DOCKER_INFLUXDB_INIT_BUCKET: "emcomm",
        DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: TOKEN,
      })
      .withExposedPorts(8086)
      .withWaitStrategy(Wait.forHttp("/health", 8086).forStatusCode(200))
      .start();
    url = `http://${container.getHost()}:${container.getMappedPort(8086)}`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  it("writes points that read back by count, overwrites replays, quarantines a type conflict", async () => {
    const data = tempDir("sink-");
    const db = openStore(data.path);
    const sink = new InfluxSink({
      config: influxSinkSchema.parse({
        url,
        org: "noc",
        bucket: "emcomm",
        token: TOKEN,
        flushInterval: "50ms",
      }),
      db,
      clock: systemClock,
      log: pino({ level: "silent" }),
      devices: new Map([["ups-1", { site: "vehicle", kind: "ups" }]]),
    });
    sink.start();
    try {
      const t0 = Date.now() - 60_000;
      const write = () => {
        for (let i = 0; i < 100; i++)
          sink.record({
            deviceId: "ups-1",
            trigger: "schedule",
            startedAt: t0 + i * 100,
            finishedAt: t0 + i * 100 + 5,
            samples: [{ metric: "ups_battery_charge_percent", value: i }],
          });
      };
      write();
      write(); // a replay overwrites itself
      sink.write("ups-1", [
        {
          measurement: "ups",
          tags: { device: "ups-1" },
          fields: { ups_battery_charge_percent: "full" },
          time: t0 + 7,
        },
      ]);
      for (let i = 100; i < 110; i++)
        sink.record({
          deviceId: "ups-1",
          trigger: "schedule",
          startedAt: t0 + i * 100,
          finishedAt: t0 + i * 100,
          samples: [{ metric: "ups_battery_charge_percent", value: i }],
        });
      await Promise.race([
        sink.forwarder.idle(),
        new Promise((_, j) => setTimeout(() => j(new Error("not drained")), 20_000)),
      ]);

      const rows = await new InfluxDB({ url, token: TOKEN })
        .getQueryApi("noc")
        .collectRows<{ _value: number }>(
          `from(bucket: "emcomm") |> range(start: 0) |> filter(fn: (r) => r._measurement == "ups" and r._field == "ups_battery_charge_percent") |> count()`,
        );
      expect(rows.reduce((n, r) => n + r._value, 0)).toBe(110);
      const q = listQuarantine(db, "influx");
      expect(q).toHaveLength(1);
      expect(q[0]!.body).toContain('"full"');
      expect(q[0]!.status === 400 || q[0]!.status === 422).toBe(true);
    } finally {
      await sink.stop(1000);
      db.close();
      data.remove();
    }
  }, 60_000);
});
