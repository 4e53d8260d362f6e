/**
 * The month's documents the contract asks for besides the score sheet (六.2), generated from the
 * records: 月度巡检报告 (with 本月巡检总结: devices inspected, findings, hidden dangers and their
 * rectification, next month's plan) and 月度联调报告 (joint tests, drills and support tasks with
 * the telemetry of the links exercised). Same tables model and formats as the score sheet (JSON,
 * XLSX, CSV per table, Markdown, HTML). Read-only; called by the API per request.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatLocal } from "../core/zoned-time.ts";
import { parsePeriod } from "../ledger/period.ts";
import { tableCsv } from "../report/csv.ts";
import { type Block, blocksHtml, blocksMarkdown } from "../report/summary.ts";
import type { Cell, Column, Table } from "../report/tables.ts";
import { tablesXlsx } from "../report/xlsx.ts";
import type { Db } from "../store/db.ts";
import {
  type ActivityBody,
  checklistItems,
  type InspectionBody,
  type PlanBody,
  type Reading,
  type RectificationBody,
} from "./kinds.ts";
import { listRecords, type Signature, type StoredRecord, signatures } from "./store.ts";

export const recordReports = {
  inspection: { zh: "月度巡检报告", en: "Monthly inspection report" },
  "joint-test": { zh: "月度联调报告", en: "Monthly joint test report" },
} as const;
export type RecordReport = keyof typeof recordReports;
export const recordReportFormats = ["json", "xlsx", "csv", "md", "html"] as const;
export type RecordReportFormat = (typeof recordReportFormats)[number];

export interface RecordReportDoc {
  report: RecordReport;
  month: string;
  /** The month's end (ms): the workbook's fixed date. */
  end: number;
  title: { zh: string; en: string };
  tables: Table[];
}

const col = (key: string, zh: string, en: string, width = 14): Column => ({ key, zh, en, width });

export function recordReport(
  db: Db,
  o: { report: RecordReport; month: string; timezone: string; devices: readonly string[] },
): RecordReportDoc {
  const period = parsePeriod(o.month, o.timezone);
  const t = (ms: number | null | undefined) => formatLocal(ms ?? null, o.timezone);
  const sig = (r: StoredRecord, action: string): Signature | undefined =>
    signatures(db, r.id)
      .filter((s) => s.action === action && s.version === r.version)
      .pop();
  const signedBy = (s: Signature | undefined) => (s ? `${s.signer} ${t(s.at)}` : "");
  /** A signed record's last cells: its state, who signed and countersigned this version, its digest. */
  const signing = (r: StoredRecord): Cell[] => [
    r.state,
    signedBy(sig(r, "sign")),
    signedBy(sig(r, "countersign")),
    r.digest,
  ];
  /** The columns of `signing`, the signer named as `signer` (zh). */
  const signingColumns = (signer: string) => [
    col("state", "状态", "State", 12),
    col("signed", signer, "Signed by", 22),
    col("countersigned", "甲方签名", "Countersigned by", 22),
    col("digest", "签名摘要", "Digest (sha256)", 66),
  ];
  const readings = (rs: Reading[]) =>
    rs
      .map(
        (r) =>
          `${r.metric}${r.labels ? `{${Object.values(r.labels).join(",")}}` : ""}=${r.value}${r.note ? ` (${r.note})` : ""}`,
      )
      .join("; ");
  const tables: Table[] = [];

  if (o.report === "inspection") {
    const inspections = listRecords(db, {
      kind: "inspection",
      period: o.month,
    }) as StoredRecord<InspectionBody>[];
    const hazards = listRecords(db, {
      kind: "rectification",
      period: o.month,
    }) as StoredRecord<RectificationBody>[];
    const nextMonth = formatLocal(period.end, o.timezone).slice(0, 7);
    const plans = listRecords(db, { kind: "plan", period: nextMonth }) as StoredRecord<PlanBody>[];
    const signed = inspections.filter((i) => ["signed", "countersigned"].includes(i.state));
    const inspected = new Set(signed.map((i) => i.body.device));
    const missing = o.devices.filter((d) => !inspected.has(d));
    const issues = signed.flatMap((i) =>
      checklistItems
        .filter((c) => i.body.items[c.id]?.status === "issue")
        .map((c) => `${i.body.device}: ${c.zh} — ${i.body.items[c.id]?.note ?? ""}`),
    );
    const plan = plans[plans.length - 1];
    tables.push({
      id: "summary",
      zh: "本月巡检总结",
      en: "Inspection summary",
      columns: [col("item", "项目", "Item", 30), col("value", "情况", "Finding", 80)],
      rows: [
        ["巡检设备 Devices inspected", `${inspected.size} / ${o.devices.length}`],
        ["甲方会签 Countersigned", `${inspections.filter((i) => i.state === "countersigned").length}`],
        ["未巡检 Not inspected", missing.join(", ") || "无 none"],
        ["发现问题 Issues found", issues.join("\n") || "无 none"],
        [
          "隐患整改 Hidden dangers",
          hazards.map((h) => `#${h.id} ${h.body.device} ${h.body.description}: ${h.state}`).join("\n") ||
            "无 none",
        ],
        [
          "下月巡检计划 Next month's plan",
          plan ? `#${plan.id} ${nextMonth}: ${plan.state} (v${plan.version})` : "未提交 not submitted",
        ],
      ],
    });
    tables.push({
      id: "inspections",
      zh: "巡检记录",
      en: "Inspection records",
      columns: [
        col("id", "编号", "Id", 8),
        col("device", "设备", "Device", 18),
        col("checkin", "到场", "On site", 18),
        col("engineers", "巡检人", "Engineers", 18),
        ...checklistItems.map((c) => col(c.id, c.zh, c.en, 16)),
        col("readings", "运行数据", "Readings", 50),
        ...signingColumns("巡检人签名"),
      ],
      rows: inspections.map((i): Cell[] => [
        i.id,
        i.body.device,
        i.body.checkin
          ? `${t(i.body.checkin.at)}${i.body.checkin.position ? ` ${i.body.checkin.position}` : ""}`
          : "",
        i.body.engineers.join(", "),
        ...checklistItems.map((c) => {
          const it = i.body.items[c.id];
          return it ? (it.status === "ok" ? "正常 ok" : `问题 issue: ${it.note ?? ""}`) : "";
        }),
        readings(i.body.readings),
        ...signing(i),
      ]),
    });
    tables.push({
      id: "hazards",
      zh: "隐患整改",
      en: "Hidden dangers",
      columns: [
        col("id", "编号", "Id", 8),
        col("device", "设备", "Device", 18),
        col("description", "隐患", "Hidden danger", 40),
        col("plan", "整改计划", "Plan", 30),
        col("due", "期限", "Due", 12),
        col("ticket", "故障工单", "Ticket", 10),
        col("state", "状态", "State", 12),
        col("closure", "整改情况", "Closure", 40),
      ],
      rows: hazards.map((h): Cell[] => [
        h.id,
        h.body.device,
        h.body.description,
        h.body.plan ?? "",
        h.body.due ?? "",
        h.body.ticket,
        h.state,
        h.body.closure ? `${t(h.body.closure.at)} ${h.body.closure.note}` : "",
      ]),
    });
    tables.push({
      id: "plan",
      zh: "下月巡检计划",
      en: "Next month's plan",
      columns: [
        col("device", "设备", "Device", 18),
        col("date", "日期", "Date", 12),
        col("engineers", "巡检人", "Engineers", 30),
      ],
      rows: plan ? plan.body.visits.map((v): Cell[] => [v.device, v.date, v.engineers.join(", ")]) : [],
    });
  } else {
    const kinds = {
      "joint-test": "全省联调 joint test",
      drill: "演练 drill",
      support: "通信保障 support",
    } as const;
    const rows: Cell[][] = [];
    for (const kind of ["joint-test", "drill", "support"] as const)
      for (const a of listRecords(db, { kind, period: o.month }) as StoredRecord<ActivityBody>[])
        rows.push([
          a.id,
          kinds[kind],
          a.body.title,
          t(a.body.startsAt),
          t(a.body.endsAt),
          a.body.engineers.join(", "),
          a.body.systems.join(", "),
          a.body.outcome === "done" ? "完成 done" : a.body.outcome === "failed" ? "未完成 not done" : "",
          readings(a.body.readings),
          ...signing(a),
        ]);
    tables.push({
      id: "activities",
      zh: "联调、演练与通信保障",
      en: "Joint tests, drills, support",
      columns: [
        col("id", "编号", "Id", 8),
        col("kind", "类型", "Kind", 16),
        col("title", "名称", "Title", 24),
        col("start", "开始", "Start", 18),
        col("end", "结束", "End", 18),
        col("engineers", "到场人员", "Engineers", 22),
        col("systems", "涉及系统", "Systems", 24),
        col("outcome", "完成情况", "Outcome", 12),
        col("readings", "链路数据", "Link telemetry", 50),
        ...signingColumns("签名"),
      ],
      rows,
    });
  }
  return { report: o.report, month: o.month, end: period.end, title: recordReports[o.report], tables };
}

