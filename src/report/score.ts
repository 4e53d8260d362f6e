/**
 * The score sheet of 附件二 for a month or a year: pure computation over a snapshot (`ReportData`)
 * of what the ReportSource returned and what people entered. No I/O, no clock: the same snapshot and
 * policy always give the same sheet (what freezing relies on). Rules and their sources:
 *
 * Performance (业绩类, 100) — basic management 20, maintenance quality 80:
 *   reports 5 (−2 per missing, −1 per non-conforming), inspection plan 5 (−2 not submitted, −1 not
 *   carried out), review call 5 (−2 per missed), user data 5 (−2 per error), repair timeliness 30
 *   (≥ 98 %, −1 per percentage point below), availability 15 (≥ 99 %, −1 per point below), repeat faults
 *   15 (−3 each), support tasks 10 (−2 each), call-back satisfaction 10 (−1 per dissatisfied).
 * Service (服务类, 100): complaints/praise 30 (−5 per complaint, +5 per written praise, ≤ 30),
 *   escalated complaints or media 30 (−10 each), production accidents 40 (−5..−10 each).
 * Every line stays within 0..its maximum (扣完为止). Fee = contract total × performance/100 × service/100.
 */
import { aggregate } from "../ledger/availability.ts";
import { isRepeat } from "../tickets/repeats.ts";
import { checkMonthData } from "./checks.ts";
import { countKeys, emptyInputs, type ManualInputs } from "./inputs.ts";
import { scoreLines } from "./lines.ts";
import { type ReportConfig, round2, SCORING_POLICY_VERSION } from "./policy.ts";
import { effectiveInputs, mergeRecordFigures, withProvenance } from "./records.ts";
import type {
  AvailabilityRow,
  ClockStats,
  FaultRow,
  GroupAvailability,
  MonthData,
  MonthSummary,
  RepeatRow,
  ReportData,
  ScoreLine,
  ScoreSheet,
} from "./sheet.ts";
import type { DeviceAvailability, MaintenanceWindow, SlaClock, TicketRecord } from "./source.ts";
import { type ClockVerdict, clockVerdict, countIn, repairedAt, slaClocks, ticketAsOf } from "./verdicts.ts";

export type * from "./sheet.ts";

export function computeScoreSheet(data: ReportData, config: ReportConfig): ScoreSheet {
  if (data.months.length === 0) throw new Error(`period ${data.period.id}: no month has started yet`);
  if (data.period.kind === "month" || config.year.method === "whole-year") {
    const month = data.period.kind === "month" ? data.months[0]! : mergeMonths(data);
    const sheet = computeOne(month, config);
    if (data.period.kind === "year") {
      sheet.months = data.months.map((m) => summary(computeOne(m, config)));
      sheet.inputs = data.months.map((m) => m.inputs);
    }
    return sheet;
  }
  // Mean of months: the year's statistics for the evidence, each line's score averaged over months.
  const monthly = data.months.map((m) => computeOne(m, config));
  const sheet = computeOne(mergeMonths(data), config);
  sheet.lines = sheet.lines.map((line, i) => {
    const score = round2(monthly.reduce((s, m) => s + m.lines[i]!.score, 0) / monthly.length);
    return {
      ...line,
      score,
      deduction: round2(Math.max(0, line.maxScore - score)),
      bonus: 0,
      rule: {
        zh: `${monthly.length}个月得分的平均值（${line.rule.zh}）`,
        en: `mean of ${monthly.length} monthly scores (${line.rule.en})`,
      },
    };
  });
  finish(sheet, config);
  // The year's totals are the exact means of the monthly totals (the lines above are each rounded to
  // 0.01 for display, so their sum may differ from the totals by a few hundredths).
  const mean = (f: (s: ScoreSheet) => number) =>
    round2(monthly.reduce((a, m) => a + f(m), 0) / monthly.length);
  sheet.totals = { performance: mean((m) => m.totals.performance), service: mean((m) => m.totals.service) };
  sheet.fee.amount = feeAmount(config.fee.contractTotal, sheet.totals.performance, sheet.totals.service);
  sheet.fee.formula = `${config.fee.contractTotal} × ${sheet.totals.performance}/100 × ${sheet.totals.service}/100`;
  sheet.months = monthly.map(summary);
  sheet.inputs = data.months.map((m) => m.inputs);
  return sheet;
}

