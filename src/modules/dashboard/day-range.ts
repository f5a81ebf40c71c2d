/**
 * Calendar days in the shop's time zone, as UTC instants the database compares `placed_at` with. Computed here with
 * `Intl` (not `AT TIME ZONE` in SQL) so both databases agree whatever time zone data they were built with, and so
 * tests can pass any "now".
 */

export interface DayRanges {
  /** Start of today in the shop's zone. */
  todayStart: Date;
  /** Start of tomorrow (the end of today, exclusive). */
  tomorrowStart: Date;
  /** Start of yesterday. */
  yesterdayStart: Date;
  /** Yesterday at the same time of day as now (for "so far" comparisons; 23- and 25-hour days included). */
  yesterdaySameTime: Date;
  /** Today's date in the shop's zone, `YYYY-MM-DD`. */
  today: string;
  yesterday: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string, at: Date) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    y: parts.year ?? 1970,
    m: parts.month ?? 1,
    d: parts.day ?? 1,
    h: parts.hour ?? 0,
    min: parts.minute ?? 0,
    s: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at `at`, in milliseconds (wall clock read as UTC minus the instant). */
function offsetAt(timeZone: string, at: Date): number {
  const w = wallClock(timeZone, at);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The first instant of the local calendar day `y-m-d` in `timeZone`. Two passes settle the offset across a DST
 * change; a zone that skips midnight (the clocks jump from 23:59 to 01:00) starts its day at the first instant
 * that exists.
 */
function startOfDay(timeZone: string, y: number, m: number, d: number): Date {
  const midnightAsUtc = Date.UTC(y, m - 1, d);
  let guess = midnightAsUtc - offsetAt(timeZone, new Date(midnightAsUtc));
  guess = midnightAsUtc - offsetAt(timeZone, new Date(guess));
  const w = wallClock(timeZone, new Date(guess));
  // Midnight did not exist that day: the guess landed on the previous day; the day starts where the jump ends.
  if (w.d !== new Date(midnightAsUtc).getUTCDate()) guess += 3_600_000;
  return new Date(guess);
}

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** Today, tomorrow and yesterday around `now` in `timeZone` (an IANA name checked at start-up). */
export function dayRanges(timeZone: string, now: Date): DayRanges {
  const w = wallClock(timeZone, now);
  // Calendar arithmetic on a UTC date avoids month/year edge cases.
  const shift = (days: number) => {
    const t = new Date(Date.UTC(w.y, w.m - 1, w.d + days));
    return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
  };
  const yd = shift(-1);
  const td = shift(1);
  const todayStart = startOfDay(timeZone, w.y, w.m, w.d);
  const yesterdayStart = startOfDay(timeZone, yd.y, yd.m, yd.d);
  const elapsed = now.getTime() - todayStart.getTime();
  return {
    todayStart,
    tomorrowStart: startOfDay(timeZone, td.y, td.m, td.d),
    yesterdayStart,
    yesterdaySameTime: new Date(Math.min(yesterdayStart.getTime() + elapsed, todayStart.getTime())),
    today: iso(w.y, w.m, w.d),
    yesterday: iso(yd.y, yd.m, yd.d),
  };
}
