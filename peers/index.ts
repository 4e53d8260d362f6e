/**
 * The real peers that tests and benches run against, each started on loopback with its own
 * temporary files (never the system services), and the small helpers they share. Peers are Debian
 * packages (`debianPeers` in scripts/ensure.mjs); a test names what is missing and skips with the
 * reason.
 *
 *   Prometheus, Alertmanager, InfluxDB 1.x   startPrometheus, startAlertmanager, startInfluxd
 *   VictoriaMetrics, mosquitto               startVictoria, startMosquitto
 *   snmpd and the net-snmp tools             startSnmpd, snmpCmd
 *   pymodbus (python3-pymodbus)              PYMODBUS_SERVER, PYMODBUS_SERIAL with startPeer
 *   any other daemon or script               startPeer
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

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

/** The pymodbus servers (run with /usr/bin/python3): TCP or RTU-over-TCP on a port, and serial. */
export const PYMODBUS_SERVER = new URL("./pymodbus_server.py", import.meta.url).pathname;
export const PYMODBUS_SERIAL = new URL("./pymodbus_serial.py", import.meta.url).pathname;

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

// Prometheus, Alertmanager and InfluxDB 1.x: HTTP peers, ready when their health URL answers.

export const BINARIES = {
  prometheus: "/usr/bin/prometheus",
  promtool: "/usr/bin/promtool",
  alertmanager: "/usr/bin/prometheus-alertmanager",
  amtool: "/usr/bin/amtool",
  influxd: "/usr/bin/influxd",
} as const;

/** Why the named peers cannot run here, or undefined when they can. */
export function missingPeers(...names: (keyof typeof BINARIES)[]): string | undefined {
  return missing(...names.map((n) => BINARIES[n]));
}