function summary(s: ScoreSheet): MonthSummary {
  return {
    period: s.period.id,
    performance: s.totals.performance,
    service: s.totals.service,
    fee: s.fee.amount,
  };
}

/** A year as one period: figures summed per device, tickets and windows once each, counts summed. */
export function mergeMonths(data: ReportData): MonthData {
  const devices = new Map<string, DeviceAvailability>();
  const tickets = new Map<string, TicketRecord>();
  const windows = new Map<string, MaintenanceWindow>();
  for (const m of data.months) {
    for (const d of m.devices) {
      const prev = devices.get(d.deviceId);
      if (!prev) devices.set(d.deviceId, { ...d, intervals: [...d.intervals] });
      else {
        prev.expectedMs += d.expectedMs;
        prev.downtimeMs += d.downtimeMs;
        prev.maintenanceMs += d.maintenanceMs;
        prev.unmonitoredMs = (prev.unmonitoredMs ?? 0) + (d.unmonitoredMs ?? 0);
        prev.intervals.push(...d.intervals);
        prev.removedAt = d.removedAt ?? null;
      }
    }
    for (const t of m.tickets) tickets.set(t.id, t);
    for (const w of m.windows) windows.set(w.id, w);
  }
  const last = data.months[data.months.length - 1]!;
  const records = mergeRecordFigures(data.months);
  return {
    period: data.period,
    cutoff: last.cutoff,
    ledgerPolicyVersion: last.ledgerPolicyVersion,
    ...(last.aggregate === undefined ? {} : { aggregate: last.aggregate }),
    ...(last.repeatWindowMs === undefined ? {} : { repeatWindowMs: last.repeatWindowMs }),
    devices: [...devices.values()],
    tickets: [...tickets.values()],
    windows: [...windows.values()],
    inputs: sumInputs(
      data.period.id,
      data.months.map((m) => m.inputs),
    ),
    ...(records ? { records } : {}),
  };
}

function sumInputs(period: string, list: ManualInputs[]): ManualInputs {
  const sum = { ...emptyInputs(`${period.slice(0, 4)}-01`), period } as ManualInputs;
  for (const i of list) {
    for (const k of countKeys) sum[k] += i[k];
    sum.productionAccidents = [...sum.productionAccidents, ...i.productionAccidents];
  }
  return sum;
}

