import { describe, expect, it } from "vitest";
import {
  compareOids,
  counterDelta,
  exceptionTypes,
  float32FromOctets,
  isExceptionType,
  oidUnder,
  rate,
  rebooted,
  toBigInt,
  toCounter,
  toNumber,
  transform,
} from "./codec.ts";

const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};

describe("counterDelta", () => {
  it.each([
    ["grows", 100n, 250n, 32, false, 150n],
    ["Counter32 wraps once", 4_294_967_000n, 200n, 32, false, 496n],
    ["Counter32 at the edge", 4_294_967_295n, 0n, 32, false, 1n],
    ["Counter64 grows past 2^32", 4_294_967_000n, 4_294_968_000n, 64, false, 1000n],
    ["Counter64 going down is a reset", 10n ** 15n, 5n, 64, false, undefined],
    ["no delta across a reboot", 100n, 250n, 32, true, undefined],
    ["unchanged", 7n, 7n, 64, false, 0n],
  ] as const)("%s", (_, prev, cur, bits, reboot, want) => {
    expect(counterDelta(prev, cur, bits, reboot)).toBe(want);
  });
});

describe("counters as numbers while exact", () => {
  it.each([
    ["Counter32 number", 4_294_967_295, 4_294_967_295],
    ["Counter64 buffer below 2^53", u64(2n ** 40n + 7n), 2 ** 40 + 7],
    ["Counter64 buffer at 2^53 - 1", u64(2n ** 53n - 1n), Number.MAX_SAFE_INTEGER],
    ["Counter64 buffer at 2^53 stays bigint", u64(2n ** 53n), 2n ** 53n],
    ["Counter64 near 2^64 stays bigint", u64(18_446_744_073_709_551_615n), 18_446_744_073_709_551_615n],
    ["short buffer", Buffer.from([0x01, 0x00]), 256],
  ] as const)("%s", (_, value, want) => {
    expect(toCounter(value)).toBe(want);
  });

  it.each([
    ["grows", 100, 250, 32, 150],
    ["Counter32 wraps once", 4_294_967_000, 200, 32, 496],
    ["Counter64 going down is a reset", 10 ** 15, 5, 64, undefined],
    ["from a number to a bigint above 2^53", 2 ** 53 - 10, 2n ** 53n + 5n, 64, 15n],
    ["bigint wraps to a number after a reset", 2n ** 60n, 5, 64, undefined],
  ] as const)("delta %s", (_, prev, cur, bits, want) => {
    expect(counterDelta(prev, cur, bits)).toBe(want);
  });

  it("gives the same rates as exact bigint arithmetic", () => {
    for (const [a, b] of [
      [0n, 1_000_000n],
      [2n ** 52n, 2n ** 52n + 123_456_789n],
      [2n ** 53n - 1n, 2n ** 53n + 99n],
    ] as const) {
      const exact = rate(counterDelta(a, b, 64), 10_000, 8);
      expect(rate(counterDelta(toCounter(u64(a)), toCounter(u64(b)), 64), 10_000, 8)).toBe(exact);
    }
  });
});

describe("rate", () => {
  it.each([
    [1000n, 1000, 8, 8000],
    [1250n, 10_000, 8, 1000],
    [5n, 0, 1, undefined],
    [undefined, 1000, 8, undefined],
  ] as const)("delta %s over %i ms ×%i = %s", (delta, ms, scale, want) => {
    expect(rate(delta, ms, scale)).toBe(want);
  });
});

describe("rebooted (sysUpTime)", () => {
  it.each([
    ["first read", undefined, 500, false],
    ["going forward", 500, 900, false],
    ["going backwards", 900_000, 300, true],
    ["TimeTicks wrap after 497 days", 4_294_967_000, 1_000, false],
  ] as const)("%s", (_, prev, cur, want) => {
    expect(rebooted(prev, cur)).toBe(want);
  });
});

describe("values", () => {
  it.each([
    [2, 42, 42],
    [70, u64(2n ** 40n), 2 ** 40],
    [4, Buffer.from("12.5"), 12.5],
    [4, Buffer.from("up"), undefined],
    [2, Number.NaN, undefined],
  ] as const)("type %i %s → %s", (type, value, want) => {
    expect(toNumber(type, value)).toBe(want);
  });

  it("Counter64 buffers stay exact as bigint", () => {
    expect(toBigInt(u64(18_446_744_073_709_551_615n))).toBe(18_446_744_073_709_551_615n);
    expect(toBigInt(Buffer.from([0x01, 0x00]))).toBe(256n);
    expect(() => toBigInt({})).toThrow();
  });

  it.each([
    [Buffer.from([0x41, 0x48, 0x00, 0x00]), 12.5],
    [Buffer.from("41 48 00 00"), 12.5],
    ["0x3FC00000", 1.5],
    [Buffer.from([1, 2, 3]), undefined],
    ["garbage!", undefined],
  ] as const)("float32 %s → %s", (value, want) => {
    expect(float32FromOctets(value)).toBe(want);
  });

  it.each([
    [1, { map: { 1: 1, 2: 0 } }, 1],
    [2, { map: { 1: 1, 2: 0 } }, 0],
    [3, { map: { 1: 1, 2: 0 } }, undefined],
    [5, { map: { 5: 1 }, mapDefault: 0 }, 1],
    [3, { map: { 5: 1 }, mapDefault: 0 }, 0],
    [65535, { skip: [65535] }, undefined],
    [1234, { scale: 0.01 }, 12.34],
    [305, { scale: 0.01 }, 3.05],
    [-447, { scale: 0.1 }, -44.7],
    [15400, { scale: 0.001 }, 15.4],
    [3, { scale: 8 }, 24],
    [7, { scale: 1e-9 }, 7e-9],
  ] as const)("transform %i %j → %s", (raw, opts, want) => {
    expect(transform(raw, opts)).toBe(want);
  });

  it("compares OIDs by arcs", () => {
    expect(compareOids("1.3.6.1.2", "1.3.6.1.10")).toBeLessThan(0);
    expect(oidUnder("1.3.6.1.2.1.2.2.1.10.1", "1.3.6.1.2.1.2.2.1.1")).toBe(false);
    expect(oidUnder("1.3.6.1.2.1.2.2.1.1.1", "1.3.6.1.2.1.2.2.1.1")).toBe(true);
  });
});

describe("isExceptionType", () => {
  it("is true exactly for the exception types (noSuchObject, noSuchInstance, endOfMibView)", () => {
    for (let type = 0; type < 256; type++) expect(isExceptionType(type)).toBe(type in exceptionTypes);
    expect([128, 129, 130].every(isExceptionType)).toBe(true);
  });
});
