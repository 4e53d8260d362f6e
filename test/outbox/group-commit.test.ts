import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import type { BatchTransport } from "../../src/outbox/forwarder.ts";
import { Outbox, ROW_MAX_POINTS, tuneForOutbox } from "../../src/outbox/outbox.ts";
import { type Db, openStore } from "../../src/store/db.ts";
import { quietLog } from "../support/log.ts";
import { tempStores } from "../support/temp-store.ts";
import { deliveringTransport, line, testForwarder } from "./support.ts";

const log = quietLog;
const store = tempStores("outbox-group-");

const rows = (db: Db) => (db.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;

/** Fills an outbox with `n` entries over 4 keys, committing every `perCommit` entries. */
function fill(outbox: Outbox, n: number, perCommit: number): void {
  for (let i = 0; i < n; i++) {
    outbox.enqueue(`k${i % 4}`, line(`k${i % 4}`, i), 1);
    if ((i + 1) % perCommit === 0) outbox.flush();
  }
  outbox.flush();
}

describe("group commits", () => {
  it("one row per commit; durable() resolves once committed; peek gives the entries back in order", async () => {
    const clock = new FakeClock();
    const { db } = store();
    const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e6, commitWindow: 50, clock, log });
    let acknowledged: boolean | undefined;
    for (let i = 0; i < 10; i++) outbox.enqueue(`k${i % 3}`, line(`k${i % 3}`, i), 1);
    void outbox.durable().then((ok) => {
      acknowledged = ok;
    });
    await Promise.resolve();
    expect(acknowledged).toBeUndefined();
    expect(rows(db)).toBe(0);
    await clock.advance(50);
    expect(acknowledged).toBe(true);
    expect(rows(db)).toBe(1);
    const entries = outbox.peek(100);
    expect(entries.map((e) => e.body)).toEqual(Array.from({ length: 10 }, (_, i) => line(`k${i % 3}`, i)));
    expect(entries.map((e) => e.key)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i % 3}`));
    expect(await outbox.durable()).toBe(true); // nothing open: at once
  });

  it("synchronous=full: group commits are acknowledged once an fsynced commit covers them (at most one per syncInterval)", async () => {
    const clock = new FakeClock();
    const { db } = store();
    tuneForOutbox(db, "full");
    const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e6, commitWindow: 50, clock, log });
    const acks: (boolean | undefined)[] = [undefined, undefined, undefined];
    for (let i = 0; i < 3; i++) {
      outbox.enqueue("a", line("a", i), 1);
      void outbox.durable().then((ok) => {
        acks[i] = ok;
      });
      await clock.advance(60); // the group commit of this outcome
    }
    // The first commit was fsynced (none before it); the next two are committed, not yet synced.
    expect(acks).toEqual([true, undefined, undefined]);
    expect(rows(db)).toBe(3);
    expect(db.pragma("synchronous", { simple: true })).toBe(2); // bookkeeping restored FULL
    await clock.advance(1000);
    expect(acks).toEqual([true, true, true]);
    // An event (flush(true)) is fsynced at once.
    outbox.enqueue("a", line("a", 9), 1);
    let event: boolean | undefined;
    void outbox.durable().then((ok) => {
      event = ok;
    });
    outbox.flush(true);
    await Promise.resolve();
    expect(event).toBe(true);
  });

  it("an open batch that reaches the row size is committed at once, without waiting for the window", () => {
    const clock = new FakeClock();
    const { db } = store();
    const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e9, commitWindow: 60_000, clock, log });
    for (let i = 0; i < ROW_MAX_POINTS; i++) outbox.enqueue("a", line("a", i), 1);
    expect(rows(db)).toBe(1);
    expect(outbox.committed().points).toBe(ROW_MAX_POINTS);
  });

  it("taking delivered entries out of a row keeps the rest, across a restart", () => {
    const clock = new FakeClock();
    const { db, dir } = store();
    const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e6, commitWindow: 50, clock, log });
    fill(outbox, 8, 8);
    const entries = outbox.peek(100);
    outbox.ack([entries[1]!, entries[6]!], false);
    expect(outbox.backlog().points).toBe(6);
    db.close();
    const again = new Outbox(openStore(dir), { sink: "g", maxBacklogBytes: 1e6, clock, log });
    expect(again.backlog().points).toBe(6);
    expect(again.peek(100).map((e) => e.body)).toEqual([0, 2, 3, 4, 5, 7].map((i) => line(`k${i % 4}`, i)));
    again.ack(again.peek(100), false);
    expect(again.backlog().points).toBe(0);
  });

  it("a lane drain over group rows with a failure in the middle loses nothing and keeps each key in order", async () => {
    const clock = new FakeClock();
    const { db } = store();
    const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e6, commitWindow: 50, clock, log });
    fill(outbox, 203, 7);
    const { transport, delivered } = deliveringTransport((call) =>
      call >= 5 && call <= 7
        ? { ok: false, retryable: true, kind: "server", message: "503", bytes: 1 }
        : undefined,
    );
    const f = testForwarder({
      outbox,
      transport,
      clock,
      lanes: 3,
      initialBackoff: 100,
      random: () => 1,
    });
    f.start();
    for (let i = 0; i < 50 && outbox.backlog().points > 0; i++) await clock.advance(200);
    await f.stop();
    expect(outbox.backlog().points).toBe(0);
    expect(rows(db)).toBe(0);
    expect(new Set(delivered).size).toBe(203);
    expect(delivered.length).toBe(203); // what was delivered before the failure was taken out
    for (let k = 0; k < 4; k++) {
      const ts = delivered.filter((l) => l.includes(`s=k${k} `)).map((l) => Number(l.split(" ").at(-1)));
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
  });

  it("lane batches are filled across chunk seams (no small requests in the middle of a drain)", async () => {
    const clock = new FakeClock();
    const { db } = store();
    const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e6, commitWindow: 50, clock, log });
    for (let i = 0; i < 400; i++) outbox.enqueue("one", line("one", i), 1);
    outbox.flush();
    const sizes: number[] = [];
    const transport: BatchTransport = {
      async send(items) {
        sizes.push(items.length);
        return { ok: true, bytes: 1 };
      },
    };
    const f = testForwarder({
      outbox,
      transport,
      clock,
      batchSize: 30,
      lanes: 4,
    });
    f.start();
    await clock.advance(100);
    await f.stop();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(400);
    // One key, one lane: every batch full but the last.
    expect(sizes.slice(0, -1).every((n) => n === 30)).toBe(true);
  });

  it("newest state first over group rows, then the history in order", async () => {
    const clock = new FakeClock();
    const { db } = store();
    const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e6, commitWindow: 50, clock, log });
    let up = false;
    const { transport, delivered } = deliveringTransport(() =>
      up ? undefined : { ok: false, retryable: true, kind: "unreachable", message: "down", bytes: 0 },
    );
    const f = testForwarder({
      outbox,
      transport,
      clock,
      batchSize: 2,
      flushInterval: 1000,
      newestFirst: true,
      initialBackoff: 1000,
      maxBackoff: 8000,
      random: () => 1,
    });
    f.start();
    for (let i = 0; i < 6; i++) {
      outbox.enqueue("a", line("a", i), 1);
      outbox.enqueue("b", line("b", i), 1);
      await clock.advance(5000);
    }
    up = true;
    await clock.advance(70_000);
    expect(delivered.slice(0, 2)).toEqual([line("a", 5), line("b", 5)]);
    expect(delivered.slice(2)).toEqual([0, 1, 2, 3, 4].flatMap((i) => [line("a", i), line("b", i)]));
    expect(rows(db)).toBe(0);
    await f.stop();
  });
});
