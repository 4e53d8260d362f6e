/**
 * Benchmark: the yearly report over the in-memory source for 1,000 devices, 200,000 state changes,
 * 5,000 tickets and 100 maintenance windows (year 2025, reported on 2026-01-02). Measures the score
 * sheet (gather + compute: 12 months and the year) and, separately, the exports. Prints the median
 * of 5 runs. Target: the sheet in < 3 s.
 *
 *   npx tsx bench/report.ts [runs]
 */

import type { FaultLevel } from "../src/config/schema.ts";
import { FakeClock } from "../src/core/clock.ts";
import { parsePeriod } from "../src/ledger/period.ts";
import { buildReport } from "../src/report/build.ts";
import { renderCsv } from "../src/report/csv.ts";
import { renderJson } from "../src/report/export.ts";
import type { MemoryDevice, MemorySourceData, StateChange } from "../src/report/memory-source.ts";
import { MemoryReportSource } from "../src/report/memory-source.ts";
import { reportConfig } from "../src/report/policy.ts";
import type { MaintenanceWindow, TicketRecord } from "../src/report/source.ts";
import { renderHtml, renderMarkdown } from "../src/report/summary.ts";
import { renderXlsx } from "../src/report/xlsx.ts";
import { median, recordFigures, rounded } from "./support/figures.ts";

const DEVICES = 1_000;
const CHANGES = 200_000;
const TICKETS = 5_000;
const WINDOWS = 100;
const H = 3_600_000;

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same data. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(): MemorySourceData {
  const r = rng(7);
  const year = parsePeriod("2025");
  const span = year.end - year.start;
  const sites = ["vehicle", "vsat-fixed", "ka-portable", "trunking", "mesh", "mine-rescue", "duty", "beidou"];
  const levels: FaultLevel[] = ["major", "general", "consult"];
  const devices: MemoryDevice[] = Array.from({ length: DEVICES }, (_, i) => ({
    id: `dev-${i}`,
    name: { zh: `设备${i}`, en: `device ${i}` },
    site: sites[i % sites.length]!,
    system: `sys-${i % 12}`,
    kind: "switch",
    criticality: levels[i % 3]!,
    addedAt: i % 50 === 0 ? year.start + Math.floor(r() * span) : null,
  }));
  const changes: StateChange[] = [];
  const perDevice = CHANGES / DEVICES;
  for (const d of devices) {
    changes.push({ deviceId: d.id, at: year.start - H, state: "up", cause: "poll ok" });
    // 1 initial + 99 down/up pairs + 1 final (redundant) up = 200 changes per device.
    changes.push({ deviceId: d.id, at: year.end - H, state: "up", cause: "daemon restarted" });
    for (let k = 1; k < perDevice - 2; k += 2) {
      const at = year.start + Math.floor(((k + r()) / perDevice) * span);
      changes.push({
        deviceId: d.id,
        at,
        state: d.site === "vehicle" && k % 10 === 1 ? "not-in-service" : "down",
        cause: "poll timeout",
      });
      changes.push({ deviceId: d.id, at: at + Math.floor(r() * 2 * H), state: "up", cause: "poll ok" });
    }
  }
  const limits = { major: [10, 60, 240], general: [10, 120, 480], consult: [10, 240, 720] } as const;
  const tickets: TicketRecord[] = Array.from({ length: TICKETS }, (_, i) => {
    const level = levels[i % 3]!;
    const [resp, onsite, repair] = limits[level].map((m) => m * 60_000) as [number, number, number];
    const start = year.start + Math.floor(r() * (span - 2 * 24 * H));
    const cleared = r() < 0.98 ? start + Math.floor(r() * repair * 1.1) : null;
    return {
      id: `T${i}`,
      deviceId: `dev-${i % DEVICES}`,
      site: sites[i % sites.length]!,
      system: `sys-${i % 12}`,
      level,
      symptom: "link down",
      faultType: ["link", "power", "hardware", "software"][i % 4]!,
      startedAt: start,
      openedAt: start,
      acceptedAt: start + Math.floor(r() * resp * 1.2),
      arrivedAt: i % 2 ? start + Math.floor(r() * onsite * 1.2) : null,
      clearedAt: cleared,
      verifiedAt: cleared === null ? null : cleared + H,
      repairMs: cleared === null ? null : cleared - start,
      cause: "cable",
      handling: "replaced",
      responsibility: "contractor",
      lessons: "spares on the vehicle",
      handler: "张工",
      repeatOf: i % 97 === 0 && i > 0 ? `T${i - DEVICES}` : null,
      state: cleared === null ? "accepted" : "closed",
      onsiteRequired: i % 2 === 1,
      deadlines: { respond: start + resp, onsite: start + onsite, repair: start + repair },
    };
  });
  const windows: MaintenanceWindow[] = Array.from({ length: WINDOWS }, (_, i) => {
    const start = year.start + Math.floor(r() * span);
    return {
      id: `mw-${i}`,
      kind: i % 10 === 0 ? "drill" : "maintenance",
      start,
      end: start + 4 * H,
      deviceIds: [`dev-${(i * 13) % DEVICES}`],
      sites: i % 10 === 0 ? [sites[i % sites.length]!] : [],
      reason: "planned",
      approvedBy: "bureau",
    };
  });
  return { devices, changes, tickets, windows };
}

const runs = Number(process.argv[2] ?? 5);
const data = generate();
const clock = new FakeClock(Date.UTC(2026, 0, 2));
const config = reportConfig({ fee: { contractTotal: 1_000_000 } });
const sheetMs: number[] = [];
const exportMs: number[] = [];
let summary = "";
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const source = new MemoryReportSource(data);
  const { sheet } = await buildReport("2025", { source, config, clock });
  const t1 = performance.now();
  const json = renderJson({ sheet });
  renderCsv(sheet);
  renderMarkdown(sheet);
  renderHtml(sheet);
  const xlsx = await renderXlsx(sheet);
  const t2 = performance.now();
  sheetMs.push(t1 - t0);
  exportMs.push(t2 - t1);
  summary =
    `faults ${sheet.faults.length}, timeliness ${sheet.timeliness.percent}% (${sheet.timeliness.onTime}/${sheet.timeliness.due}), ` +
    `availability ${sheet.availability.contract.percent}%, repeats ${sheet.repeats.length}, totals ${sheet.totals.performance}/${sheet.totals.service}; ` +
    `JSON ${(json.length / 1e6).toFixed(1)} MB, XLSX ${(xlsx.length / 1e6).toFixed(1)} MB`;
}
process.stdout.write(
  `report bench: ${DEVICES} devices, ${data.changes.length} state changes, ${TICKETS} tickets, ${WINDOWS} windows, year 2025\n` +
    `  ${summary}\n` +
    `  score sheet (gather + 12 months + year): median ${median(sheetMs).toFixed(0)} ms of ${runs} runs [${sheetMs.map((x) => x.toFixed(0)).join(", ")}]\n` +
    `  exports (JSON, CSV, Markdown, HTML, XLSX): median ${median(exportMs).toFixed(0)} ms [${exportMs.map((x) => x.toFixed(0)).join(", ")}]\n`,
);
recordFigures("report", [
  {
    name: `score sheet of a year of ${DEVICES} devices (gather + 12 months + year), median of ${runs}`,
    value: rounded(median(sheetMs), 0),
    unit: "ms",
    anchor: "not measured",
    goal: "",
  },
  {
    name: "  the year's exports (JSON, CSV, Markdown, HTML, XLSX)",
    value: rounded(median(exportMs), 0),
    unit: "ms",
    anchor: "not measured",
    goal: "",
  },
]);
