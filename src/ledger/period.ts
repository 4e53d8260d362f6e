/**
 * Periods in the contract's time zone (Asia/Shanghai by default): a month is from local midnight of
 * its first day to local midnight of the next month's first day. Pure functions, no clock.
 */

export interface Period {
  /** ms since epoch, inclusive. */
  from: number;
  /** ms since epoch, exclusive. */
  to: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `ms` in `timeZone`. */
export function zonedParts(
  ms: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms)))
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The instant of local wall time y-m-d h:00 in `timeZone` (month 1..12; overflow allowed). */
export function zonedTime(year: number, month: number, day: number, timeZone: string, hour = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour);
  // Two rounds of offset correction cover every zone without DST ambiguity at midnight.
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(t, timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    t = guess - (asUtc - t);
  }
  return t;
}

/** The month `YYYY-MM` in `timeZone` as a Period. */
export function monthPeriod(month: string, timeZone = "Asia/Shanghai"): Period {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new RangeError(`a month like 2026-11, got ${month}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: zonedTime(y, mo, 1, timeZone), to: zonedTime(y, mo + 1, 1, timeZone) };
}

/** The month containing `ms` in `timeZone`, as `YYYY-MM`. */
export function monthOf(ms: number, timeZone = "Asia/Shanghai"): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}`;
}

/** The local date `YYYY-MM-DD` of `ms` in `timeZone`. */
export function dateOf(ms: number, timeZone = "Asia/Shanghai"): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}