export async function renderRecordReport(
  doc: RecordReportDoc,
  format: RecordReportFormat,
  table?: string,
): Promise<string | Buffer> {
  const title = `${doc.title.zh} ${doc.title.en} · ${doc.month}`;
  switch (format) {
    case "json":
      return `${JSON.stringify(doc, null, 2)}\n`;
    case "xlsx":
      return tablesXlsx(doc.tables, { title, subtitle: doc.month, date: doc.end });
    case "csv": {
      const t = doc.tables.find((x) => x.id === (table ?? doc.tables[0]!.id));
      if (!t) throw new RangeError(`no table "${table}" (${doc.tables.map((x) => x.id).join(", ")})`);
      return tableCsv(t);
    }
    case "md":
    case "html": {
      const blocks: Block[] = [{ kind: "h", level: 1, text: title }];
      for (const t of doc.tables) {
        blocks.push({ kind: "h", level: 2, text: `${t.zh} ${t.en}` });
        blocks.push({
          kind: "table",
          head: t.columns.map((c) => `${c.zh} ${c.en}`),
          rows: t.rows.map((r) => r.map((c) => (c === null ? "" : String(c)))),
        });
      }
      return format === "md" ? blocksMarkdown(blocks) : blocksHtml(title, blocks);
    }
  }
}

/**
 * Writes a month's document into `dir` in every format, named after what it is:
 * `<month>-<report>.(json|xlsx|md|html)` and one `<month>-<report>-<table>.csv` per table (the names
 * the API downloads them under). Returns the paths written. Called by the monthly schedule.
 */
export async function writeRecordReportFiles(doc: RecordReportDoc, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const base = `${doc.month}-${doc.report}`;
  const files: [string, string | Buffer][] = [];
  for (const format of recordReportFormats)
    if (format === "csv")
      for (const t of doc.tables)
        files.push([`${base}-${t.id}.csv`, await renderRecordReport(doc, "csv", t.id)]);
    else files.push([`${base}.${format}`, await renderRecordReport(doc, format)]);
  return files.map(([name, body]) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  });
}
