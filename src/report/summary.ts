/**
 * The monthly maintenance summary report (本月各类维护和总结分析报表, contract 一.3(7)): faults
 * handled, cause analysis, follow-up of unrepaired faults, timeliness, plus the score sheet. Built once
 * as blocks, rendered to Markdown and to a self-contained printable HTML page.
 */
import { formatLocal } from "../core/zoned-time.ts";
import { sourceText } from "./records.ts";
import type { ScoreSheet } from "./score.ts";
import { levelText, verdictText } from "./tables.ts";

export type Block =
  | { kind: "h"; level: 1 | 2; text: string }
  | { kind: "p"; text: string }
  | { kind: "table"; head: string[]; rows: string[][] };

/** A table of `rows`, or the sentence `none` when there are none. */
function tableOr(none: string, head: string[], rows: string[][]): Block {
  return rows.length === 0 ? { kind: "p", text: none } : { kind: "table", head, rows };
}

function blocks(s: ScoreSheet): Block[] {
  const tz = s.period.timezone;
  const t = (ms: number | null) => formatLocal(ms, tz);
  const lvl = (l: string) => levelText[l]?.zh ?? l;
  const vd = (v: string) => `${verdictText[v]?.zh ?? v}`;
  const out: Block[] = [];
  const title = s.period.kind === "month" ? "本月各类维护和总结分析报表" : "年度维护总结分析报表";
  out.push({ kind: "h", level: 1, text: `${title} · ${s.period.id}` });
  out.push({
    kind: "p",
    text: `统计区间 Period: ${t(s.period.start)} – ${t(s.period.end)} (${tz})；数据截至 data as of ${t(s.cutoff)}${s.cutoff < s.period.end ? "（本期尚未结束，数据为临时统计 provisional: the period has not ended）" : ""}；考核规则版本 policy ${s.policy.scoringVersion} / 可用率核算 ledger ${s.policy.ledgerVersion}。`,
  });

  out.push({ kind: "h", level: 2, text: "一、考核得分 Score" });
  out.push({
    kind: "p",
    text: `业绩类 Performance **${s.totals.performance}**，服务类 Service **${s.totals.service}**；酬金 Fee = ${s.fee.formula} = **${s.fee.amount} ${s.fee.currency}**。`,
  });
  out.push({
    kind: "table",
    head: [
      "考核指标 Indicator",
      "分值 Max",
      "要求 Target",
      "实测 Measured",
      "扣分 Deduction",
      "得分 Score",
      "来源 Source",
    ],
    rows: s.lines.map((l) => [
      `${l.name.zh} ${l.name.en}`,
      String(l.maxScore),
      l.target.zh,
      l.measuredText,
      String(l.deduction),
      String(l.score),
      sourceText(l),
    ]),
  });

  const faults = s.faults;
  out.push({ kind: "h", level: 2, text: "二、故障处理情况 Faults handled" });
  const byLevel = (["major", "general", "consult"] as const).map(
    (l) => `${lvl(l)} ${faults.filter((f) => f.level === l).length}`,
  );
  const repaired = faults.filter(
    (f) => f.clearedAt !== null && f.clearedAt < s.cutoff && (f.state === "cleared" || f.state === "closed"),
  );
  out.push({
    kind: "p",
    text: `本期涉及故障 ${faults.length} 起（${byLevel.join("，")}），已修复 ${repaired.length} 起，未修复 ${faults.length - repaired.length} 起。Faults in the period: ${faults.length}; repaired ${repaired.length}.`,
  });
  if (faults.length > 0)
    out.push({
      kind: "table",
      head: [
        "单号 Ticket",
        "设备 Device",
        "等级 Level",
        "现象 Symptom",
        "起始 Started",
        "销障 Cleared",
        "处理人 Handler",
        "处理情况 Handling",
      ],
      rows: faults.map((f) => [
        f.id,
        f.deviceId,
        lvl(f.level),
        f.symptom,
        t(f.startedAt),
        t(f.clearedAt),
        f.handler,
        f.handling,
      ]),
    });

  out.push({ kind: "h", level: 2, text: "三、故障原因分析 Cause analysis" });
  const types = new Map<string, typeof faults>();
  for (const f of faults) types.set(f.faultType, [...(types.get(f.faultType) ?? []), f]);
  out.push(
    tableOr(
      "本期无故障。No faults in the period.",
      ["故障类型 Fault type", "次数 Count", "原因分析 Causes", "责任分析 Responsibility", "经验教训 Lessons"],
      [...types.entries()]
        .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
        .map(([type, list]) => [
          type,
          String(list.length),
          uniq(list.map((f) => f.cause)).join("；"),
          uniq(list.map((f) => f.responsibility)).join("；"),
          uniq(list.map((f) => f.lessons)).join("；"),
        ]),
    ),
  );

  out.push({ kind: "h", level: 2, text: "四、未修复故障跟进 Follow-up of unrepaired faults" });
  const open = faults.filter((f) => !repaired.includes(f));
  out.push(
    tableOr(
      "截至统计时点无未修复故障。No fault left unrepaired.",
      [
        "单号 Ticket",
        "设备 Device",
        "等级 Level",
        "起始 Started",
        "修复时限 Repair by",
        "状态 Verdict",
        "处理人 Handler",
        "进展 Handling",
      ],
      open.map((f) => [
        f.id,
        f.deviceId,
        lvl(f.level),
        t(f.startedAt),
        t(f.deadlines.repair),
        vd(f.verdicts.repair.verdict),
        f.handler,
        f.handling,
      ]),
    ),
  );

  out.push({ kind: "h", level: 2, text: "五、故障处理及时性 Timeliness" });
  out.push({
    kind: "table",
    head: ["时限 Clock", "按期 On time", "超时 Late", "未到期 Pending", "达标率 Percent"],
    rows: (
      [
        ["respond", "响应 Response"],
        ["onsite", "到场 On site"],
        ["repair", "修复 Repair"],
      ] as const
    ).map(([c, name]) => [
      name,
      String(s.sla[c].onTime),
      String(s.sla[c].late),
      String(s.sla[c].pending),
      `${s.sla[c].percent}%`,
    ]),
  });
  const late = faults.filter((f) => Object.values(f.verdicts).some((v) => v.verdict === "breached"));
  if (late.length > 0)
    out.push({
      kind: "table",
      head: ["单号 Ticket", "响应 Respond", "到场 On site", "修复 Repair"],
      rows: late.map((f) => [
        f.id,
        vd(f.verdicts.respond.verdict),
        vd(f.verdicts.onsite.verdict),
        vd(f.verdicts.repair.verdict),
      ]),
    });

  out.push({ kind: "h", level: 2, text: "六、重复故障 Repeat faults" });
  out.push(
    tableOr(
      "本期无重复故障。No repeat faults.",
      ["单号 Ticket", "原故障单 Repeat of", "设备 Device", "故障类型 Type", "起始 Started"],
      s.repeats.map((r) => [r.ticketId, r.repeatOf, r.deviceId, r.faultType, t(r.startedAt)]),
    ),
  );

  out.push({ kind: "h", level: 2, text: "七、设备可用率 Availability" });
  out.push({
    kind: "p",
    text: `合同考核可用率 Contract figure: **${s.availability.contract.percent}%** (${s.availability.contract.method})。`,
  });
  out.push({
    kind: "table",
    head: ["站点 Site", "设备数 Devices", "可用率 Availability"],
    rows: s.availability.sites.map((g) => [
      g.id,
      String(g.devices),
      g.percent === null ? "—" : `${g.percent}%`,
    ]),
  });
  const providers = s.availability.providers ?? [];
  if (providers.length > 0)
    out.push({
      kind: "p",
      text: `第三方服务（不计入维护方考核）Third parties' services, not counted for the contractor: ${providers
        .map((p) => `${p.deviceId} ${p.percent === null ? "—" : `${p.percent}%`}`)
        .join("; ")}。`,
    });
  const worst = s.availability.devices
    .filter((d) => d.percent !== null && d.downtimeMs > 0)
    .sort((a, b) => (a.percent ?? 0) - (b.percent ?? 0))
    .slice(0, 10);
  if (worst.length > 0)
    out.push({
      kind: "table",
      head: ["设备 Device", "名称 Name", "故障时长(小时) Downtime (h)", "可用率 Availability"],
      rows: worst.map((d) => [d.deviceId, d.name.zh, (d.downtimeMs / 3_600_000).toFixed(2), `${d.percent}%`]),
    });

  out.push({ kind: "h", level: 2, text: "八、维护窗口与演练 Maintenance windows and drills" });
  out.push(
    tableOr(
      "本期无维护窗口。No maintenance windows.",
      ["编号 Id", "类型 Kind", "开始 Start", "结束 End", "事由 Reason"],
      s.maintenanceWindows.map((w) => [
        w.id,
        w.kind === "drill" ? "演练" : "计划维护",
        t(w.start),
        t(w.end),
        w.reason,
      ]),
    ),
  );
  out.push({ kind: "h", level: 2, text: "九、数据核查 Data checks" });
  out.push(
    tableOr(
      "监测数据与工单记录一致，未发现问题。The records behind the figures are consistent.",
      ["问题 Problem"],
      s.warnings.map((w) => [w]),
    ),
  );
  return out;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x.trim() !== ""))];
}

