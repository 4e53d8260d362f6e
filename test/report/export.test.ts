/**
 * The exports say the same thing as the JSON: the XLSX read back with exceljs gives exactly the
 * tables built from the parsed JSON; the CSV, Markdown and HTML carry the key figures.
 */
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { buildReport } from "../../src/report/build.ts";
import { renderCsv } from "../../src/report/csv.ts";
import { renderJson } from "../../src/report/export.ts";
import { parseManualInputs } from "../../src/report/inputs.ts";
import { MemoryReportSource } from "../../src/report/memory-source.ts";
import { reportConfig } from "../../src/report/policy.ts";
import type { ScoreSheet } from "../../src/report/score.ts";
import { renderHtml, renderMarkdown } from "../../src/report/summary.ts";
import { heading, sheetTables } from "../../src/report/tables.ts";
import { renderXlsx, XLSX_FIRST_DATA_ROW } from "../../src/report/xlsx.ts";
import { at, november, novemberInputs } from "./fixtures.ts";

/** An empty cell reads back as null or "": both mean blank. */
const blank = (v: unknown) => (v === "" || v === undefined ? null : v);

let sheet: ScoreSheet;
beforeAll(async () => {
  sheet = (
    await buildReport("2026-11", {
      source: new MemoryReportSource(november()),
      config: reportConfig({ fee: { contractTotal: 1_000_000 } }),
      clock: new FakeClock(at(2, 3, 0, 12)),
      inputs: [parseManualInputs(novemberInputs)],
    })
  ).sheet;
});

describe("exports", () => {
  it("XLSX read back with exceljs matches the tables of the JSON", async () => {
    const fromJson = JSON.parse(renderJson({ sheet })) as ScoreSheet;
    const expected = sheetTables(fromJson);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderXlsx(sheet)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(expected.map((t) => `${t.zh} ${t.en}`.slice(0, 31)));
    for (const table of expected) {
      const ws = wb.getWorksheet(`${table.zh} ${table.en}`.slice(0, 31))!;
      const head = table.columns.map((_, i) => String(ws.getRow(2).getCell(i + 1).value));
      expect(head).toEqual(table.columns.map((c) => `${c.zh}\n${c.en}`));
      const rows: unknown[][] = [];
      for (let r = XLSX_FIRST_DATA_ROW; r <= ws.rowCount; r++)
        rows.push(table.columns.map((_, i) => blank(ws.getRow(r).getCell(i + 1).value)));
      expect(rows, table.id).toEqual(table.rows.map((row) => row.map(blank)));
    }
    // And the figures the bureau pays by are where a reader looks for them.
    const summary = wb.getWorksheet("评分汇总 Score summary")!;
    const lastRows = [summary.rowCount - 2, summary.rowCount - 1, summary.rowCount].map(
      (r) => summary.getRow(r).getCell(9).value,
    );
    expect(lastRows).toEqual([fromJson.totals.performance, fromJson.totals.service, fromJson.fee.amount]);
    expect(lastRows).toEqual([57, 83, 473_100]);
  });

  it("CSV: one file per table, BOM, headings Chinese then English, quoted fields", () => {
    const files = renderCsv(sheet);
    expect([...files.keys()]).toContain("2026-11-faults.csv");
    const faults = files.get("2026-11-faults.csv")!;
    expect(faults.startsWith("\uFEFF故障单号 Ticket,设备 Device")).toBe(true);
    const rows = faults.trim().split("\r\n");
    expect(rows).toHaveLength(1 + sheet.faults.length);
    const summary = files.get("2026-11-summary.csv")!;
    expect(summary).toContain("业绩类合计 Performance total");
    expect(heading({ zh: "得分", en: "Score" })).toBe("得分 Score");
  });

  it("the monthly summary report in Markdown and HTML", () => {
    const md = renderMarkdown(sheet);
    expect(md).toContain("# 本月各类维护和总结分析报表 · 2026-11");
    expect(md).toContain("四、未修复故障跟进");
    expect(md).toMatch(/\| T6 \| fixed-modem \| 一般故障 \|/); // open at month end: followed up
    expect(md).toContain("**57**");
    const html = renderHtml(sheet);
    expect(html).toContain("<strong>57</strong>");
    expect(html).not.toMatch(/<script/i);
  });

  it("ticket text is escaped, never raw HTML, in Markdown and HTML", () => {
    const evil = "<img src=x onerror=alert(1)> & <script>alert(2)</script>";
    const tainted = {
      ...sheet,
      faults: sheet.faults.map((f) => ({ ...f, symptom: evil, cause: evil, handling: evil, lessons: evil })),
    };
    for (const out of [renderMarkdown(tainted), renderHtml(tainted)]) {
      expect(out).not.toMatch(/<img|<script/i);
      expect(out).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;");
    }
  });
});
