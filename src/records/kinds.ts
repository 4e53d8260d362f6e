/**
 * The maintenance records the contract asks the contractor and the bureau to keep (一.3(3)(4), 附件一,
 * 附件二): what each kind holds (strict zod schemas, validated before anything is written) and the
 * steps each kind goes through (who may take them, from which state, and whether the step is a
 * signature). Pure data: the engine (engine.ts) interprets it.
 *
 * Roles: `engineer` is the contractor's engineer, `supervisor` the bureau's supervisor (监督管理员).
 * Times in bodies are ms since the epoch (the API also takes ISO 8601).
 */
import { z } from "zod";

export const recordKinds = [
  "plan",
  "inspection",
  "rectification",
  "joint-test",
  "drill",
  "support",
  "callback",
  "register",
] as const;
export type RecordKind = (typeof recordKinds)[number];

export const time = z.union([z.number(), z.string().min(1)]).transform((v, ctx) => {
  const ms = typeof v === "number" ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: "a time: ISO 8601 or ms since epoch" });
    return z.NEVER;
  }
  return ms;
});

const text = z.string().trim().min(1);
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month YYYY-MM");
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");
const people = z.array(text).min(1, "at least one person");

/** The seven items of 巡检具体内容 (一.3(3)4), in the contract's order. */
export const checklistItems = [
  {
    id: "hardware",
    zh: "系统硬件、配套设备和应用软件的工作情况",
    en: "Hardware, ancillaries and software working",
  },
  { id: "power", zh: "电源、电池的检测维护保养", en: "Power supplies and batteries tested and maintained" },
  { id: "ports", zh: "模块、接口和标签标记；配线架整理", en: "Modules, ports and labels; patch panel tidy" },
  {
    id: "software",
    zh: "应用软件运行、数据资料校对及备份",
    en: "Software running, data checked and backed up",
  },
  {
    id: "environment",
    zh: "机房设备、卫星天线运行环境评估",
    en: "Equipment room and antenna environment assessed",
  },
  {
    id: "fastening",
    zh: "指挥车内机架、柜门、侧板、设备紧固",
    en: "Racks, doors, panels and devices fastened",
  },
  { id: "dust", zh: "设备内部除尘", en: "Dust cleaned inside the equipment" },
] as const;
export type ChecklistItemId = (typeof checklistItems)[number]["id"];
export const checklistIds = checklistItems.map((i) => i.id) as [ChecklistItemId, ...ChecklistItemId[]];

const checkItem = z
  .strictObject({ status: z.enum(["ok", "issue"]), note: z.string().trim().optional() })
  .refine((i) => i.status === "ok" || (i.note ?? "").length > 0, {
    message: "an issue needs a note",
    path: ["note"],
  });

/** One reading of the device's telemetry, prefilled from monitoring or entered on site. */
export const readingSchema = z.strictObject({
  metric: text,
  labels: z.record(z.string(), z.string()).optional(),
  value: z.number(),
  /** When it was measured (ms). */
  at: z.number(),
  source: z.enum(["telemetry", "engineer"]).default("engineer"),
  /** What it means for the visit ("service due at 500 h"), if anything. */
  note: z.string().optional(),
});
export type Reading = z.output<typeof readingSchema>;

export const planSchema = z.strictObject({
  /** The month the plan is for (下月巡检计划). */
  month,
  visits: z
    .array(z.strictObject({ device: text, date: day, engineers: people }))
    .min(1, "a plan lists at least one visit"),
  note: z.string().optional(),
});

export const inspectionSchema = z.strictObject({
  device: text,
  /** The visit's date in the plan, if it was planned. */
  plannedDate: day.optional(),
  engineers: people,
  /** On-site check-in, like a ticket's arrival; `position` is "GPS lat, lon ±m" when the phone gives one. */
  checkin: z.strictObject({ at: z.number(), position: z.string().optional() }).nullable().default(null),
  items: z.partialRecord(z.enum(checklistIds), checkItem).default({}),
  /** The month's telemetry of the device, filled in before the visit; the engineer confirms it. */
  readings: z.array(readingSchema).default([]),
  readingsConfirmed: z.boolean().default(false),
  note: z.string().optional(),
});

export const rectificationSchema = z.strictObject({
  /** The inspection that found the hidden danger (隐患). */
  inspection: z.number().int().positive(),
  device: text,
  description: text,
  /** The plan to remove it and when. */
  plan: z.string().optional(),
  due: day.optional(),
  /** The fault ticket, when something was broken. */
  ticket: z.number().int().positive().nullable().default(null),
  closure: z.strictObject({ at: z.number(), note: text }).nullable().default(null),
});

/** 全省联调, 年度演练 and 通信保障: one shape, the drill tied to its `drill` maintenance window. */
export const activitySchema = z.strictObject({
  title: text,
  startsAt: time,
  endsAt: time,
  /** Engineers on site. */
  engineers: people,
  /** Systems and links exercised. */
  systems: z.array(text).default([]),
  /** Done as asked (按客户要求完成) or not; null until known. */
  outcome: z.enum(["done", "failed"]).nullable().default(null),
  note: z.string().optional(),
  /** The `drill` maintenance window (drills only). */
  window: z.number().int().positive().optional(),
  /** Telemetry of the links exercised during the window. */
  readings: z.array(readingSchema).default([]),
});

