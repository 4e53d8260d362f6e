/**
 * The sheets as CSV (RFC 4180, CRLF), one file per table, with a UTF-8 byte-order mark so that Excel
 * opens the Chinese text correctly. The heading row is "中文 English" per column.
 */
import type { ScoreSheet } from "./score.ts";
import { type Cell, heading, sheetTables, type Table } from "./tables.ts";

export function tableCsv(table: Table): string {
  const lines = [table.columns.map((c) => quote(heading(c))).join(",")];
  for (const row of table.rows) lines.push(row.map(quote).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/** file name (e.g. "2026-11-summary.csv") → content. */
export function renderCsv(sheet: ScoreSheet): Map<string, string> {
  return new Map(sheetTables(sheet).map((t) => [`${sheet.period.id}-${t.id}.csv`, tableCsv(t)]));
}

function quote(v: Cell): string {
  if (v === null) return "";
  const s = String(v);
  // A leading =, +, - or @ would be a formula in Excel: prefix text cells with a quote (CSV injection).
  const safe = typeof v === "string" && /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
