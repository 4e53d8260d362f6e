/**
 * A slow-body flood above the connection cap (a child daemon): connections past the cap are
 * refused at once, slow senders are cut by the request timeout, /healthz answers again within
 * seconds, and polling goes on through all of it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { httpLimits } from "../../src/http/server.ts";
import { type DaemonChild, oneTcpDeviceChild, startDaemonChild, until } from "../support/daemon-child.ts";

describe("slow-body flood", () => {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-flood-"));
  let daemon: DaemonChild | undefined;
  let peer: Server | undefined;
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await daemon?.stop();
    peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses past the cap, cuts slow bodies, and polling goes on", async () => {
    let configFile: string;
    ({ peer, configFile } = await oneTcpDeviceChild(dir));
    daemon = await startDaemonChild(configFile);
    const { port } = new URL(daemon.url);
    const polls = async () => {
      const text = await (
        await fetch(`${daemon!.url}/metrics`, { signal: AbortSignal.timeout(3000) })
      ).text();
      return Number(
        /emcomm_poll_duration_seconds_count\{[^}]*device="console"[^}]*\} (\d+)/.exec(text)?.[1] ?? NaN,
      );
    };
    await until("a first poll", async () => ((await polls()) > 0 ? true : undefined), 15_000);
    const before = await polls();
    const started = Date.now();

    // Twice the cap of connections, each starting a request whose body trickles in a byte a second.
    const n = httpLimits.maxConnections * 2;
    let closedEarly = 0;
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve) => {
            const s = new Socket();
            sockets.push(s);
            const opened = Date.now();
            s.on("error", () => undefined);
            s.on("close", () => {
              if (Date.now() - opened < 2_000) closedEarly++;
            });
            s.connect(Number(port), "127.0.0.1", () => {
              s.write(
                "POST /api/v1/tickets HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{",
              );
              const drip = setInterval(() => (s.destroyed ? clearInterval(drip) : s.write(" ")), 1000);
              resolve();
            });
          }),
      ),
    );
    // The ones past the cap are refused at once.
    await until("refusals", async () => (closedEarly >= n / 4 ? true : undefined), 10_000);
    // /healthz answers again once the slow bodies are cut (request timeout), with the flood still dripping.
    const health = await until(
      "/healthz during the flood",
      async () => {
        const r = await fetch(`${daemon!.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        return r.status === 200 ? ((await r.json()) as { status: string }) : undefined;
      },
      httpLimits.requestTimeoutMs + 15_000,
    );
    expect(health.status).toBe("ok");
    expect(daemon.child.exitCode).toBeNull();
    // Polling went on: about one poll a second throughout (generous for a loaded machine).
    const elapsed = (Date.now() - started) / 1000;
    expect((await polls()) - before).toBeGreaterThanOrEqual(Math.floor(elapsed * 0.6));
  }, 90_000);
});