export const callbackSchema = z.strictObject({
  ticket: z.number().int().positive(),
  calledAt: time,
  /** Who was called (a role or name at the bureau, not a number). */
  contact: text,
  satisfied: z.boolean(),
  note: z.string().optional(),
});

const entryAt = { at: time, description: text };
/** The bureau's register: what it records about the contractor, each counting on a line of 附件二. */
export const registerSchema = z.discriminatedUnion("entry", [
  z.strictObject({ entry: z.literal("complaint"), ...entryAt }),
  z.strictObject({ entry: z.literal("praise"), ...entryAt }),
  z.strictObject({ entry: z.literal("escalation"), ...entryAt }),
  z.strictObject({
    entry: z.literal("accident"),
    ...entryAt,
    deduction: z
      .number()
      .min(5, "at least 5 points (发生通信事故扣5～10分)")
      .max(10, "at most 10 points (发生通信事故扣5～10分)"),
  }),
  z.strictObject({ entry: z.literal("user-data-error"), ...entryAt }),
  z.strictObject({
    entry: z.literal("review-call"),
    at: time,
    held: z.boolean(),
    description: z.string().optional(),
  }),
  z.strictObject({
    entry: z.literal("report"),
    at: time,
    /** Which report (月度巡检报告, 月度联调报告, 故障分析报告…). */
    report: text,
    /** When it was submitted; null: missing. */
    submittedAt: time.nullable(),
    conforming: z.boolean(),
    description: z.string().optional(),
  }),
]);

export const bodySchemas = {
  plan: planSchema,
  inspection: inspectionSchema,
  rectification: rectificationSchema,
  "joint-test": activitySchema,
  drill: activitySchema,
  support: activitySchema,
  callback: callbackSchema,
  register: registerSchema,
} satisfies Record<RecordKind, z.ZodType>;

export type PlanBody = z.output<typeof planSchema>;
export type InspectionBody = z.output<typeof inspectionSchema>;
export type RectificationBody = z.output<typeof rectificationSchema>;
export type ActivityBody = z.output<typeof activitySchema>;
export type CallbackBody = z.output<typeof callbackSchema>;
export type RegisterBody = z.output<typeof registerSchema>;

export type Role = "engineer" | "supervisor";

/** A step: from which states, by which roles, to which state; `sign` records a signature. */
export interface Step {
  from: readonly string[];
  to: string;
  roles: readonly Role[];
  sign: boolean;
  /** A comment is required (a return says why). */
  comment?: boolean;
}

const both: readonly Role[] = ["engineer", "supervisor"];
const bureau: readonly Role[] = ["supervisor"];
const contractor: readonly Role[] = ["engineer"];

const signedFlow = {
  sign: { from: ["draft"], to: "signed", roles: contractor, sign: true },
  countersign: { from: ["signed"], to: "countersigned", roles: bureau, sign: true },
  return: { from: ["signed"], to: "returned", roles: bureau, sign: true, comment: true },
} satisfies Record<string, Step>;

export interface KindRules {
  /** Who creates it. */
  create: readonly Role[];
  /** The state a new record starts in; a record created `signed` is signed by its creator. */
  initial: string;
  /** States in which the content may change without a reason (a new version). */
  editable: readonly string[];
  /** The state a correction (new version with a reason) of a signed record goes back to. */
  corrected: string;
  steps: Record<string, Step>;
}

export const kindRules: Record<RecordKind, KindRules> = {
  plan: {
    create: contractor,
    initial: "draft",
    editable: ["draft", "returned"],
    corrected: "draft",
    steps: {
      submit: { from: ["draft", "returned"], to: "submitted", roles: contractor, sign: true },
      approve: { from: ["submitted"], to: "approved", roles: bureau, sign: true },
      return: { from: ["submitted"], to: "returned", roles: bureau, sign: true, comment: true },
    },
  },
  inspection: {
    create: both,
    initial: "draft",
    editable: ["draft", "returned"],
    corrected: "draft",
    steps: signedFlow,
  },
  rectification: {
    create: both,
    initial: "open",
    editable: ["open"],
    corrected: "open",
    steps: {
      close: { from: ["open"], to: "closed", roles: both, sign: true, comment: true },
      countersign: { from: ["closed"], to: "countersigned", roles: bureau, sign: true },
      reopen: { from: ["closed"], to: "open", roles: bureau, sign: true, comment: true },
    },
  },
  "joint-test": {
    create: both,
    initial: "draft",
    editable: ["draft", "returned"],
    corrected: "draft",
    steps: signedFlow,
  },
  drill: {
    create: both,
    initial: "draft",
    editable: ["draft", "returned"],
    corrected: "draft",
    steps: signedFlow,
  },
  support: {
    create: both,
    initial: "draft",
    editable: ["draft", "returned"],
    corrected: "draft",
    steps: signedFlow,
  },
  callback: { create: both, initial: "signed", editable: [], corrected: "signed", steps: {} },
  register: { create: bureau, initial: "signed", editable: [], corrected: "signed", steps: {} },
};

/** States in which a record carries its author's signature (its content can no longer change). */
export function isSigned(kind: RecordKind, state: string): boolean {
  return !kindRules[kind].editable.includes(state);
}
