/**
 * The daemon in a child process (test/e2e/fixtures/daemon-child.ts) for tests that must not share
 * the test runner's process: disk full, descriptors exhausted, floods. `startDaemonChild` resolves
 * with its URL once it listens; `stop()` sends SIGKILL and waits for the exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { freePort } from "../../peers/index.ts";
import { fixedSite, tcpDevice } from "./harness.ts";

const root = new URL("../..", import.meta.url).pathname;

export interface DaemonChild {
  child: ChildProcess;
  url: string;
  /** Its stderr so far (the log, with EMCOMM_CHILD_LOG set). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Writes a child daemon's config into `dir` and returns its path: the store in `dir`/data and the
 * HTTP server on a free loopback port, under whatever `config.daemon` adds.
 */
export function writeChildConfig(dir: string, config: { daemon?: object; [key: string]: unknown }): string {
  const file = join(dir, "config.json");
  const { daemon, ...rest } = config;
  const base = { dataDir: join(dir, "data"), http: { host: "127.0.0.1", port: 0 } };
  writeFileSync(file, JSON.stringify({ daemon: { ...base, ...daemon }, ...rest }));
  return file;
}

/**
 * A TCP peer on loopback that accepts and closes every connection (a device that is up), and the
 * config of a child daemon polling it every second as `console` of site `fixed`; `daemon` adds to
 * the config's daemon block (a `dataDir` elsewhere than `dir`).
 */
export async function oneTcpDeviceChild(
  dir: string,
  sla?: object,
  daemon: object = {},
): Promise<{ peer: Server; configFile: string }> {
  const port = await freePort();
  const peer = createServer((s) => s.destroy());
  await new Promise<void>((r) => peer.listen(port, "127.0.0.1", r));
  const configFile = writeChildConfig(dir, {
    daemon: { scheduler: { jitter: 0 }, ...daemon },
    sites: fixedSite,
    devices: [
      {
        ...tcpDevice("console", "fixed"),
        interval: "1s",
        driver: { protocol: "tcp", host: "127.0.0.1", port },
      },
    ],
    ...(sla ? { sla } : {}),
  });
  return { peer, configFile };
}

export function startDaemonChild(
  configFile: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<DaemonChild> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", join(root, "test/e2e/fixtures/daemon-child.ts"), configFile],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const stderr = () => err;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const line = buf.split("\n")[0];
      if (buf.includes("\n") && line)
        resolve({ child, url: (JSON.parse(line) as { url: string }).url, stderr, stop });
    });
    child.once("exit", (code) => reject(new Error(`daemon child exited with ${code}: ${err.slice(-2000)}`)));
  });
}

/** Polls `fn` until it returns something other than undefined; rejects after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
