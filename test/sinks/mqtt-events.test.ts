/**
 * The MQTT event publisher through a real mosquitto (Debian package) on a loopback high port,
 * with persistence in a temp dir, including a broker restart while events keep coming.
 */
import mqtt, { type MqttClient } from "mqtt";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { mosquittoMissing, startMosquitto, tempDir } from "../../peers/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { tuneForOutbox } from "../../src/outbox/outbox.ts";
import { mqttSinkSchema } from "../../src/sinks/config.ts";
import type { StateChangeEvent } from "../../src/sinks/line-protocol.ts";
import { MqttEventSink, stateTopic } from "../../src/sinks/mqtt-events.ts";
import { openStore } from "../../src/store/db.ts";

const log = pino({ level: "silent" });
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function until(what: string, ms: number, ok: () => boolean, detail?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms${detail ? `: ${detail()}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function subscriber(url: string, clientId: string, clean: boolean) {
  const received: { topic: string; payload: string; retain: boolean }[] = [];
  const client: MqttClient = mqtt.connect(url, { clientId, clean, reconnectPeriod: 200 });
  client.on("message", (topic, payload, packet) =>
    received.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  const ready = new Promise<void>((resolve) =>
    client.once("connect", () => client.subscribe("emcomm/#", { qos: 1 }, () => resolve())),
  );
  cleanup.push(() => client.endAsync(true).then(() => {}));
  return { received, ready, client };
}

function state(i: number, deviceId: string): StateChangeEvent {
  return {
    deviceId,
    site: "vehicle",
    kind: "satellite-modem",
    state: i % 2 ? "down" : "up",
    previous: i % 2 ? "up" : "down",
    cause: `step ${i}`,
    at: 1_764_547_200_000 + i * 1000,
  };
}

describe.skipIf(mosquittoMissing)("MQTT events → mosquitto", () => {
  it("publishes state (retained), ticket and SLA events with QoS 1, across a broker restart", async () => {
    const dir = tempDir("mosq-");
    const broker = await startMosquitto(dir.path);
    cleanup.push(async () => {
      await broker.stop();
      dir.remove();
    });
    const data = tempDir("sink-");
    const db = openStore(data.path);
    tuneForOutbox(db);
    const sink = new MqttEventSink({
      config: mqttSinkSchema.parse({
        url: broker.url,
        flushInterval: "20ms",
        initialBackoff: "100ms",
        maxBackoff: "500ms",
        timeout: "1s",
      }),
      db,
      clock: systemClock,
      log,
    });
    sink.start();
    cleanup.push(async () => {
      await sink.stop(500);
      db.close();
      data.remove();
    });

    // A persistent session: QoS 1 messages published while it is away are kept for it.
    const sub = subscriber(broker.url, "test-dispatch", false);
    await sub.ready;

    for (let i = 0; i < 10; i++) sink.stateChanged(state(i, `modem-${i % 3}`));
    sink.ticketEvent({
      ticketId: "T-1",
      deviceId: "modem-0",
      site: "vehicle",
      level: "major",
      event: "opened",
      state: "open",
      actor: "monitor",
      at: 1_764_547_200_000,
    });
    sink.slaWarning({
      ticketId: "T-1",
      deviceId: "modem-0",
      site: "vehicle",
      level: "major",
      clock: "respond",
      remainingSeconds: 120,
      dueAt: 1_764_547_800_000,
      at: 1_764_547_680_000,
    });
    await until("12 messages", 5000, () => sub.received.length >= 12);
    expect(sub.received.filter((m) => m.topic === "emcomm/tickets/T-1/events")).toHaveLength(1);
    const sla = sub.received.find((m) => m.topic === "emcomm/sla/T-1/warnings")!;
    expect(JSON.parse(sla.payload)).toMatchObject({ clock: "respond", remainingSeconds: 120 });

    // The broker goes away; events keep coming and wait in the outbox.
    await broker.stop();
    for (let i = 10; i < 30; i++) sink.stateChanged(state(i, `modem-${i % 3}`));
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.outbox.backlog().points).toBe(20);
    await broker.restart();
    await until("backlog drained", 10_000, () => sink.outbox.backlog().points === 0);
    await until(
      "30 state messages",
      10_000,
      () => sub.received.filter((m) => m.topic.endsWith("/state")).length >= 30,
      () => `got ${sub.received.map((m) => JSON.parse(m.payload).cause ?? m.topic).join(", ")}`,
    );

    // Every state change arrived, in order per device.
    const states = sub.received.filter((m) => m.topic.endsWith("/state")).map((m) => JSON.parse(m.payload));
    const causes = new Set(states.map((s) => s.cause));
    for (let i = 0; i < 30; i++) expect(causes.has(`step ${i}`)).toBe(true);
    for (let d = 0; d < 3; d++) {
      const steps = states.filter((s) => s.device === `modem-${d}`).map((s) => Number(s.cause.slice(5)));
      const firsts = steps.filter((x, i) => steps.indexOf(x) === i);
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    }

    // A newcomer gets the retained current state of every device: the last change.
    const late = subscriber(broker.url, "test-late", true);
    await late.ready;
    await until("3 retained states", 5000, () => late.received.filter((m) => m.retain).length >= 3);
    for (let d = 0; d < 3; d++) {
      const retained = late.received.find((m) => m.topic === stateTopic("emcomm", `modem-${d}`))!;
      const last = [...Array(30).keys()].filter((i) => i % 3 === d).at(-1)!;
      expect(JSON.parse(retained.payload).cause).toBe(`step ${last}`);
    }
  }, 40_000);
});
