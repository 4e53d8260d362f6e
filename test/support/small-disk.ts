/**
 * A small tmpfs for disk-full tests: `smallDisk(kib)` mounts one on a fresh directory (needs root
 * and a kernel that lets this container mount), `grow(kib)` gives space back, `release()` unmounts.
 * `smallDiskRefused` says why mounting is refused here (tests skip with that reason).
 * `storesOnSmallDisks()` gives a test a store on a small disk and takes both away after it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type Db, openStore } from "../../src/store/db.ts";

export interface SmallDisk {
  dir: string;
  grow(kib: number): void;
  release(): void;
}

export function smallDisk(kib: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-full-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k`, "tmpfs", dir]);
  return {
    dir,
    grow: (size) => execFileSync("mount", ["-o", `remount,size=${size}k`, dir]),
    release: () => {
      try {
        execFileSync("umount", ["-l", dir]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Stores on small disks, closed and unmounted after each test. Call once in a describe:
 * `const fullStore = storesOnSmallDisks()`, then `const { db, disk } = fullStore(1024)` in a test.
 */
export function storesOnSmallDisks(): (kib: number) => { db: Db; disk: SmallDisk } {
  const opened: { db?: Db; disk: SmallDisk }[] = [];
  afterEach(() => {
    for (const { db, disk } of opened.splice(0)) {
      db?.close();
      disk.release();
    }
  });
  return (kib) => {
    const store: { db?: Db; disk: SmallDisk } = { disk: smallDisk(kib) };
    opened.push(store);
    store.db = openStore(store.disk.dir);
    return { db: store.db, disk: store.disk };
  };
}

function probe(): string | undefined {
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  try {
    smallDisk(64).release();
    return undefined;
  } catch (err) {
    return `mounting a tmpfs is refused here: ${(err as Error).message.split("\n")[0]}`;
  }
}

export const smallDiskRefused: string | undefined = probe();