function computeOne(m: MonthData, config: ReportConfig): ScoreSheet {
  const { start, end } = m.period;
  const cutoff = Math.min(m.cutoff, end);
  const known = m.ticketsAsOf ?? cutoff;
  const tl = config.timeliness;

  // ── tickets: verdicts, timeliness, compliance ──
  const sla: Record<SlaClock, ClockStats> = {
    respond: { onTime: 0, late: 0, pending: 0, percent: 100 },
    onsite: { onTime: 0, late: 0, pending: 0, percent: 100 },
    repair: { onTime: 0, late: 0, pending: 0, percent: 100 },
  };
  const repeats = findRepeats(m);
  const repeatById = new Map(repeats.map((r) => [r.ticketId, r.how]));
  const faults: FaultRow[] = [];
  for (const t of [...m.tickets].sort((a, b) => a.startedAt - b.startedAt || cmp(a.id, b.id))) {
    if (t.startedAt >= cutoff) continue;
    const verdicts = {} as Record<SlaClock, ClockVerdict>;
    const counted = {} as Record<SlaClock, "on-time" | "late" | null>;
    const atStart = ticketAsOf(t, start);
    for (const c of slaClocks) {
      const v = clockVerdict(t, c, known, tl);
      verdicts[c] = v;
      counted[c] = countIn(t, v, clockVerdict(atStart, c, start, tl), start, end, tl);
      if (counted[c] === "on-time") sla[c].onTime++;
      else if (counted[c] === "late") sla[c].late++;
      else if (v.verdict === "pending") sla[c].pending++;
    }
    const rep = repairedAt(t, tl);
    const relevant =
      t.startedAt >= start ||
      rep === null ||
      rep >= start ||
      slaClocks.some((c) => counted[c] !== null) ||
      repeatById.has(t.id);
    if (!relevant) continue;
    faults.push({ ...t, verdicts, timeliness: counted.repair, repeat: repeatById.get(t.id) ?? null });
  }
  for (const c of slaClocks) {
    const due = sla[c].onTime + sla[c].late;
    sla[c].percent = due === 0 ? 100 : round2((100 * sla[c].onTime) / due);
  }

  // ── availability ──
  // A third party's devices (the satellite service) are the provider's: shown apart, never counted.
  const row = (d: DeviceAvailability): AvailabilityRow => ({
    deviceId: d.deviceId,
    name: d.name,
    site: d.site,
    system: d.system,
    kind: d.kind,
    addedAt: d.addedAt ?? null,
    expectedMs: d.expectedMs,
    downtimeMs: d.downtimeMs,
    maintenanceMs: d.maintenanceMs,
    unmonitoredMs: d.unmonitoredMs ?? 0,
    percent: d.expectedMs > 0 ? pct(d.expectedMs - d.downtimeMs, d.expectedMs) : null,
    downIntervals: d.intervals.filter((i) => i.state === "down").length,
  });
  const bySiteAndId = (a: AvailabilityRow, b: AvailabilityRow) =>
    cmp(a.site, b.site) || cmp(a.deviceId, b.deviceId);
  const devices = m.devices
    .filter((d) => !d.thirdParty)
    .map(row)
    .sort(bySiteAndId);
  const providers = m.devices
    .filter((d) => d.thirdParty)
    .map(row)
    .sort(bySiteAndId);
  const group = (key: "site" | "system") => {
    const map = new Map<string, GroupAvailability>();
    for (const d of devices) {
      const g = map.get(d[key]) ?? { id: d[key], devices: 0, expectedMs: 0, downtimeMs: 0, percent: null };
      g.devices++;
      g.expectedMs += d.expectedMs;
      g.downtimeMs += d.downtimeMs;
      map.set(d[key], g);
    }
    for (const g of map.values())
      g.percent = g.expectedMs > 0 ? pct(g.expectedMs - g.downtimeMs, g.expectedMs) : null;
    return [...map.values()].sort((a, b) => cmp(a.id, b.id));
  };
  const expectedMs = devices.reduce((s, d) => s + d.expectedMs, 0);
  const downtimeMs = devices.reduce((s, d) => s + d.downtimeMs, 0);
  // The contract figure is the ledger's aggregation (one computation); time-weighted is also kept as
  // the exact fraction Σ(expected − down) / Σ expected for the points deduction.
  const aggregateHow = m.aggregate ?? "time-weighted";
  const contract = aggregate(
    devices.map((d) => ({
      expectedMs: d.expectedMs,
      downMs: d.downtimeMs,
      availability: d.expectedMs > 0 ? ((d.expectedMs - d.downtimeMs) / d.expectedMs) * 100 : null,
    })),
    aggregateHow,
  );
  let availNum: bigint;
  let availDen: bigint;
  if (contract.availability === null) {
    availNum = 0n;
    availDen = 0n;
  } else if (aggregateHow === "time-weighted") {
    availNum = BigInt(expectedMs - downtimeMs);
    availDen = BigInt(expectedMs);
  } else {
    availDen = 1_000_000_000n;
    availNum = BigInt(Math.round(contract.availability * 1e7));
  }
  const availPercent = contract.availability === null ? 100 : round2(contract.availability);

  const effective = effectiveInputs(m.inputs, m.records);
  const lines = withProvenance(
    scoreLines(
      {
        inputs: effective.inputs,
        repair: sla.repair,
        faults,
        repeats,
        devices,
        avail: { num: availNum, den: availDen, percent: availPercent, expectedMs },
        aggregate: aggregateHow,
      },
      config,
    ),
    effective.provenance,
  );
  const due = sla.repair.onTime + sla.repair.late;

  const sheet: ScoreSheet = {
    schema: "emcomm.score-sheet/1",
    period: { id: m.period.id, kind: m.period.kind, timezone: m.period.timezone, start, end },
    cutoff,
    policy: {
      scoringVersion: SCORING_POLICY_VERSION,
      ledgerVersion: m.ledgerPolicyVersion,
      config,
      aggregate: aggregateHow,
      repeatWindowMs: m.repeatWindowMs ?? null,
    },
    lines,
    totals: { performance: 0, service: 0 },
    fee: { contractTotal: 0, currency: config.fee.currency, amount: 0, formula: "" },
    timeliness: { ...sla.repair, due },
    sla,
    availability: {
      contract: { percent: availPercent, method: aggregateHow, expectedMs, downtimeMs },
      devices,
      providers,
      sites: group("site"),
      systems: group("system"),
    },
    evidence: Object.fromEntries(
      [...m.devices]
        .sort((a, b) => cmp(a.deviceId, b.deviceId))
        .map((d) => [d.deviceId, d.intervals.filter((i) => i.state !== "up")]),
    ),
    faults,
    repeats,
    maintenanceWindows: [...m.windows].sort((a, b) => a.start - b.start || cmp(a.id, b.id)),
    inputs: [m.inputs],
    warnings: [...checkMonthData(m), ...effective.warnings],
    months: [],
  };
  finish(sheet, config);
  return sheet;
}

