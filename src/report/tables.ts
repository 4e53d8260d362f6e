/**
 * The score sheet as tables: one model that the XLSX workbook, the CSV files and the tests share, so
 * every export shows the same cells. Headings are Chinese first (the bureau reads them), English
 * beside. Instants are local time text in the period's zone; durations are hours; percentages are
 * numbers in percent.
 */
import { formatLocal } from "../core/zoned-time.ts";
import { sourceText } from "./records.ts";
import type { ScoreSheet, Text } from "./score.ts";

export type Cell = string | number | null;

export interface Column {
  key: string;
  zh: string;
  en: string;
  /** Display width in characters (XLSX). */
  width: number;
}

export interface Table {
  id: string;
  zh: string;
  en: string;
  columns: Column[];
  rows: Cell[][];
}

export const heading = (c: { zh: string; en: string }) => `${c.zh} ${c.en}`;

const col = (key: string, zh: string, en: string, width = 14): Column => ({ key, zh, en, width });
const hours = (ms: number) => Math.round((ms / 3_600_000) * 10_000) / 10_000;

export const levelText: Record<string, Text> = {
  major: { zh: "重大故障", en: "major" },
  general: { zh: "一般故障", en: "general" },
  consult: { zh: "技术咨询", en: "consult" },
};
export const verdictText: Record<string, Text> = {
  met: { zh: "达标", en: "met" },
  breached: { zh: "超时", en: "breached" },
  pending: { zh: "未到期", en: "pending" },
  "n/a": { zh: "不适用", en: "n/a" },
};
export const stateText: Record<string, Text> = {
  open: { zh: "待受理", en: "open" },
  accepted: { zh: "已受理", en: "accepted" },
  onsite: { zh: "已到场", en: "on site" },
  cleared: { zh: "已销障", en: "cleared" },
  closed: { zh: "已结单", en: "closed" },
  rejected: { zh: "退回", en: "rejected" },
  cancelled: { zh: "已撤销", en: "cancelled" },
};
const both = (t: Text | undefined, fallback: string) => (t ? `${t.zh} ${t.en}` : fallback);

const tableCache = new WeakMap<ScoreSheet, Table[]>();

/** The sheet's tables (computed once per sheet object; callers must not mutate them). */
export function sheetTables(s: ScoreSheet): Table[] {
  let tables = tableCache.get(s);
  if (!tables) {
    tables = buildTables(s);
    tableCache.set(s, tables);
  }
  return tables;
}

