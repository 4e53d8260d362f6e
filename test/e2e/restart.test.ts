/**
 * A real crash: the daemon runs in a child process, a device goes down and its ticket opens, the
 * child is killed with SIGKILL, a new daemon starts on the same store. Nothing recorded is lost,
 * the ticket is not duplicated, its clocks are unchanged, the gap is recorded as unmonitored, and
 * the recovery afterwards proposes clearance on the original ticket. The CLI is exercised on the
 * restarted daemon.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { transitionsBetween } from "../../src/ledger/store.ts";
import { openStore } from "../../src/store/db.ts";
import { tcpDevice } from "../support/harness.ts";

const root = new URL("../..", import.meta.url).pathname;
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startChild(configFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "test/e2e/fixtures/daemon-child.ts"), configFile],
    {
      cwd: root,
      env: { ...process.env, EMCOMM_TEST_TOKEN: "cli-secret" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const line = buf.split("\n")[0];
      if (buf.includes("\n") && line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once("exit", (code) => reject(new Error(`daemon child exited with ${code}`)));
  });
}

async function until<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 150));
  }
}

interface T {
  id: number;
  device: string;
  state: string;
  reportedAt: number;
  faultStart: number;
  restoredAt: number | null;
  clocks: { respond: { deadline: number } };
}

describe("kill -9 in the middle of an open ticket", () => {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-restart-"));
  let child: ChildProcess | undefined;
  let peer: Server | undefined;
  afterAll(() => {
    child?.kill("SIGKILL");
    peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loses no transition, duplicates no ticket and keeps the clocks", async () => {
    const port = await freePort(); // nothing listens yet: the device is down from the start
    const configFile = join(dir, "config.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        daemon: {
          dataDir: join(dir, "data"),
          http: { host: "127.0.0.1", port: await freePort() },
          scheduler: { jitter: 0 },
        },
        sites: [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }],
        devices: [
          {
            ...tcpDevice("console", "fixed"),
            interval: "1s",
            driver: { protocol: "tcp", host: "127.0.0.1", port },
          },
        ],
        sla: {
          health: { downAfterPolls: 2, upAfterPolls: 1 },
          api: { tokens: [{ name: "li.engineer", role: "engineer", token: "${EMCOMM_TEST_TOKEN}" }] },
        },
      }),
    );
    const first = await startChild(configFile);
    child = first.child;
    const tickets = async (url: string) =>
      ((await (await fetch(`${url}/api/v1/tickets`)).json()) as { tickets: T[] }).tickets;
    const before = await until(async () => {
      const t = await tickets(first.url);
      return t.length > 0 ? t : undefined;
    }, 10_000);
    expect(before.map((t) => [t.device, t.state])).toEqual([["console", "opened"]]);
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const killedAt = Date.now();

    await new Promise((r) => setTimeout(r, 1500));
    const second = await startChild(configFile);
    child = second.child;
    // Still down and still the same single ticket, with the same clocks.
    await new Promise((r) => setTimeout(r, 2500));
    const after = await tickets(second.url);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect(after[0]!.reportedAt).toBe(before[0]!.reportedAt);
    expect(after[0]!.faultStart).toBe(before[0]!.faultStart);
    expect(after[0]!.clocks.respond.deadline).toBe(before[0]!.reportedAt + 10 * 60_000);

    // The CLI, against the restarted daemon, with a token from the environment.
    const env = { ...process.env, EMCOMM_TOKEN: "cli-secret", EMCOMM_URL: second.url };
    const cli = (args: string[]) =>
      run(process.execPath, [join(root, "bin/emcomm.js"), ...args], { cwd: root, env });
    const listed = await cli(["tickets", "list", "--json"]);
    expect((JSON.parse(listed.stdout) as { tickets: T[] }).tickets.map((t) => t.id)).toEqual([before[0]!.id]);
    const wrong = run(
      process.execPath,
      [join(root, "bin/emcomm.js"), "tickets", "accept", String(before[0]!.id)],
      {
        cwd: root,
        env: { ...env, EMCOMM_TOKEN: "not-the-token" },
      },
    );
    await expect(wrong).rejects.toMatchObject({ code: 1 });
    const accepted = await cli(["tickets", "accept", String(before[0]!.id), "--json"]);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ state: "accepted", handler: "li.engineer" });

    // The device comes back: clearance is proposed on the original ticket.
    peer = createServer((s) => s.destroy());
    await new Promise<void>((r) => peer!.listen(port, "127.0.0.1", r));
    const restored = await until(async () => {
      const t = (await tickets(second.url))[0];
      return t?.restoredAt ? t : undefined;
    }, 10_000);
    expect(restored.id).toBe(before[0]!.id);
    expect(restored.restoredAt).toBeGreaterThan(killedAt);

    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const db = openStore(join(dir, "data"));
    try {
      const states = transitionsBetween(db, 0, Number.MAX_SAFE_INTEGER, "console").map((t) => t.state);
      expect(states).toEqual(["down", "unmonitored", "down", "up"]);
      const n = db.prepare("SELECT COUNT(*) AS n FROM tickets").get() as { n: number };
      expect(n.n).toBe(1);
    } finally {
      db.close();
    }
  }, 180_000);
});
