/**
 * The one place that counts a month's maintenance records into the lines of 附件二 (a
 * `RecordFigures` snapshot, src/report/records.ts), each count with the records behind it:
 *
 * - reports (5): the register's `report` entries of the month: −2 per missing (not submitted),
 *   −1 per non-conforming.
 * - inspection plan (5): −2 when no plan for next month was submitted before the month ended (本月
 *   提交下月巡检计划; one submitted later is late and still counts as not submitted); −1 when, at the
 *   month's end, a device of the inventory or of the month's approved plan has no signed inspection.
 * - review call (5): −2 per `review-call` entry not held; −2 when the month ended without one held.
 * - user data (5): −2 per `user-data-error` entry.
 * - support tasks (10): −2 per support task, drill or joint test signed as not done as asked, per
 *   drill with fewer than 2 engineers on site (年度演练 ≥ 2人), for a month that ended without a
 *   province joint test done (全省联调, monthly), and in December per drill short of 2 in the year.
 * - call-backs (10): −1 per dissatisfied call-back made in the month.
 * - complaints (30), escalations (30), production accidents (40): the register's entries.
 *
 * Only signed records count (a draft or a returned record is not a record yet). Pure reading of the
 * store as of `cutoff`: a record or signature made after it is not seen, so a closed month's
 * figures do not move. Called by the report builder once per month.
 */
import { formatLocal } from "../core/zoned-time.ts";
import { parsePeriod } from "../ledger/period.ts";
import { registerPoints } from "../report/lines.ts";
import { type RecordFigures, type RecordLine, recordLines } from "../report/records.ts";
import type { Db } from "../store/db.ts";
import type { ActivityBody, CallbackBody, InspectionBody, PlanBody, RegisterBody } from "./kinds.ts";
import { listRecords, recordVersions, type StoredRecord, signatures } from "./store.ts";

/**
 * What one signed register entry does to its line of the sheet (points: negative deducted), as the
 * sheet counts it, for the views that list the register. A month that ends with no review call held
 * costs its line too; that is the month's, not an entry's.
 */
export function registerEffect(body: RegisterBody): { line: RecordLine; points: number } {
  const p = registerPoints;
  switch (body.entry) {
    case "complaint":
      return { line: "complaints", points: -p.complaint };
    case "praise":
      return { line: "complaints", points: p.praise };
    case "escalation":
      return { line: "escalated", points: -p.escalation };
    case "accident":
      return { line: "production-accidents", points: -body.deduction };
    case "user-data-error":
      return { line: "user-data", points: -p.userDataError };
    case "review-call":
      return { line: "review-call", points: body.held ? 0 : -p.reviewCallMissed };
    case "report":
      return {
        line: "reports",
        points: body.submittedAt === null ? -p.reportMissing : body.conforming ? 0 : -p.reportNonConforming,
      };
  }
}

/** Engineers a drill needs on site (一.3(4): ≥2人). */
export const DRILL_MIN_ENGINEERS = 2;
/** Drills a year (一.3(4): 每年至少2次). */
export const DRILLS_PER_YEAR = 2;

export interface FigureOptions {
  /** The month "YYYY-MM". */
  month: string;
  timezone: string;
  /** Instant the figures are taken at (the month's end for a closed month). */
  cutoff: number;
  /** Every device that must be inspected monthly (the inventory). */
  devices: readonly string[];
}

/** A record as it stood at `cutoff`: its last version and state then, or undefined if not yet made. */
interface AsOf<B> {
  rec: StoredRecord<B>;
  body: B;
  version: number;
  /** Actions signed up to the cutoff, oldest first. */
  signed: { action: string; at: number; signer: string; version: number }[];
}

function asOf<B>(db: Db, rec: StoredRecord, cutoff: number): AsOf<B> | undefined {
  if (rec.createdAt > cutoff) return undefined;
  const versions = recordVersions(db, rec.id).filter((v) => v.at <= cutoff);
  const last = versions[versions.length - 1]!;
  const signed = signatures(db, rec.id)
    .filter((s) => s.at <= cutoff)
    .map((s) => ({ action: s.action, at: s.at, signer: s.signer, version: s.version }));
  return { rec: rec as StoredRecord<B>, body: last.body as B, version: last.version, signed };
}

