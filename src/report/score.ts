/**
 * The score sheet of 附件二 for a month or a year: pure computation over a snapshot (`ReportData`)
 * of what the ReportSource returned and what people entered. No I/O, no clock: the same snapshot and
 * policy always give the same sheet (what freezing relies on). Rules and their sources:
 *
 * Performance (业绩类, 100) — basic management 20, maintenance quality 80:
 *   reports 5 (−2 per missing, −1 per non-conforming), inspection plan 5 (−2 not submitted, −1 not
 *   carried out), review call 5 (−2 per missed), user data 5 (−2 per error), repair timeliness 30
 *   (≥ 98 %, −1 per percentage point below), availability 15 (≥ 99 %, −1 per point below), repeat faults
 *   15 (−3 each), support tasks 10 (−2 each), call-back satisfaction 10 (−1 per dissatisfied).
 * Service (服务类, 100): complaints/praise 30 (−5 per complaint, +5 per written praise, ≤ 30),
 *   escalated complaints or media 30 (−10 each), production accidents 40 (−5..−10 each).
 * Every line stays within 0..its maximum (扣完为止). Fee = contract total × performance/100 × service/100.
 */
import { type ClockVerdict, clockVerdict, countIn, repairedAt, slaClocks } from "./clocks.ts";
import { emptyInputs, type ManualInputs } from "./inputs.ts";
import type { Period } from "./period.ts";
import {
  describeFractionRule,
  pointsDeduction,
  type ReportConfig,
  round2,
  SCORING_POLICY_VERSION,
} from "./policy.ts";
import type {
  DeviceAvailability,
  MaintenanceWindow,
  SlaClock,
  StateInterval,
  TicketRecord,
} from "./source.ts";

/** What one month's sheet is computed from: everything, so that it can be stored and recomputed. */
export interface MonthData {
  period: Pick<Period, "id" | "kind" | "start" | "end" | "timezone">;
  /** Events after this instant are ignored (the period's end for a closed month). */
  cutoff: number;
  ledgerPolicyVersion: string;
  devices: DeviceAvailability[];
  tickets: TicketRecord[];
  windows: MaintenanceWindow[];
  inputs: ManualInputs;
}

export interface ReportData {
  period: Pick<Period, "id" | "kind" | "start" | "end" | "timezone">;
  /** One entry for a month report; the months that have started for a year report. */
  months: MonthData[];
}

export interface Text {
  zh: string;
  en: string;
}

export interface ScoreLine {
  id: string;
  category: "performance" | "service";
  group: Text;
  name: Text;
  maxScore: number;
  target: Text;
  /** The measured value: a percentage, a count, or null when nothing was measurable. */
  measured: number | null;
  measuredText: string;
  deduction: number;
  bonus: number;
  score: number;
  rule: Text;
  /** Ticket ids or notes behind the figure. */
  evidence: string[];
}

export interface ClockStats {
  onTime: number;
  late: number;
  /** Open and not yet due at the cutoff (not counted). */
  pending: number;
  /** onTime ÷ (onTime + late) × 100; 100 when nothing was due. */
  percent: number;
}

export interface AvailabilityRow {
  deviceId: string;
  name: Text;
  site: string;
  system: string;
  kind: string;
  addedAt: number | null;
  expectedMs: number;
  downtimeMs: number;
  maintenanceMs: number;
  unmonitoredMs: number;
  /** Percent, null when the device was never expected in service. */
  percent: number | null;
  downIntervals: number;
}

export interface GroupAvailability {
  id: string;
  devices: number;
  expectedMs: number;
  downtimeMs: number;
  percent: number | null;
}

export interface FaultRow extends TicketRecord {
  verdicts: Record<SlaClock, ClockVerdict>;
  /** How the repair clock counts in this period's timeliness (null: not counted here). */
  timeliness: "on-time" | "late" | null;
  repeat: "link" | "derived" | null;
}

export interface RepeatRow {
  ticketId: string;
  repeatOf: string;
  deviceId: string;
  faultType: string;
  startedAt: number;
  how: "link" | "derived";
}

