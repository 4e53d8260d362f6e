/**
 * Consistency checks of what a ReportSource returned: the contract of source.ts as code. The score
 * sheet lists every violation under `warnings` (so a figure built on inconsistent evidence says so),
 * and the integrator's adapter test can assert that there are none (`checkReportSource`).
 * Pure; linear in the size of the data.
 */
import type { MonthData } from "./sheet.ts";
import {
  deviceStates,
  type ReportSource,
  type ReportWindow,
  type TicketRecord,
  ticketStates,
} from "./source.ts";

const LEVELS = new Set(["major", "general", "consult"]);
const STATES = new Set<string>(deviceStates);
const TICKET_STATES = new Set<string>(ticketStates);

export function checkMonthData(m: Pick<MonthData, "period" | "devices" | "tickets" | "windows">): string[] {
  const out: string[] = [];
  const { start, end } = m.period;
  const seenDevices = new Set<string>();
  for (const d of m.devices) {
    const at = `device ${d.deviceId}`;
    if (seenDevices.has(d.deviceId)) out.push(`${at}: listed twice`);
    seenDevices.add(d.deviceId);
    for (const [k, v] of [
      ["expectedMs", d.expectedMs],
      ["downtimeMs", d.downtimeMs],
      ["maintenanceMs", d.maintenanceMs],
    ] as const)
      if (!Number.isFinite(v) || v < 0) out.push(`${at}: ${k} is ${v}, not a duration ≥ 0`);
    if (d.downtimeMs > d.expectedMs)
      out.push(`${at}: downtime ${d.downtimeMs} ms exceeds expected ${d.expectedMs} ms`);
    let prevEnd = start;
    let covered = 0;
    let down = 0;
    for (const iv of d.intervals) {
      if (!STATES.has(iv.state)) out.push(`${at}: unknown state "${iv.state}"`);
      if (iv.start >= iv.end) out.push(`${at}: empty or reversed interval ${iv.start}..${iv.end}`);
      if (iv.start < prevEnd)
        out.push(`${at}: interval at ${iv.start} overlaps the previous one or starts before the period`);
      if (iv.end > end) out.push(`${at}: interval ends at ${iv.end}, after the period`);
      prevEnd = Math.max(prevEnd, iv.end);
      covered += iv.end - iv.start;
      if (iv.state === "down") down += iv.end - iv.start;
    }
    if (d.intervals.length > 0) {
      if (d.expectedMs + d.maintenanceMs > covered)
        out.push(
          `${at}: expected + maintenance (${d.expectedMs + d.maintenanceMs} ms) exceed its intervals (${covered} ms)`,
        );
      if (d.downtimeMs > down)
        out.push(`${at}: downtime ${d.downtimeMs} ms exceeds its down intervals (${down} ms)`);
    } else if (d.expectedMs > 0) out.push(`${at}: ${d.expectedMs} ms expected but no interval behind it`);
  }
  const ids = new Set<string>();
  for (const t of m.tickets) {
    const at = `ticket ${t.id}`;
    if (ids.has(t.id)) out.push(`${at}: listed twice`);
    ids.add(t.id);
    out.push(...checkTicket(t).map((p) => `${at}: ${p}`));
  }
  for (const w of m.windows) if (w.start >= w.end) out.push(`maintenance window ${w.id}: empty or reversed`);
  return out;
}

function checkTicket(t: TicketRecord): string[] {
  const out: string[] = [];
  if (!LEVELS.has(t.level)) out.push(`unknown level "${t.level}"`);
  if (!TICKET_STATES.has(t.state)) out.push(`unknown state "${t.state}"`);
  if (t.repeatOf === t.id) out.push("repeats itself");
  const order: [string, number | null][] = [
    ["acceptedAt", t.acceptedAt],
    ["arrivedAt", t.arrivedAt],
    ["clearedAt", t.clearedAt],
    ["verifiedAt", t.verifiedAt],
  ];
  for (const [k, v] of order) if (v !== null && v < t.startedAt) out.push(`${k} is before the fault started`);
  if (t.verifiedAt !== null && t.clearedAt !== null && t.verifiedAt < t.clearedAt)
    out.push("verified before cleared");
  if ((t.state === "cleared" || t.state === "closed") && t.clearedAt === null)
    out.push(`state ${t.state} without clearedAt`);
  if (t.state === "closed" && t.verifiedAt === null) out.push("closed without verifiedAt");
  const d = t.deadlines;
  if (!(d.respond >= t.startedAt && d.onsite >= t.startedAt && d.repair >= t.startedAt))
    out.push("a deadline before the start");
  return out;
}

/** Gathers one window from a source and checks it (for an adapter's tests). */
export async function checkReportSource(source: ReportSource, window: ReportWindow): Promise<string[]> {
  const [devices, tickets, windows] = await Promise.all([
    source.availability(window),
    source.tickets(window),
    source.maintenanceWindows(window),
  ]);
  return checkMonthData({
    period: { id: "check", kind: "month", start: window.start, end: window.end, timezone: "UTC" },
    devices,
    tickets,
    windows,
  });
}
