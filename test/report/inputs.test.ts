/**
 * Manual inputs: strict validation with errors that name the field; nothing half-accepted.
 */
import { describe, expect, it } from "vitest";
import { PeriodError, parsePeriod } from "../../src/ledger/period.ts";
import { InputError, parseInputsFile, parseManualInputs } from "../../src/report/inputs.ts";
import { reportConfigSchema } from "../../src/report/policy.ts";

const problems = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected an InputError");
};

describe("manual inputs", () => {
  it("defaults every count to 0", () => {
    expect(parseManualInputs({ period: "2026-11" })).toMatchObject({
      complaints: 0,
      productionAccidents: [],
    });
  });

  it("names every bad field: negative, fractional, unknown indicator, accident outside 5..10", () => {
    const msg = problems(() =>
      parseManualInputs({
        period: "2026-11",
        complaints: -1,
        reportsMissing: 1.5,
        praise: 3,
        productionAccidents: [{ description: "fire", deduction: 4 }, { deduction: 6 }],
      }),
    );
    expect(msg).toMatch(/complaints: not negative .* \(got -1\)/);
    expect(msg).toMatch(/reportsMissing: a whole number .* \(got 1\.5\)/);
    expect(msg).toMatch(/unknown indicator\(s\): praise/);
    expect(msg).toMatch(/productionAccidents\.0\.deduction: at least 5 points/);
    expect(msg).toMatch(/productionAccidents\.1\.description/);
    expect(msg).toMatch(/5 problem\(s\)/);
  });

  it("periods that do not exist are errors", () => {
    expect(problems(() => parseManualInputs({ period: "2026-13" }))).toMatch(/month 13 does not exist/);
    expect(problems(() => parseManualInputs({ period: "2026-00" }))).toMatch(/does not exist/);
    expect(problems(() => parseManualInputs({ period: "2026" }))).toMatch(/a month YYYY-MM, not a year/);
    expect(problems(() => parseManualInputs({ period: "Nov 2026" }))).toMatch(/expected YYYY-MM/);
    expect(() => parsePeriod("2026-1")).toThrow(PeriodError);
    expect(() => parsePeriod("1999")).toThrow(/out of 2000..2199/);
  });

  it("a year's file is an array of months, each belonging to the year, none twice", () => {
    expect(
      parseInputsFile([{ period: "2026-01" }, { period: "2026-02", complaints: 1 }], "2026"),
    ).toHaveLength(2);
    expect(problems(() => parseInputsFile([{ period: "2026-01" }, { period: "2026-01" }], "2026"))).toMatch(
      /given twice/,
    );
    expect(problems(() => parseInputsFile({ period: "2025-12" }, "2026-11"))).toMatch(
      /do not belong to 2026-11/,
    );
    expect(
      problems(() => parseInputsFile([{ period: "2026-01" }, { period: "2026-02", x: 1 }], "2026")),
    ).toMatch(/inputs\[1\]: 1 problem/);
  });

  it("the scoring policy is strict too", () => {
    expect(reportConfigSchema.safeParse({ fractionRule: "banker" }).success).toBe(false);
    expect(reportConfigSchema.safeParse({ fee: { contractTotal: -1 } }).success).toBe(false);
    expect(reportConfigSchema.safeParse({ unknown: 1 }).success).toBe(false);
  });
});

describe("periods in Asia/Shanghai", () => {
  it("a month starts at local midnight (16:00 UTC the day before)", () => {
    const p = parsePeriod("2026-11");
    expect(new Date(p.start).toISOString()).toBe("2026-10-31T16:00:00.000Z");
    expect(new Date(p.end).toISOString()).toBe("2026-11-30T16:00:00.000Z");
    const y = parsePeriod("2026");
    expect(new Date(y.end).toISOString()).toBe("2026-12-31T16:00:00.000Z");
    const ny = parsePeriod("2026-03", "America/New_York"); // DST begins Mar 8: still local midnight
    expect(new Date(ny.start).toISOString()).toBe("2026-03-01T05:00:00.000Z");
    expect(new Date(ny.end).toISOString()).toBe("2026-04-01T04:00:00.000Z");
  });
});

describe("example files", () => {
  it("config/report.example.yaml shows exactly the defaults; the inputs example is valid", async () => {
    const { readFileSync } = await import("node:fs");
    const { parse } = await import("yaml");
    const example = reportConfigSchema.parse(parse(readFileSync("config/report.example.yaml", "utf8")));
    expect(example).toEqual(reportConfigSchema.parse({}));
    const inputs = parseManualInputs(parse(readFileSync("config/report-inputs.example.yaml", "utf8")));
    expect(inputs.period).toBe("2026-11");
  });

  it("the old keys of the contract figure and the repeat window name the one setting that replaced them", () => {
    const r = reportConfigSchema.safeParse({
      availability: { contractFigure: "mean" },
      repeats: { deriveWindowMs: 0 },
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^availability\.contractFigure: .*sla\.policies\[\]\.aggregate/),
      expect.stringMatching(/^repeats\.deriveWindowMs: .*sla\.repeatWindow/),
    ]);
  });
});
