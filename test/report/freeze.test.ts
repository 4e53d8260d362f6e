/**
 * Freezing: a closed month's inputs, policy and result are stored with a SHA-256 digest; recomputing
 * gives the same digest; a changed result needs a reason and becomes an audited new revision; frozen
 * rows cannot be edited. Also: migrate() applies migrations with gaps, in version order.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { buildReport } from "../../src/report/build.ts";
import {
  auditLog,
  FreezeError,
  freezeReport,
  getFrozen,
  loadInputs,
  saveInputs,
  verifyFrozen,
} from "../../src/report/freeze.ts";
import { InputError, parseManualInputs } from "../../src/report/inputs.ts";
import { MemoryReportSource } from "../../src/report/memory-source.ts";
import { reportConfig } from "../../src/report/policy.ts";
import { migrate, openStore } from "../../src/store/db.ts";
import { migrations } from "../../src/store/migrations.ts";
import { at, H, november, novemberInputs } from "./fixtures.ts";

const config = reportConfig({ fee: { contractTotal: 1_000_000 } });

async function build(clock: FakeClock, inputs = novemberInputs) {
  return buildReport("2026-11", {
    source: new MemoryReportSource(november()),
    config,
    clock,
    inputs: [parseManualInputs(inputs)],
  });
}

describe("freezing a month", () => {
  it("stores a digest that recomputation reproduces; re-freezing the same result is a no-op", async () => {
    const db = openStore(":memory:");
    const clock = new FakeClock(at(2, 3, 0, 12));
    const { data, sheet } = await build(clock);
    const first = freezeReport(db, { config, data, sheet, actor: "ops", clock });
    expect(first.created).toBe(true);
    expect(first.revision.revision).toBe(1);
    expect(first.revision.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(first.revision.sheet.totals).toEqual({ performance: 57, service: 83 });
    expect(verifyFrozen(db, "2026-11", { actor: "auditor", clock })).toMatchObject({ ok: true, revision: 1 });
    // A second run later (same store contents) gives the same digest and no new revision.
    const again = await build(new FakeClock(at(20, 0, 0, 12)));
    const second = freezeReport(db, { config, ...again, actor: "cron", clock });
    expect(second.created).toBe(false);
    expect(second.revision.digest).toBe(first.revision.digest);
  });

  it("tickets that progress after the month (T6 repaired, T8 closed in December) leave the digest unchanged", async () => {
    const db = openStore(":memory:");
    const clock = new FakeClock(at(1, 2, 30, 12));
    const r1 = freezeReport(db, { config, ...(await build(clock)), actor: "schedule", clock }).revision;
    const later = november();
    later.tickets = later.tickets.map((t) =>
      t.id === "T6"
        ? {
            ...t,
            clearedAt: at(1, 3, 0, 12),
            verifiedAt: at(1, 5, 0, 12),
            state: "closed" as const,
            repairMs: 7 * H,
          }
        : t.id === "T8"
          ? {
              ...t,
              clearedAt: at(3, 9, 0, 12),
              verifiedAt: at(3, 10, 0, 12),
              state: "closed" as const,
              repairMs: 5 * 24 * H,
            }
          : t,
    );
    const { data, sheet } = await buildReport("2026-11", {
      source: new MemoryReportSource(later),
      config,
      clock: new FakeClock(at(10, 0, 0, 12)),
      inputs: [parseManualInputs(novemberInputs)],
    });
    // As November saw them: T6 still on site, T8 still open. Same snapshot, same digest, no new revision.
    expect(sheet.faults.find((f) => f.id === "T6")?.state).toBe("onsite");
    expect(sheet.faults.find((f) => f.id === "T8")?.clearedAt).toBeNull();
    const r = freezeReport(db, { config, data, sheet, actor: "schedule", clock });
    expect(r.created).toBe(false);
    expect(r.revision.digest).toBe(r1.digest);
    // Editing a November fault record's text later is a change of the report: it needs a reason.
    later.tickets = later.tickets.map((t) => (t.id === "T6" ? { ...t, lessons: "carry a spare PSU" } : t));
    const edited = await buildReport("2026-11", {
      source: new MemoryReportSource(later),
      config,
      clock: new FakeClock(at(10, 0, 0, 12)),
      inputs: [parseManualInputs(novemberInputs)],
    });
    expect(() => freezeReport(db, { config, ...edited, actor: "schedule", clock })).toThrow(/needs a reason/);
  });

  it("a correction is a new revision with a reason; old revisions are immutable; all audited", async () => {
    const db = openStore(":memory:");
    const clock = new FakeClock(at(2, 3, 0, 12));
    const orig = await build(clock);
    const r1 = freezeReport(db, { config, ...orig, actor: "ops", clock }).revision;
    const corrected = await build(clock, { ...novemberInputs, complaints: 3 });
    expect(() => freezeReport(db, { config, ...corrected, actor: "ops", clock })).toThrow(FreezeError);
    expect(() => freezeReport(db, { config, ...corrected, actor: "ops", clock })).toThrow(/needs a reason/);
    const r2 = freezeReport(db, {
      config,
      ...corrected,
      actor: "ops",
      clock,
      reason: "bureau logged 2 more complaints",
    });
    expect(r2.revision).toMatchObject({
      revision: 2,
      supersedes: 1,
      reason: "bureau logged 2 more complaints",
    });
    expect(r2.revision.digest).not.toBe(r1.digest);
    expect(getFrozen(db, "2026-11", 1)?.digest).toBe(r1.digest);
    expect(verifyFrozen(db, "2026-11", { actor: "auditor", clock, revision: 1 }).ok).toBe(true);
    expect(verifyFrozen(db, "2026-11", { actor: "auditor", clock }).ok).toBe(true);
    expect(() => db.prepare("UPDATE report_revisions SET digest = 'x'").run()).toThrow(/immutable/);
    expect(() => db.prepare("DELETE FROM report_revisions").run()).toThrow(/immutable/);
    expect(auditLog(db, "2026-11").map((a) => `${a.action}:${a.revision}`)).toEqual([
      "freeze:1",
      "correct:2",
      "verify:1",
      "verify:2",
    ]);
  });

  it("a tampered stored result fails verification", async () => {
    const db = openStore(":memory:");
    const clock = new FakeClock(at(2, 3, 0, 12));
    freezeReport(db, { config, ...(await build(clock)), actor: "ops", clock });
    db.exec("DROP TRIGGER report_revisions_immutable_update");
    db.prepare(
      "UPDATE report_revisions SET data_json = replace(data_json, '\"complaints\":1', '\"complaints\":0')",
    ).run();
    expect(verifyFrozen(db, "2026-11", { actor: "auditor", clock }).ok).toBe(false);
  });

  it("refuses to freeze a month that has not ended", async () => {
    const db = openStore(":memory:");
    const clock = new FakeClock(at(20, 0));
    const r = await build(clock);
    expect(() => freezeReport(db, { config, ...r, actor: "ops", clock })).toThrow(/not ended/);
  });

  it("manual inputs are stored as entries, validated before anything is written", () => {
    const db = openStore(":memory:");
    const clock = new FakeClock(at(2, 3, 0, 12));
    expect(() => saveInputs(db, { period: "2026-11", complaints: -1 }, { actor: "x", clock })).toThrow(
      InputError,
    );
    expect(loadInputs(db, "2026-11")).toEqual([]);
    saveInputs(db, { period: "2026-11", complaints: 1 }, { actor: "x", clock });
    saveInputs(db, { period: "2026-11", complaints: 2 }, { actor: "x", clock });
    saveInputs(db, { period: "2026-10", writtenPraise: 1 }, { actor: "x", clock });
    expect(loadInputs(db, "2026-11").map((i) => i.complaints)).toEqual([2]);
    expect(loadInputs(db, "2026").map((i) => i.period)).toEqual(["2026-10", "2026-11"]);
  });
});

describe("store migrations with gaps", () => {
  it("applies every version once, in order, whatever the array order and gaps", () => {
    const db = openStore(":memory:");
    expect(db.pragma("user_version", { simple: true })).toBe(Math.max(...migrations.map((m) => m.version)));
    const applied = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as {
      version: number;
    }[];
    expect(applied.map((r) => r.version)).toEqual(migrations.map((m) => m.version).sort((a, b) => a - b));
    expect(migrate(db)).toBe(db.pragma("user_version", { simple: true }));
  });

  it("a file migrated before schema_migrations existed keeps its versions", () => {
    const db = openStore(":memory:");
    db.exec("DROP TABLE schema_migrations");
    // Re-running must not try to create report_revisions again (it exists: version 20 ≤ user_version).
    expect(() => migrate(db)).not.toThrow();
  });
});
