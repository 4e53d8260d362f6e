/**
 * The twelve lines of 附件二, each with its maximum, target, measured value, deduction, bonus, score and
 * the rule applied (Chinese and English). Pure: called by score.ts once per month (and per year).
 */
import type { ManualInputs } from "./inputs.ts";
import { describeFractionRule, pointsDeduction, type ReportConfig, round2 } from "./policy.ts";
import type { AvailabilityRow, ClockStats, FaultRow, RepeatRow, ScoreLine, Text } from "./sheet.ts";

const BASIC: Text = { zh: "基础管理", en: "Basic management" };
const QUALITY: Text = { zh: "维护质量指标", en: "Maintenance quality" };
const SERVICE: Text = { zh: "服务类指标", en: "Service quality" };

export interface LineFigures {
  inputs: ManualInputs;
  /** Repair clock statistics of the period (timeliness). */
  repair: ClockStats;
  faults: FaultRow[];
  repeats: RepeatRow[];
  devices: AvailabilityRow[];
  /** The contract availability as an exact fraction num/den, its display percent, and Σ expected ms. */
  avail: { num: bigint; den: bigint; percent: number; expectedMs: number };
  /** How the ledger combined the devices (sla.policies[].aggregate). */
  aggregate: "time-weighted" | "device-mean";
}

