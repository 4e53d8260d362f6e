import { describe, expect, it } from "vitest";
import {
  bitOf,
  decodeRaw,
  encodeValue,
  isGenCommSentinel,
  nibbles,
  scaleValue,
  type ValueType,
  type WordOrder,
} from "./codec.ts";

// 0x12345678 and the float 123.456 (0x42F6E979) as the wire carries them in each order.
const cases: [ValueType, WordOrder, number[], number][] = [
  ["u16", "ABCD", [0x1234], 0x1234],
  ["u16", "BADC", [0x3412], 0x1234],
  ["i16", "ABCD", [0xfffe], -2],
  ["i16", "ABCD", [0x7fff], 32767],
  ["i16", "DCBA", [0xfeff], -2],
  ["u32", "ABCD", [0x1234, 0x5678], 0x12345678],
  ["u32", "CDAB", [0x5678, 0x1234], 0x12345678],
  ["u32", "BADC", [0x3412, 0x7856], 0x12345678],
  ["u32", "DCBA", [0x7856, 0x3412], 0x12345678],
  ["i32", "ABCD", [0xffff, 0xfffe], -2],
  ["i32", "CDAB", [0xfffe, 0xffff], -2],
  ["i32", "BADC", [0xffff, 0xfeff], -2],
  ["i32", "DCBA", [0xfeff, 0xffff], -2],
  ["f32", "ABCD", [0x42f6, 0xe979], 123.456],
  ["f32", "CDAB", [0xe979, 0x42f6], 123.456],
  ["f32", "BADC", [0xf642, 0x79e9], 123.456],
  ["f32", "DCBA", [0x79e9, 0xf642], 123.456],
];

describe("decodeRaw", () => {
  it.each(cases)("%s %s %j → %d", (type, order, words, expected) => {
    const v = decodeRaw(words, type, order);
    if (type === "f32") expect(v).toBeCloseTo(expected, 3);
    else expect(v).toBe(expected);
  });

  it.each(cases)("encodeValue is its inverse for %s %s", (type, order, words, value) => {
    expect(encodeValue(value, type, order)).toEqual(words);
  });

  it("rejects too few registers", () => {
    expect(() => decodeRaw([0x1234], "u32")).toThrow(RangeError);
  });
});

describe("bits, nibbles, sentinels and scale", () => {
  it.each([
    [0b101, 0, 1],
    [0b101, 1, 0],
    [0b101, 2, 1],
    [0x8000, 15, 1],
  ])("bit %d of %i is %i", (word, bit, expected) => expect(bitOf(word, bit)).toBe(expected));

  it("reads GenComm alarm nibbles high first", () => {
    expect(nibbles([0x1231, 0x0004])).toEqual([1, 2, 3, 1, 0, 0, 0, 4]);
  });

  it.each([
    [0xffff, "u16", true],
    [0xfff8, "u16", true],
    [0xfff7, "u16", false],
    [0x7fff, "i16", true],
    [-2, "i16", false],
    [0xffffffff, "u32", true],
    [0x7ffffff8, "i32", true],
    [0xffff, "f32", false],
  ] as [number, ValueType, boolean][])("sentinel %i as %s is %s", (raw, type, expected) =>
    expect(isGenCommSentinel(raw, type)).toBe(expected),
  );

  it.each([
    [2305, 0.1, 0, 230.5],
    [-40, 0.5, 10, -10],
    [7200, 1 / 3600, 0, 2],
  ])("%d × %d + %d = %d", (raw, scale, offset, expected) =>
    expect(scaleValue(raw, scale, offset)).toBe(expected),
  );
});
