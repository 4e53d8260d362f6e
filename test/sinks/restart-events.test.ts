/**
 * Every state change and every ticket event reaches the sinks' outboxes, including what a restart
 * writes (the `unmonitored` gap and the return to the previous state) and the ticket events that
 * are not flow steps (restored, recurred...). The sinks point at a port that hangs up, so what
 * reached them stays in their outboxes, where the test reads it.
 */
import { type AddressInfo, createServer } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../peers/index.ts";
import { validateConfig } from "../../src/config/load.ts";
import { FakeClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import { type Daemon, startDaemon } from "../../src/daemon.ts";
import { tcpDevice } from "../support/harness.ts";

const log = pino({ level: "silent" });
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function lines(daemon: Daemon, sink: "influx" | "mqtt"): string[] {
  return (daemon.sinks[sink]!.outbox.peek(1e6) ?? []).flatMap((e) => e.body.split("\n"));
}

describe("events reach the sinks", () => {
  it("state changes of a restart and every ticket event go to InfluxDB and MQTT", async () => {
    const data = tempDir("restart-events-");
    cleanup.push(() => data.remove());
    // A port held by a listener that hangs up at once: no other test can take it, nothing is delivered.
    const refuser = createServer((sock) => sock.destroy());
    await new Promise<void>((r) => refuser.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => refuser.close(() => r())));
    const closed = (refuser.address() as AddressInfo).port;
    const config = validateConfig({
      daemon: { dataDir: data.path, log: { level: "silent" } },
      sites: [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }],
      devices: [tcpDevice("console", "fixed")],
      sla: { health: { downAfterPolls: 1, upAfterPolls: 1 } },
      sinks: {
        influx: { url: `http://127.0.0.1:${closed}`, initialBackoff: "60s" },
        mqtt: { url: `mqtt://127.0.0.1:${closed}` },
      },
    });
    const clock = new FakeClock(Date.now() - 3_600_000);
    const poll = (d: Daemon, ok: boolean) =>
      d.pipeline.publish({
        deviceId: "console",
        trigger: "schedule",
        startedAt: clock.now(),
        finishedAt: clock.now() + 5,
        samples: [],
        ...(ok ? {} : { error: new PollError("unreachable", "console: ECONNREFUSED") }),
      });

    // The test publishes every outcome itself: the daemons' own polls (of a closed port, at a random
    // time in their first 10 s) would add a failure whenever one lands between two of them.
    const first = await startDaemon({ config, log, clock, http: false });
    await first.scheduler.stop(0);
    poll(first, false); // down: a ticket opens
    await clock.advance(1000);
    await first.stop();

    await clock.advance(60_000); // not watched for a minute
    const second = await startDaemon({ config, log, clock, http: false });
    await second.scheduler.stop(0);
    cleanup.push(() => second.stop());
    await clock.advance(1000);
    poll(second, true); // back: clearance proposed ("restored")
    await clock.advance(1000);

    const influx = lines(second, "influx");
    const states = influx
      .filter((l) => l.startsWith("device_state,"))
      .map((l) => /state="([^"]+)"/.exec(l)?.[1]);
    expect(states).toEqual(["down", "unmonitored", "down", "up"]);
    const events = influx.filter((l) => l.startsWith("ticket_event,")).map((l) => /event=(\w+)/.exec(l)?.[1]);
    expect(events).toEqual(["opened", "restored"]);
    const mqtt = lines(second, "mqtt").map((l) => {
      const m = JSON.parse(l) as { t: string; p: string };
      return { topic: m.t, payload: JSON.parse(m.p) as { state: string; event?: string } };
    });
    const mqttStates = mqtt.filter((m) => m.topic.endsWith("/state")).map((m) => m.payload.state);
    expect(mqttStates).toEqual(["down", "unmonitored", "down", "up"]);
    expect(mqtt.filter((m) => m.topic.endsWith("/events")).map((m) => m.payload.event)).toEqual([
      "opened",
      "restored",
    ]);
  }, 60_000);
});
