/** Wall-clock time in IANA zones: fields of an instant, the instant of a local time, local text. */
import { describe, expect, it } from "vitest";
import {
  formatLocal,
  TimeZoneError,
  zonedMidnight,
  zonedParts,
  zonedTime,
} from "../../src/core/zoned-time.ts";

describe("zoned time", () => {
  it("reads an instant's wall-clock fields in the zone", () => {
    // 2026-10-31T18:30:15Z is 02:30:15 on 1 November in Shanghai (UTC+8).
    expect(zonedParts(Date.UTC(2026, 9, 31, 18, 30, 15), "Asia/Shanghai")).toEqual({
      year: 2026,
      month: 11,
      day: 1,
      hour: 2,
      minute: 30,
      second: 15,
    });
  });

  it("finds the instant of a local time, across a daylight-saving change", () => {
    expect(zonedMidnight(2026, 11, 1, "Asia/Shanghai")).toBe(Date.UTC(2026, 9, 31, 16));
    // Berlin: UTC+2 on 29 March 2026 after 02:00, UTC+1 before; midnight is still UTC+1.
    expect(zonedMidnight(2026, 3, 29, "Europe/Berlin")).toBe(Date.UTC(2026, 2, 28, 23));
    expect(zonedTime(2026, 3, 29, "Europe/Berlin", 12)).toBe(Date.UTC(2026, 2, 29, 10));
    // Month overflow: the 13th month of 2026 is January 2027.
    expect(zonedMidnight(2026, 13, 1, "UTC")).toBe(Date.UTC(2027, 0, 1));
  });

  it("formats an instant as the local date and minute, and nothing for no instant", () => {
    expect(formatLocal(Date.UTC(2026, 10, 3, 6, 5, 59), "Asia/Shanghai")).toBe("2026-11-03 14:05");
    expect(formatLocal(Date.UTC(2026, 6, 1, 12), "America/New_York")).toBe("2026-07-01 08:00");
    expect(formatLocal(undefined, "Asia/Shanghai")).toBe("");
    expect(formatLocal(null, "Asia/Shanghai")).toBe("");
  });

  it("refuses a name that is not an IANA zone with a RangeError naming it", () => {
    const call = () => zonedParts(0, "Mars/Olympus");
    expect(call).toThrow(TimeZoneError);
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/"Mars\/Olympus" is not an IANA zone name/);
  });
});
