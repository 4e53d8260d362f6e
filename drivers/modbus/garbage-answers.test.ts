/**
 * Property: whatever bytes a device sends back, a Modbus poll ends in samples or a typed PollError
 * of an expected kind, never another exception, never a hang past its deadline.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolledDriver } from "../../src/core/types.ts";
import { testContext, testDevice } from "../../test/support/driver-context.ts";
import { answers, GarbageServer, outcome } from "../../test/support/garbage.ts";
import { modbusDriver, modbusOptions } from "./index.ts";

const garbage = new GarbageServer();
beforeAll(() => garbage.start());
afterAll(() => garbage.stop());

describe("garbage answers", () => {
  it("modbus: a typed error, whatever comes back", async () => {
    // MBAP header of transaction 1 (modbus-serial's first), unit 1, function 3
    const mbap = Buffer.from([0, 1, 0, 0, 0, 9, 1, 3, 6]);
    await fc.assert(
      fc.asyncProperty(answers([mbap, Buffer.from([0, 1, 0, 0])]), async (bytes) => {
        garbage.answer = bytes;
        const options = modbusOptions.parse({
          protocol: "modbus",
          profile: "buc-rs485",
          host: "127.0.0.1",
          port: garbage.port,
          requestTimeout: "200ms",
        });
        const kind = await outcome(
          modbusDriver.create(testDevice("m", options), testContext()) as PolledDriver,
        );
        expect(["samples", "protocol", "timeout", "unreachable", "device"]).toContain(kind);
      }),
      { numRuns: 20 },
    );
  });
});