/**
 * Markdown of the sheet. Text that came from people (ticket records, inputs) is escaped: HTML is
 * written as entities (Markdown renderers pass raw HTML through), table pipes and newlines are
 * neutralised.
 */
export function renderMarkdown(s: ScoreSheet): string {
  return blocksMarkdown(blocks(s));
}

/** Headings, paragraphs and tables as Markdown, people's text escaped (also the records' monthly reports). */
export function blocksMarkdown(list: Block[]): string {
  const text = (x: string) => x.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const md = (x: string) => text(x).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  return `${list
    .map((b) => {
      if (b.kind === "h") return `${"#".repeat(b.level)} ${text(b.text)}\n`;
      if (b.kind === "p") return `${text(b.text)}\n`;
      const head = `| ${b.head.map(md).join(" | ")} |`;
      const sep = `| ${b.head.map(() => "---").join(" | ")} |`;
      return `${[head, sep, ...b.rows.map((r) => `| ${r.map(md).join(" | ")} |`)].join("\n")}\n`;
    })
    .join("\n")}`;
}

export function renderHtml(s: ScoreSheet): string {
  return blocksHtml(`维护总结分析报表 ${s.period.id}`, blocks(s));
}

/** Headings, paragraphs and tables as a self-contained printable page (also the records' reports). */
export function blocksHtml(title: string, list: Block[]): string {
  const esc = (x: string) =>
    x.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const inline = (x: string) => esc(x).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
  const body = list
    .map((b) => {
      if (b.kind === "h") return `<h${b.level}>${esc(b.text)}</h${b.level}>`;
      if (b.kind === "p") return `<p>${inline(b.text)}</p>`;
      return `<table><thead><tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
        .join("")}</tbody></table>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
th,td{border:1px solid #999;padding:.25em .5em;vertical-align:top}
th{background:#ddebf7}
@media print{body{margin:0}h2{page-break-after:avoid}table{page-break-inside:auto}}
</style></head><body>
${body}
</body></html>
`;
}
