/**
 * Property: whatever bytes a device sends back, a Modbus or HTTP poll ends in samples or a typed
 * PollError of an expected kind, never another exception, never a hang past its deadline.
 */
import { createServer, type Server, type Socket } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpDriver, httpOptions } from "../../drivers/http/index.ts";
import { modbusDriver, modbusOptions } from "../../drivers/modbus/index.ts";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver } from "../../src/core/types.ts";
import { testContext, testDevice } from "../support/driver-context.ts";

let reply: Buffer = Buffer.alloc(0);
let server: Server;
let port = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    s.once("data", () => s.end(reply));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

async function outcome(driver: PolledDriver): Promise<string> {
  const started = performance.now();
  try {
    await driver.poll(AbortSignal.timeout(400));
    return "samples";
  } catch (err) {
    expect(err).toBeInstanceOf(PollError);
    expect(performance.now() - started).toBeLessThan(1500);
    return (err as PollError).kind;
  } finally {
    await driver.close();
  }
}

/** Random bytes, sometimes dressed as the start of a real answer. */
const answers = (prefixes: Buffer[]) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc
      .tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 40 }))
      .map(([p, b]) => Buffer.concat([p, b])),
  );

describe("garbage answers", () => {
  it("modbus: a typed error, whatever comes back", async () => {
    // MBAP header of transaction 1 (modbus-serial's first), unit 1, function 3
    const mbap = Buffer.from([0, 1, 0, 0, 0, 9, 1, 3, 6]);
    await fc.assert(
      fc.asyncProperty(answers([mbap, Buffer.from([0, 1, 0, 0])]), async (bytes) => {
        reply = bytes;
        const options = modbusOptions.parse({
          protocol: "modbus",
          profile: "buc-rs485",
          host: "127.0.0.1",
          port,
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

  it("http: a typed error, whatever comes back", async () => {
    const head = Buffer.from("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n");
    await fc.assert(
      fc.asyncProperty(
        answers([head, Buffer.from("HTTP/1.1 5"), Buffer.from('HTTP/1.1 200 OK\r\n\r\n{"modem":')]),
        async (bytes) => {
          reply = bytes;
          const options = httpOptions.parse({
            protocol: "http",
            profile: "ka-station",
            url: `http://127.0.0.1:${port}`,
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
