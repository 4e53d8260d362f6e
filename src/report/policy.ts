/**
 * The scoring policy: every choice the contract leaves open, written down, versioned and configurable.
 * `emcomm report --config FILE` reads it (YAML or JSON); defaults are the values below. The policy
 * (with its version) is part of what a frozen month stores, so a changed rule never changes a frozen
 * result silently.
 */
import { z } from "zod";

/**
 * Bump when a default or the meaning of a rule changes. 2026.2: `settled` counts a ticket in the
 * month its verdict became decided, `started` follows a month's tickets until they settle, the
 * contract figure and repeat window are the ledger's and the ticket system's, third parties' devices
 * are shown apart.
 */
export const SCORING_POLICY_VERSION = "score-2026.2";

export const fractionRules = ["floor", "ceil", "round", "proportional"] as const;

/** A key that used to be here: any value is an error naming the one setting that replaced it. */
const moved = (to: string) =>
  z
    .undefined({ error: `this setting moved: use ${to}, the one setting every view (sheet, API, CLI) reads` })
    .optional();
export type FractionRule = (typeof fractionRules)[number];

export const reportConfigSchema = z.strictObject({
  /** The contract's time zone: month boundaries. */
  timezone: z.string().default("Asia/Shanghai"),
  fee: z
    .strictObject({
      /** The contract total (合同总金额) the fee is computed from, in `currency`. 0 = not configured. */
      contractTotal: z.number().min(0).default(0),
      currency: z.string().default("CNY"),
    })
    .prefault({}),
  /**
   * How "每降低1个百分点扣1分" treats a fraction of a percentage point below the target:
   * floor (default, the literal reading: only whole points lost count; 97.4 % → 0 deducted against 98 %),
   * ceil (any started point counts: 97.9 % → 1), round (half up), proportional (0.6 points → 0.6).
   */
  fractionRule: z.enum(fractionRules).default("floor"),
  timeliness: z
    .strictObject({
      /** Target of fault repair timeliness, percent. */
      targetPercent: z.number().min(0).max(100).default(98),
      /**
       * Which period a ticket counts in. `settled` (default): the period of the moment its repair was
       * decided, i.e. when it was cleared if cleared by the deadline, else its repair deadline (late).
       * Every ticket counts once; a ticket spanning a month boundary counts in the month it was
       * repaired in time or went late. `started`: the period its fault started in.
       */
      attribution: z.enum(["settled", "started"]).default("settled"),
      /**
       * Open tickets whose deadline has not passed at the end of the period (or at `asOf`) are not due
       * and not counted (`exclude`, default), or counted as on time (`on-time`).
       */
      openNotDue: z.enum(["exclude", "on-time"]).default("exclude"),
      /** What counts as repaired: `cleared` (销障, default; a rejected clear is not one) or `verified` (结单). */
      repairedAt: z.enum(["cleared", "verified"]).default("cleared"),
    })
    .prefault({}),
  availability: z
    .strictObject({
      targetPercent: z.number().min(0).max(100).default(99),
      /** Moved: the contract figure is the ledger's, set once for every view. */
      contractFigure: moved("sla.policies[].aggregate (time-weighted | device-mean)"),
    })
    .prefault({}),
  repeats: z
    .strictObject({
      /** Moved: the repeat window is the ticket system's, set once for every view. */
      deriveWindowMs: moved("sla.repeatWindow (e.g. 7d)"),
    })
    .prefault({}),
  year: z
    .strictObject({
      /**
       * The year's score: `mean-of-months` (default: each line's score averaged over the months that
       * have ended, as the bureau scores monthly) or `whole-year` (the rules applied once to the year's
       * statistics and summed manual counts).
       */
      method: z.enum(["mean-of-months", "whole-year"]).default("mean-of-months"),
    })
    .prefault({}),
});

/**
 * The `reports:` block of the daemon's config (src/config/schema.ts): the same policy without the
 * time zone, which comes from `daemon.timezone`.
 */
export const reportsBlockSchema = reportConfigSchema.omit({ timezone: true });

export type ReportConfig = z.output<typeof reportConfigSchema>;
export type ReportConfigInput = z.input<typeof reportConfigSchema>;

export function reportConfig(input: ReportConfigInput = {}): ReportConfig {
  return reportConfigSchema.parse(input);
}

/**
 * Deduction for `shortfall` percentage points below target, `perPoint` points each, under `rule`,
 * capped at `max`. Exact for shortfalls given as a fraction num/den (integers), so 98 − 97 is 1, not
 * 1.0000000000000142.
 */
export function pointsDeduction(
  shortNum: bigint,
  shortDen: bigint,
  perPoint: number,
  max: number,
  rule: FractionRule,
): number {
  if (shortNum <= 0n) return 0;
  let points: number;
  switch (rule) {
    case "floor":
      points = Number(shortNum / shortDen);
      break;
    case "ceil":
      points = Number((shortNum + shortDen - 1n) / shortDen);
      break;
    case "round":
      points = Number((2n * shortNum + shortDen) / (2n * shortDen));
      break;
    case "proportional":
      points = round2(Number((shortNum * 10_000n) / shortDen) / 10_000);
      break;
  }
  return Math.min(max, round2(points * perPoint));
}

export function round2(x: number): number {
  return Math.round(x * 100 + Number.EPSILON * 100) / 100;
}

export function describeFractionRule(rule: FractionRule): { zh: string; en: string } {
  switch (rule) {
    case "floor":
      return { zh: "不足1个百分点不扣分", en: "a fraction of a point is not deducted" };
    case "ceil":
      return { zh: "不足1个百分点按1个百分点扣分", en: "a started point counts as a whole point" };
    case "round":
      return { zh: "不足1个百分点四舍五入", en: "a fraction of a point is rounded half up" };
    case "proportional":
      return { zh: "按实际百分点比例扣分", en: "fractions deducted pro rata" };
  }
}
