/**
 * Wall-clock time in an IANA time zone: the fields of an instant there, the instant of a local
 * time, and the local "YYYY-MM-DD HH:MM" people read. Pure functions, no clock; offsets come from
 * Intl, so any IANA zone works. The contract's periods (src/ledger/period.ts) and cron schedules
 * (cron.ts) are built on these.
 */

/** A name that is not an IANA time zone; a RangeError, so the API answers it with a 400. */
export class TimeZoneError extends RangeError {
  override name = "TimeZoneError";
}

/** The wall-clock fields of `ms` in `timeZone`. */
export function zonedParts(
  ms: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? "0");
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour") % 24,
    minute: get("minute"),
    second: get("second"),
  };
}

/** The instant of local wall time y-m-d h:00 in `timeZone` (month 1..12; overflow allowed). */
export function zonedTime(year: number, month: number, day: number, timeZone: string, hour = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour);
  // Two rounds of offset correction cover every zone without DST ambiguity at midnight.
  let t = guess - offsetMs(guess, timeZone);
  t = guess - offsetMs(t, timeZone);
  return t;
}

/** The instant of local midnight starting the given day in the zone. */
export function zonedMidnight(year: number, month: number, day: number, timezone: string): number {
  return zonedTime(year, month, day, timezone);
}

/** "2026-11-03 14:05" in the zone (what the bureau reads); "" for undefined. */
export function formatLocal(instant: number | null | undefined, timezone: string): string {
  if (instant === null || instant === undefined) return "";
  // Offsets change at most every quarter hour: cache them per zone and 15-minute bucket, then format
  // with plain UTC arithmetic (Intl per value is too slow for a year of intervals).
  const key = `${timezone}|${Math.floor(instant / 900_000)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = offsetMs(instant, timezone);
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  const iso = new Date(instant + offset).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Whether `name` is a time zone this runtime knows (an IANA name such as "Asia/Shanghai"). */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

const offsetCache = new Map<string, number>();

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      throw new TimeZoneError(`time zone "${timezone}" is not an IANA zone name`);
    }
    formatters.set(timezone, f);
  }
  return f;
}

/** Local wall time minus UTC at `instant`, ms (whole seconds). */
function offsetMs(instant: number, timezone: string): number {
  const p = zonedParts(instant, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}
