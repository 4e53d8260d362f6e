/**
 * One score sheet, every format: JSON (the whole sheet, for machines), XLSX, CSV (one file per sheet),
 * Markdown and HTML (the monthly summary report). Used by the CLI (files into --out DIR) and the API.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderCsv, tableCsv } from "./csv.ts";
import type { FrozenStamp } from "./freeze.ts";
import type { ScoreSheet } from "./score.ts";
import { renderHtml, renderMarkdown } from "./summary.ts";
import { sheetTables } from "./tables.ts";
import { renderXlsx } from "./xlsx.ts";

export const reportFormats = ["json", "xlsx", "csv", "md", "html"] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const contentTypes: Record<ReportFormat, string> = {
  json: "application/json; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  csv: "text/csv; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
};

/** Extra facts shown with the sheet (never part of its digest): the freeze record, when made. */
export interface ReportEnvelope {
  sheet: ScoreSheet;
  frozen?: FrozenStamp | null;
}

export function renderJson(env: ReportEnvelope): string {
  return `${JSON.stringify({ ...env.sheet, frozen: env.frozen ?? null }, null, 2)}\n`;
}

/** One format as a single body; CSV gives one table (`csvTable`, default the score summary). */
export async function renderOne(
  env: ReportEnvelope,
  format: ReportFormat,
  csvTable = "summary",
): Promise<string | Buffer> {
  switch (format) {
    case "json":
      return renderJson(env);
    case "xlsx":
      return renderXlsx(env.sheet, env.frozen);
    case "csv": {
      const table = sheetTables(env.sheet).find((t) => t.id === csvTable);
      if (!table)
        throw new RangeError(
          `no table "${csvTable}" (${sheetTables(env.sheet)
            .map((t) => t.id)
            .join(", ")})`,
        );
      return tableCsv(table);
    }
    case "md":
      return renderMarkdown(env.sheet);
    case "html":
      return renderHtml(env.sheet);
  }
}

/** Writes every format into `dir`; returns the paths written. */
export async function writeReportFiles(env: ReportEnvelope, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const id = env.sheet.period.id;
  const files = new Map<string, string | Buffer>([
    [`${id}.json`, renderJson(env)],
    [`${id}.xlsx`, await renderXlsx(env.sheet, env.frozen)],
    [`${id}.md`, renderMarkdown(env.sheet)],
    [`${id}.html`, renderHtml(env.sheet)],
    ...renderCsv(env.sheet),
  ]);
  const paths: string[] = [];
  for (const [name, body] of files) {
    const p = join(dir, name);
    writeFileSync(p, body);
    paths.push(p);
  }
  return paths;
}