/** The author's signature stands on the version current at the cutoff, and no return came after it. */
function signedAtCutoff(r: AsOf<unknown>, actions = ["sign"]): boolean {
  const onCurrent = r.signed.filter((s) => s.version === r.version);
  const lastSign = onCurrent.filter((s) => actions.includes(s.action)).pop();
  if (!lastSign) return false;
  return !onCurrent.some((s) => (s.action === "return" || s.action === "reopen") && s.at >= lastSign.at);
}

const nextMonth = (month: string) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
};

export function recordFigures(db: Db, o: FigureOptions): RecordFigures {
  const period = parsePeriod(o.month, o.timezone);
  const ended = o.cutoff >= period.end;
  const of = <B>(kind: StoredRecord["kind"], month = o.month) =>
    listRecords(db, { kind, period: month })
      .map((r) => asOf<B>(db, r, o.cutoff))
      .filter((r): r is AsOf<B> => r !== undefined);
  const evidence = Object.fromEntries(recordLines.map((l) => [l, []])) as unknown as Record<
    RecordLine,
    string[]
  >;
  const ev = (line: RecordLine, text: string) => evidence[line].push(text);

  // ── the bureau's register ──
  const register = of<RegisterBody>("register").filter((r) => signedAtCutoff(r));
  const entries = <E extends RegisterBody["entry"]>(e: E) =>
    register.filter((r) => r.body.entry === e) as AsOf<Extract<RegisterBody, { entry: E }>>[];
  let reportsMissing = 0;
  let reportsNonConforming = 0;
  for (const r of entries("report")) {
    if (r.body.submittedAt === null) {
      reportsMissing++;
      ev("reports", `#${r.rec.id} ${r.body.report}: 未提交 / missing`);
    } else if (!r.body.conforming) {
      reportsNonConforming++;
      ev("reports", `#${r.rec.id} ${r.body.report}: 不符合要求 / non-conforming`);
    } else ev("reports", `#${r.rec.id} ${r.body.report}: 已提交 / submitted`);
  }
  const calls = entries("review-call");
  let reviewCallsMissed = calls.filter((c) => !c.body.held).length;
  for (const c of calls)
    ev("review-call", `#${c.rec.id} ${c.body.held ? "已举行 / held" : "未举行 / missed"}`);
  if (ended && !calls.some((c) => c.body.held) && reviewCallsMissed === 0) {
    reviewCallsMissed = 1;
    ev("review-call", "本月无电话交流记录 / no review call recorded this month");
  }
  const listed = (line: RecordLine, list: AsOf<RegisterBody>[], what: string) => {
    for (const r of list)
      ev(line, `#${r.rec.id} ${what}: ${"description" in r.body ? r.body.description : ""}`);
    return list.length;
  };
  const userDataErrors = listed("user-data", entries("user-data-error"), "资料错误 / error");
  const complaints = listed("complaints", entries("complaint"), "投诉 / complaint");
  const writtenPraise = listed("complaints", entries("praise"), "表扬 / praise");
  const escalatedComplaints = listed("escalated", entries("escalation"), "越级投诉或媒体曝光 / escalation");
  const accidents = entries("accident");
  for (const a of accidents)
    ev("production-accidents", `#${a.rec.id} −${a.body.deduction}: ${a.body.description}`);
  const productionAccidents = accidents.map((a) => ({
    description: `#${a.rec.id} ${a.body.description}`,
    deduction: a.body.deduction,
    at: new Date(a.body.at).toISOString(),
  }));

  // ── inspection plan and inspections ──
  const next = nextMonth(o.month);
  const plans = of<PlanBody>("plan", next);
  const submitted = plans
    .flatMap((p) => p.signed.filter((s) => s.action === "submit").map((s) => ({ p, at: s.at })))
    .filter((s) => s.at < period.end)
    .sort((a, b) => a.at - b.at)[0];
  let inspectionPlansNotSubmitted = 0;
  if (submitted) {
    const state = submitted.p.signed.some((s) => s.action === "approve") ? "approved" : submitted.p.rec.state;
    ev(
      "inspection-plan",
      `plan #${submitted.p.rec.id} ${next}: 提交 / submitted ${formatLocal(submitted.at, o.timezone)}, ${state}`,
    );
  } else if (ended) {
    inspectionPlansNotSubmitted = 1;
    ev("inspection-plan", `${next} 巡检计划未提交 / plan for ${next} not submitted by the month's end`);
  }
  const approved = of<PlanBody>("plan").filter((p) => signedAtCutoff(p, ["approve"]));
  const required = new Set(o.devices);
  for (const p of approved) for (const v of p.body.visits) required.add(v.device);
  const inspected = new Map<string, number>();
  for (const i of of<InspectionBody>("inspection")) {
    if (!signedAtCutoff(i, ["sign", "countersign"])) continue;
    inspected.set(i.body.device, i.rec.id);
    const counter = i.signed.some((s) => s.action === "countersign" && s.version === i.version);
    ev(
      "inspection-plan",
      `inspection #${i.rec.id} ${i.body.device}: ${counter ? "已会签 / countersigned" : "已签 / signed"}`,
    );
  }
  const missing = [...required].filter((d) => !inspected.has(d)).sort();
  let inspectionPlansNotCarriedOut = 0;
  if (ended && missing.length > 0) {
    inspectionPlansNotCarriedOut = 1;
    ev("inspection-plan", `未巡检 / not inspected: ${missing.join(", ")}`);
  }

  // ── support tasks, drills, joint tests ──
  let supportTasksFailed = 0;
  const fail = (text: string) => {
    supportTasksFailed++;
    ev("support-tasks", text);
  };
  let jointDone = false;
  for (const kind of ["support", "drill", "joint-test"] as const) {
    for (const a of of<ActivityBody>(kind)) {
      if (!signedAtCutoff(a, ["sign", "countersign"])) continue;
      const label = `${kind} #${a.rec.id} ${a.body.title}`;
      if (a.body.outcome === "failed") fail(`${label}: 未按要求完成 / not done as asked`);
      else if (kind === "drill" && a.body.engineers.length < DRILL_MIN_ENGINEERS)
        fail(
          `${label}: 到场工程师 ${a.body.engineers.length} < ${DRILL_MIN_ENGINEERS} / engineers on site short`,
        );
      else ev("support-tasks", `${label}: 完成 / done`);
      if (kind === "joint-test" && a.body.outcome === "done") jointDone = true;
    }
  }
  if (ended && !jointDone) fail("本月无全省联调 / no province joint test this month");
  // 年度演练: at least 2 a year, counted when the year's last month ends.
  if (ended && o.month.endsWith("-12")) {
    const year = o.month.slice(0, 4);
    const drills = listRecords(db, { kind: "drill" })
      .filter((r) => r.period.startsWith(`${year}-`))
      .map((r) => asOf<ActivityBody>(db, r, o.cutoff))
      .filter(
        (a): a is AsOf<ActivityBody> =>
          a !== undefined &&
          signedAtCutoff(a, ["sign", "countersign"]) &&
          a.body.outcome === "done" &&
          a.body.engineers.length >= DRILL_MIN_ENGINEERS,
      );
    for (let n = drills.length; n < DRILLS_PER_YEAR; n++)
      fail(`${year} 年度演练 ${drills.length} < ${DRILLS_PER_YEAR} / drills this year short`);
  }

  // ── call-backs ──
  let dissatisfiedCallbacks = 0;
  for (const c of of<CallbackBody>("callback")) {
    if (!signedAtCutoff(c)) continue;
    if (!c.body.satisfied) dissatisfiedCallbacks++;
    ev(
      "callback-satisfaction",
      `call-back #${c.rec.id} ticket ${c.body.ticket}: ${c.body.satisfied ? "满意 / satisfied" : `不满意 / dissatisfied${c.body.note ? `: ${c.body.note}` : ""}`}`,
    );
  }

  for (const line of recordLines)
    if (evidence[line].length === 0) ev(line, `${o.month} 无记录 / nothing recorded this month`);
  return {
    counts: {
      reportsMissing,
      reportsNonConforming,
      inspectionPlansNotSubmitted,
      inspectionPlansNotCarriedOut,
      reviewCallsMissed,
      userDataErrors,
      supportTasksFailed,
      dissatisfiedCallbacks,
      complaints,
      writtenPraise,
      escalatedComplaints,
      productionAccidents,
    },
    evidence,
  };
}
