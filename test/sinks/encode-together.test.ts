/**
 * The InfluxDB sink encodes the outcomes of a while together (InfluxSink.record): while it writes
 * behind, those of one flushInterval, handed to the outbox with the times they were recorded, so
 * the batch leaves when it would have left anyway; with a commit window, those of one window; with
 * no window, each at once. Real outbox (SQLite), fake clock, a transport that answers at once.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";
import type { BatchTransport, SendResult } from "../../src/outbox/forwarder.ts";
import { bodyText } from "../../src/outbox/rows.ts";
import { influxSinkSchema } from "../../src/sinks/config.ts";
import { InfluxSink } from "../../src/sinks/influx.ts";
import { encodeOutcomeBody } from "../../src/sinks/line-protocol.ts";
import { quietLog } from "../support/log.ts";
import { tempStores } from "../support/temp-store.ts";

const store = tempStores("encode-together-");
const devices = new Map([
  ["a", { site: "hq", kind: "switch" }],
  ["b", { site: "hq", kind: "ups" }],
]);

/** A server that takes every batch at once and keeps its lines. */
class Server implements BatchTransport {
  batches: string[][] = [];
  async send(items: readonly (string | Uint8Array)[]): Promise<SendResult> {
    this.batches.push(items.flatMap((i) => bodyText(i).split("\n")));
    return { ok: true, bytes: 1 };
  }
}

const outcome = (deviceId: string, at: number, value: number): PollOutcome => ({
  deviceId,
  trigger: "schedule",
  startedAt: at,
  finishedAt: at + 20,
  samples: [
    { metric: "if_in_octets", value, labels: { ifName: "eth0" } },
    { metric: "ups_battery_charge", value: value / 2 },
  ],
});

