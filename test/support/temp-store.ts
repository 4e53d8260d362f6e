/**
 * Stores in temporary directories for tests, removed after each test. Call once at the top of a
 * test file: `const store = tempStores("outbox-")`, then `store()` in each test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type Db, openStore } from "../../src/store/db.ts";

export function tempStores(prefix: string): () => { db: Db; dir: string } {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return { db: openStore(dir), dir };
  };
}
