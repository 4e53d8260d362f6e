/**
 * The workbook opens in a reader nobody here wrote: Debian's python3-openpyxl (installed by
 * `npm test` via scripts/ensure.mjs) loads it and reads back the sheet names, the headings and the
 * figures the bureau pays by. Skipped, with the reason, where /usr/bin/python3 has no openpyxl.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { buildReport } from "../../src/report/build.ts";
import { parseManualInputs } from "../../src/report/inputs.ts";
import { MemoryReportSource } from "../../src/report/memory-source.ts";
import { reportConfig } from "../../src/report/policy.ts";
import { sheetTables } from "../../src/report/tables.ts";
import { renderXlsx } from "../../src/report/xlsx.ts";
import { at, november, novemberInputs } from "./fixtures.ts";

const PY = "/usr/bin/python3";
const probe = existsSync(PY) ? spawnSync(PY, ["-c", "import openpyxl"], { encoding: "utf8" }) : null;
const missing = !probe ? `${PY} not found` : probe.status !== 0 ? "python3-openpyxl is not installed" : null;

const READ = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {}
for ws in wb.worksheets:
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    out[ws.title] = {"head": rows[1] if len(rows) > 1 else [], "rows": rows[2:], "landscape": ws.page_setup.orientation}
print(json.dumps(out, ensure_ascii=False))
`;

describe.skipIf(missing !== null)(`XLSX read by openpyxl${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("sheets, headings and figures match the sheet", async () => {
    const { sheet } = await buildReport("2026-11", {
      source: new MemoryReportSource(november()),
      config: reportConfig({ fee: { contractTotal: 1_000_000 } }),
      clock: new FakeClock(at(2, 3, 0, 12)),
      inputs: [parseManualInputs(novemberInputs)],
    });
    const dir = mkdtempSync(join(tmpdir(), "emcomm-xlsx-"));
    try {
      const file = join(dir, "2026-11.xlsx");
      writeFileSync(file, await renderXlsx(sheet));
      const r = spawnSync(PY, ["-c", READ, file], { encoding: "utf8", timeout: 30_000 });
      expect(r.stderr).toBe("");
      const book = JSON.parse(r.stdout) as Record<
        string,
        { head: string[]; rows: unknown[][]; landscape: string }
      >;
      const tables = sheetTables(sheet);
      expect(Object.keys(book)).toEqual(tables.map((t) => `${t.zh} ${t.en}`.slice(0, 31)));
      for (const t of tables) {
        const ws = book[`${t.zh} ${t.en}`.slice(0, 31)]!;
        expect(ws.head).toEqual(t.columns.map((c) => `${c.zh}\n${c.en}`));
        expect(ws.rows).toHaveLength(t.rows.length);
        expect(ws.landscape).toBe("landscape");
      }
      const summary = book["评分汇总 Score summary"]!.rows;
      expect(summary.slice(-3).map((row) => row[8])).toEqual([57, 83, 473_100]);
      const faults = book["故障清单 Fault list"]!.rows;
      expect(faults.map((row) => row[0])).toEqual(sheet.faults.map((f) => f.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
