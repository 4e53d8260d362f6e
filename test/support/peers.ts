/** Starting real peers (packaged daemons, Debian Python) on loopback for conformance tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";

/** A free loopback TCP port (bound and released; good enough for a test on one machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects after `ms`. */
export async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once("error", () => resolve(false));
      s.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Why a peer cannot run here (missing binary or module), or undefined when it can. */
export function missing(...files: string[]): string | undefined {
  const gone = files.filter((f) => !existsSync(f));
  return gone.length
    ? `not installed: ${gone.join(", ")} (see debianPeers in scripts/ensure.mjs)`
    : undefined;
}

/** Spawns a peer process; `stop()` kills it and waits for it to exit. */
export function startPeer(cmd: string, args: string[]): { child: ChildProcess; stop(): Promise<void> } {
  const child = spawn(cmd, args, { stdio: "ignore" });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
