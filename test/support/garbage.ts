/**
 * Whatever bytes a device sends back, a poll must end in samples or a typed PollError, never another
 * exception, never a hang past its deadline: the server that answers garbage, the random answers
 * and the check each driver's own property test uses.
 */
import { createServer, type Server, type Socket } from "node:net";
import fc from "fast-check";
import { expect } from "vitest";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver } from "../../src/core/types.ts";

/**
 * A loopback TCP server that answers each connection's first bytes with whatever `answer` holds at
 * that moment, then closes. `start` in beforeAll, `stop` in afterAll.
 */
export class GarbageServer {
  answer: Buffer = Buffer.alloc(0);
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<void> {
    const server = createServer((s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => {});
      s.once("data", () => s.end(this.answer));
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

/** What one poll ended in: "samples", or the PollError's kind; any other exception fails the test. */
export async function outcome(driver: PolledDriver): Promise<string> {
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
export const answers = (prefixes: Buffer[]) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc
      .tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 40 }))
      .map(([p, b]) => Buffer.concat([p, b])),
  );