/** Points of each register entry on its line (附件二), the one place they are set. */
export const registerPoints = {
  reportMissing: 2,
  reportNonConforming: 1,
  reviewCallMissed: 2,
  userDataError: 2,
  complaint: 5,
  praise: 5,
  escalation: 10,
} as const;
export function scoreLines(f: LineFigures, config: ReportConfig): ScoreLine[] {
  const { faults, repeats, devices } = f;
  const tl = config.timeliness;
  const sla = { repair: f.repair };
  const { num: availNum, den: availDen, percent: availPercent, expectedMs } = f.avail;
  const inp = f.inputs;
  const rule = describeFractionRule(config.fractionRule);
  const lines: ScoreLine[] = [];
  const counted = (
    id: string,
    category: ScoreLine["category"],
    group: Text,
    name: Text,
    max: number,
    target: Text,
    parts: { n: number; each: number; zh: string; en: string }[],
    evidence: string[] = [],
  ) => {
    const raw = parts.reduce((s, p) => s + p.n * p.each, 0);
    const deduction = Math.min(max, raw);
    lines.push({
      id,
      category,
      group,
      name,
      maxScore: max,
      target,
      measured: parts.reduce((s, p) => s + p.n, 0),
      measuredText: parts.map((p) => `${p.zh} ${p.n} / ${p.en} ${p.n}`).join("; "),
      deduction,
      bonus: 0,
      score: max - deduction,
      rule: {
        zh: `${parts.map((p) => `${p.zh}每次扣${p.each}分`).join("，")}，扣完为止`,
        en: `${parts.map((p) => `−${p.each} per ${p.en}`).join(", ")}, down to 0`,
      },
      evidence,
    });
  };
  counted(
    "reports",
    "performance",
    BASIC,
    { zh: "上报报表的规范性", en: "Reports complete and correct" },
    5,
    { zh: "报表齐全、符合要求", en: "all reports, conforming" },
    [
      { n: inp.reportsMissing, each: registerPoints.reportMissing, zh: "缺报表", en: "missing report" },
      {
        n: inp.reportsNonConforming,
        each: registerPoints.reportNonConforming,
        zh: "报表不符合要求",
        en: "non-conforming report",
      },
    ],
  );
  counted(
    "inspection-plan",
    "performance",
    BASIC,
    { zh: "制定维保设备巡检计划", en: "Inspection plan" },
    5,
    { zh: "每月100%巡检", en: "100 % of devices inspected monthly" },
    [
      { n: inp.inspectionPlansNotSubmitted, each: 2, zh: "未提交巡检计划", en: "plan not submitted" },
      { n: inp.inspectionPlansNotCarriedOut, each: 1, zh: "未完成巡检计划", en: "plan not carried out" },
    ],
  );
  counted(
    "review-call",
    "performance",
    BASIC,
    { zh: "月度维保情况总结", en: "Monthly review call" },
    5,
    { zh: "每月一次电话交流", en: "one call a month" },
    [
      {
        n: inp.reviewCallsMissed,
        each: registerPoints.reviewCallMissed,
        zh: "缺总结交流",
        en: "missed call",
      },
    ],
  );
  counted(
    "user-data",
    "performance",
    BASIC,
    { zh: "用户资料准确率", en: "User data accuracy" },
    5,
    { zh: "准确率100%", en: "100 % accurate" },
    [{ n: inp.userDataErrors, each: registerPoints.userDataError, zh: "资料错误", en: "error" }],
  );

  // Repair timeliness.
  const due = sla.repair.onTime + sla.repair.late;
  const tlTargetBp = BigInt(Math.round(tl.targetPercent * 100));
  const tlDeduction =
    due === 0
      ? 0
      : pointsDeduction(
          tlTargetBp * BigInt(due) - 10_000n * BigInt(sla.repair.onTime),
          100n * BigInt(due),
          1,
          30,
          config.fractionRule,
        );
  lines.push({
    id: "repair-timeliness",
    category: "performance",
    group: QUALITY,
    name: { zh: "故障修复及时率", en: "Fault repair timeliness" },
    maxScore: 30,
    target: { zh: `≥${tl.targetPercent}%`, en: `≥ ${tl.targetPercent} %` },
    measured: sla.repair.percent,
    measuredText: `${sla.repair.percent}% (${sla.repair.onTime}/${due})`,
    deduction: tlDeduction,
    bonus: 0,
    score: round2(30 - tlDeduction),
    rule: {
      zh: `每降低1个百分点扣1分，扣完为止；${rule.zh}；按期修复数÷应修复数（${tl.attribution === "settled" ? "以修复或超时的时刻归属月份" : "以故障开始时刻归属月份"}；无到期故障按100%）`,
      en: `−1 per percentage point below target, down to 0; ${rule.en}; repaired in time ÷ due (${tl.attribution === "settled" ? "a ticket counts in the month it was repaired in time or went late" : "a ticket counts in the month its fault started"}; nothing due = 100 %)`,
    },
    evidence: faults.filter((f) => f.timeliness !== null).map((f) => `${f.id}:${f.timeliness}`),
  });

  // Availability.
  const avTargetBp = BigInt(Math.round(config.availability.targetPercent * 100));
  const avDeduction =
    expectedMs === 0
      ? 0
      : pointsDeduction(
          avTargetBp * availDen - 10_000n * availNum,
          100n * availDen,
          1,
          15,
          config.fractionRule,
        );
  lines.push({
    id: "availability",
    category: "performance",
    group: QUALITY,
    name: { zh: "设备可用率", en: "Equipment availability" },
    maxScore: 15,
    target: { zh: `≥${config.availability.targetPercent}%`, en: `≥ ${config.availability.targetPercent} %` },
    measured: availPercent,
    measuredText: `${availPercent}%`,
    deduction: avDeduction,
    bonus: 0,
    score: round2(15 - avDeduction),
    rule: {
      zh: `每降低1个百分点扣1分，扣完为止；${rule.zh}；${f.aggregate === "time-weighted" ? "Σ(应在用时长−故障时长)÷Σ应在用时长（维护窗口不计；无应在用设备按100%）" : "各设备可用率的平均值"}`,
      en: `−1 per percentage point below target, down to 0; ${rule.en}; ${f.aggregate === "time-weighted" ? "Σ(expected − downtime) ÷ Σ expected over all devices (maintenance windows excluded; nothing expected = 100 %)" : "mean of per-device availability"}`,
    },
    evidence: devices.filter((d) => d.downtimeMs > 0).map((d) => `${d.deviceId}:${d.percent}%`),
  });

  counted(
    "repeat-faults",
    "performance",
    QUALITY,
    { zh: "重复故障次数", en: "Repeat faults" },
    15,
    { zh: "≤0次", en: "0" },
    [{ n: repeats.length, each: 3, zh: "重复故障", en: "repeat fault" }],
    repeats.map((r) => `${r.ticketId}→${r.repeatOf}`),
  );
  counted(
    "support-tasks",
    "performance",
    QUALITY,
    { zh: "通信保障完成情况", en: "Communications support tasks" },
    10,
    { zh: "按客户要求完成", en: "done as asked" },
    [{ n: inp.supportTasksFailed, each: 2, zh: "未按要求完成", en: "task failed" }],
  );
  counted(
    "callback-satisfaction",
    "performance",
    QUALITY,
    { zh: "客户故障回访满意度", en: "Call-back satisfaction" },
    10,
    { zh: "不满意≤0次", en: "0 dissatisfied" },
    [{ n: inp.dissatisfiedCallbacks, each: 1, zh: "回访不满意", en: "dissatisfied call-back" }],
  );

  // Complaints and praise: 30 − 5 × complaints + 5 × praise, within 0..30.
  const { complaint, praise } = registerPoints;
  const complaintsRaw = 30 - complaint * inp.complaints + praise * inp.writtenPraise;
  const complaintsScore = Math.max(0, Math.min(30, complaintsRaw));
  lines.push({
    id: "complaints",
    category: "service",
    group: SERVICE,
    name: { zh: "客户投诉或书面表扬", en: "Complaints or written praise" },
    maxScore: 30,
    target: { zh: "没有收到客户投诉", en: "no complaint" },
    measured: inp.complaints,
    measuredText: `投诉 ${inp.complaints} / complaints ${inp.complaints}; 表扬 ${inp.writtenPraise} / praise ${inp.writtenPraise}`,
    deduction: Math.min(30, complaint * inp.complaints),
    bonus: Math.max(0, complaintsScore - Math.max(0, 30 - complaint * inp.complaints)),
    score: complaintsScore,
    rule: {
      zh: `每发生1次客户投诉扣${complaint}分，每收到1次客户书面表扬加${praise}分，满分30分`,
      en: `−${complaint} per complaint, +${praise} per written praise, at most 30, at least 0`,
    },
    evidence: [],
  });
  counted(
    "escalated",
    "service",
    SERVICE,
    { zh: "维护越级投诉或媒体曝光", en: "Escalated complaints or media exposure" },
    30,
    { zh: "没有出现", en: "none" },
    [
      {
        n: inp.escalatedComplaints,
        each: registerPoints.escalation,
        zh: "越级投诉或媒体曝光",
        en: "escalation or media exposure",
      },
    ],
  );
  const accidentDeduction = Math.min(
    40,
    round2(inp.productionAccidents.reduce((s, a) => s + a.deduction, 0)),
  );
  lines.push({
    id: "production-accidents",
    category: "service",
    group: SERVICE,
    name: { zh: "发生通信生产事故", en: "Communications production accidents" },
    maxScore: 40,
    target: { zh: "没有出现通信生产事故", en: "no accident" },
    measured: inp.productionAccidents.length,
    measuredText: `${inp.productionAccidents.length}`,
    deduction: accidentDeduction,
    bonus: 0,
    score: round2(40 - accidentDeduction),
    rule: {
      zh: "发生通信事故扣5～10分（每次由甲方确定），扣完为止",
      en: "−5 to −10 per accident as the bureau decides, down to 0",
    },
    evidence: inp.productionAccidents.map((a) => `${a.deduction}: ${a.description}`),
  });

  return lines;
}