export interface MonthSummary {
  period: string;
  performance: number;
  service: number;
  fee: number;
}

export interface ScoreSheet {
  schema: "emcomm.score-sheet/1";
  period: { id: string; kind: "month" | "year"; timezone: string; start: number; end: number };
  cutoff: number;
  policy: { scoringVersion: string; ledgerVersion: string; config: ReportConfig };
  lines: ScoreLine[];
  totals: { performance: number; service: number };
  fee: { contractTotal: number; currency: string; amount: number; formula: string };
  timeliness: ClockStats & { due: number };
  sla: Record<SlaClock, ClockStats>;
  availability: {
    contract: { percent: number; method: string; expectedMs: number; downtimeMs: number };
    devices: AvailabilityRow[];
    sites: GroupAvailability[];
    systems: GroupAvailability[];
  };
  /** Per device, every interval not `up` (down, degraded, maintenance, not in service…): the evidence. */
  evidence: Record<string, StateInterval[]>;
  faults: FaultRow[];
  repeats: RepeatRow[];
  maintenanceWindows: MaintenanceWindow[];
  inputs: ManualInputs[];
  /** For a year: each month's totals and fee. */
  months: MonthSummary[];
}

export function computeScoreSheet(data: ReportData, config: ReportConfig): ScoreSheet {
  if (data.months.length === 0) throw new Error(`period ${data.period.id}: no month has started yet`);
  if (data.period.kind === "month" || config.year.method === "whole-year") {
    const month = data.period.kind === "month" ? data.months[0]! : mergeMonths(data);
    const sheet = computeOne(month, config);
    if (data.period.kind === "year") {
      sheet.months = data.months.map((m) => summary(computeOne(m, config)));
      sheet.inputs = data.months.map((m) => m.inputs);
    }
    return sheet;
  }
  // Mean of months: the year's statistics for the evidence, each line's score averaged over months.
  const monthly = data.months.map((m) => computeOne(m, config));
  const sheet = computeOne(mergeMonths(data), config);
  sheet.lines = sheet.lines.map((line, i) => {
    const score = round2(monthly.reduce((s, m) => s + m.lines[i]!.score, 0) / monthly.length);
    return {
      ...line,
      score,
      deduction: round2(Math.max(0, line.maxScore - score)),
      bonus: 0,
      rule: {
        zh: `${monthly.length}个月得分的平均值（${line.rule.zh}）`,
        en: `mean of ${monthly.length} monthly scores (${line.rule.en})`,
      },
    };
  });
  finish(sheet, config);
  // The year's totals are the exact means of the monthly totals (the lines above are each rounded to
  // 0.01 for display, so their sum may differ from the totals by a few hundredths).
  const mean = (f: (s: ScoreSheet) => number) =>
    round2(monthly.reduce((a, m) => a + f(m), 0) / monthly.length);
  sheet.totals = { performance: mean((m) => m.totals.performance), service: mean((m) => m.totals.service) };
  sheet.fee.amount = feeAmount(config.fee.contractTotal, sheet.totals.performance, sheet.totals.service);
  sheet.fee.formula = `${config.fee.contractTotal} × ${sheet.totals.performance}/100 × ${sheet.totals.service}/100`;
  sheet.months = monthly.map(summary);
  sheet.inputs = data.months.map((m) => m.inputs);
  return sheet;
}

function summary(s: ScoreSheet): MonthSummary {
  return {
    period: s.period.id,
    performance: s.totals.performance,
    service: s.totals.service,
    fee: s.fee.amount,
  };
}

