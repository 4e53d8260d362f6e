/**
 * The year: at least two drills (counted when December ends, on the support-task line), and the
 * year's sheet built from every month's records, a month's override named in the evidence.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScoreLine, ScoreSheet } from "../../src/report/score.ts";
import { at } from "../support/harness.ts";
import { recordsWorld, signedDrill, type World } from "./support.ts";

/** 2027-01-02 00:00 Asia/Shanghai. */
const JAN_2_2027 = Date.UTC(2027, 0, 1, 16, 0, 0);

describe("the year's records", () => {
  let w: World;
  beforeEach(async () => {
    w = await recordsWorld();
  });
  afterEach(async () => w.close());

  const line = (s: ScoreSheet, id: string) => s.lines.find((l) => l.id === id) as ScoreLine;

  it("one drill in the year is one short of two: December's support line says so", async () => {
    await signedDrill(w, "flood drill", ["li.engineer", "zhao.engineer"]);
    w.h.clock.set(at(20, "10:00"));
    expect(
      (
        await w.api("PUT", "/api/v1/reports/2026-11/inputs", "supervisor", {
          period: "2026-11",
          dissatisfiedCallbacks: 3,
          overrides: { "callback-satisfaction": "three calls logged on paper before go-live" },
        })
      ).status,
    ).toBe(200);

    w.h.clock.set(JAN_2_2027);
    const dec = (await w.api<ScoreSheet>("GET", "/api/v1/reports/2026-12.json", "supervisor")).body;
    expect(line(dec, "support-tasks").evidence.join("\n")).toContain("2026 年度演练 1 < 2");
    expect(line(dec, "support-tasks").score).toBe(10 - 2 - 2); // the year's drill, December's joint test
    const nov = (await w.api<ScoreSheet>("GET", "/api/v1/reports/2026-11.json", "supervisor")).body;
    expect(line(nov, "support-tasks").score).toBe(8); // no joint test; the drill is fine
    expect(line(nov, "callback-satisfaction")).toMatchObject({ score: 7, source: "manual" });

    const year = (await w.api<ScoreSheet>("GET", "/api/v1/reports/2026.json", "supervisor")).body;
    expect(year.months).toHaveLength(12);
    expect(year.lines.every((l) => l.source !== undefined)).toBe(true);
    expect(line(year, "callback-satisfaction").evidence.join("\n")).toContain(
      "2026-11 人工修正 / manual override: three calls logged on paper before go-live",
    );
    expect(line(year, "support-tasks").evidence.join("\n")).toContain("2026-12 2026 年度演练 1 < 2");
  });
});
