import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NfrStatus } from '../../src/evaluate/types.js';
import { downsample, parseHistoryQuery, worstStatus } from '../../src/server/history.js';
import { reportPathFromRequest, reportUrl } from '../../src/server/reports.js';
import type { MeasurementRow } from '../../src/store/types.js';

const FROM = new Date('2026-11-01T00:00:00.000Z');
const TO = new Date('2026-11-08T00:00:00.000Z');
const SPAN = TO.getTime() - FROM.getTime();

const rowArbitrary = fc.record({
  offset: fc.integer({ min: 0, max: SPAN - 1 }),
  // `+ 0` turns -0 into 0, which Object.is would tell apart.
  value: fc.option(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((value) => value + 0),
    { nil: null, freq: 5 },
  ),
  status: fc.constantFrom<NfrStatus>('healthy', 'breached', 'unknown'),
});

function toRows(items: { offset: number; value: number | null; status: NfrStatus }[]): MeasurementRow[] {
  return items.map((item) => ({
    at: new Date(FROM.getTime() + item.offset),
    specId: 's',
    metric: 'm',
    value: item.value,
    slo: 1,
    status: item.status,
    reason: '',
  }));
}

describe('downsample', () => {
  it('keeps at most 600 points, in time order, with the extremes, a gap marker and the worst status', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { minLength: 0, maxLength: 3000, size: 'max' }), (items) => {
        const rows = toRows(items);
        const points = downsample(rows, FROM, TO, 600);
        expect(points.length).toBeLessThanOrEqual(600);
        const times = points.map((point) => point[0]);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        // Every point is a real measurement.
        const seen = new Set(rows.map((row) => `${row.at.getTime()}|${row.value}`));
        for (const point of points) expect(seen.has(`${point[0]}|${point[1]}`)).toBe(true);

        const values = rows.map((row) => row.value).filter((value): value is number => value !== null);
        const kept = points.map((point) => point[1]).filter((value): value is number => value !== null);
        if (values.length > 0) {
          expect(Math.max(...kept)).toBe(Math.max(...values));
          expect(Math.min(...kept)).toBe(Math.min(...values));
        }
        expect(points.some((point) => point[1] === null)).toBe(rows.some((row) => row.value === null));
        expect(worstStatus(points.map((point) => point[2]))).toBe(worstStatus(rows.map((row) => row.status)));
      }),
      { numRuns: 60 },
    );
  });

  it('returns a short series unchanged', () => {
    const rows = toRows([
      { offset: 2000, value: 5, status: 'breached' },
      { offset: 1000, value: null, status: 'unknown' },
    ]);
    expect(downsample(rows, FROM, TO)).toEqual([
      [FROM.getTime() + 1000, null, 'unknown'],
      [FROM.getTime() + 2000, 5, 'breached'],
    ]);
  });
});

describe('parseHistoryQuery', () => {
  it('defaults to 24 hours and caps at 35 days', () => {
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b'))).toEqual({
      ok: true,
      query: { specId: 'a', metric: 'b', hours: 24 },
    });
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b&hours=1.5'))).toMatchObject({
      query: { hours: 1.5 },
    });
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b&hours=9999'))).toMatchObject({
      query: { hours: 840 },
    });
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b&hours=0'))).toMatchObject({ ok: false });
  });
});

describe('report paths', () => {
  it('round-trips a workspace-relative path through its URL', () => {
    const relative = '.spec/reports/production-monitoring/checkout/daily/2026-11-26 é#1.md';
    expect(reportPathFromRequest(reportUrl(relative))).toBe(relative);
  });

  it('never yields a path with a dot segment, a separator inside a segment, or an absolute start', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            '..',
            '.',
            '%2e',
            '%2E%2e',
            '%2f',
            '%5c',
            '\\',
            '%00',
            'a',
            'b.md',
            '%252e',
            '',
            '/',
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        (parts) => {
          const relative = reportPathFromRequest(`/reports/${parts.join('')}`);
          if (relative === null) return;
          expect(relative.startsWith('/')).toBe(false);
          for (const segment of relative.split('/')) {
            expect(['', '.', '..']).not.toContain(segment);
            expect(segment).not.toMatch(/[\\\0%]/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