/** A year as one period: figures summed per device, tickets and windows once each, counts summed. */
export function mergeMonths(data: ReportData): MonthData {
  const devices = new Map<string, DeviceAvailability>();
  const tickets = new Map<string, TicketRecord>();
  const windows = new Map<string, MaintenanceWindow>();
  for (const m of data.months) {
    for (const d of m.devices) {
      const prev = devices.get(d.deviceId);
      if (!prev) devices.set(d.deviceId, { ...d, intervals: [...d.intervals] });
      else {
        prev.expectedMs += d.expectedMs;
        prev.downtimeMs += d.downtimeMs;
        prev.maintenanceMs += d.maintenanceMs;
        prev.unmonitoredMs = (prev.unmonitoredMs ?? 0) + (d.unmonitoredMs ?? 0);
        prev.intervals.push(...d.intervals);
        prev.removedAt = d.removedAt ?? null;
      }
    }
    for (const t of m.tickets) tickets.set(t.id, t);
    for (const w of m.windows) windows.set(w.id, w);
  }
  const last = data.months[data.months.length - 1]!;
  return {
    period: data.period,
    cutoff: last.cutoff,
    ledgerPolicyVersion: last.ledgerPolicyVersion,
    devices: [...devices.values()],
    tickets: [...tickets.values()],
    windows: [...windows.values()],
    inputs: sumInputs(
      data.period.id,
      data.months.map((m) => m.inputs),
    ),
  };
}

function sumInputs(period: string, list: ManualInputs[]): ManualInputs {
  const sum = { ...emptyInputs(`${period.slice(0, 4)}-01`), period } as ManualInputs;
  for (const i of list) {
    for (const k of countKeys) sum[k] += i[k];
    sum.productionAccidents = [...sum.productionAccidents, ...i.productionAccidents];
  }
  return sum;
}

const countKeys = [
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
] as const;

const BASIC: Text = { zh: "基础管理", en: "Basic management" };
const QUALITY: Text = { zh: "维护质量指标", en: "Maintenance quality" };
const SERVICE: Text = { zh: "服务类指标", en: "Service quality" };

