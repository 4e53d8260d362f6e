import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import type { BatchTransport, SendResult } from "../../src/outbox/forwarder.ts";
import { listQuarantine, Outbox, type OutboxOptions } from "../../src/outbox/outbox.ts";
import { bodyText } from "../../src/outbox/rows.ts";
import { migrate, openStore } from "../../src/store/db.ts";
import { migrations } from "../../src/store/migrations.ts";
import { quietLog } from "../support/log.ts";
import { tempStores } from "../support/temp-store.ts";
import { line, meteredOutbox, testForwarder } from "./support.ts";

const log = quietLog;
const store = tempStores("outbox-");

type Responder = (items: readonly string[], call: number) => SendResult;

class FakeTransport implements BatchTransport {
  calls: { at: number; items: string[] }[] = [];
  constructor(
    private readonly clock: FakeClock,
    public respond: Responder = (items) => ({ ok: true, bytes: items.join("\n").length }),
  ) {}
  async send(items: readonly string[]): Promise<SendResult> {
    this.calls.push({ at: this.clock.now(), items: [...items] });
    return this.respond(items, this.calls.length);
  }
  get delivered(): string[] {
    return this.calls.flatMap((c) => c.items);
  }
}

function setup(
  opts: Partial<OutboxOptions> & {
    respond?: Responder;
    batchSize?: number;
    flushInterval?: number;
    bandwidth?: number;
    newestFirst?: boolean;
    lanes?: number;
    /** Both the first and the longest retry delay (default 1 s, growing to 8 s). */
    backoff?: number;
  } = {},
) {
  const { db } = store();
  const { clock, outbox, metrics, metric } = meteredOutbox(db, {
    sink: "test",
    maxBacklogBytes: opts.maxBacklogBytes ?? 1_000_000,
    onFull: opts.onFull,
  });
  const transport = new FakeTransport(clock, opts.respond);
  const forwarder = testForwarder({
    outbox,
    transport,
    split: (b) => b.split("\n"),
    clock,
    metrics,
    batchSize: opts.batchSize ?? 4,
    flushInterval: opts.flushInterval ?? 1000,
    bandwidth: opts.bandwidth,
    newestFirst: opts.newestFirst,
    lanes: opts.lanes,
    initialBackoff: opts.backoff ?? 1000,
    maxBackoff: opts.backoff ?? 8000,
    random: () => 1,
  });
  return { clock, db, outbox, transport, forwarder, metrics: metric };
}