function buildTables(s: ScoreSheet): Table[] {
  const tz = s.period.timezone;
  const t = (ms: number | null | undefined) => formatLocal(ms, tz);
  const tables: Table[] = [];

  tables.push({
    id: "summary",
    zh: "评分汇总",
    en: "Score summary",
    columns: [
      col("category", "类别", "Category", 12),
      col("group", "分项", "Group", 16),
      col("indicator", "考核指标", "Indicator", 26),
      col("max", "分值", "Max", 8),
      col("target", "要求", "Target", 18),
      col("measured", "实测值", "Measured", 22),
      col("deduction", "扣分", "Deduction", 9),
      col("bonus", "加分", "Bonus", 8),
      col("score", "得分", "Score", 8),
      col("rule", "考核办法", "Rule applied", 60),
      col("source", "来源", "Source", 24),
      col("evidence", "依据", "Evidence", 60),
    ],
    rows: [
      ...s.lines.map((l) => [
        l.category === "performance" ? "业绩类 Performance" : "服务类 Service",
        `${l.group.zh} ${l.group.en}`,
        `${l.name.zh} ${l.name.en}`,
        l.maxScore,
        `${l.target.zh} / ${l.target.en}`,
        l.measuredText,
        l.deduction,
        l.bonus,
        l.score,
        `${l.rule.zh} / ${l.rule.en}`,
        sourceText(l),
        l.evidence.join("\n"),
      ]),
      [
        "业绩类合计 Performance total",
        "",
        "",
        100,
        "",
        "",
        round(100 - s.totals.performance),
        0,
        s.totals.performance,
        "",
        "",
        "",
      ],
      [
        "服务类合计 Service total",
        "",
        "",
        100,
        "",
        "",
        round(100 - s.totals.service),
        0,
        s.totals.service,
        "",
        "",
        "",
      ],
      [
        "维保服务酬金 Fee",
        "",
        `合同总金额 Contract total ${s.fee.contractTotal} ${s.fee.currency}`,
        null,
        "",
        s.fee.formula,
        null,
        null,
        s.fee.amount,
        "酬金=合同总金额×业绩类得分/100×服务类得分/100 (fee = total × performance/100 × service/100)",
        "",
        "",
      ],
    ],
  });

  tables.push({
    id: "sla",
    zh: "时限达标情况",
    en: "SLA clock compliance",
    columns: [
      col("clock", "时限", "Clock", 18),
      col("onTime", "按期", "On time", 10),
      col("late", "超时", "Late", 10),
      col("pending", "未到期", "Pending", 10),
      col("percent", "达标率(%)", "Compliance (%)", 14),
    ],
    rows: (
      [
        ["respond", "响应 Response"],
        ["onsite", "到场 On site"],
        ["repair", "修复 Repair"],
      ] as const
    ).map(([c, name]) => [name, s.sla[c].onTime, s.sla[c].late, s.sla[c].pending, s.sla[c].percent]),
  });

  tables.push({
    id: "info",
    zh: "报表信息",
    en: "Report information",
    columns: [col("key", "项目", "Item", 28), col("value", "内容", "Value", 60)],
    rows: [
      ["统计周期 Period", s.period.id],
      ["时区 Time zone", tz],
      ["开始 Start", t(s.period.start)],
      ["结束 End (exclusive)", t(s.period.end)],
      ["数据截至 Data as of", t(s.cutoff)],
      ["考核规则版本 Scoring policy version", s.policy.scoringVersion],
      ["可用率核算版本 Ledger policy version", s.policy.ledgerVersion],
      ["不足1个百分点 Fraction rule", s.policy.config.fractionRule],
      ["及时率归属 Timeliness attribution", s.policy.config.timeliness.attribution],
      ["未到期工单 Open, not yet due", s.policy.config.timeliness.openNotDue],
      ["修复时点 Repaired at", s.policy.config.timeliness.repairedAt],
      ["可用率口径 Availability figure", s.policy.aggregate],
      ["重复故障认定窗口(毫秒) Repeat window (ms)", s.policy.repeatWindowMs ?? "links only"],
      ["年度计分 Year method", s.policy.config.year.method],
    ],
  });

  tables.push({
    id: "warnings",
    zh: "数据核查",
    en: "Data checks",
    columns: [col("n", "序号", "No.", 8), col("problem", "问题", "Problem", 90)],
    rows: s.warnings.map((w, i) => [i + 1, w]),
  });

  if (s.months.length > 0)
    tables.push({
      id: "months",
      zh: "月度得分",
      en: "Monthly scores",
      columns: [
        col("period", "月份", "Month", 10),
        col("performance", "业绩类得分", "Performance", 12),
        col("service", "服务类得分", "Service", 12),
        col("fee", "酬金", "Fee", 14),
      ],
      rows: s.months.map((m) => [m.period, m.performance, m.service, m.fee]),
    });

  tables.push({
    id: "availability",
    zh: "设备可用率",
    en: "Availability per device",
    columns: [
      col("device", "设备编号", "Device", 18),
      col("name", "设备名称", "Name", 28),
      col("site", "站点", "Site", 12),
      col("system", "系统", "System", 12),
      col("kind", "类型", "Kind", 14),
      col("added", "纳入时间", "Added", 17),
      col("expected", "应在用时长(小时)", "Expected (h)", 12),
      col("downtime", "故障时长(小时)", "Downtime (h)", 12),
      col("maintenance", "维护窗口(小时)", "Maintenance (h)", 12),
      col("unmonitored", "未监测(小时)", "Unmonitored (h)", 12),
      col("percent", "可用率(%)", "Availability (%)", 12),
      col("outages", "故障次数", "Outages", 9),
    ],
    rows: s.availability.devices.map((d) => [
      d.deviceId,
      `${d.name.zh} ${d.name.en}`,
      d.site,
      d.system,
      d.kind,
      t(d.addedAt),
      hours(d.expectedMs),
      hours(d.downtimeMs),
      hours(d.maintenanceMs),
      hours(d.unmonitoredMs),
      d.percent,
      d.downIntervals,
    ]),
  });

  tables.push({
    id: "availability-groups",
    zh: "可用率汇总",
    en: "Availability by site and system",
    columns: [
      col("level", "层级", "Level", 14),
      col("id", "名称", "Id", 18),
      col("devices", "设备数", "Devices", 9),
      col("expected", "应在用时长(小时)", "Expected (h)", 14),
      col("downtime", "故障时长(小时)", "Downtime (h)", 14),
      col("percent", "可用率(%)", "Availability (%)", 12),
    ],
    rows: [
      [
        "合同考核 Contract",
        s.availability.contract.method,
        s.availability.devices.length,
        hours(s.availability.contract.expectedMs),
        hours(s.availability.contract.downtimeMs),
        s.availability.contract.percent,
      ],
      ...s.availability.sites.map((g) => [
        "站点 Site",
        g.id,
        g.devices,
        hours(g.expectedMs),
        hours(g.downtimeMs),
        g.percent,
      ]),
      ...s.availability.systems.map((g) => [
        "系统 System",
        g.id,
        g.devices,
        hours(g.expectedMs),
        hours(g.downtimeMs),
        g.percent,
      ]),
    ],
  });

  tables.push({
    id: "faults",
    zh: "故障清单",
    en: "Fault list",
    columns: [
      col("id", "故障单号", "Ticket", 12),
      col("device", "设备", "Device", 16),
      col("site", "站点", "Site", 12),
      col("level", "故障等级", "Level", 14),
      col("symptom", "故障现象", "Symptom", 24),
      col("type", "故障类型", "Fault type", 12),
      col("started", "故障起始时间", "Started", 17),
      col("accepted", "受理时间", "Accepted", 17),
      col("arrived", "到场时间", "On site", 17),
      col("cleared", "销障时间", "Cleared", 17),
      col("verified", "结单时间", "Verified", 17),
      col("repair", "故障修复时长(小时)", "Repair time (h)", 12),
      col("cause", "故障原因分析", "Cause analysis", 24),
      col("handling", "故障处理情况", "Handling", 24),
      col("responsibility", "责任分析", "Responsibility", 18),
      col("lessons", "经验教训", "Lessons learned", 24),
      col("handler", "故障处理人", "Handler", 10),
      col("repeatOf", "重复故障(原单)", "Repeat of", 12),
      col("state", "状态", "State", 12),
      col("respondDeadline", "响应时限", "Respond by", 17),
      col("respond", "响应", "Respond", 12),
      col("onsiteDeadline", "到场时限", "On site by", 17),
      col("onsite", "到场", "On site", 12),
      col("repairDeadline", "修复时限", "Repair by", 17),
      col("repairVerdict", "修复", "Repair", 12),
      col("timeliness", "计入本期及时率", "Counted in timeliness", 14),
    ],
    rows: s.faults.map((f) => [
      f.id,
      f.deviceId,
      f.site,
      both(levelText[f.level], f.level),
      f.symptom,
      f.faultType,
      t(f.startedAt),
      t(f.acceptedAt),
      t(f.arrivedAt),
      t(f.clearedAt),
      t(f.verifiedAt),
      f.repairMs === null ? null : hours(f.repairMs),
      f.cause,
      f.handling,
      f.responsibility,
      f.lessons,
      f.handler,
      f.repeatOf ?? "",
      both(stateText[f.state], f.state),
      t(f.verdicts.respond.deadline),
      both(verdictText[f.verdicts.respond.verdict], f.verdicts.respond.verdict),
      f.verdicts.onsite.verdict === "n/a" ? "" : t(f.verdicts.onsite.deadline),
      both(verdictText[f.verdicts.onsite.verdict], f.verdicts.onsite.verdict),
      t(f.verdicts.repair.deadline),
      both(verdictText[f.verdicts.repair.verdict], f.verdicts.repair.verdict),
      f.timeliness === "on-time"
        ? "按期 on time"
        : f.timeliness === "late"
          ? "超期 late"
          : "不计 not counted",
    ]),
  });

  tables.push({
    id: "repeats",
    zh: "重复故障",
    en: "Repeat faults",
    columns: [
      col("ticket", "故障单号", "Ticket", 12),
      col("repeatOf", "原故障单", "Repeat of", 12),
      col("device", "设备", "Device", 16),
      col("type", "故障类型", "Fault type", 12),
      col("started", "故障起始时间", "Started", 17),
      col("how", "认定方式", "Found by", 16),
    ],
    rows: s.repeats.map((r) => [
      r.ticketId,
      r.repeatOf,
      r.deviceId,
      r.faultType,
      t(r.startedAt),
      r.how === "link" ? "工单关联 linked" : "规则认定 derived",
    ]),
  });

  tables.push({
    id: "windows",
    zh: "维护窗口",
    en: "Maintenance windows excluded",
    columns: [
      col("id", "编号", "Id", 12),
      col("kind", "类型", "Kind", 14),
      col("start", "开始", "Start", 17),
      col("end", "结束", "End", 17),
      col("hours", "时长(小时)", "Hours", 10),
      col("devices", "设备", "Devices", 24),
      col("sites", "站点", "Sites", 16),
      col("reason", "事由", "Reason", 24),
      col("approvedBy", "批准人", "Approved by", 12),
    ],
    rows: s.maintenanceWindows.map((w) => [
      w.id,
      w.kind === "drill" ? "演练 drill" : "计划维护 maintenance",
      t(w.start),
      t(w.end),
      hours(w.end - w.start),
      w.deviceIds.join(", "),
      w.sites.join(", "),
      w.reason,
      w.approvedBy,
    ]),
  });

  const inputNames: [keyof ScoreSheet["inputs"][number], string, string][] = [
    ["reportsMissing", "缺报表", "reports missing"],
    ["reportsNonConforming", "报表不符合要求", "reports non-conforming"],
    ["inspectionPlansNotSubmitted", "未提交巡检计划", "inspection plans not submitted"],
    ["inspectionPlansNotCarriedOut", "未完成巡检计划", "inspection plans not carried out"],
    ["reviewCallsMissed", "缺月度总结交流", "review calls missed"],
    ["userDataErrors", "用户资料错误", "user-data errors"],
    ["supportTasksFailed", "通信保障未按要求完成", "support tasks failed"],
    ["dissatisfiedCallbacks", "回访不满意", "dissatisfied call-backs"],
    ["complaints", "客户投诉", "complaints"],
    ["writtenPraise", "书面表扬", "written praise"],
    ["escalatedComplaints", "越级投诉或媒体曝光", "escalated complaints or media"],
  ];
  tables.push({
    id: "inputs",
    zh: "人工录入",
    en: "Manual inputs",
    columns: [
      col("period", "月份", "Month", 10),
      col("indicator", "指标", "Indicator", 20),
      col("name", "名称", "Name", 36),
      col("value", "数值/扣分", "Count / deduction", 12),
      col("note", "说明", "Note", 30),
    ],
    rows: s.inputs.flatMap((i) => [
      ...inputNames.map(([k, zh, en]) => [i.period, k, `${zh} ${en}`, i[k] as number, ""] as Cell[]),
      ...i.productionAccidents.map(
        (a) =>
          [
            i.period,
            "productionAccidents",
            "通信生产事故 production accident",
            a.deduction,
            a.description,
          ] as Cell[],
      ),
      ...(i.enteredBy || i.note
        ? [
            [
              i.period,
              "enteredBy",
              "录入人 entered by",
              null,
              `${i.enteredBy ?? ""} ${i.note ?? ""}`.trim(),
            ] as Cell[],
          ]
        : []),
    ]),
  });

  tables.push({
    id: "intervals",
    zh: "状态区间明细",
    en: "State intervals (evidence)",
    columns: [
      col("device", "设备", "Device", 16),
      col("state", "状态", "State", 14),
      col("start", "开始", "Start", 17),
      col("end", "结束", "End", 17),
      col("hours", "时长(小时)", "Hours", 10),
      col("cause", "原因", "Cause", 30),
    ],
    rows: s.availability.devices.flatMap((d) =>
      (s.evidence[d.deviceId] ?? []).map((iv) => [
        d.deviceId,
        iv.state,
        t(iv.start),
        t(iv.end),
        hours(iv.end - iv.start),
        iv.cause,
      ]),
    ),
  });
  return tables;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
