/**
 * The indicators people enter for a period (附件二's lines the system cannot measure), from a file
 * (`emcomm report --inputs FILE`) or the API. Strict: an unknown indicator, a negative or fractional
 * count, a deduction outside 5..10, or a period that does not exist is an error naming the field.
 * Omitted counts are 0. Nothing is written until the whole file validates.
 */
import { z } from "zod";
import { PeriodError, parsePeriod } from "../ledger/period.ts";
import { recordLines } from "./records.ts";

const count = (zh: string) =>
  z
    .number({ error: `a count (${zh}): a whole number ≥ 0` })
    .int(`a whole number (${zh})`)
    .min(0, `not negative (${zh})`)
    .default(0);

export const productionAccidentSchema = z.strictObject({
  /** What happened (通信生产事故). */
  description: z.string().min(1, "a description of the accident"),
  /** The bureau's chosen deduction, 5 to 10 points (发生通信事故扣5～10分). */
  deduction: z
    .number({ error: "the deduction, 5..10 points" })
    .min(5, "at least 5 points (发生通信事故扣5～10分)")
    .max(10, "at most 10 points (发生通信事故扣5～10分)"),
  at: z.string().optional(),
});

export const manualInputsSchema = z.strictObject({
  /** The month these counts belong to, "YYYY-MM". */
  period: z.string().superRefine((text, ctx) => {
    try {
      const p = parsePeriod(text);
      if (p.kind !== "month") ctx.addIssue({ code: "custom", message: "a month YYYY-MM, not a year" });
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof PeriodError ? err.message : String(err) });
    }
  }),
  /** 上报报表: reports missing (−2 each). */
  reportsMissing: count("上报报表缺项"),
  /** reports not conforming (−1 each). */
  reportsNonConforming: count("上报报表不符合要求"),
  /** 巡检计划 not submitted for approval (−2 each). */
  inspectionPlansNotSubmitted: count("未提交巡检计划"),
  /** inspection plans not carried out (−1 each). */
  inspectionPlansNotCarriedOut: count("未完成巡检计划"),
  /** 月度维保情况总结 review calls missed (−2 each). */
  reviewCallsMissed: count("缺月度总结电话交流"),
  /** 用户资料 errors (−2 each). */
  userDataErrors: count("用户资料错误"),
  /** 通信保障 tasks not done as asked (−2 each). */
  supportTasksFailed: count("通信保障未按要求完成"),
  /** 客户故障回访 dissatisfied call-backs (−1 each). */
  dissatisfiedCallbacks: count("回访不满意"),
  /** 客户投诉 (−5 each). */
  complaints: count("客户投诉"),
  /** 书面表扬 (+5 each, the line stays ≤ 30). */
  writtenPraise: count("书面表扬"),
  /** 越级投诉或媒体曝光 (−10 each). */
  escalatedComplaints: count("越级投诉或媒体曝光"),
  /** 通信生产事故, each with its deduction. */
  productionAccidents: z.array(productionAccidentSchema).default([]),
  /**
   * Lines whose figure the maintenance records would give, taken from these counts instead, each
   * with the reason (line id → reason). A line not named here takes the records' figure.
   */
  overrides: z
    .partialRecord(
      z.enum(recordLines, { error: `a line the records give: ${recordLines.join(", ")}` }),
      z.string().trim().min(1, "a reason for the manual figure"),
    )
    .default({}),
  /** Who entered the figures and any note (kept with the frozen month). */
  enteredBy: z.string().optional(),
  note: z.string().optional(),
});

export type ManualInputs = z.output<typeof manualInputsSchema>;
export type ManualInputsInput = z.input<typeof manualInputsSchema>;

export class InputError extends Error {
  override name = "InputError";
}

/** Validates one month's inputs; throws InputError listing every problem as "field: message (value)". */
export function parseManualInputs(raw: unknown, expectPeriod?: string, where = "inputs"): ManualInputs {
  const r = manualInputsSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const path = i.path.length > 0 ? i.path.join(".") : "(top level)";
      const value = valueAt(raw, i.path);
      const shown =
        value === undefined || i.code === "unrecognized_keys" ? "" : ` (got ${JSON.stringify(value)})`;
      const msg = i.code === "unrecognized_keys" ? `unknown indicator(s): ${i.keys.join(", ")}` : i.message;
      return `  ${path}: ${msg}${shown}`;
    });
    throw new InputError(`${where}: ${r.error.issues.length} problem(s)\n${lines.join("\n")}`);
  }
  if (expectPeriod !== undefined && r.data.period !== expectPeriod)
    throw new InputError(`${where}: period: these inputs are for ${r.data.period}, not ${expectPeriod}`);
  return r.data;
}

/**
 * Inputs for a report period: a month takes one object; a year takes an array of months (each
 * validated, no month twice). Months without inputs count as all zero.
 */
export function parseInputsFile(raw: unknown, periodId: string, where = "inputs"): ManualInputs[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const out = list.map((item, i) =>
    parseManualInputs(item, undefined, Array.isArray(raw) ? `${where}[${i}]` : where),
  );
  const seen = new Set<string>();
  for (const m of out) {
    const belongs = periodId.length === 4 ? m.period.startsWith(`${periodId}-`) : m.period === periodId;
    if (!belongs)
      throw new InputError(`${where}: period: inputs for ${m.period} do not belong to ${periodId}`);
    if (seen.has(m.period)) throw new InputError(`${where}: period: ${m.period} is given twice`);
    seen.add(m.period);
  }
  return out;
}

/** Every counted indicator (the schema's whole-number fields): what a year sums month by month. */
export const countKeys = [
  "reportsMissing",
  "reportsNonConforming",
  "inspectionPlansNotSubmitted",
  "inspectionPlansNotCarriedOut",
  "reviewCallsMissed",
  "userDataErrors",
  "supportTasksFailed",
  "dissatisfiedCallbacks",
  "complaints",
  "writtenPraise",
  "escalatedComplaints",
] as const satisfies readonly (keyof ManualInputs)[];

export function emptyInputs(period: string): ManualInputs {
  return manualInputsSchema.parse({ period });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
