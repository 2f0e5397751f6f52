import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import type { Period } from '../../src/report/period/index.js';
import {
  completedPeriods,
  customPeriod,
  dailyPeriod,
  previousPeriod,
  validateTimeZone,
  weeklyPeriod,
} from '../../src/report/period/index.js';

const d = (iso: string) => new Date(iso);
const span = (p: Period) => [p.label, p.from.toISOString(), p.to.toISOString()];
const hours = (p: Period) => (p.to.getTime() - p.from.getTime()) / 3_600_000;

describe('daily periods', () => {
  it('UTC by default', () => {
    const p = dailyPeriod(d('2026-11-26T13:45:10.123Z'));
    expect(p).toEqual({
      kind: 'daily',
      label: '2026-11-26',
      from: d('2026-11-26T00:00:00Z'),
      to: d('2026-11-27T00:00:00Z'),
      timeZone: 'UTC',
    });
    // midnight belongs to the day it starts; the instant before to the previous day
    expect(dailyPeriod(d('2026-11-26T00:00:00Z')).label).toBe('2026-11-26');
    expect(dailyPeriod(d('2026-11-25T23:59:59.999Z')).label).toBe('2026-11-25');
  });

  it('the local calendar day of another zone', () => {
    // 02:00 UTC is still the 25th in New York (UTC−5)
    expect(span(dailyPeriod(d('2026-11-26T02:00:00Z'), 'America/New_York'))).toEqual([
      '2026-11-25',
      '2026-11-25T05:00:00.000Z',
      '2026-11-26T05:00:00.000Z',
    ]);
    expect(span(dailyPeriod(d('2026-11-26T00:00:00Z'), 'Asia/Kolkata'))).toEqual([
      '2026-11-26',
      '2026-11-25T18:30:00.000Z',
      '2026-11-26T18:30:00.000Z',
    ]);
    expect(span(dailyPeriod(d('2026-11-26T00:00:00Z'), 'Pacific/Kiritimati'))).toEqual([
      '2026-11-26',
      '2026-11-25T10:00:00.000Z',
      '2026-11-26T10:00:00.000Z',
    ]);
  });

  it('DST days are 23 and 25 hours long (Europe/Berlin)', () => {
    const spring = dailyPeriod(d('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(span(spring)).toEqual(['2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(hours(spring)).toBe(23);
    const autumn = dailyPeriod(d('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    expect(span(autumn)).toEqual(['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z']);
    expect(hours(autumn)).toBe(25);
  });

  it('America/New_York falls back on 2026-11-01 (25 h)', () => {
    const p = dailyPeriod(d('2026-11-01T12:00:00Z'), 'America/New_York');
    expect(span(p)).toEqual(['2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
  });

  it('a day whose midnight does not exist starts at the end of the DST gap (America/Santiago)', () => {
    // On 2026-09-06 Chile moves from 00:00 −04 straight to 01:00 −03.
    const p = dailyPeriod(d('2026-09-06T12:00:00Z'), 'America/Santiago');
    expect(span(p)).toEqual(['2026-09-06', '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z']);
    expect(hours(p)).toBe(23);
    const before = previousPeriod(p);
    expect(span(before)).toEqual(['2026-09-05', '2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z']);
  });

  it('a day whose first hour happens twice starts at the first midnight (America/Havana)', () => {
    // On 2026-11-01 Cuba goes back from 01:00 −04 to 00:00 −05.
    const p = dailyPeriod(d('2026-11-01T12:00:00Z'), 'America/Havana');
    expect(span(p)).toEqual(['2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    expect(hours(p)).toBe(25);
  });

  it('half-hour DST shifts (Australia/Lord_Howe)', () => {
    expect(hours(dailyPeriod(d('2026-04-05T12:00:00Z'), 'Australia/Lord_Howe'))).toBe(24.5);
    expect(hours(dailyPeriod(d('2026-10-04T12:00:00Z'), 'Australia/Lord_Howe'))).toBe(23.5);
  });

  it('rejects an unknown time zone as a user error', () => {
    expect(() => dailyPeriod(d('2026-11-26T00:00:00Z'), 'Mars/Olympus')).toThrow(UserError);
    expect(() => validateTimeZone('Europe/Nowhere')).toThrow(/unknown time zone "Europe\/Nowhere"/);
    expect(() => validateTimeZone('Europe/Berlin')).not.toThrow();
  });

  it('rejects an invalid date', () => {
    expect(() => dailyPeriod(new Date(Number.NaN))).toThrow(UserError);
  });
});

describe('weekly periods (ISO weeks, Monday start)', () => {
  it('labels by ISO week-year', () => {
    expect(span(weeklyPeriod(d('2026-11-26T12:00:00Z')))).toEqual([
      '2026-W48',
      '2026-11-23T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
    ]);
    expect(weeklyPeriod(d('2027-01-01T00:00:00Z')).label).toBe('2026-W53'); // Friday of 2026's last week
    expect(weeklyPeriod(d('2024-12-30T00:00:00Z')).label).toBe('2025-W01'); // Monday in 2024, week of 2025
    expect(weeklyPeriod(d('2021-01-03T23:59:59Z')).label).toBe('2020-W53'); // Sunday
    expect(weeklyPeriod(d('2021-01-04T00:00:00Z')).label).toBe('2021-W01'); // Monday
  });

  it('Sunday belongs to the week that started the Monday before', () => {
    const p = weeklyPeriod(d('2026-11-29T23:00:00Z'));
    expect(p.label).toBe('2026-W48');
    expect(p.from.toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('follows local midnights across a DST change (167 h)', () => {
    const p = weeklyPeriod(d('2026-03-26T12:00:00Z'), 'Europe/Berlin');
    expect(span(p)).toEqual(['2026-W13', '2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(hours(p)).toBe(167);
  });
});

describe('custom periods', () => {
  it('labels by compact UTC instants', () => {
    const p = customPeriod(d('2026-11-01T00:00:00Z'), d('2026-11-08T00:00:00Z'));
    expect(p).toEqual({
      kind: 'custom',
      label: '20261101T000000Z-20261108T000000Z',
      from: d('2026-11-01T00:00:00Z'),
      to: d('2026-11-08T00:00:00Z'),
      timeZone: 'UTC',
    });
  });

  it('rejects an empty or reversed range', () => {
    const t = d('2026-11-01T00:00:00Z');
    expect(() => customPeriod(t, t)).toThrow(UserError);
    expect(() => customPeriod(d('2026-11-02T00:00:00Z'), t)).toThrow(/not after its start/);
  });
});

describe('previous periods', () => {
  it('the day, week or same-length range just before', () => {
    expect(previousPeriod(dailyPeriod(d('2026-01-01T05:00:00Z'))).label).toBe('2025-12-31');
    expect(previousPeriod(weeklyPeriod(d('2026-01-01T05:00:00Z'))).label).toBe('2025-W52');
    const custom = previousPeriod(customPeriod(d('2026-11-01T00:00:00Z'), d('2026-11-08T00:00:00Z')));
    expect(custom.label).toBe('20261025T000000Z-20261101T000000Z');
  });

  it('the day before a DST day is a full calendar day', () => {
    const p = previousPeriod(dailyPeriod(d('2026-03-30T12:00:00Z'), 'Europe/Berlin'));
    expect(p.label).toBe('2026-03-29');
    expect(hours(p)).toBe(23);
  });
});

describe('completed periods (reports a stopped daemon missed)', () => {
  it('every day that ended in (since, now], oldest first', () => {
    const days = completedPeriods('daily', d('2026-11-24T10:00:00Z'), d('2026-11-27T00:00:00Z'));
    expect(days.map((p) => p.label)).toEqual(['2026-11-24', '2026-11-25', '2026-11-26']);
  });

  it('a period that ended exactly at `since` is not repeated', () => {
    const days = completedPeriods('daily', d('2026-11-25T00:00:00Z'), d('2026-11-26T12:00:00Z'));
    expect(days.map((p) => p.label)).toEqual(['2026-11-25']);
  });

  it('weeks, in a time zone', () => {
    const weeks = completedPeriods(
      'weekly',
      d('2026-11-10T00:00:00Z'),
      d('2026-12-01T00:00:00Z'),
      'Europe/Berlin',
    );
    // W48 ends 2026-11-29T23:00Z (midnight in Berlin), before `now`.
    expect(weeks.map((p) => p.label)).toEqual(['2026-W46', '2026-W47', '2026-W48']);
    expect(weeks.every((p) => p.timeZone === 'Europe/Berlin')).toBe(true);
  });

  it('nothing when now is not after since, or no period ended yet', () => {
    expect(completedPeriods('daily', d('2026-11-26T00:00:00Z'), d('2026-11-25T00:00:00Z'))).toEqual([]);
    expect(completedPeriods('daily', d('2026-11-26T01:00:00Z'), d('2026-11-26T23:00:00Z'))).toEqual([]);
  });
});
