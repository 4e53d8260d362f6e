/**
 * Property: whatever bytes a device sends back, an HTTP poll ends in a typed PollError of an
 * expected kind, never another exception, never a hang past its deadline.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolledDriver } from "../../src/core/types.ts";
import { testContext, testDevice } from "../../test/support/driver-context.ts";
import { answers, GarbageServer, outcome } from "../../test/support/garbage.ts";
import { httpDriver, httpOptions } from "./index.ts";

const garbage = new GarbageServer();
beforeAll(() => garbage.start());
afterAll(() => garbage.stop());

describe("garbage answers", () => {
  it("http: a typed error, whatever comes back", async () => {
    const head = Buffer.from("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n");
    await fc.assert(
      fc.asyncProperty(
        answers([head, Buffer.from("HTTP/1.1 5"), Buffer.from('HTTP/1.1 200 OK\r\n\r\n{"modem":')]),
        async (bytes) => {
          garbage.answer = bytes;
          const options = httpOptions.parse({
            protocol: "http",
            profile: "ka-station",
            url: `http://127.0.0.1:${garbage.port}`,
          });
          const kind = await outcome(
            httpDriver.create(testDevice("h", options), testContext()) as PolledDriver,
          );
          expect(["protocol", "decode", "timeout", "unreachable", "device"]).toContain(kind);
        },
      ),
      { numRuns: 40 },
    );
  });
});