/** Totals and fee from the lines. */
function finish(sheet: ScoreSheet, config: ReportConfig): void {
  const total = (c: ScoreLine["category"]) =>
    round2(sheet.lines.filter((l) => l.category === c).reduce((s, l) => s + l.score, 0));
  sheet.totals = { performance: total("performance"), service: total("service") };
  sheet.fee = {
    contractTotal: config.fee.contractTotal,
    currency: config.fee.currency,
    amount: feeAmount(config.fee.contractTotal, sheet.totals.performance, sheet.totals.service),
    formula: `${config.fee.contractTotal} × ${sheet.totals.performance}/100 × ${sheet.totals.service}/100`,
  };
}

/** 酬金 = 合同总金额 × 业绩类得分/100 × 服务类得分/100, rounded to the cent (fen). */
export function feeAmount(contractTotal: number, performance: number, service: number): number {
  return Math.round((contractTotal * performance * service) / 100) / 100;
}

/**
 * Repeat faults started in the period: tickets linked by the ticket system (`repeatOf`), plus, for
 * replayed tickets when the source gives a repeat window, the ticket system's own rule
 * (src/tickets/repeats.ts): same device and fault type, started within the window after the earlier
 * one was repaired.
 */
function findRepeats(m: MonthData): RepeatRow[] {
  const out: RepeatRow[] = [];
  const inPeriod = (t: TicketRecord) =>
    t.startedAt >= m.period.start && t.startedAt < Math.min(m.period.end, m.cutoff);
  const byDevice = new Map<string, TicketRecord[]>();
  for (const t of m.tickets) {
    if (t.state === "cancelled") continue;
    const list = byDevice.get(t.deviceId) ?? [];
    list.push(t);
    byDevice.set(t.deviceId, list);
  }
  const win = m.repeatWindowMs ?? 0;
  for (const list of byDevice.values()) {
    list.sort((a, b) => a.startedAt - b.startedAt || cmp(a.id, b.id));
    list.forEach((t, i) => {
      if (!inPeriod(t)) return;
      const row = { ticketId: t.id, deviceId: t.deviceId, faultType: t.faultType, startedAt: t.startedAt };
      if (t.repeatOf !== null) {
        out.push({ ...row, repeatOf: t.repeatOf, how: "link" });
        return;
      }
      if (win <= 0) return;
      for (let j = i - 1; j >= 0; j--) {
        const e = list[j]!;
        const repaired =
          e.clearedAt === null ? null : e.repairMs === null ? e.clearedAt : e.startedAt + e.repairMs;
        if (e.faultType === t.faultType && isRepeat(repaired, t.startedAt, win)) {
          out.push({ ...row, repeatOf: e.id, how: "derived" });
          return;
        }
      }
    });
  }
  return out.sort((a, b) => a.startedAt - b.startedAt || cmp(a.ticketId, b.ticketId));
}

function pct(num: number, den: number): number {
  return round2((100 * num) / den);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
