import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectPoints, parseHistoryQuery } from '../../src/server/history.js';
import { reportPathFromRequest, reportUrl } from '../../src/server/reports.js';
import type { HistorySample } from '../../src/store/types.js';

describe('parseHistoryQuery', () => {
  it('defaults to 24 hours and caps at 35 days', () => {
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b'))).toEqual({
      ok: true,
      query: { specId: 'a', metric: 'b', hours: 24 },
    });
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b&hours=1.5'))).toMatchObject({
      query: { hours: 1.5 },
    });
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b&hours=.5'))).toMatchObject({
      query: { hours: 0.5 },
    });
    expect(parseHistoryQuery(new URLSearchParams('spec=a&metric=b&hours=9999'))).toMatchObject({
      query: { hours: 840 },
    });
  });

  it('refuses what is not a plain positive number of hours, or an overlong name, saying how to ask', () => {
    for (const hours of ['0', '-1', 'abc', 'Infinity', '1e400', '1e3', '0x10', ' 5', '5h', 'NaN', '.']) {
      const result = parseHistoryQuery(new URLSearchParams({ spec: 'a', metric: 'b', hours }));
      expect(result, hours).toMatchObject({ ok: false });
      if (!result.ok) {
        expect(result.message).toContain('"hours" must be a number of hours greater than 0');
        expect(result.message).toContain('/api/history?spec=<spec id>&metric=<metric>&hours=');
      }
    }
    const long = 'x'.repeat(201);
    expect(parseHistoryQuery(new URLSearchParams({ spec: long, metric: 'b' }))).toEqual({
      ok: false,
      message: expect.stringContaining('"spec" is longer than 200 characters'),
    });
    expect(parseHistoryQuery(new URLSearchParams({ spec: 'a', metric: long }))).toEqual({
      ok: false,
      message: expect.stringContaining('"metric" is longer than 200 characters'),
    });
    expect(parseHistoryQuery(new URLSearchParams({ spec: 'a' }))).toEqual({
      ok: false,
      message: expect.stringContaining('"metric" is required'),
    });
  });
});

describe('collectPoints', () => {
  const chunk = (at: number): HistorySample[] => [{ at, value: at, status: 'healthy' }];

  it('lets other work run between chunks once a slice is spent, and keeps every point in order', async () => {
    // A slice of 0 ms is spent after every chunk: each chunk then waits for a turn of the event loop.
    let otherTurns = 0;
    const other = (async () => {
      for (let i = 0; i < 3; i++) {
        await nextTurn();
        otherTurns++;
      }
    })();
    const seen: number[] = [];
    function* chunks() {
      for (let at = 0; at < 4; at++) {
        seen.push(otherTurns);
        yield chunk(at);
      }
    }
    const points = await collectPoints(chunks(), 0);
    await other;
    expect(points).toEqual([0, 1, 2, 3].map((at) => [at, at, 'healthy']));
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('reads a short series in one go when the slice is not spent', async () => {
    let otherTurns = 0;
    void nextTurn().then(() => otherTurns++);
    const seen: number[] = [];
    function* chunks() {
      for (let at = 0; at < 4; at++) {
        seen.push(otherTurns);
        yield chunk(at);
      }
    }
    expect(await collectPoints(chunks(), 60_000)).toHaveLength(4);
    expect(seen).toEqual([0, 0, 0, 0]);
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
