import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendTransition } from "../../src/ledger/store.ts";
import { appendEvent, insertTicket } from "../../src/tickets/store.ts";
import { unreachableTicket } from "../support/harness.ts";
import { smallDiskRefused, storesOnSmallDisks } from "../support/small-disk.ts";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("store write paths", () => {
  it("never read a RETURNING statement with get() (it can miss SQLITE_FULL raised at completion)", () => {
    const offenders: string[] = [];
    for (const file of [...sources("src"), ...sources("drivers")]) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/RETURNING[^;]*?\)\s*\.get\(/g))
        offenders.push(`${file}:${text.slice(0, m.index).split("\n").length}`);
    }
    expect(offenders).toEqual([]);
  });
});

const at = Date.now() - 60_000;

describe.skipIf(smallDiskRefused !== undefined)(
  `writes on a full disk${smallDiskRefused ? ` (skipped: ${smallDiskRefused})` : ""}`,
  () => {
    const fullStore = storesOnSmallDisks();

    it("raise SQLITE_FULL instead of returning a row that was never stored", () => {
      const { db, disk } = fullStore(1024);
      const body = "x".repeat(3000);
      let stored = 0;
      let full: unknown;
      for (let i = 0; i < 2000 && !full; i++) {
        try {
          appendTransition(db, {
            device: `d${i}`,
            site: "s",
            state: "down",
            previous: "up",
            at: at + i,
            recordedAt: at + i,
            code: "unreachable",
            cause: body,
            detail: null,
          });
          stored++;
        } catch (err) {
          full = err;
        }
      }
      expect((full as { code?: string }).code).toMatch(/SQLITE_FULL|SQLITE_IOERR/);
      const count = () =>
        (db.prepare("SELECT count(*) AS n FROM state_transitions").get() as { n: number }).n;
      expect(count()).toBe(stored);
      expect(() =>
        insertTicket(db, {
          ...unreachableTicket("d0", "s", at, body),
          cause: body,
          handling: body,
          lessons: body,
        }),
      ).toThrow(/full|disk|I\/O/i);
      expect(() =>
        appendEvent(db, {
          ticketId: 1,
          at,
          actor: "t",
          event: "comment",
          fromState: null,
          toState: null,
          detail: { text: body },
        }),
      ).toThrow(/full|disk|I\/O|FOREIGN/i);
      // Space returns: the same write succeeds and is stored.
      disk.grow(8192);
      const t = appendTransition(db, {
        device: "after",
        site: "s",
        state: "up",
        previous: null,
        at,
        recordedAt: at,
        code: null,
        cause: "ok",
        detail: null,
      });
      expect(count()).toBe(stored + 1);
      expect(db.prepare("SELECT device FROM state_transitions WHERE id = ?").get(t.id)).toEqual({
        device: "after",
      });
    });
  },
);
