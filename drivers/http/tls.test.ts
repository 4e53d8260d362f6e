/**
 * TLS options of the HTTP driver against a Node https server with a self-signed certificate made
 * by openssl: refused by default (a config error naming the fix), accepted with tls.ca or
 * tls.insecure.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver } from "../../src/core/types.ts";
import { testContext, testDevice } from "../../test/support/driver-context.ts";
import { selfSignedCert } from "../../test/support/tls.ts";
import { httpDriver, httpOptions } from "./index.ts";

const why = existsSync("/usr/bin/openssl") ? undefined : "openssl not installed";

describe.skipIf(why)("http driver over TLS", () => {
  let dir = "";
  let server: Server;
  let url = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emcomm-tls-"));
    const pem = selfSignedCert(dir);
    server = createServer({ key: readFileSync(pem.key), cert: readFileSync(pem.cert) }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ modem: { locked: true, ebno_db: 8.1, tx_on: true } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const poll = async (tls?: Record<string, unknown>) => {
    const options = httpOptions.parse({
      protocol: "http",
      profile: "ka-station",
      url,
      ...(tls ? { tls } : {}),
    });
    const d = httpDriver.create(testDevice("ka", options), testContext()) as PolledDriver;
    try {
      return await d.poll(AbortSignal.timeout(3000));
    } finally {
      await d.close();
    }
  };

  it("refuses an unknown certificate, naming the options that fix it", async () => {
    const err = await poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollError);
    expect((err as PollError).kind).toBe("config");
    expect((err as PollError).message).toMatch(/tls\.ca or tls\.insecure/);
  });

  it("accepts it with tls.ca or tls.insecure", async () => {
    expect((await poll({ ca: join(dir, "cert.pem") })).find((s) => s.metric === "ka_ebno_db")?.value).toBe(
      8.1,
    );
    expect((await poll({ insecure: true })).length).toBe(4); // three fields and the block's support
  });
});