function computeOne(m: MonthData, config: ReportConfig): ScoreSheet {
  const { start, end } = m.period;
  const cutoff = Math.min(m.cutoff, end);
  const tl = config.timeliness;

  // ── tickets: verdicts, timeliness, compliance ──
  const sla: Record<SlaClock, ClockStats> = {
    respond: { onTime: 0, late: 0, pending: 0, percent: 100 },
    onsite: { onTime: 0, late: 0, pending: 0, percent: 100 },
    repair: { onTime: 0, late: 0, pending: 0, percent: 100 },
  };
  const repeats = findRepeats(m, config);
  const repeatById = new Map(repeats.map((r) => [r.ticketId, r.how]));
  const faults: FaultRow[] = [];
  for (const t of [...m.tickets].sort((a, b) => a.startedAt - b.startedAt || cmp(a.id, b.id))) {
    if (t.startedAt >= cutoff) continue;
    const verdicts = {} as Record<SlaClock, ClockVerdict>;
    const counted = {} as Record<SlaClock, "on-time" | "late" | null>;
    for (const c of slaClocks) {
      const v = clockVerdict(t, c, cutoff, tl);
      verdicts[c] = v;
      counted[c] = countIn(t, v, start, end, tl);
      if (counted[c] === "on-time") sla[c].onTime++;
      else if (counted[c] === "late") sla[c].late++;
      else if (v.verdict === "pending") sla[c].pending++;
    }
    const rep = repairedAt(t, tl);
    const relevant =
      t.startedAt >= start ||
      rep === null ||
      rep >= start ||
      slaClocks.some((c) => counted[c] !== null) ||
      repeatById.has(t.id);
    if (!relevant) continue;
    faults.push({ ...t, verdicts, timeliness: counted.repair, repeat: repeatById.get(t.id) ?? null });
  }
  for (const c of slaClocks) {
    const due = sla[c].onTime + sla[c].late;
    sla[c].percent = due === 0 ? 100 : round2((100 * sla[c].onTime) / due);
  }

  // ── availability ──
  const devices: AvailabilityRow[] = m.devices
    .map((d) => ({
      deviceId: d.deviceId,
      name: d.name,
      site: d.site,
      system: d.system,
      kind: d.kind,
      addedAt: d.addedAt ?? null,
      expectedMs: d.expectedMs,
      downtimeMs: d.downtimeMs,
      maintenanceMs: d.maintenanceMs,
      unmonitoredMs: d.unmonitoredMs ?? 0,
      percent: d.expectedMs > 0 ? pct(d.expectedMs - d.downtimeMs, d.expectedMs) : null,
      downIntervals: d.intervals.filter((i) => i.state === "down").length,
    }))
    .sort((a, b) => cmp(a.site, b.site) || cmp(a.deviceId, b.deviceId));
  const group = (key: "site" | "system") => {
    const map = new Map<string, GroupAvailability>();
    for (const d of devices) {
      const g = map.get(d[key]) ?? { id: d[key], devices: 0, expectedMs: 0, downtimeMs: 0, percent: null };
      g.devices++;
      g.expectedMs += d.expectedMs;
      g.downtimeMs += d.downtimeMs;
      map.set(d[key], g);
    }
    for (const g of map.values())
      g.percent = g.expectedMs > 0 ? pct(g.expectedMs - g.downtimeMs, g.expectedMs) : null;
    return [...map.values()].sort((a, b) => cmp(a.id, b.id));
  };
  const expectedMs = devices.reduce((s, d) => s + d.expectedMs, 0);
  const downtimeMs = devices.reduce((s, d) => s + d.downtimeMs, 0);
  let availNum: bigint;
  let availDen: bigint;
  let availPercent: number;
  if (config.availability.contractFigure === "pooled" || expectedMs === 0) {
    availNum = BigInt(expectedMs - downtimeMs);
    availDen = BigInt(expectedMs);
    availPercent = expectedMs === 0 ? 100 : pct(expectedMs - downtimeMs, expectedMs);
  } else {
    const inService = devices.filter((d) => d.expectedMs > 0);
    const mean =
      inService.reduce((s, d) => s + (d.expectedMs - d.downtimeMs) / d.expectedMs, 0) / inService.length;
    availDen = 1_000_000_000n;
    availNum = BigInt(Math.round(mean * 1e9));
    availPercent = round2(mean * 100);
  }

  // ── lines ──
  const inp = m.inputs;
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
      { n: inp.reportsMissing, each: 2, zh: "缺报表", en: "missing report" },
      { n: inp.reportsNonConforming, each: 1, zh: "报表不符合要求", en: "non-conforming report" },
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
    [{ n: inp.reviewCallsMissed, each: 2, zh: "缺总结交流", en: "missed call" }],
  );
  counted(
    "user-data",
    "performance",
    BASIC,
    { zh: "用户资料准确率", en: "User data accuracy" },
    5,
    { zh: "准确率100%", en: "100 % accurate" },
    [{ n: inp.userDataErrors, each: 2, zh: "资料错误", en: "error" }],
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
      zh: `每降低1个百分点扣1分，扣完为止；${rule.zh}；${config.availability.contractFigure === "pooled" ? "Σ(应在用时长−故障时长)÷Σ应在用时长（维护窗口不计）" : "各设备可用率的平均值"}`,
      en: `−1 per percentage point below target, down to 0; ${rule.en}; ${config.availability.contractFigure === "pooled" ? "Σ(expected − downtime) ÷ Σ expected over all devices (maintenance windows excluded)" : "mean of per-device availability"}`,
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
  const complaintsRaw = 30 - 5 * inp.complaints + 5 * inp.writtenPraise;
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
    deduction: Math.min(30, 5 * inp.complaints),
    bonus: Math.max(0, complaintsScore - Math.max(0, 30 - 5 * inp.complaints)),
    score: complaintsScore,
    rule: {
      zh: "每发生1次客户投诉扣5分，每收到1次客户书面表扬加5分，满分30分",
      en: "−5 per complaint, +5 per written praise, at most 30, at least 0",
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
    [{ n: inp.escalatedComplaints, each: 10, zh: "越级投诉或媒体曝光", en: "escalation or media exposure" }],
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

  const sheet: ScoreSheet = {
    schema: "emcomm.score-sheet/1",
    period: { id: m.period.id, kind: m.period.kind, timezone: m.period.timezone, start, end },
    cutoff,
    policy: { scoringVersion: SCORING_POLICY_VERSION, ledgerVersion: m.ledgerPolicyVersion, config },
    lines,
    totals: { performance: 0, service: 0 },
    fee: { contractTotal: 0, currency: config.fee.currency, amount: 0, formula: "" },
    timeliness: { ...sla.repair, due },
    sla,
    availability: {
      contract: { percent: availPercent, method: config.availability.contractFigure, expectedMs, downtimeMs },
      devices,
      sites: group("site"),
      systems: group("system"),
    },
    evidence: Object.fromEntries(
      [...m.devices]
        .sort((a, b) => cmp(a.deviceId, b.deviceId))
        .map((d) => [d.deviceId, d.intervals.filter((i) => i.state !== "up")]),
    ),
    faults,
    repeats,
    maintenanceWindows: [...m.windows].sort((a, b) => a.start - b.start || cmp(a.id, b.id)),
    inputs: [m.inputs],
    months: [],
  };
  finish(sheet, config);
  return sheet;
}

/** Totals and fee from the lines. */
function finish(sheet: ScoreSheet, config: ReportConfig): void {
  const total = (c: ScoreLine["category"]) =>
    round2(sheet.lines.filter((l) => l.category === c).reduce((s, l) => s + l.score, 0));
  sheet.totals = { performance: total("performance"), service: total("service") };
  sheet.fee = {
    contractTotal: config.fee.contractTotal,
    currency: config.fee.currency,
    amount: feeAmount(config.fee.contractTotal, sheet.totals.performance, sheet.totals.service),
    formula: `${config.fee.contractTotal} × ${sheet.totals.performance}/100 × ${sheet.totals.service}/100`,
  };
}

/** 酬金 = 合同总金额 × 业绩类得分/100 × 服务类得分/100, rounded to the cent (fen). */
export function feeAmount(contractTotal: number, performance: number, service: number): number {
  return Math.round((contractTotal * performance * service) / 100) / 100;
}

/**
 * Repeat faults started in the period: tickets linked by the ticket system (`repeatOf`), plus, when the
 * policy sets a window, a ticket whose device and fault type match an earlier ticket cleared at most
 * `deriveWindowMs` before it started.
 */
function findRepeats(m: MonthData, config: ReportConfig): RepeatRow[] {
  const out: RepeatRow[] = [];
  const inPeriod = (t: TicketRecord) =>
    t.startedAt >= m.period.start && t.startedAt < Math.min(m.period.end, m.cutoff);
  const byDevice = new Map<string, TicketRecord[]>();
  for (const t of m.tickets) {
    if (t.state === "cancelled") continue;
    const list = byDevice.get(t.deviceId) ?? [];
    list.push(t);
    byDevice.set(t.deviceId, list);
  }
  const win = config.repeats.deriveWindowMs;
  for (const list of byDevice.values()) {
    list.sort((a, b) => a.startedAt - b.startedAt || cmp(a.id, b.id));
    list.forEach((t, i) => {
      if (!inPeriod(t)) return;
      const row = { ticketId: t.id, deviceId: t.deviceId, faultType: t.faultType, startedAt: t.startedAt };
      if (t.repeatOf !== null) {
        out.push({ ...row, repeatOf: t.repeatOf, how: "link" });
        return;
      }
      if (win <= 0) return;
      for (let j = i - 1; j >= 0; j--) {
        const e = list[j]!;
        const cleared = e.clearedAt;
        if (
          e.faultType === t.faultType &&
          cleared !== null &&
          cleared <= t.startedAt &&
          t.startedAt - cleared <= win
        ) {
          out.push({ ...row, repeatOf: e.id, how: "derived" });
          return;
        }
      }
    });
  }
  return out.sort((a, b) => a.startedAt - b.startedAt || cmp(a.ticketId, b.ticketId));
}

function pct(num: number, den: number): number {
  return round2((100 * num) / den);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
