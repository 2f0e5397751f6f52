/**
 * Reporting periods: calendar days and ISO weeks in an IANA time zone (DST-correct boundaries, found
 * with Intl.DateTimeFormat), and custom ranges. Pure: every instant is passed in.
 */
import { UserError } from '../../common/errors.js';
import type { Period, PeriodKind } from './types.js';

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    throw new UserError('config', `unknown time zone "${timeZone}"`, {
      field: 'time_zone',
      hint: 'use an IANA time zone name such as UTC, Europe/Berlin or America/New_York',
    });
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

/** Throws UserError 'config' unless `timeZone` is a time zone this runtime knows. */
export function validateTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** A calendar date as a day number: days since 1970-01-01 (proleptic Gregorian). */
type DayNumber = number;

function dayNumber(year: number, month: number, day: number): DayNumber {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function civil(day: DayNumber): { year: number; month: number; day: number } {
  const date = new Date(day * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The wall-clock time in `timeZone` at `instantMs`, expressed as if it were UTC (ms). */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value ?? Number.NaN);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

function localDay(instantMs: number, timeZone: string): DayNumber {
  return Math.floor(wallClockMs(instantMs, timeZone) / DAY_MS);
}

/**
 * The first instant of local calendar day `day` in `timeZone`: local midnight, or the end of a DST
 * gap when midnight does not exist that day (e.g. America/Santiago in September).
 */
export function startOfLocalDay(day: DayNumber, timeZone: string): Date {
  const midnightAsUtc = day * DAY_MS;
  const isStart = (t: number): boolean => localDay(t, timeZone) >= day && localDay(t - 1000, timeZone) < day;
  // Fast path: subtract the zone's offset (twice, in case the offset changes in between).
  let guess = midnightAsUtc - (wallClockMs(midnightAsUtc, timeZone) - midnightAsUtc);
  if (isStart(guess)) return new Date(guess);
  guess = midnightAsUtc - (wallClockMs(guess, timeZone) - guess);
  if (isStart(guess)) return new Date(guess);
  // Otherwise search by the second. UTC offsets lie within [-12 h, +14 h], so the local date is
  // before `day` 15 h before its midnight-as-UTC, and on or after it 13 h after.
  let lo = midnightAsUtc / 1000 - 15 * 3600;
  let hi = midnightAsUtc / 1000 + 13 * 3600;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(mid * 1000, timeZone) >= day) hi = mid;
    else lo = mid;
  }
  return new Date(hi * 1000);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function dateLabel(day: DayNumber): string {
  const c = civil(day);
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}`;
}

function requireInstant(date: Date, what: string): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new UserError('usage', `${what} is not a valid date`);
  }
}

/** The calendar day of `timeZone` that contains `date`. Label `YYYY-MM-DD`. */
export function dailyPeriod(date: Date, timeZone = 'UTC'): Period {
  requireInstant(date, 'the report date');
  const day = localDay(date.getTime(), timeZone);
  return {
    kind: 'daily',
    label: dateLabel(day),
    from: startOfLocalDay(day, timeZone),
    to: startOfLocalDay(day + 1, timeZone),
    timeZone,
  };
}

/** ISO 8601 week (Monday to Monday in `timeZone`) that contains `date`. Label `YYYY-Www` (ISO week-year). */
export function weeklyPeriod(date: Date, timeZone = 'UTC'): Period {
  requireInstant(date, 'the report date');
  const day = localDay(date.getTime(), timeZone);
  const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0
  const monday = day - weekday;
  const thursday = monday + 3; // the ISO week belongs to the year of its Thursday
  const isoYear = civil(thursday).year;
  const week = Math.floor((thursday - dayNumber(isoYear, 1, 1)) / 7) + 1;
  return {
    kind: 'weekly',
    label: `${pad(isoYear, 4)}-W${pad(week)}`,
    from: startOfLocalDay(monday, timeZone),
    to: startOfLocalDay(monday + 7, timeZone),
    timeZone,
  };
}

/** `20261101T000000Z` (UTC, seconds). */
function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** An arbitrary range [from, to). Label `20261101T000000Z-20261108T000000Z`. */
export function customPeriod(from: Date, to: Date): Period {
  requireInstant(from, 'the period start');
  requireInstant(to, 'the period end');
  if (to.getTime() <= from.getTime()) {
    throw new UserError(
      'usage',
      `the period end ${to.toISOString()} is not after its start ${from.toISOString()}`,
      {
        hint: 'give --from before --to',
      },
    );
  }
  return {
    kind: 'custom',
    label: `${compactUtc(from)}-${compactUtc(to)}`,
    from: new Date(from.getTime()),
    to: new Date(to.getTime()),
    timeZone: 'UTC',
  };
}

/**
 * The period just before `period`: the previous calendar day or ISO week (which is an hour shorter or
 * longer across a DST change), or, for a custom period, the range of the same length ending at its start.
 */
export function previousPeriod(period: Period): Period {
  const justBefore = new Date(period.from.getTime() - 1);
  switch (period.kind) {
    case 'daily':
      return dailyPeriod(justBefore, period.timeZone);
    case 'weekly':
      return weeklyPeriod(justBefore, period.timeZone);
    case 'custom': {
      const length = period.to.getTime() - period.from.getTime();
      return customPeriod(new Date(period.from.getTime() - length), period.from);
    }
  }
}

/**
 * Every daily or weekly period that ended in (since, now], oldest first: the reports a daemon that
 * was down missed. Empty when `now <= since`.
 */
export function completedPeriods(
  kind: Exclude<PeriodKind, 'custom'>,
  since: Date,
  now: Date,
  timeZone = 'UTC',
): Period[] {
  requireInstant(since, 'since');
  requireInstant(now, 'now');
  const periodAt = kind === 'daily' ? dailyPeriod : weeklyPeriod;
  const periods: Period[] = [];
  // The period containing `since` is the first that can end after it.
  for (let period = periodAt(since, timeZone); period.to.getTime() <= now.getTime(); ) {
    if (period.to.getTime() > since.getTime()) periods.push(period);
    period = periodAt(period.to, timeZone);
  }
  return periods;
}
