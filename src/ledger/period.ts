/**
 * Periods in the contract's time zone (Asia/Shanghai by default), the one place that knows them: a
 * month is from local midnight of its first day to local midnight of the next month's first day, a
 * year from 1 January to the next. Month and year ids are parsed strictly ("2026-13" is an error,
 * never January 2027). Pure functions, no clock; the zone arithmetic is src/core/zoned-time.ts.
 */
import { zonedMidnight, zonedParts } from "../core/zoned-time.ts";

/** A half-open span of time [from, to), ms since the epoch: what the ledger integrates over. */
export interface Period {
  /** ms since epoch, inclusive. */
  from: number;
  /** ms since epoch, exclusive. */
  to: number;
}

/** A named calendar period (what reports are made for): a month "2026-11" or a year "2026". */
export interface CalendarPeriod {
  /** "2026-11" or "2026". */
  id: string;
  kind: "month" | "year";
  year: number;
  /** 1..12 for a month. */
  month?: number;
  timezone: string;
  /** First instant of the period (inclusive), ms since the epoch. */
  start: number;
  /** First instant after the period (exclusive), ms since the epoch. */
  end: number;
}

/** A period or time zone that does not exist; a RangeError, so the API answers it with a 400. */
export class PeriodError extends RangeError {
  override name = "PeriodError";
}

const PERIOD_RE = /^(\d{4})(?:-(\d{2}))?$/;

/** Parses "YYYY-MM" or "YYYY"; a month outside 01..12 or a year outside 2000..2199 is an error. */
export function parsePeriod(text: string, timezone = "Asia/Shanghai"): CalendarPeriod {
  const m = PERIOD_RE.exec(text);
  if (!m) throw new PeriodError(`period "${text}": expected YYYY-MM (a month) or YYYY (a year)`);
  const year = Number(m[1]);
  if (year < 2000 || year > 2199)
    throw new PeriodError(`period "${text}": year ${year} is out of 2000..2199`);
  if (m[2] === undefined) {
    return {
      id: text,
      kind: "year",
      year,
      timezone,
      start: zonedMidnight(year, 1, 1, timezone),
      end: zonedMidnight(year + 1, 1, 1, timezone),
    };
  }
  const month = Number(m[2]);
  if (month < 1 || month > 12)
    throw new PeriodError(`period "${text}": month ${m[2]} does not exist (01..12)`);
  const next = month === 12 ? [year + 1, 1] : [year, month + 1];
  return {
    id: text,
    kind: "month",
    year,
    month,
    timezone,
    start: zonedMidnight(year, month, 1, timezone),
    end: zonedMidnight(next[0]!, next[1]!, 1, timezone),
  };
}

/** The month `YYYY-MM` in `timeZone` as a span; anything but an existing month is a PeriodError. */
export function monthPeriod(month: string, timeZone = "Asia/Shanghai"): Period {
  const p = parsePeriod(month, timeZone);
  if (p.kind !== "month") throw new PeriodError(`a month like 2026-11, got ${month}`);
  return { from: p.start, to: p.end };
}

/** The twelve months of a year period (or the month itself). */
export function monthsOf(period: CalendarPeriod): CalendarPeriod[] {
  if (period.kind === "month") return [period];
  return Array.from({ length: 12 }, (_, i) =>
    parsePeriod(`${period.year}-${String(i + 1).padStart(2, "0")}`, period.timezone),
  );
}

/** The month before the one containing `instant` (what the monthly schedule reports on). */
export function previousMonth(instant: number, timezone = "Asia/Shanghai"): CalendarPeriod {
  const { year, month } = zonedParts(instant, timezone);
  const [y, mo] = month === 1 ? [year - 1, 12] : [year, month - 1];
  return parsePeriod(`${y}-${String(mo).padStart(2, "0")}`, timezone);
}

/** The month containing `ms` in `timeZone`, as `YYYY-MM`. */
export function monthOf(ms: number, timeZone = "Asia/Shanghai"): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}`;
}
