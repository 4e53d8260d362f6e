/**
 * The `emcomm` command (bin/emcomm.js, which runs src/cli.ts) starts the daemon with the same Node
 * flags however it is started (scripts/node-flags.mjs): the command's first line, `npm run
 * emcomm`, and `npm start` (which imports the list).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DAEMON_NODE_FLAGS } from "../scripts/node-flags.mjs";

const root = join(import.meta.dirname, "..");
const flags = DAEMON_NODE_FLAGS.join(" ");

describe("the daemon's Node flags", () => {
  it("are on the emcomm command's first line, and the command runs through it", () => {
    const first = readFileSync(join(root, "bin/emcomm.js"), "utf8").split("\n")[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${flags}`);
    // Run as a program, so the kernel and env read that line.
    const r = spawnSync(join(root, "bin/emcomm.js"), ["--version"], { encoding: "utf8", cwd: root });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("are the ones `npm run emcomm` passes", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.emcomm).toBe(`node ${flags} bin/emcomm.js`);
  });

  it("size V8's young generation in a process started with them", () => {
    const space = (args: readonly string[]) => {
      const r = spawnSync(
        process.execPath,
        [
          ...args,
          "-e",
          'const v8 = require("node:v8"); const keep = []; for (let i = 0; i < 2e6; i++) { const o = { i, s: "x" + i }; if (i % 40 === 0) keep.push(o); if (keep.length > 20000) keep.splice(0, 10000); } console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size)',
        ],
        { encoding: "utf8" },
      );
      return Number(r.stdout.trim());
    };
    const withFlags = space(DAEMON_NODE_FLAGS);
    expect(withFlags).toBeGreaterThan(0);
    expect(withFlags).toBeLessThan(space([]));
  });
});
