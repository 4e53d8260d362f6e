/**
 * Real peers for the NOC tests: the Debian packages' Prometheus, Alertmanager and InfluxDB 1.x,
 * each started by the test on a loopback port with its own temporary directory (never the system
 * services). `missingPeers()` names what is not installed so a test can skip with the reason.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const BINARIES = {
  prometheus: "/usr/bin/prometheus",
  promtool: "/usr/bin/promtool",
  alertmanager: "/usr/bin/prometheus-alertmanager",
  amtool: "/usr/bin/amtool",
  influxd: "/usr/bin/influxd",
} as const;

export function missingPeers(...names: (keyof typeof BINARIES)[]): string | undefined {
  const missing = names.filter((n) => !existsSync(BINARIES[n]));
  return missing.length ? `not installed: ${missing.map((n) => BINARIES[n]).join(", ")}` : undefined;
}

/** A describe title that says why it is skipped, when it is. */
export function titled(title: string, skipReason: string | undefined): string {
  return skipReason ? `${title} (skipped: ${skipReason})` : title;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Peer {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function startPeer(
  name: string,
  cmd: string,
  args: string[],
  url: string,
  ready: string,
): Promise<Peer> {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  });
  child.stderr?.on("data", (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const peer: Peer = {
    url,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
  try {
    await waitFor(
      `${name} at ${url}${ready}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${out}`);
        const r = await fetch(url + ready);
        return r.ok ? true : undefined;
      },
      20_000,
    );
  } catch (err) {
    await peer.stop();
    throw new Error(`${name} did not start: ${out.slice(-2000)}`, { cause: err });
  }
  return peer;
}

export async function startPrometheus(configFile: string, dir: string): Promise<Peer> {
  const port = await freePort();
  mkdirSync(join(dir, "tsdb"), { recursive: true });
  return startPeer(
    "prometheus",
    BINARIES.prometheus,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Resend firing alerts every second so a test sees changes at once (default 1m).
      "--rules.alert.resend-delay=1s",
    ],
    `http://127.0.0.1:${port}`,
    "/-/ready",
  );
}

export async function startAlertmanager(configFile: string, dir: string): Promise<Peer> {
  const port = await freePort();
  mkdirSync(join(dir, "am"), { recursive: true });
  return startPeer(
    "alertmanager",
    BINARIES.alertmanager,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, "am")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No cluster: a single instance, and no gossip port.
      "--cluster.listen-address=",
    ],
    `http://127.0.0.1:${port}`,
    "/-/ready",
  );
}

/** InfluxDB 1.x with every listener on loopback and every file under `dir`. */
export async function startInfluxd(dir: string): Promise<Peer> {
  const [http, rpc] = [await freePort(), await freePort()];
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "influxdb.conf");
  writeFileSync(
    conf,
    [
      "reporting-disabled = true",
      `bind-address = "127.0.0.1:${rpc}"`,
      "[meta]",
      `  dir = "${join(dir, "meta")}"`,
      "[data]",
      `  dir = "${join(dir, "data")}"`,
      `  wal-dir = "${join(dir, "wal")}"`,
      "  query-log-enabled = false",
      "[monitor]",
      "  store-enabled = false",
      "[http]",
      `  bind-address = "127.0.0.1:${http}"`,
      "  log-enabled = false",
      "[subscriber]",
      "  enabled = false",
      "",
    ].join("\n"),
  );
  return startPeer("influxd", BINARIES.influxd, ["-config", conf], `http://127.0.0.1:${http}`, "/ping");
}

/** Prometheus HTTP API: an instant query; throws with Prometheus' own error text on failure. */
export async function promQuery(
  url: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await r.json()) as { status: string; error?: string; data?: { result: unknown } };
  if (body.status !== "success") throw new Error(`${query}: ${body.error}`);
  return body.data!.result as { metric: Record<string, string>; value: [number, string] }[];
}
