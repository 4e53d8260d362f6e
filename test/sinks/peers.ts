/**
 * Real servers for the sink tests, started on loopback high ports with temp dirs: VictoriaMetrics
 * (Debian `victoria-metrics`, accepts the InfluxDB v2 write API) and mosquitto (Debian
 * `mosquitto`). Tests skip with the reason when a binary is missing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const VICTORIA = "/usr/bin/victoria-metrics";
export const MOSQUITTO = "/usr/sbin/mosquitto";

export const victoriaMissing = existsSync(VICTORIA)
  ? undefined
  : `${VICTORIA} not installed (Debian package victoria-metrics)`;
export const mosquittoMissing = existsSync(MOSQUITTO)
  ? undefined
  : `${MOSQUITTO} not installed (Debian package mosquitto)`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

async function waitUntil(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what} not ready after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}

export interface Victoria {
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (SIGTERM: it flushes what it acknowledged). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Every stored sample of the series matching `match` (a PromQL series selector). */
  export(
    match: string,
  ): Promise<{ metric: Record<string, string>; values: number[]; timestamps: number[] }[]>;
}

export async function startVictoria(dataDir: string, port?: number): Promise<Victoria> {
  const p = port ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      VICTORIA,
      [
        `-storageDataPath=${dataDir}`,
        `-httpListenAddr=127.0.0.1:${p}`,
        "-retentionPeriod=100y",
        "-search.latencyOffset=0s",
        "-search.disableCache",
        "-loggerLevel=ERROR",
        "-memory.allowedPercent=20",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr?.resume();
    await waitUntil("victoria-metrics", 15_000, async () => (await fetch(`${url}/health`)).ok);
  };
  await launch();
  return {
    url,
    port: p,
    dataDir,
    stop: () => stopProcess(child!),
    restart: launch,
    async export(match) {
      await fetch(`${url}/internal/force_flush`);
      const res = await fetch(`${url}/api/v1/export`, {
        method: "POST",
        body: new URLSearchParams({ "match[]": match }),
      });
      if (!res.ok) throw new Error(`export: ${res.status} ${await res.text()}`);
      return (await res.text())
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
  };
}

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** mosquitto with persistence in `dir`, so retained messages and sessions survive a restart. */
export async function startMosquitto(dir: string): Promise<Mosquitto> {
  const port = await freePort();
  // Started as root, mosquitto drops to the "mosquitto" user: it must be able to write its state.
  chmodSync(dir, 0o777);
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence true",
      `persistence_location ${dir}/`,
      "autosave_interval 1",
      "log_type error",
      "",
    ].join("\n"),
  );
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(MOSQUITTO, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.resume();
    await waitUntil(
      "mosquitto",
      10_000,
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(port, "127.0.0.1", () => {
            s.destroy();
            resolve(true);
          });
          s.once("error", () => resolve(false));
        }),
    );
  };
  await launch();
  return { url: `mqtt://127.0.0.1:${port}`, port, stop: () => stopProcess(child!), restart: launch };
}
