/**
 * The ledger's compact timeline read against a plain row-by-row read of the same store: several
 * devices, states before the period, equal times, and times that are not whole milliseconds.
 */
import { describe, expect, it } from "vitest";
import { type DeviceState, deviceStates, timelines } from "../../src/ledger/store.ts";
import type { Db } from "../../src/store/db.ts";
import { tempStores } from "../support/temp-store.ts";

const store = tempStores("timelines-");

function add(db: Db, device: string, state: DeviceState, at: number | bigint, thirdParty = false): void {
  db.prepare(
    `INSERT INTO state_transitions (device, site, state, previous, at, recorded_at, cause, third_party)
     VALUES (?, 's', ?, NULL, ?, ?, 't', ?)`,
  ).run(device, state, at, at, thirdParty ? 1 : 0);
}

/** What the timelines must equal: every device's rows one by one, in (at, id) order. */
function rowByRow(db: Db, from: number, to: number) {
  const out = new Map<string, { at: number[]; state: DeviceState[]; thirdParty: boolean[] }>();
  const devices = db.prepare("SELECT DISTINCT device FROM state_transitions").pluck().all() as string[];
  for (const device of devices) {
    const rows = db
      .prepare(
        `SELECT at, state, third_party FROM (
           SELECT * FROM (SELECT * FROM state_transitions WHERE device = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1)
           UNION ALL SELECT * FROM state_transitions WHERE device = ? AND at >= ? AND at < ?)
         ORDER BY at, id`,
      )
      .raw()
      .all(device, from, device, from, to) as [number, DeviceState, number][];
    if (rows.length > 0)
      out.set(device, {
        at: rows.map((r) => r[0]),
        state: rows.map((r) => r[1]),
        thirdParty: rows.map((r) => r[2] === 1),
      });
  }
  return out;
}

describe("timelines", () => {
  it("equal a row-by-row read, whatever the times", () => {
    const { db } = store();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let d = 0; d < 20; d++)
      for (let k = 0; k < 30; k++)
        add(db, `dev-${d}`, deviceStates[random(deviceStates.length)]!, random(1000), random(5) === 0);
    add(db, "dev-3", "down", 400); // a time another change of dev-3 may have too
    add(db, "dev-3", "up", 400);
    // Devices of their own, so that no equal time sends them to the row-by-row read anyway.
    add(db, "odd-ms", "up", 500);
    add(db, "odd-ms", "down", 699.5); // not a whole millisecond
    add(db, "far", "up", 960);
    add(db, "far", "down", 123456789012345678n); // 18 digits: past what digit-by-digit reading gets exact
    for (const [from, to] of [
      [300, 700],
      [0, 2000],
      [950, 2 ** 60],
    ] as const) {
      const got = timelines(db, from, to);
      const want = rowByRow(db, from, to);
      expect(new Map([...got].sort())).toEqual(new Map([...want].sort()));
    }
  });

  it("reads only the devices asked for", () => {
    const { db } = store();
    add(db, "a", "up", 100);
    add(db, "b", "down", 200);
    expect([...timelines(db, 0, 1000, ["b", "c"]).keys()]).toEqual(["b"]);
  });
});
