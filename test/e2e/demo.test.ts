/**
 * The demo end to end, as a newcomer runs it: `emcomm demo` in a child process, /metrics up with
 * emcomm_device_up 1 for every simulated device, /api/v1/devices listing the whole inventory, a
 * fault injected through the control surface taking a device down, and Ctrl-C stopping cleanly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.ts";

const root = new URL("../../", import.meta.url).pathname;
const inventory = loadConfigFile(join(root, "config/emcomm.yaml"));

let child: ChildProcess;
let output = "";
let url = "";
let control = "";

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (${String(last ?? "")})\n${output}`);
}

function upByDevice(metrics: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const m of metrics.matchAll(/^emcomm_device_up\{device="([^"]+)"[^}]*\} (\d+)/gm))
    map.set(m[1]!, Number(m[2]));
  return map;
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "emcomm-demo-"));
  child = spawn(process.execPath, ["bin/emcomm.js", "demo", "--port", "0", "--data-dir", dataDir], {
    cwd: root,
    env: { ...process.env, EMCOMM_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  url = await waitFor("the banner", async () => /metrics\s+(http:\/\/\S+)\/metrics/.exec(output)?.[1]);
  control = await waitFor("the control URL", async () => /faults\s+(http:\/\/\S+)\/faults/.exec(output)?.[1]);
}, 90_000);

afterAll(() => {
  if (child.exitCode === null) child.kill("SIGKILL");
});

describe("emcomm demo", () => {
  it("lists the whole inventory on /api/v1/devices", async () => {
    const body = (await (await fetch(`${url}/api/v1/devices`)).json()) as { devices: { id: string }[] };
    expect(body.devices.map((d) => d.id).sort()).toEqual(inventory.devices.map((d) => d.id).sort());
  });

  it("brings emcomm_device_up to 1 for every simulated device within 60 s", async () => {
    const served = Object.keys((await (await fetch(`${control}/faults`)).json()) as object);
    expect(served.length).toBeGreaterThan(0);
    const up = await waitFor("every simulated device up", async () => {
      const map = upByDevice(await (await fetch(`${url}/metrics`)).text());
      return served.every((id) => map.get(id) === 1) ? map : undefined;
    });
    expect(served.filter((id) => up.get(id) !== 1)).toEqual([]);
  }, 70_000);

  it("a fault injected through the control surface takes the device down, and clearing it brings it back", async () => {
    const device = "trunking-console";
    const injected = await fetch(`${control}/faults/${device}/silent`, { method: "POST" });
    expect(injected.status).toBe(200);
    await waitFor(
      "device down",
      async () =>
        upByDevice(await (await fetch(`${url}/metrics`)).text()).get(device) === 0 ? true : undefined,
      70_000,
    );
    const api = (await (await fetch(`${url}/api/v1/devices/${device}`)).json()) as {
      up: boolean;
      lastError: { kind: string };
    };
    expect(api.up).toBe(false);
    expect(api.lastError.kind).toBe("unreachable");
    await fetch(`${control}/faults/${device}`, { method: "DELETE" });
    await waitFor(
      "device up again",
      async () =>
        upByDevice(await (await fetch(`${url}/metrics`)).text()).get(device) === 1 ? true : undefined,
      70_000,
    );
  }, 150_000);

  it("stops cleanly on Ctrl-C", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toMatch(/daemon stopped/);
  }, 30_000);
});
