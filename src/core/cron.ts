/**
 * Cron expressions evaluated on a Clock, so that what runs "at 02:30 on the 1st" runs on a
 * FakeClock in tests exactly as on the wall clock. Five fields (minute hour day-of-month month
 * day-of-week), each `*`, a number, a range `a-b`, a step `*\/n` or `a-b/n`, or a comma list of
 * these; day-of-week 0–7 with 0 and 7 Sunday; names (JAN, MON) and seconds are not supported.
 * As in Vixie cron, when both day fields are restricted a day matching either one matches.
 * Times are wall-clock times in the given IANA zone.
 */
import type { Clock, TimerHandle } from "./clock.ts";
import { zonedParts } from "./zoned-time.ts";

export class CronError extends Error {
  override readonly name = "CronError";
}

interface Field {
  values: ReadonlySet<number>;
  /** The field is `*` (or `*\/1`): it restricts nothing. */
  any: boolean;
}

export interface CronSchedule {
  readonly expression: string;
  readonly minute: Field;
  readonly hour: Field;
  readonly day: Field;
  readonly month: Field;
  readonly weekday: Field;
}

const FIELDS = [
  ["minute", 0, 59],
  ["hour", 0, 23],
  ["day", 1, 31],
  ["month", 1, 12],
  ["weekday", 0, 7],
] as const;

function parseField(text: string, name: string, min: number, max: number, expression: string): Field {
  const values = new Set<number>();
  const bad = (why: string) => new CronError(`cron "${expression}": ${name} field "${text}": ${why}`);
  const number = (s: string) => {
    if (!/^\d+$/.test(s)) throw bad(`"${s}" is not a number`);
    const n = Number(s);
    if (n < min || n > max) throw bad(`${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(",")) {
    const [range, stepText, extra] = part.split("/");
    if (range === undefined || extra !== undefined) throw bad("one step at most");
    const step = stepText === undefined ? 1 : number(stepText);
    if (step < 1) throw bad("a step is at least 1");
    let from = min;
    let to = max;
    if (range !== "*") {
      const [a, b, more] = range.split("-");
      if (a === undefined || more !== undefined) throw bad(`"${range}" is not a number or a range`);
      from = number(a);
      to = b === undefined ? (stepText === undefined ? from : max) : number(b);
      if (to < from) throw bad(`the range ${from}-${to} is empty`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values, any: text === "*" || text === "*/1" };
}

/** Parses a five-field cron expression; a CronError names the field and what is wrong with it. */
export function parseCron(expression: string): CronSchedule {
  const texts = expression.trim().split(/\s+/);
  if (texts.length !== 5)
    throw new CronError(
      `cron "${expression}": expected five fields (minute hour day month weekday), got ${texts.length}`,
    );
  const [minute, hour, day, month, weekday] = FIELDS.map(([name, min, max], i) =>
    parseField(texts[i]!, name, min, max, expression),
  ) as [Field, Field, Field, Field, Field];
  if (weekday.values.has(7)) (weekday.values as Set<number>).add(0);
  return { expression, minute, hour, day, month, weekday };
}

/** The wall-clock fields cron matches on, with the weekday (0 Sunday) of the local date. */
function wallClock(ms: number, timeZone: string) {
  const p = zonedParts(ms, timeZone);
  return { ...p, weekday: new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() };
}

const MINUTE = 60_000;
const LONGEST_WAIT = 60 * MINUTE;
/** How far ahead `nextRun` looks: enough for "29 February" to come round. */
const HORIZON = 8 * 366 * 24 * 60 * MINUTE;

/**
 * The first whole minute strictly after `after` (ms since the epoch) that the schedule matches in
 * `timeZone`. Steps over days that cannot match, then hour by hour, then minute by minute.
 */
export function nextRun(schedule: CronSchedule, after: number, timeZone: string): number {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const end = after + HORIZON;
  while (t <= end) {
    const w = wallClock(t, timeZone);
    const byDay = schedule.day.values.has(w.day);
    const byWeekday = schedule.weekday.values.has(w.weekday);
    const dayMatches = schedule.day.any || schedule.weekday.any ? byDay && byWeekday : byDay || byWeekday; // both restricted: either one
    if ((!schedule.month.values.has(w.month) || !dayMatches) && w.hour < 23)
      // To 23:00 on this day, then hour by hour: a DST change cannot make this skip a day.
      t += ((23 - w.hour) * 60 - w.minute) * MINUTE;
    else if (!schedule.month.values.has(w.month) || !dayMatches || !schedule.hour.values.has(w.hour))
      t += (60 - w.minute) * MINUTE;
    else if (!schedule.minute.values.has(w.minute)) t += MINUTE;
    else return t;
  }
  throw new CronError(`cron "${schedule.expression}": never matches`);
}

/**
 * Calls `fn` at every time `expression` matches in `timeZone`, on `clock`'s timers (one timer
 * waiting at a time). `fn` is not awaited: a job that must not overlap itself guards that itself.
 * A time that passed while the process slept is run once, late, not once per missed match.
 */
export function everyCron(
  clock: Clock,
  expression: string,
  timeZone: string,
  fn: () => void,
): { next(): number; stop(): void } {
  const schedule = parseCron(expression);
  let due = nextRun(schedule, clock.now(), timeZone);
  let timer: TimerHandle | null = null;
  const arm = () => {
    // Waits of at most an hour: a month is beyond what a Node timer holds (2^31 ms).
    timer = clock.setTimer(Math.min(due - clock.now(), LONGEST_WAIT), () => {
      if (clock.now() < due) return arm();
      due = nextRun(schedule, Math.max(clock.now(), due), timeZone);
      arm();
      fn();
    });
  };
  arm();
  return {
    next: () => due,
    stop: () => {
      timer?.cancel();
      timer = null;
    },
  };
}
