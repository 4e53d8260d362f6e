/**
 * The XLSX workbook the bureau opens and prints: one worksheet per table (tables.ts). Row 1 is the
 * sheet's title with the period, row 2 the headings (Chinese, English below), data from row 3.
 * Printed landscape on A4, fitted to the page width, headings repeated on every page.
 */
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import type { ScoreSheet } from "./score.ts";
import { sheetTables, type Table } from "./tables.ts";

/** First data row of every worksheet (readers: tests, anyone parsing the workbook back). */
export const XLSX_FIRST_DATA_ROW = 3;

export function renderXlsx(
  sheet: ScoreSheet,
  frozen?: { revision: number; digest: string } | null,
): Promise<Buffer> {
  const seal = frozen ? ` · 冻结版本 frozen revision ${frozen.revision}, sha256 ${frozen.digest}` : "";
  return tablesXlsx(sheetTables(sheet), {
    title: `维护服务考核 ${sheet.period.id}`,
    subtitle: `${sheet.period.id} (${sheet.period.timezone})${seal}`,
    date: sheet.period.end,
  });
}

/** Tables as a workbook, one worksheet each (also the records' monthly reports). */
export async function tablesXlsx(
  tables: Table[],
  doc: { title: string; subtitle: string; date: number },
): Promise<Buffer> {
  // The streaming writer: a year's evidence is ~100,000 rows, which the in-memory model builds slowly.
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    sink.on("end", resolve);
    sink.on("error", reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = "emcomm-monitor";
  wb.title = doc.title;
  // Fixed dates keep the workbook a function of the sheet alone.
  wb.created = new Date(doc.date);
  wb.modified = new Date(doc.date);
  for (const table of tables) {
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
    const titleRow = ws.getRow(1);
    const title = titleRow.getCell(1);
    title.value = `${table.zh} ${table.en} · ${doc.subtitle}`;
    title.font = { bold: true, size: 14 };
    titleRow.commit();
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
    head.commit();
    // Wrapped text for the sheets people read row by row; the bulk evidence stays plain (speed).
    const wrap = table.rows.length <= 10_000;
    for (const row of table.rows) {
      const r = ws.addRow(row);
      if (wrap) r.alignment = { vertical: "top", wrapText: true };
      r.commit();
    }
    ws.commit();
  }
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
