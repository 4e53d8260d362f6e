import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrate, openStore } from "../../src/store/db.ts";
import { migrations } from "../../src/store/migrations.ts";

describe("store", () => {
  it("migration versions increase strictly", () => {
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions[0]).toBe(1);
  });

  it("opens a WAL database, migrates once, and reopens without re-running migrations", () => {
    const dir = mkdtempSync(join(tmpdir(), "emcomm-store-"));
    const db = openStore(dir);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const latest = migrations.at(-1)!.version;
    expect(db.pragma("user_version", { simple: true })).toBe(latest);
    db.prepare(
      "INSERT INTO daemon_runs (started_at, heartbeat_at, version, config_digest) VALUES (1, 1, 'x', 'y')",
    ).run();
    db.close();
    const again = openStore(dir);
    expect(migrate(again)).toBe(latest);
    expect(again.prepare("SELECT count(*) AS n FROM daemon_runs").get()).toEqual({ n: 1 });
    again.close();
  });
});
