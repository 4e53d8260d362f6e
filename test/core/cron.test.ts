/** Cron expressions on the injected clock: parsing, the next matching minute, firing on a FakeClock. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { CronError, everyCron, nextRun, parseCron } from "../../src/core/cron.ts";

const SH = "Asia/Shanghai";
/** Wall time in Shanghai (UTC+8, no DST). */
const sh = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h - 8, mi);
const next = (expr: string, after: number, tz = SH) => nextRun(parseCron(expr), after, tz);

describe("parseCron", () => {
  it.each([
    ["every month", /five fields/],
    ["30 2 1 *", /five fields/],
    ["60 2 1 * *", /minute field "60": 60 is outside 0-59/],
    ["30 24 1 * *", /hour field/],
    ["30 2 0 * *", /day field/],
    ["30 2 1 13 *", /month field/],
    ["30 2 1 JAN *", /"JAN" is not a number/],
    ["30 2 1 * 8", /weekday field/],
    ["*/0 * * * *", /a step is at least 1/],
    ["5-1 * * * *", /range 5-1 is empty/],
  ])("%s is refused", (expr, message) => {
    expect(() => parseCron(expr)).toThrow(CronError);
    expect(() => parseCron(expr)).toThrow(message);
  });

  it("reads lists, ranges and steps", () => {
    const c = parseCron("0,15-20/5,*/30 1-3 1 */6 0");
    expect([...c.minute.values].sort((a, b) => a - b)).toEqual([0, 15, 20, 30]);
    expect([...c.hour.values]).toEqual([1, 2, 3]);
    expect([...c.month.values]).toEqual([1, 7]);
    expect(c.minute.any).toBe(false);
    expect(parseCron("* * * * *").day.any).toBe(true);
  });
});

describe("nextRun", () => {
  it("finds 02:30 on the 1st of the next month in the zone", () => {
    expect(next("30 2 1 * *", sh(2026, 11, 30, 22))).toBe(sh(2026, 12, 1, 2, 30));
    // Strictly after: at 02:30 itself the next one is a month away.
    expect(next("30 2 1 * *", sh(2026, 12, 1, 2, 30))).toBe(sh(2027, 1, 1, 2, 30));
    expect(next("30 2 1 * *", sh(2026, 12, 1, 2, 29) + 59_999)).toBe(sh(2026, 12, 1, 2, 30));
  });

  it("evaluates wall time in the zone, not UTC", () => {
    // 02:30 on 1 December in Shanghai is 18:30 on 30 November UTC.
    expect(next("30 2 1 * *", Date.UTC(2026, 10, 30, 12), SH)).toBe(Date.UTC(2026, 10, 30, 18, 30));
    expect(next("30 2 1 * *", Date.UTC(2026, 10, 30, 12), "UTC")).toBe(Date.UTC(2026, 11, 1, 2, 30));
  });

  it("steps and lists", () => {
    expect(next("*/15 * * * *", sh(2026, 11, 3, 10, 7))).toBe(sh(2026, 11, 3, 10, 15));
    expect(next("0 8,20 * * *", sh(2026, 11, 3, 10, 7))).toBe(sh(2026, 11, 3, 20, 0));
  });

  it("with both day fields restricted, either one matches", () => {
    // 2026-11-02 is a Monday; "the 15th or any Monday" from Sunday 1 November.
    expect(next("0 9 15 * 1", sh(2026, 11, 1, 12))).toBe(sh(2026, 11, 2, 9));
    // Only the weekday restricted: Sundays (0 and 7 alike).
    expect(next("0 9 * * 7", sh(2026, 11, 2))).toBe(sh(2026, 11, 8, 9));
  });

  it("finds 29 February years ahead", () => {
    expect(next("0 0 29 2 *", sh(2026, 11, 1), "UTC")).toBe(Date.UTC(2028, 1, 29));
  });

  it("a wall time skipped by a DST change does not run that day", () => {
    // Berlin springs forward on 29 March 2026 from 02:00 to 03:00: 02:30 does not exist.
    expect(next("30 2 * * *", Date.UTC(2026, 2, 28, 12), "Europe/Berlin")).toBe(Date.UTC(2026, 2, 30, 0, 30));
  });

  it("a day that never comes is an error", () => {
    expect(() => next("0 0 31 2 *", sh(2026, 11, 1))).toThrow(/never matches/);
  });
});

describe("everyCron on a FakeClock", () => {
  it("fires at each match and stops when told", async () => {
    const clock = new FakeClock(sh(2026, 11, 30, 22));
    const fired: number[] = [];
    const job = everyCron(clock, "30 2 1 * *", SH, () => fired.push(clock.now()));
    expect(job.next()).toBe(sh(2026, 12, 1, 2, 30));
    await clock.advance(sh(2027, 2, 1, 3) - clock.now());
    expect(fired).toEqual([sh(2026, 12, 1, 2, 30), sh(2027, 1, 1, 2, 30), sh(2027, 2, 1, 2, 30)]);
    job.stop();
    expect(clock.pending).toBe(0);
    await clock.advance(40 * 24 * 3_600_000);
    expect(fired).toHaveLength(3);
  });

  it("never waits longer than a Node timer can hold", async () => {
    const clock = new FakeClock(sh(2026, 11, 1, 3));
    const waits: number[] = [];
    const timed = {
      now: () => clock.now(),
      setTimer: (ms: number, fn: () => void) => {
        waits.push(ms);
        return clock.setTimer(ms, fn);
      },
    };
    const job = everyCron(timed, "30 2 1 * *", SH, () => {});
    await clock.advance(31 * 24 * 3_600_000);
    job.stop();
    expect(Math.max(...waits)).toBeLessThanOrEqual(3_600_000);
  });
});