describe("Outbox + Forwarder", () => {
  it("commits before sending and deletes only what the server acknowledged", async () => {
    let up = false;
    const t = setup({
      respond: () =>
        up
          ? { ok: true, bytes: 10 }
          : { ok: false, retryable: true, kind: "unreachable", message: "refused", bytes: 0 },
    });
    t.outbox.enqueue("a", [line("a", 1), line("a", 2)].join("\n"), 2);
    expect(t.db.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 1 });
    t.forwarder.start();
    await t.clock.advance(1000);
    expect(t.transport.calls).toHaveLength(1);
    expect(t.outbox.backlog().points).toBe(2);
    await t.clock.advance(5000);
    expect(t.outbox.backlog().points).toBe(2);
    up = true;
    await t.clock.advance(10_000);
    expect(t.outbox.backlog().points).toBe(0);
    expect(t.db.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 0 });
    expect(await t.metrics("emcomm_sink_write_errors_total", { kind: "unreachable" })).toBeGreaterThanOrEqual(
      2,
    );
    expect(await t.metrics("emcomm_sink_points_written_total", { sink: "test" })).toBe(2);
    await t.forwarder.stop();
  });

  it("backs off exponentially and respects Retry-After", async () => {
    const t = setup({
      respond: (_items, call) => {
        if (call <= 3)
          return { ok: false, retryable: true, kind: "server", status: 503, message: "503", bytes: 0 };
        if (call === 4)
          return {
            ok: false,
            retryable: true,
            kind: "throttled",
            status: 429,
            message: "429",
            retryAfterMs: 30_000,
            bytes: 0,
          };
        return { ok: true, bytes: 1 };
      },
    });
    t.outbox.enqueue("a", line("a", 1), 1);
    t.forwarder.start();
    await t.clock.advance(120_000);
    const at = t.transport.calls.map((c) => c.at - t.transport.calls[0]!.at);
    // random() = 1: delays are the full ceiling 1 s, 2 s, 4 s, then Retry-After 30 s.
    expect(at).toEqual([0, 1000, 3000, 7000, 37_000]);
    await t.forwarder.stop();
  });

  it("batches by size, and by time when the batch stays small", async () => {
    const t = setup({ batchSize: 4, flushInterval: 1000 });
    t.forwarder.start();
    for (let i = 0; i < 8; i++) t.outbox.enqueue("a", line("a", i), 1);
    await t.clock.advance(1);
    expect(t.transport.calls.map((c) => c.items.length)).toEqual([4, 4]);
    t.outbox.enqueue("a", line("a", 100), 1);
    await t.clock.advance(500);
    expect(t.transport.calls).toHaveLength(2);
    await t.clock.advance(600);
    expect(t.transport.calls).toHaveLength(3);
    await t.forwarder.stop();
  });

  it("delivers in commit order", async () => {
    const t = setup({ batchSize: 3 });
    for (let i = 0; i < 20; i++) t.outbox.enqueue(`d${i % 3}`, line(`d${i % 3}`, i), 1);
    t.forwarder.start();
    await t.clock.advance(5000);
    expect(t.transport.delivered).toEqual(Array.from({ length: 20 }, (_, i) => line(`d${i % 3}`, i)));
    await t.forwarder.stop();
  });

  it("quarantines a malformed line by splitting the batch; the rest flows", async () => {
    const t = setup({
      batchSize: 16,
      respond: (items) =>
        items.some((l) => l.includes("bad"))
          ? {
              ok: false,
              retryable: false,
              kind: "rejected",
              status: 400,
              message: "400 unable to parse 'bad'",
              bytes: 0,
            }
          : { ok: true, bytes: 1 },
    });
    const lines = Array.from({ length: 10 }, (_, i) => (i === 6 ? "bad line" : line("a", i)));
    for (const l of lines) t.outbox.enqueue("a", l, 1);
    t.forwarder.start();
    await t.clock.advance(2000);
    const ok = t.transport.calls
      .filter((c) => !c.items.some((l) => l.includes("bad")))
      .flatMap((c) => c.items);
    expect(new Set(ok)).toEqual(new Set(lines.filter((l) => l !== "bad line")));
    expect(t.outbox.backlog().points).toBe(0);
    const q = listQuarantine(t.db);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({
      sink: "test",
      status: 400,
      body: "bad line",
      reason: "400 unable to parse 'bad'",
    });
    expect(await t.metrics("emcomm_outbox_dropped_points_total", { reason: "quarantined" })).toBe(1);
    expect(await t.metrics("emcomm_sink_write_errors_total", { kind: "rejected" })).toBeGreaterThan(0);
    // Flow continues after the quarantine.
    t.outbox.enqueue("a", line("a", 99), 1);
    await t.clock.advance(2000);
    expect(t.transport.delivered).toContain(line("a", 99));
    await t.forwarder.stop();
  });

  it("drains a backlog over lanes in parallel, each key in order, failed lanes first again", async () => {
    let failK1 = 2;
    const okItems: string[] = [];
    const t = setup({
      batchSize: 4,
      lanes: 3,
      backoff: 100,
      respond: (items) => {
        if (failK1 > 0 && items.some((l) => l.includes("s=k1 "))) {
          failK1--;
          return { ok: false, retryable: true, kind: "server", status: 503, message: "503", bytes: 0 };
        }
        okItems.push(...items);
        return { ok: true, bytes: 1 };
      },
    });
    const lanes = t.forwarder;
    for (let i = 0; i < 40; i++) t.outbox.enqueue(`k${i % 5}`, line(`k${i % 5}`, i), 1);
    lanes.start();
    await t.clock.advance(5000);
    expect(t.outbox.backlog().points).toBe(0);
    expect(okItems).toHaveLength(40);
    for (let k = 0; k < 5; k++) {
      const ts = okItems.filter((l) => l.includes(`s=k${k} `)).map((l) => Number(l.split(" ").at(-1)));
      expect(ts).toEqual(Array.from({ length: 8 }, (_, j) => j * 5 + k));
    }
    // Several requests were in flight in the same instant.
    const starts = t.transport.calls.map((c) => c.at);
    expect(starts.length).toBeGreaterThan(new Set(starts).size);
    await lanes.stop();
  });

  it("a multi-round drain with a failure in the middle loses nothing and keeps each key in order", async () => {
    let calls = 0;
    const okItems: string[] = [];
    const t = setup({
      batchSize: 5,
      lanes: 2,
      backoff: 100,
      respond: (items) => {
        calls++;
        if (calls === 9 || calls === 10)
          return { ok: false, retryable: true, kind: "timeout", message: "t", bytes: 0 };
        okItems.push(...items);
        return { ok: true, bytes: 1 };
      },
    });
    const f = t.forwarder;
    for (let i = 0; i < 300; i++) t.outbox.enqueue(`k${i % 7}`, line(`k${i % 7}`, i), 1);
    f.start();
    await t.clock.advance(10_000);
    expect(t.outbox.backlog().points).toBe(0);
    expect(t.db.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 0 });
    expect(new Set(okItems).size).toBe(300);
    for (let k = 0; k < 7; k++) {
      const ts = okItems.filter((l) => l.includes(`s=k${k} `)).map((l) => Number(l.split(" ").at(-1)));
      const firsts = ts.filter((x, i) => ts.indexOf(x) === i);
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    }
    await f.stop();
  });

  it("stopped in the middle of a lane drain: what was delivered is gone, the rest is sent by the next forwarder", async () => {
    const clock = new FakeClock();
    const { db, dir } = store();
    const outbox = new Outbox(db, { sink: "s", maxBacklogBytes: 1e6, clock, log });
    for (let i = 0; i < 60; i++) outbox.enqueue(`k${i % 4}`, line(`k${i % 4}`, i), 1);
    const delivered: string[] = [];
    let calls = 0;
    const slow: BatchTransport = {
      async send(items) {
        calls++;
        await new Promise((r) => setTimeout(r, calls > 4 ? 50 : 0));
        delivered.push(...items.map(bodyText));
        return { ok: true, bytes: 1 };
      },
    };
    const f = testForwarder({
      outbox,
      transport: slow,
      clock,
      batchSize: 5,
      lanes: 2,
    });
    f.start();
    await clock.advance(20);
    await new Promise((r) => setTimeout(r, 20));
    await f.stop(10_000);
    const first = new Set(delivered);
    expect(first.size).toBeGreaterThan(0);
    expect(first.size).toBeLessThan(60);
    db.close();

    const db2 = openStore(dir);
    const again = new Outbox(db2, { sink: "s", maxBacklogBytes: 1e6, clock, log });
    expect(again.backlog().points).toBe(60 - first.size);
    const rest = new FakeTransport(clock);
    const g = testForwarder({
      outbox: again,
      transport: rest,
      clock,
      batchSize: 5,
      lanes: 2,
    });
    g.start();
    await clock.advance(100);
    expect(rest.delivered.filter((l) => first.has(l))).toEqual([]);
    expect(new Set([...first, ...rest.delivered]).size).toBe(60);
    await g.stop();
  });

  it("disk budget: drop-oldest keeps the newest, counts and logs", async () => {
    const t = setup({ maxBacklogBytes: 100 });
    const body = "x".repeat(30);
    for (let i = 0; i < 10; i++) t.outbox.enqueue("a", `${body}${i}`, 1);
    expect(t.outbox.backlog().bytes).toBeLessThanOrEqual(100);
    const rows = t.db.prepare("SELECT body FROM outbox ORDER BY id").all() as { body: string }[];
    expect(rows.map((r) => r.body.slice(-1))).toEqual(["7", "8", "9"]);
    expect(await t.metrics("emcomm_outbox_dropped_points_total", { reason: "budget" })).toBe(7);
  });

  it("disk budget: drop-newest refuses new entries", async () => {
    const t = setup({ maxBacklogBytes: 100, onFull: "drop-newest" });
    const body = "x".repeat(30);
    const accepted = Array.from({ length: 10 }, (_, i) => t.outbox.enqueue("a", `${body}${i}`, 1));
    expect(accepted.filter(Boolean)).toHaveLength(3);
    const rows = t.db.prepare("SELECT body FROM outbox ORDER BY id").all() as { body: string }[];
    expect(rows.map((r) => r.body.slice(-1))).toEqual(["0", "1", "2"]);
    expect(await t.metrics("emcomm_outbox_dropped_points_total", { reason: "budget" })).toBe(7);
  });

  it("caps drain bandwidth on the bytes the transport put on the wire", async () => {
    const t = setup({ batchSize: 1, bandwidth: 1000, respond: () => ({ ok: true, bytes: 500 }) });
    for (let i = 0; i < 5; i++) t.outbox.enqueue("a", line("a", i), 1);
    t.forwarder.start();
    await t.clock.advance(10_000);
    const at = t.transport.calls.map((c) => c.at - t.transport.calls[0]!.at);
    expect(at).toEqual([0, 500, 1000, 1500, 2000]);
    await t.forwarder.stop();
  });

  it("newest state first after an outage, then history in order", async () => {
    let up = false;
    const t = setup({
      batchSize: 2,
      newestFirst: true,
      respond: () =>
        up
          ? { ok: true, bytes: 1 }
          : { ok: false, retryable: true, kind: "unreachable", message: "down", bytes: 0 },
    });
    t.forwarder.start();
    for (let i = 0; i < 6; i++) {
      t.outbox.enqueue("a", line("a", i), 1);
      t.outbox.enqueue("b", line("b", i), 1);
      await t.clock.advance(5000);
    }
    t.transport.calls = [];
    up = true;
    await t.clock.advance(70_000);
    const d = t.transport.delivered;
    expect(d.slice(0, 2)).toEqual([line("a", 5), line("b", 5)]);
    expect(d.slice(2)).toEqual([0, 1, 2, 3, 4].flatMap((i) => [line("a", i), line("b", i)]));
    await t.forwarder.stop();
  });

  it("commitWindow groups commits; pending entries count in the backlog and are sent once committed", async () => {
    const clock = new FakeClock();
    const { db } = store();
    const outbox = new Outbox(db, { sink: "w", maxBacklogBytes: 1e6, commitWindow: 100, clock, log });
    const transport = new FakeTransport(clock);
    const f = testForwarder({
      outbox,
      transport,
      clock,
      batchSize: 100,
    });
    f.start();
    for (let i = 0; i < 5; i++) outbox.enqueue("a", line("a", i), 1);
    expect(db.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 0 });
    expect(outbox.backlog().points).toBe(5);
    await clock.advance(50);
    expect(transport.calls).toHaveLength(0);
    await clock.advance(100);
    expect(transport.delivered).toEqual([0, 1, 2, 3, 4].map((i) => line("a", i)));
    outbox.enqueue("a", line("a", 9), 1);
    outbox.flush(); // what stop() does
    expect(db.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 1 });
    await f.stop();
  });

  it("two sinks share the table: a range ack deletes only the acknowledging sink's entries", () => {
    const clock = new FakeClock();
    const { db } = store();
    const a = new Outbox(db, { sink: "a", maxBacklogBytes: 1e6, clock, log });
    const b = new Outbox(db, { sink: "b", maxBacklogBytes: 1e6, clock, log });
    for (let i = 0; i < 4; i++) {
      a.enqueue("k", `a${i}`, 1);
      b.enqueue("k", `b${i}`, 1);
    }
    const batch = a.peek(3);
    expect(batch.map((e) => e.body)).toEqual(["a0", "a1", "a2"]);
    a.ack(batch, true);
    expect(a.backlog().points).toBe(1);
    expect(b.backlog().points).toBe(4);
    expect(b.peek(10).map((e) => e.body)).toEqual(["b0", "b1", "b2", "b3"]);
    expect(a.peek(10).map((e) => e.body)).toEqual(["a3"]);
  });

  it("delivered entries are not sent again after a restart, even before they were purged", () => {
    const { db, dir } = store();
    const clock = new FakeClock();
    const first = new Outbox(db, { sink: "c", maxBacklogBytes: 1e6, clock, log });
    for (let i = 0; i < 6; i++) first.enqueue("a", line("a", i), 1);
    first.ack(first.peek(4), true); // delivered in order: the cursor moves, rows stay for now
    expect(db.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 6 });
    expect(first.backlog().points).toBe(2);
    expect(first.peek(10).map((e) => e.body)).toEqual([line("a", 4), line("a", 5)]);
    db.close(); // crash before the purge
    const db2 = openStore(dir);
    const second = new Outbox(db2, { sink: "c", maxBacklogBytes: 1e6, clock, log });
    expect(second.backlog().points).toBe(2);
    expect(second.peek(10).map((e) => e.body)).toEqual([line("a", 4), line("a", 5)]);
    expect(db2.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 2 });
  });

  it("a backlog left in the store is delivered by the next forwarder", async () => {
    const { db, dir } = store();
    const clock = new FakeClock();
    const first = new Outbox(db, { sink: "s", maxBacklogBytes: 1e6, clock, log });
    for (let i = 0; i < 5; i++) first.enqueue("a", line("a", i), 1);
    db.close();
    const db2 = openStore(dir);
    const outbox = new Outbox(db2, { sink: "s", maxBacklogBytes: 1e6, clock, log });
    expect(outbox.backlog().points).toBe(5);
    const transport = new FakeTransport(clock);
    const f = testForwarder({
      outbox,
      transport,
      clock,
    });
    f.start();
    await clock.advance(100);
    expect(transport.delivered).toEqual([0, 1, 2, 3, 4].map((i) => line("a", i)));
    await f.stop();
  });
});

describe("migrate", () => {
  it("applies a migration numbered below ones already applied (reserved ranges)", () => {
    const { db } = store();
    expect(db.pragma("user_version", { simple: true })).toBe(Math.max(...migrations.map((m) => m.version)));
    const patched = [
      ...migrations,
      { version: 5, description: "late", up: "CREATE TABLE late_one (x INTEGER);" },
    ];
    (migrations as unknown as { push(m: unknown): void }).push(patched.at(-1));
    try {
      migrate(db);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'late_one'").get()).toEqual({
        name: "late_one",
      });
      expect(migrate(db)).toBe(Math.max(...migrations.map((m) => m.version)));
    } finally {
      (migrations as unknown as { pop(): void }).pop();
    }
  });
});
