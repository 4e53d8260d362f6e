/**
 * The daemon, in this process, polls an HTTP device served from this process too. The device's
 * handler holds the event loop (a synchronous busy loop) past the poll's deadline before it
 * answers: the deadline fires before the answer is read, which is our stall, not the device's
 * fault. The device does not go down, no ticket opens, the stall is counted and /healthz says
 * degraded. Then the device stops answering, with no stall: it goes down and a ticket opens.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import { type Daemon, startDaemon } from "../../src/daemon.ts";
import { transitionsBetween } from "../../src/ledger/store.ts";
import { listTickets } from "../../src/tickets/store.ts";
import { until } from "../support/daemon-child.ts";
import { busy } from "./busy.ts";

describe("a stall of the daemon's event loop", () => {
  let daemon: Daemon | undefined;
  let peer: Server | undefined;
  const held: ServerResponse[] = [];
  afterAll(async () => {
    await daemon?.stop();
    for (const r of held) r.destroy();
    peer?.close();
  });

  it("is the monitor's fault: no downtime, no ticket; a silent device still goes down", async () => {
    let mode: "answer" | "stall" | "silent" = "answer";
    let stalled = 0;
    let answered = 0;
    peer = createServer((_req: IncomingMessage, res: ServerResponse) => {
      if (mode === "silent") return void held.push(res);
      if (mode === "stall") {
        busy(2500); // past the 500 ms deadline and the 1 s stall threshold
        stalled++;
      }
      answered++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ modem: { locked: true, tx_on: true } }));
    });
    await new Promise<void>((r) => peer!.listen(0, "127.0.0.1", r));
    const port = (peer.address() as { port: number }).port;
    daemon = await startDaemon({
      config: validateConfig({
        daemon: { dataDir: ":memory:", http: { host: "127.0.0.1", port: 0 }, scheduler: { jitter: 0 } },
        sites: [{ id: "ka", name: { zh: "卫星", en: "Ka" } }],
        devices: [
          {
            id: "ka-station",
            name: { zh: "Ka站", en: "Ka station" },
            site: "ka",
            system: "ka",
            kind: "ka-station",
            vendor: "test",
            model: "test",
            interval: "1s",
            timeout: "500ms",
            driver: { protocol: "http", profile: "ka-station", url: `http://127.0.0.1:${port}` },
          },
        ],
        sla: { health: { downAfterPolls: 1, upAfterPolls: 1 } },
      }),
      log: pino({ level: "silent" }),
      clock: systemClock,
    });
    const db = daemon.db;
    const url = daemon.url!;
    const states = () => transitionsBetween(db, 0, Number.MAX_SAFE_INTEGER, "ka-station").map((t) => t.state);
    await until("the device up", async () => (states().includes("up") ? true : undefined), 20_000);

    mode = "stall";
    await until("two stalls", async () => (stalled >= 2 ? true : undefined), 30_000);
    mode = "answer";
    const after = answered;
    await until("answering again", async () => (answered > after + 1 ? true : undefined), 20_000);
    expect(states()).not.toContain("down");
    expect(states()).toContain("unmonitored");
    expect(states().at(-1)).toBe("up");
    expect(listTickets(db, {})).toEqual([]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(
      Number(/emcomm_local_faults_total\{cause="event-loop-stall"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; reason?: string };
    expect(health).toMatchObject({ status: "degraded", reason: expect.stringMatching(/event-loop-stall/) });

    mode = "silent";
    await until(
      "the silent device down",
      async () => (states().at(-1) === "down" ? true : undefined),
      20_000,
    );
    await until("its ticket", async () => (listTickets(db, {}).length === 1 ? true : undefined), 20_000);
  }, 120_000);
});
