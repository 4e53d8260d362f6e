/**
 * Real net-snmp peers for the SNMP tests: a private snmpd on a loopback high port (temp config,
 * v2c community + v3 authPriv user), and runners for snmpget/snmpwalk/snmpbulkwalk/snmptrap.
 * Tests skip with the reason when the Debian packages are missing.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

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
  while (ports.length < count) {
    const p = await freeUdpPort();
    if (!ports.includes(p)) ports.push(p);
  }
  const port = ports[0]!;
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
          `127.0.0.1:${port}`,
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
  let child = await launch();
  return {
    port,
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
