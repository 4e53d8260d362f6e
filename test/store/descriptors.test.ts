/**
 * Descriptors exhausted under a running daemon (a child process whose RLIMIT_NOFILE is lowered
 * with prlimit once it runs): its polls fail with EMFILE, which is the monitor's fault: no device
 * goes down, no ticket opens, the device is `unmonitored` meanwhile, and the daemon says it is
 * degraded. Once descriptors are back, the device is up again.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { transitionsBetween } from "../../src/ledger/store.ts";
import { openStore } from "../../src/store/db.ts";
import { type DaemonChild, oneTcpDeviceChild, startDaemonChild, until } from "../support/daemon-child.ts";

const prlimit = "/usr/bin/prlimit";

describe.skipIf(!existsSync(prlimit))("descriptors exhausted", () => {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-emfile-"));
  let daemon: DaemonChild | undefined;
  let peer: Server | undefined;
  let agent: Agent | undefined;
  afterAll(async () => {
    await daemon?.stop();
    peer?.close();
    agent?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("no device goes down, no ticket opens, the daemon reports itself degraded", async () => {
    let configFile: string;
    ({ peer, configFile } = await oneTcpDeviceChild(dir, { health: { downAfterPolls: 2, upAfterPolls: 1 } }));
    daemon = await startDaemonChild(configFile);
    const pid = daemon.child.pid!;
    // One keep-alive connection, opened before the limit drops, carries every request: the daemon
    // cannot accept a new one without a descriptor.
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${daemon!.url}${path}`, { agent, timeout: 3000 }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            text += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
        req.end();
      });
    await until(
      "the device up",
      async () =>
        (JSON.parse((await get("/api/v1/devices/console")).text) as { up: boolean }).up ? true : undefined,
      15_000,
    );
    // The soft limit only (raising it back needs no privilege).
    const soft = readFileSync(`/proc/${pid}/limits`, "utf8").match(/Max open files\s+(\d+)/)![1]!;
    const limit = (n: number | string) => execFileSync(prlimit, ["--pid", String(pid), `--nofile=${n}:`]);
    limit(1); // no new descriptor: every poll's socket fails with EMFILE
    try {
      const health = await until(
        "degraded",
        async () => {
          const h = await get("/healthz");
          return h.text.includes("degraded") ? h : undefined;
        },
        15_000,
      );
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toMatchObject({
        status: "degraded",
        reason: expect.stringMatching(/EMFILE/),
      });
      // Several polls fail that way (downAfterPolls is 2): still no downtime.
      await until(
        "three local faults",
        async () => {
          const m = /emcomm_local_faults_total\{cause="EMFILE"\} (\d+)/.exec((await get("/metrics")).text);
          return m && Number(m[1]) >= 3 ? true : undefined;
        },
        15_000,
      );
    } finally {
      limit(soft);
    }
    await until(
      "the device answering again",
      async () =>
        (JSON.parse((await get("/api/v1/devices/console")).text) as { up: boolean }).up ? true : undefined,
      15_000,
    );
    const tickets = JSON.parse((await get("/api/v1/tickets")).text) as { tickets: unknown[] };
    expect(tickets.tickets).toEqual([]);
    await daemon.stop();
    daemon = undefined;
    const db = openStore(join(dir, "data"));
    try {
      const states = transitionsBetween(db, 0, Number.MAX_SAFE_INTEGER, "console").map((t) => t.state);
      expect(states).not.toContain("down");
      expect(states).toEqual(["up", "unmonitored", "up"]);
    } finally {
      db.close();
    }
  }, 90_000);
});
