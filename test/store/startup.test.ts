/**
 * `emcomm run` refuses to start, with one clear line and a non-zero exit, on a store it cannot
 * use (zero-length, corrupt, written by a newer emcomm, read-only) and on a secret it cannot
 * read; the file is left as it was.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/db.ts";
import { smallDisk, smallDiskRefused } from "../support/small-disk.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "emcomm-startup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(dataDir: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      daemon: { dataDir, http: { host: "127.0.0.1", port: 0 }, log: { level: "silent" } },
      sites: [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }],
      devices: [],
      ...extra,
    }),
  );
  return file;
}

function run(configFile: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, "bin/emcomm.js"), "run", "-c", configFile], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr.trim() };
}

function dataDir(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe("emcomm run refuses a store it cannot use", () => {
  it("zero-length: says so with the path and what to do, and leaves it alone", () => {
    const d = dataDir("empty");
    writeFileSync(join(d, "emcomm.db"), "");
    const r = run(config(d));
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(join(d, "emcomm.db"));
    expect(r.stderr).toMatch(/zero length.*restore it from a backup/);
    expect(statSync(join(d, "emcomm.db")).size).toBe(0);
  });

  it("corrupt: not a readable SQLite store", () => {
    const d = dataDir("corrupt");
    const garbage = Buffer.from("this is not a database at all; ".repeat(200));
    writeFileSync(join(d, "emcomm.db"), garbage);
    const r = run(config(d));
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/emcomm\.db: the file is not a readable SQLite store \(SQLITE_NOTADB\).*backup/);
    expect(readFileSync(join(d, "emcomm.db"))).toEqual(garbage);
  });

  it("written by a newer emcomm: names the schema and refuses", () => {
    const d = dataDir("newer");
    const db = openStore(d);
    db.prepare("INSERT INTO schema_migrations (version, description) VALUES (999, 'from the future')").run();
    db.close();
    const r = run(config(d));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/written by a newer emcomm \(schema 999; this one knows up to \d+\)/);
  });

  it.skipIf(smallDiskRefused !== undefined)("read-only: cannot be opened for writing", () => {
    const disk = smallDisk(4096);
    try {
      openStore(disk.dir).close();
      execFileSync("mount", ["-o", "remount,ro", disk.dir]);
      const r = run(config(disk.dir));
      expect(r.status).toBe(1);
      expect(r.stderr.split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/emcomm\.db: the file cannot be opened for writing/);
    } finally {
      disk.release();
    }
  });
});

describe("emcomm run refuses a secret it cannot read", () => {
  it("names the keys and where they come from, never a value", () => {
    const d = dataDir("secrets");
    const file = config(d, {
      sla: {
        api: {
          tokens: [
            { name: "li", role: "engineer", token: "${EMCOMM_TEST_MISSING_TOKEN}" },
            { name: "wang", role: "viewer", token: "${EMCOMM_TEST_PRESENT_TOKEN}" },
          ],
        },
      },
    });
    const r = run(file, { EMCOMM_TEST_PRESENT_TOKEN: "do-not-print-me" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("1 secret(s) cannot be read; not starting");
    expect(r.stderr).toContain(
      "sla.api.tokens[0].token: environment variable EMCOMM_TEST_MISSING_TOKEN is not set",
    );
    expect(r.stderr).not.toContain("do-not-print-me");
    // `config check --secrets` reports the same.
    const check = spawnSync(
      process.execPath,
      [join(root, "bin/emcomm.js"), "config", "check", file, "--secrets"],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, EMCOMM_TEST_PRESENT_TOKEN: "do-not-print-me" },
      },
    );
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("sla.api.tokens[0].token");
  });
});
