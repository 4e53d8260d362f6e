/**
 * The shared bus with a scripted link on a FakeClock: one request at a time, the inter-frame gap
 * between requests, units taking turns, queued requests dropped when their poll gives up.
 */
import { describe, expect, it } from "vitest";
import { FakeClock, settle } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import { ModbusBus } from "./bus.ts";
import type { ModbusLink } from "./transport.ts";

function scriptedLink(clock: FakeClock, ms = 10) {
  const log: { unit: number; address: number; at: number; inFlight: number }[] = [];
  let inFlight = 0;
  const link: ModbusLink = {
    async read(unit, _table, address, count) {
      inFlight++;
      log.push({ unit, address, at: clock.now(), inFlight });
      await new Promise<void>((r) => clock.setTimer(ms, r));
      inFlight--;
      return Array.from({ length: count }, () => unit);
    },
    async close() {},
  };
  return { link, log };
}

describe("ModbusBus", () => {
  it("serialises requests, keeps the gap and lets units take turns", async () => {
    const clock = new FakeClock();
    const { link, log } = scriptedLink(clock);
    const bus = new ModbusBus(link, clock, 5);
    const t0 = clock.now();
    const read = (unit: number, address: number) =>
      bus.run(`u${unit}`, (l) => l.read(unit, "holding", address, 1, 100));
    // Unit 1's poll makes three reads one after the other, as the driver does; 2 and 3 make one.
    const poll1 = (async () => [await read(1, 0), await read(1, 1), await read(1, 2)])();
    const all = Promise.all([poll1, read(2, 0), read(3, 0)]);
    await clock.advance(200);
    expect(await all).toEqual([[[1], [1], [1]], [2], [3]]);
    expect(log.map((l) => `${l.unit}:${l.address}`)).toEqual(["1:0", "2:0", "3:0", "1:1", "1:2"]);
    expect(log.every((l) => l.inFlight === 1)).toBe(true);
    // 10 ms per request, 5 ms of quiet between them
    expect(log.map((l) => l.at - t0)).toEqual([0, 15, 30, 45, 60]);
  });

  it("drops a queued request whose poll gave up, and rejects after close", async () => {
    const clock = new FakeClock();
    const { link, log } = scriptedLink(clock, 50);
    const bus = new ModbusBus(link, clock, 0);
    const first = bus.run("a", (l) => l.read(1, "holding", 0, 1, 100));
    const controller = new AbortController();
    const second = bus.run("b", (l) => l.read(2, "holding", 0, 1, 100), controller.signal);
    await settle();
    controller.abort(new Error("deadline"));
    await expect(second).rejects.toBeInstanceOf(PollError);
    await clock.advance(100);
    await expect(first).resolves.toEqual([1]);
    expect(log.map((l) => l.unit)).toEqual([1]);
    await bus.close();
    await expect(bus.run("a", (l) => l.read(1, "holding", 0, 1, 100))).rejects.toThrow(/closed/);
  });
});
