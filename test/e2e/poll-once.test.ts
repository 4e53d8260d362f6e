/** `emcomm poll`, like telegraf --test: polls once, prints samples or typed errors, exit 1 on failure. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../simulators/registry.ts";
import { tcpSimulator } from "../../simulators/tcp/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { quietLog } from "../support/log.ts";

const root = new URL("../../", import.meta.url).pathname;
let sim: RunningSimulator;
let file: string;

beforeAll(async () => {
  const devices = ["console", "matrix"].map((id) => ({
    id,
    kind: "dispatch-console",
    site: "duty",
    driver: { protocol: "tcp" },
  }));
  sim = await tcpSimulator.start(devices, { clock: systemClock, log: quietLog });
  const device = (id: string) => {
    const { port } = sim.endpoint(id) as { port: number };
    return `  - { id: ${id}, name: { zh: 调度台, en: Console }, site: duty, system: duty, kind: dispatch-console, vendor: x, model: y, interval: 5s,
      driver: { protocol: tcp, host: 127.0.0.1, port: ${port} } }`;
  };
  file = join(mkdtempSync(join(tmpdir(), "emcomm-poll-")), "emcomm.yaml");
  writeFileSync(
    file,
    `sites:\n  - { id: duty, name: { zh: 值班, en: Duty } }\ndevices:\n${device("console")}\n${device("matrix")}\n`,
  );
});

afterAll(async () => {
  await sim.stop();
});

const poll = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin/emcomm.js"), "poll", "--config", file, ...args], {
    encoding: "utf8",
    cwd: root,
  });

describe("emcomm poll", () => {
  it("prints every sample and exits 0 when all devices answer", () => {
    const r = poll("--json");
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as {
      device: string;
      samples: { metric: string; value: number }[];
    }[];
    expect(results.map((x) => x.device).sort()).toEqual(["console", "matrix"]);
    for (const x of results) expect(x.samples[0]?.metric).toBe("tcp_connect_seconds");
  });

  it("prints the typed error and exits 1 when a device fails", () => {
    sim.inject("matrix", "silent");
    const r = poll("--device", "matrix");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/✗ matrix \(tcp\) unreachable: .*ECONNREFUSED/);
    expect(r.stdout).toMatch(/0 ok, 1 failed/);
    sim.clear("matrix");
  });

  it("names a device that is not in the config", () => {
    const r = poll("--device", "ghost", "--json");
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)[0].error.message).toMatch(/no device ghost/);
  });
});
