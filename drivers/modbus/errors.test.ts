import { describe, expect, it } from "vitest";
import { PollError } from "../../src/core/errors.ts";
import { exceptionCode, modbusError } from "./errors.ts";

const exception = (code: number) =>
  Object.assign(new Error(`Modbus exception ${code}`), { modbusCode: code });

describe("modbusError", () => {
  it.each([
    [exception(1), "device", "exception 1 illegal-function"],
    [exception(2), "device", "exception 2 illegal-data-address"],
    [exception(6), "device", "exception 6 server-device-busy"],
    [exception(10), "device", "exception 10 gateway-path-unavailable"],
    [exception(11), "device", "exception 11 gateway-target-failed-to-respond"],
    [exception(99), "device", "exception 99 exception-99"],
    [new Error("Data length error, expected 9 got 7"), "protocol", "Data length error"],
    [new Error("CRC error"), "protocol", "CRC error"],
    [Object.assign(new Error("Timed out"), { errno: "ETIMEDOUT" }), "timeout", "no answer"],
    [
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      "unreachable",
      "ECONNREFUSED",
    ],
    [Object.assign(new Error("Port Not Open"), { errno: "ECONNREFUSED" }), "unreachable", "Port Not Open"],
    [new Error("Error: No such file or directory, cannot open /dev/ttyUSB7"), "config", "/dev/ttyUSB7"],
    [new Error("something else"), "internal", "something else"],
  ])("%s → %s", (err, kind, text) => {
    const e = modbusError(err, "modbus tcp 127.0.0.1:502 unit 1: read holding 0+3");
    expect(e).toBeInstanceOf(PollError);
    expect(e.kind).toBe(kind);
    expect(e.message).toContain("modbus tcp 127.0.0.1:502 unit 1: read holding 0+3");
    expect(e.message).toContain(text);
    expect(e.cause).toBe(err);
  });

  it("keeps the exception code for callers and passes PollErrors through", () => {
    expect(exceptionCode(modbusError(exception(2), "x"))).toBe(2);
    expect(exceptionCode(modbusError(new Error("CRC error"), "x"))).toBeUndefined();
    const p = new PollError("timeout", "t");
    expect(modbusError(p, "x")).toBe(p);
  });
});
