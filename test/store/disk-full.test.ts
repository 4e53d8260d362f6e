/**
 * Disk full under a running daemon (a child process on a small tmpfs): while full, /healthz is 503
 * with the reason, API writes are 503, polling goes on and the process stays up; once space
 * returns, the transition and the ticket decided meanwhile are in the store with their original
 * times, and /healthz is 200 again.
 */
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { transitionsBetween } from "../../src/ledger/store.ts";
import { openStore } from "../../src/store/db.ts";
import { type DaemonChild, oneTcpDeviceChild, startDaemonChild, until } from "../support/daemon-child.ts";
import { type SmallDisk, smallDisk, smallDiskRefused } from "../support/small-disk.ts";

interface T {
  id: number;
  device: string;
  reportedAt: number;
  faultStart: number;
}

function fill(file: string): void {
  for (const chunk of [64 * 1024, 512]) {
    try {
      for (;;) appendFileSync(file, Buffer.alloc(chunk));
    } catch {
      // ENOSPC: full at this granularity
    }
  }
}

describe.skipIf(smallDiskRefused !== undefined)(
  `disk full under the daemon${smallDiskRefused ? ` (skipped: ${smallDiskRefused})` : ""}`,
  () => {
    // The config lives off the small disk, which holds the store alone.
    const dir = mkdtempSync(join(tmpdir(), "emcomm-disk-full-"));
    let disk: SmallDisk | undefined;
    let daemon: DaemonChild | undefined;
    let peer: Server | undefined;
    afterAll(async () => {
      await daemon?.stop();
      peer?.close();
      disk?.release();
      rmSync(dir, { recursive: true, force: true });
    });

    it("answers 503, keeps polling, and stores what it decided meanwhile with its original times", async () => {
      disk = smallDisk(4096);
      let configFile: string;
      ({ peer, configFile } = await oneTcpDeviceChild(
        dir,
        {
          health: { downAfterPolls: 2, upAfterPolls: 1 },
          api: { tokens: [{ name: "li.engineer", role: "engineer", token: "${EMCOMM_TEST_TOKEN}" }] },
        },
        { dataDir: disk.dir },
      ));
      daemon = await startDaemonChild(configFile, { EMCOMM_TEST_TOKEN: "disk-secret" });
      const { url } = daemon;
      const get = async (path: string) => {
        const r = await fetch(`${url}${path}`);
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      };
      const lastPoll = async () =>
        ((await get("/api/v1/devices/console")).body as { lastPollAt: string | null }).lastPollAt;
      await until(
        "the device up",
        async () => ((await get("/api/v1/devices/console")).body.up ? true : undefined),
        15_000,
      );
      expect((await get("/healthz")).status).toBe(200);

      const filler = join(disk.dir, "filler");
      fill(filler);
      const fullAt = Date.now();
      peer.close(); // the device goes down while the disk is full
      peer = undefined;

      const unhealthy = await until(
        "/healthz 503",
        async () => {
          const h = await get("/healthz");
          return h.status === 503 ? h.body : undefined;
        },
        20_000,
      );
      expect(String(unhealthy.reason)).toMatch(/store cannot write.*SQLITE_FULL/);
      // An API write is refused with the reason, not a 500.
      const opened = await fetch(`${url}/api/v1/tickets`, {
        method: "POST",
        headers: { authorization: "Bearer disk-secret", "content-type": "application/json" },
        body: JSON.stringify({ level: "consult", symptom: "a question while the disk is full" }),
      });
      expect(opened.status).toBe(503);
      // Polling goes on, the process stays up.
      const polled = await lastPoll();
      await until(
        "another poll while full",
        async () => ((await lastPoll()) !== polled ? true : undefined),
        10_000,
      );
      expect(daemon.child.exitCode).toBeNull();

      rmSync(filler);
      const spaceAt = Date.now();
      await until(
        "/healthz 200",
        async () => ((await get("/healthz")).status === 200 ? true : undefined),
        30_000,
      );
      const tickets = (await get("/api/v1/tickets")).body.tickets as T[];
      expect(tickets.map((t) => t.device)).toEqual(["console"]);
      await daemon.stop();
      daemon = undefined;

      const db = openStore(disk.dir);
      try {
        const down = transitionsBetween(db, 0, Number.MAX_SAFE_INTEGER, "console").filter(
          (t) => t.state === "down",
        );
        expect(down).toHaveLength(1);
        // Decided while the disk was full, stored with that time.
        expect(down[0]!.at).toBeGreaterThanOrEqual(fullAt - 1500);
        expect(down[0]!.recordedAt).toBeLessThan(spaceAt);
        expect(tickets[0]!.faultStart).toBe(down[0]!.at);
        expect(tickets[0]!.reportedAt).toBe(down[0]!.recordedAt);
        const opened = db
          .prepare("SELECT at FROM ticket_events WHERE ticket_id = ? AND event = 'opened'")
          .get(tickets[0]!.id) as { at: number };
        expect(opened.at).toBe(down[0]!.recordedAt);
      } finally {
        db.close();
      }
    }, 120_000);
  },
);
