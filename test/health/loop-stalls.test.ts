/**
 * LoopStalls on a fake clock: time that jumps without the tick timer firing is a stall. It is
 * seen while still in progress (the loop just woke up), kept once the tick notices it, only past
 * the threshold, and forgotten after keepMs.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { LoopStalls } from "../../src/core/loop-stalls.ts";

describe("LoopStalls", () => {
  it("sees a stall past the threshold in progress and after, not a shorter one, and forgets it", async () => {
    const clock = new FakeClock(1_000_000);
    const stalls = new LoopStalls(clock, { tickMs: 100, thresholdMs: 1000, keepMs: 60_000 });
    stalls.start();
    await clock.advance(1000); // the loop runs: ticks on time
    const pollAt = clock.now();
    expect(stalls.during(pollAt - 1000)).toBeUndefined();

    clock.set(clock.now() + 800); // a short stall: under the threshold
    await clock.advance(100);
    expect(stalls.during(pollAt)).toBeUndefined();

    const blockedAt = clock.now();
    clock.set(blockedAt + 3000); // blocked for 3 s; the tick has not run yet
    expect(stalls.during(pollAt)).toEqual({ from: blockedAt + 100, to: blockedAt + 3000 });
    await clock.advance(100); // the tick notices it: kept
    expect(stalls.during(pollAt)).toEqual({ from: blockedAt + 100, to: blockedAt + 3000 });
    // A poll started after the stall is not affected by it.
    expect(stalls.during(clock.now())).toBeUndefined();

    await clock.advance(61_000);
    expect(stalls.during(pollAt)).toBeUndefined();
    stalls.stop();
  });

  it("sees nothing once stopped", () => {
    const clock = new FakeClock(0);
    const stalls = new LoopStalls(clock, { thresholdMs: 1000 });
    stalls.start();
    stalls.stop();
    clock.set(10_000);
    expect(stalls.during(0)).toBeUndefined();
  });
});