function setup(o: { commitWindow: number; writeBehind: number; batchSize?: number }) {
  const clock = new FakeClock(Date.parse("2026-03-01T00:00:00Z"));
  const { db } = store();
  const server = new Server();
  const config = influxSinkSchema.parse({
    url: "http://127.0.0.1:1",
    flushInterval: "1s",
    ...(o.batchSize ? { batchSize: o.batchSize } : {}),
  });
  const sink = new InfluxSink({
    config,
    db,
    clock,
    log: quietLog,
    devices,
    commitWindow: o.commitWindow,
    writeBehind: o.writeBehind,
    transport: server,
  });
  sink.start();
  const rows = () => (db.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  const linesOf = (x: PollOutcome) => encodeOutcomeBody(x, devices.get(x.deviceId)!).body.split("\n");
  return { clock, sink, server, rows, linesOf };
}

describe("the InfluxDB sink encodes outcomes together", () => {
  it("writing behind: one flushInterval's outcomes leave in one batch, when the first is a flushInterval old", async () => {
    const { clock, sink, server, rows, linesOf } = setup({ commitWindow: 50, writeBehind: 3000 });
    const recorded: PollOutcome[] = [];
    const acks: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const x = outcome(i % 2 ? "b" : "a", clock.now(), 100 + i);
      recorded.push(x);
      void sink.record(x).then((ok) => acks.push(ok));
      // Not encoded yet: nothing in the outbox, nothing sent.
      expect(sink.outbox.backlog().points).toBe(0);
      await clock.advance(150);
    }
    expect(server.batches).toHaveLength(0);
    await clock.advance(1000 - 5 * 150 - 1);
    expect(server.batches).toHaveLength(0);
    await clock.advance(1);
    expect(server.batches).toEqual([recorded.flatMap(linesOf)]);
    expect(acks).toEqual([true, true, true, true, true]);
    // Acknowledged from memory: never written to the store.
    expect(rows()).toBe(0);
    expect(sink.outbox.backlog().points).toBe(0);
    await sink.stop();
  });

  it("an event goes after the outcomes recorded before it, and stop() sends what waits", async () => {
    const { clock, sink, server, linesOf } = setup({ commitWindow: 50, writeBehind: 3000 });
    const first = outcome("a", clock.now(), 1);
    void sink.record(first);
    await clock.advance(100);
    sink.stateChanged({
      deviceId: "a",
      site: "hq",
      kind: "switch",
      state: "down",
      previous: "up",
      cause: "poll timeout",
      at: clock.now(),
    });
    const last = outcome("b", clock.now(), 2);
    void sink.record(last);
    await clock.advance(1000);
    const sent = server.batches.flat();
    expect(sent.slice(0, linesOf(first).length)).toEqual(linesOf(first));
    expect(sent[linesOf(first).length]).toMatch(/^device_state,/);
    expect(sent.slice(linesOf(first).length + 1)).toEqual(linesOf(last));
    const later = outcome("a", clock.now(), 3);
    void sink.record(later);
    await sink.stop();
    // Committed at stop; the forwarder has stopped, so it waits in the store for the next start.
    expect(sink.outbox.backlog().points).toBe(linesOf(later).length);
  });

  it("with a commit window and no write-behind, the outcomes of one window are committed together", async () => {
    const { clock, sink, rows } = setup({ commitWindow: 50, writeBehind: 0 });
    const acks: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      void sink.record(outcome("a", clock.now(), i)).then((ok) => acks.push(ok));
      await clock.advance(10);
    }
    expect(rows()).toBe(0);
    await clock.advance(20);
    expect(rows()).toBe(1);
    expect(acks).toEqual([true, true, true]);
    await sink.stop();
  });

  it("without a commit window each outcome is committed before record() returns", async () => {
    const { clock, sink, rows } = setup({ commitWindow: 0, writeBehind: 0 });
    void sink.record(outcome("a", clock.now(), 1));
    expect(rows()).toBe(1);
    await sink.stop();
  });

  it("batchSize outcomes are encoded and sent at once, without waiting for flushInterval", async () => {
    const { clock, sink, server, linesOf } = setup({ commitWindow: 50, writeBehind: 3000, batchSize: 3 });
    const recorded = [outcome("a", clock.now(), 1), outcome("b", clock.now(), 2)];
    for (const x of recorded) void sink.record(x);
    expect(sink.outbox.backlog().points).toBe(0);
    recorded.push(outcome("a", clock.now(), 3));
    void sink.record(recorded[2]!);
    await clock.advance(0);
    expect(server.batches.flat()).toEqual(recorded.flatMap(linesOf));
    await sink.stop();
  });

  it("outcomes of one device whose samples change shape within a pass are each encoded with their own", async () => {
    const { clock, sink, server, linesOf } = setup({ commitWindow: 50, writeBehind: 3000 });
    const before = outcome("a", clock.now(), 1);
    const reshaped: PollOutcome = {
      ...outcome("a", clock.now() + 1, 2),
      samples: [{ metric: "if_out_octets", value: 5, labels: { ifName: "eth1" } }],
    };
    const after = outcome("a", clock.now() + 2, 3);
    const failed: PollOutcome = {
      deviceId: "a",
      trigger: "schedule",
      startedAt: clock.now() + 3,
      finishedAt: clock.now() + 3,
      samples: [],
      error: new PollError("timeout", "no answer"),
    };
    const expected = [before, reshaped, after, failed].flatMap(linesOf);
    for (const x of [before, reshaped, after, failed]) void sink.record(x);
    await clock.advance(1000);
    expect(server.batches.flat()).toEqual(expected);
    expect(server.batches.flat().filter((l) => l.startsWith("poll,"))).toHaveLength(4);
    await sink.stop();
  });

  it("an outcome that cannot be encoded is logged and dropped; the others of its pass go on", async () => {
    const { clock, sink, server, linesOf } = setup({ commitWindow: 50, writeBehind: 3000 });
    const good = outcome("a", clock.now(), 1);
    const broken = { ...outcome("b", clock.now(), 2), samples: [undefined] } as unknown as PollOutcome;
    const after = outcome("a", clock.now() + 1, 3);
    void sink.record(good);
    void sink.record(broken);
    void sink.record(after);
    await clock.advance(1000);
    expect(server.batches.flat()).toEqual([...linesOf(good), ...linesOf(after)]);
    await sink.stop();
  });
});