/** A describe title that says why it is skipped, when it is. */
export function titled(title: string, skipReason: string | undefined): string {
  return skipReason ? `${title} (skipped: ${skipReason})` : title;
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

async function startHttpPeer(
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
  return startHttpPeer(
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
  return startHttpPeer(
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
  return startHttpPeer("influxd", BINARIES.influxd, ["-config", conf], `http://127.0.0.1:${http}`, "/ping");
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

// VictoriaMetrics and mosquitto: the sinks' servers, which a test can stop and start again.

export const VICTORIA = "/usr/bin/victoria-metrics";
export const MOSQUITTO = "/usr/sbin/mosquitto";

export const victoriaMissing = existsSync(VICTORIA)
  ? undefined
  : `${VICTORIA} not installed (Debian package victoria-metrics)`;
export const mosquittoMissing = existsSync(MOSQUITTO)
  ? undefined
  : `${MOSQUITTO} not installed (Debian package mosquitto)`;

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
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
    await waitFor(
      "victoria-metrics",
      async () => ((await fetch(`${url}/health`)).ok ? true : undefined),
      15_000,
      50,
    );
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
    await waitForPort(port, 10_000);
  };
  await launch();
  return { url: `mqtt://127.0.0.1:${port}`, port, stop: () => stopProcess(child!), restart: launch };
}

// snmpd and the net-snmp command line tools.

export const haveSnmpd = existsSync("/usr/sbin/snmpd");
export const haveSnmpTools = existsSync("/usr/bin/snmpget") && existsSync("/usr/bin/snmptrap");

export const V3 = { user: "emcommv3", authKey: "emcomm-auth-pass", privKey: "emcomm-priv-pass" } as const;
/** A second user: SHA-512, authNoPriv. */
export const V3_SHA512 = { user: "emcommsha512", authKey: "emcomm-sha512-pass" } as const;

/** A free UDP port on loopback (bound and released; good enough for tests). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface Snmpd {
  port: number;
  /** Every port it listens on (`ports` asked at start; the first is `port`). */
  ports: number[];
  pid: number;
  /** Stops and starts the same agent (same engine ID and users, engine time from zero). */
  restart(opts: { keepEngineBoots: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function startSnmpd(count = 1): Promise<Snmpd> {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-snmpd-"));
  const ports: number[] = [];
  const pickPorts = async () => {
    ports.length = 0;
    while (ports.length < count) {
      const p = await freeUdpPort();
      if (!ports.includes(p)) ports.push(p);
    }
  };
  await pickPorts();
  const conf = join(dir, "snmpd.conf");
  writeFileSync(
    conf,
    [
      "rocommunity public 127.0.0.1",
      `createUser ${V3.user} SHA "${V3.authKey}" AES "${V3.privKey}"`,
      `rouser ${V3.user} priv`,
      `createUser ${V3_SHA512.user} SHA-512 "${V3_SHA512.authKey}"`,
      `rouser ${V3_SHA512.user} auth`,
      "",
    ].join("\n"),
  );
  const persistent = join(dir, "persistent");
  let output = "";
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(
      "/usr/sbin/snmpd",
      ["-f", "-Lo", "-C", "-c", conf, ports.map((p) => `udp:127.0.0.1:${p}`).join(",")],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, SNMP_PERSISTENT_DIR: persistent, MIBS: "" },
      },
    );
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    // Ready when it answers.
    for (let i = 0; i < 50; i++) {
      try {
        await snmpCmd("snmpget", [
          "-v2c",
          "-c",
          "public",
          "-t",
          "0.3",
          "-r",
          "0",
          `127.0.0.1:${ports[0]}`,
          "1.3.6.1.2.1.1.3.0",
        ]);
        break;
      } catch {
        if (child.exitCode !== null) throw new Error(`snmpd exited: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return child;
  };
  const kill = async (child: ChildProcess) => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  // A port found free can be taken by another process (a test's socket on an ephemeral port)
  // before snmpd binds it: then snmpd exits, and it is started again on other ports.
  const launchOnFreePorts = async (): Promise<ChildProcess> => {
    for (let attempt = 1; ; attempt++)
      try {
        return await launch();
      } catch (err) {
        if (attempt >= 5 || !output.includes("Error opening specified endpoint")) throw err;
        output = "";
        await pickPorts();
      }
  };
  let child = await launchOnFreePorts();
  return {
    port: ports[0]!,
    ports,
    get pid() {
      return child.pid!;
    },
    async restart({ keepEngineBoots }) {
      await kill(child);
      if (keepEngineBoots) {
        // snmpd adds one to the engineBoots it persisted: take one off, as an agent that does not
        // persist it would come back with the same engineBoots and its engineTime from zero.
        const file = join(persistent, "snmpd.conf");
        const text = readFileSync(file, "utf8");
        writeFileSync(
          file,
          text.replace(/^engineBoots (\d+)$/m, (_, n) => `engineBoots ${Number(n) - 1}`),
        );
      }
      child = await launch();
    },
    async stop() {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a net-snmp command line tool with numeric output; resolves with stdout. */
export async function snmpCmd(tool: string, args: string[]): Promise<string> {
  const { stdout } = await run(`/usr/bin/${tool}`, ["-On", "-m", "", ...args], { timeout: 10_000 });
  return stdout;
}

/** "oid = TYPE: value" lines of -On output as a map (values without quotes). */
export function parseOutput(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\.?([\d.]+) = (?:[\w-]+: )?(.*)$/.exec(line.trim());
    // "No more variables left in this MIB View" / "No Such Object…" are not values.
    if (m && !/^No (more variables|Such)/.test(m[2]!)) out.set(m[1]!, m[2]!.replace(/^"|"$/g, ""));
  }
  return out;
}

export const v3Args = (user = V3.user, auth: string = V3.authKey, priv: string = V3.privKey) => [
  "-v3",
  "-l",
  "authPriv",
  "-u",
  user,
  "-a",
  "SHA",
  "-A",
  auth,
  "-x",
  "AES",
  "-X",
  priv,
];
