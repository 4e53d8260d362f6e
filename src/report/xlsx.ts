/**
 * The XLSX workbook the bureau opens and prints: one worksheet per table (tables.ts). Row 1 is the
 * sheet's title with the period, row 2 the headings (Chinese, English below), data from row 3.
 * Printed landscape on A4, fitted to the page width, headings repeated on every page.
 */
import ExcelJS from "exceljs";
import type { ScoreSheet } from "./score.ts";
import { sheetTables } from "./tables.ts";

/** First data row of every worksheet (readers: tests, anyone parsing the workbook back). */
export const XLSX_FIRST_DATA_ROW = 3;

export async function renderXlsx(sheet: ScoreSheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "emcomm-monitor";
  wb.title = `维护服务考核 ${sheet.period.id}`;
  // Fixed dates keep the workbook's bytes a function of the sheet alone.
  wb.created = new Date(sheet.period.end);
  wb.modified = new Date(sheet.period.end);
  for (const table of sheetTables(sheet)) {
    const ws = wb.addWorksheet(`${table.zh} ${table.en}`.slice(0, 31), {
      pageSetup: {
        paperSize: 9,
        orientation: "landscape",
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: "2:2",
      },
      views: [{ state: "frozen", ySplit: 2 }],
    });
    ws.columns = table.columns.map((c) => ({ key: c.key, width: c.width }));
    ws.mergeCells(1, 1, 1, Math.max(1, table.columns.length));
    const title = ws.getCell(1, 1);
    title.value = `${table.zh} ${table.en} · ${sheet.period.id} (${sheet.period.timezone})`;
    title.font = { bold: true, size: 14 };
    const head = ws.getRow(2);
    table.columns.forEach((c, i) => {
      const cell = head.getCell(i + 1);
      cell.value = `${c.zh}\n${c.en}`;
      cell.font = { bold: true };
      cell.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
      cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } };
      cell.border = { bottom: { style: "thin" } };
    });
    head.height = 32;
    for (const row of table.rows) {
      const r = ws.addRow(row.map((v) => (v === null ? null : v)));
      r.alignment = { vertical: "top", wrapText: true };
    }
  }
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}
