import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { type BatchTransport, Forwarder, type SendResult } from "../../src/outbox/forwarder.ts";
import { Outbox, ROW_MAX_POINTS } from "../../src/outbox/outbox.ts";
import { quietLog } from "../support/log.ts";
import { tempStores } from "../support/temp-store.ts";

const store = tempStores("write-behind-");
const line = (t: number) => `m,s=a v=${t} ${t}`;
const ok = (items: readonly string[]): SendResult => ({ ok: true, bytes: items.join("\n").length });

/** A server whose answers the test gives, one call at a time (a call waits until answered). */
class ScriptedServer implements BatchTransport {
  calls: string[][] = [];
  private answers: ((r: SendResult) => void)[] = [];
  constructor(private readonly auto?: (call: number) => SendResult | undefined) {}
  send(items: readonly string[]): Promise<SendResult> {
    this.calls.push([...items]);
    const now = this.auto?.(this.calls.length);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => this.answers.push(resolve));
  }
  answer(r: SendResult): void {
    this.answers.shift()!(r);
  }
  get received(): string[] {
    return this.calls.flat().flatMap((item) => item.split("\n"));
  }
}

function setup(server: ScriptedServer, maxHeldBytes?: number) {
  const clock = new FakeClock();
  const { db } = store();
  const outbox = new Outbox(db, {
    sink: "wb",
    maxBacklogBytes: 1e6,
    maxHeldBytes,
    commitWindow: 50,
    writeBehind: 3000,
    clock,
    log: quietLog,
  });
  const forwarder = new Forwarder({
    outbox,
    transport: server,
    split: (b) => b.split("\n"),
    joinable: true,
    clock,
    log: quietLog,
    batchSize: 100,
    flushInterval: 1000,
    initialBackoff: 1000,
    maxBackoff: 1000,
    random: () => 1,
  });
  forwarder.start();
  const rows = () => (db.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  return { clock, outbox, forwarder, rows };
}

describe("write-behind", () => {
  it("a held group larger than a row waits in memory and goes in whole batches, never touching the store", async () => {
    const server = new ScriptedServer(() => ({ ok: true, bytes: 1 }));
    const { clock, outbox, forwarder, rows } = setup(server);
    // A large fleet's second, handed over in one pass (as the InfluxDB sink does): more lines than a row holds.
    const n = ROW_MAX_POINTS + 250;
    for (let i = 0; i < n; i++) outbox.enqueue(`d${i % 400}`, line(i), 1, undefined, clock.now() - 1000);
    expect(rows()).toBe(0);
    await clock.advance(0);
    expect(rows()).toBe(0);
    expect(server.calls.map((c) => c.length)).toEqual([
      ...Array(Math.floor(n / 100)).fill(100),
      ...(n % 100 ? [n % 100] : []),
    ]);
    expect(server.received).toEqual(Array.from({ length: n }, (_, i) => line(i)));
    expect(outbox.backlog().points).toBe(0);
    await forwarder.stop();
  });

  it("a held group that reaches the memory bound is committed", async () => {
    const server = new ScriptedServer();
    const { outbox, forwarder, rows } = setup(server, 1000);
    for (let i = 0; i < 10; i++) outbox.enqueue("a", line(i), 1);
    expect(rows()).toBe(0);
    for (let i = 10; i < 200 && rows() === 0; i++) outbox.enqueue("a", line(i), 1);
    expect(rows()).toBe(1);
    expect(outbox.uncommitted().points).toBe(0);
    expect(server.calls).toHaveLength(0);
    await forwarder.stop();
  });

  it("while caught up, entries go to the server from memory and never touch the store", async () => {
    const server = new ScriptedServer(() => ({ ok: true, bytes: 1 }));
    const { clock, outbox, forwarder, rows } = setup(server);
    const acks: boolean[] = [];
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 5; i++) {
        outbox.enqueue("a", line(second * 10 + i), 1);
        void outbox.durable().then((x) => acks.push(x));
        await clock.advance(100);
        expect(rows()).toBe(0);
      }
      await clock.advance(500);
      expect(rows()).toBe(0);
    }
    expect(server.received).toEqual([0, 10, 20].flatMap((s) => [0, 1, 2, 3, 4].map((i) => line(s + i))));
    expect(server.calls).toHaveLength(3);
    expect(acks).toEqual(Array(15).fill(true));
    expect(outbox.backlog().points).toBe(0);
    await forwarder.stop();
  });

  it("entries that arrive while a write is in flight are held for the next one", async () => {
    const server = new ScriptedServer();
    const { clock, outbox, forwarder, rows } = setup(server);
    outbox.enqueue("a", line(0), 1);
    await clock.advance(1000);
    expect(server.calls).toEqual([[line(0)]]);
    outbox.enqueue("a", line(1), 1);
    server.answer(ok(server.calls[0]!));
    await clock.advance(500);
    expect(rows()).toBe(0);
    await clock.advance(500);
    expect(server.calls[1]).toEqual([line(1)]);
    server.answer(ok(server.calls[1]!));
    await clock.advance(3000);
    expect(rows()).toBe(0);
    expect(outbox.backlog().points).toBe(0);
    await forwarder.stop();
  });

  it("a failed write commits the held entries at once; they and what follows go from the store, in order", async () => {
    const server = new ScriptedServer((call) =>
      call === 1
        ? { ok: false, retryable: true, kind: "unreachable", message: "refused", bytes: 0 }
        : undefined,
    );
    const { clock, outbox, forwarder, rows } = setup(server);
    for (let i = 0; i < 3; i++) outbox.enqueue("a", line(i), 1);
    await clock.advance(1000);
    expect(server.calls).toHaveLength(1);
    expect(rows()).toBe(1); // one group commit of the three
    // While that backlog waits, new entries are committed within commitWindow, not held.
    outbox.enqueue("a", line(3), 1);
    outbox.enqueue("a", line(4), 1);
    await clock.advance(60);
    expect(rows()).toBe(2);
    await clock.advance(1000); // the backoff
    expect(server.calls).toHaveLength(2);
    outbox.enqueue("a", line(5), 1); // due for a commit within commitWindow: a backlog waits
    server.answer(ok(server.calls[1]!));
    await clock.advance(10);
    expect(server.received).toEqual([0, 1, 2, 0, 1, 2, 3, 4].map(line));
    // Caught up again: what waits is held for write-behind, not committed.
    await clock.advance(500);
    expect(outbox.committed().points).toBe(0);
    expect(outbox.backlog().points).toBe(1);
    await clock.advance(500);
    expect(server.calls.at(-1)).toEqual([line(5)]);
    server.answer(ok(server.calls.at(-1)!));
    await clock.advance(10);
    expect(outbox.backlog().points).toBe(0);
    await forwarder.stop();
  });

  it("a write still unanswered when the hold ends is committed, and goes again from the store", async () => {
    const server = new ScriptedServer();
    const { clock, outbox, forwarder, rows } = setup(server);
    outbox.enqueue("a", line(0), 1);
    outbox.enqueue("a", line(1), 1);
    await clock.advance(1000);
    expect(server.calls).toHaveLength(1); // in flight
    await clock.advance(1900);
    expect(rows()).toBe(0);
    await clock.advance(200); // 3 s after the first entry: committed though in flight
    expect(rows()).toBe(1);
    server.answer(ok(server.calls[0]!));
    await clock.advance(1000);
    expect(server.calls).toHaveLength(2);
    server.answer(ok(server.calls[1]!));
    await clock.advance(10);
    // At least once: the late acknowledgement did not let go of the committed copy.
    expect(server.received).toEqual([0, 1, 0, 1].map(line));
    expect(outbox.backlog().points).toBe(0);
    await forwarder.stop();
  });

  it("an event commits what is held with it at once", async () => {
    const server = new ScriptedServer(() => ({ ok: true, bytes: 1 }));
    const { clock, outbox, forwarder, rows } = setup(server);
    outbox.enqueue("a", line(0), 1);
    outbox.enqueue("state:a", line(1), 1);
    outbox.flush(true); // what InfluxSink.stateChanged does
    expect(rows()).toBe(1);
    await clock.advance(1000);
    expect(server.received).toEqual([0, 1].map(line));
    expect(outbox.backlog().points).toBe(0);
    await forwarder.stop();
  });
});
