import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { Outbox } from "../../src/outbox/outbox.ts";
import { quietLog as log } from "../support/log.ts";
import { smallDiskRefused, storesOnSmallDisks } from "../support/small-disk.ts";
import { tempStores } from "../support/temp-store.ts";
import { meteredOutbox } from "./support.ts";

const store = tempStores("outbox-fail-");
const stored = (outbox: Outbox) => outbox.peek(1e6);

describe("a failed outbox commit", () => {
  it("keeps its entries in order, retries with backoff, and stores them once the store writes again", async () => {
    const { db } = store();
    const { clock, outbox, metric } = meteredOutbox(db, { commitWindow: 50 });
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    const acks: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      outbox.enqueue(`k${i % 3}`, `m v=${i} ${i}`, 1);
      void outbox.durable().then((ok) => acks.push(ok));
      await clock.advance(60);
    }
    // An event commits at once; it waits behind the others, in order.
    outbox.enqueue("event", "e v=1 99", 1);
    outbox.flush(true);
    await clock.advance(1000);
    expect(acks).toEqual([]);
    expect(outbox.uncommitted().points).toBe(11);
    expect(await metric("emcomm_outbox_uncommitted_points")).toBe(11);
    const failures = await metric("emcomm_outbox_commit_failures_total");
    // Backoff: 100, 200, 400 ms... within 1.6 s, a handful of attempts, not one per enqueue.
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(failures).toBeLessThanOrEqual(6);
    db.exec("DROP TRIGGER refuse");
    await clock.advance(10_000);
    expect(acks).toEqual(Array(10).fill(true));
    expect(outbox.uncommitted().points).toBe(0);
    expect(stored(outbox).map((e) => e.body)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `m v=${i} ${i}`),
      "e v=1 99",
    ]);
    expect(await metric("emcomm_outbox_dropped_points_total")).toBe(0);
  });

  it("holds at most maxHeldBytes in memory: the oldest go first, counted as budget drops", async () => {
    const { db } = store();
    const { clock, outbox, metric } = meteredOutbox(db, { maxHeldBytes: 100, commitWindow: 50 });
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'busy'); END");
    const body = (i: number) => `m v=${i} ${String(i).padStart(10, "0")}`; // 20 bytes
    for (let i = 0; i < 20; i++) {
      outbox.enqueue("k", body(i), 1);
      await clock.advance(60);
    }
    expect(outbox.uncommitted().bytes).toBeLessThanOrEqual(100);
    db.exec("DROP TRIGGER refuse");
    await clock.advance(20_000);
    const kept = stored(outbox).map((e) => e.body);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: 20 }, (_, i) => body(i)).slice(20 - kept.length));
    expect(await metric("emcomm_outbox_dropped_points_total")).toBe(20 - kept.length);
  });
});

describe.skipIf(smallDiskRefused !== undefined)(
  `the outbox on a full disk${smallDiskRefused ? ` (skipped: ${smallDiskRefused})` : ""}`,
  () => {
    const fullStore = storesOnSmallDisks();

    it("keeps every entry while the disk is full and stores them all, in order, when space returns", async () => {
      const { db, disk } = fullStore(1024);
      const clock = new FakeClock();
      const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e9, commitWindow: 50, clock, log });
      const pad = "x".repeat(4000);
      let i = 0;
      while (outbox.uncommitted().points === 0 && i < 2000) {
        outbox.enqueue(`k${i % 5}`, `m,p=${pad} v=${i} ${i}`, 1);
        await clock.advance(60);
        i++;
      }
      expect(outbox.uncommitted().points).toBeGreaterThan(0); // the disk is full
      const total = i + 50;
      for (; i < total; i++) {
        outbox.enqueue(`k${i % 5}`, `m,p=${pad} v=${i} ${i}`, 1);
        await clock.advance(60);
      }
      disk.grow(16 * 1024);
      await clock.advance(20_000);
      expect(outbox.uncommitted().points).toBe(0);
      const bodies = stored(outbox).map((e) => e.body);
      expect(bodies).toEqual(Array.from({ length: total }, (_, n) => `m,p=${pad} v=${n} ${n}`));
    });
  },
);
