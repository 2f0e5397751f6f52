import { describe, expect, it } from 'vitest';
import type { PeriodSample } from '../../src/report/period/stats.js';
import {
  breachEpisodes,
  chartPoints,
  computeFigures,
  errorBudget,
  nearestRank,
  relativeChange,
  trendOf,
  valueStats,
} from '../../src/report/period/stats.js';
import type { MetricTarget } from '../../src/report/period/types.js';
import { SEVERITY_RULES } from './support.js';

const T0 = Date.parse('2026-11-26T00:00:00Z');
const MIN = 60_000;
const latency: MetricTarget = { text: '< 500ms', comparator: '<', slo: 500, unit: 'ms' };
const errorRate: MetricTarget = { text: '< 5%', comparator: '<', slo: 5, unit: '%' };
const availability: MetricTarget = { text: '>= 99.9%', comparator: '>=', slo: 99.9, unit: '%' };

/** One sample a minute from T0; null = unknown. */
function samples(values: ReadonlyArray<number | null>, spacingSeconds = 60): PeriodSample[] {
  return values.map((value, i) => ({
    at: T0 + i * spacingSeconds * 1000,
    value,
    source: 'history',
    spacingSeconds,
  }));
}

const context = (target: MetricTarget, minutes: number, category: string | null = null) => ({
  target,
  category,
  severityRules: SEVERITY_RULES,
  from: T0,
  to: T0 + minutes * MIN,
});

describe('percentiles (nearest rank)', () => {
  it('is the value at rank ⌈p/100 · n⌉', () => {
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 95)).toBe(4);
    expect(nearestRank([1, 2, 3, 4], 75)).toBe(3);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(twenty, 95)).toBe(19);
    expect(nearestRank(twenty, 50)).toBe(10);
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([3, 9], 0)).toBe(3); // rank at least 1
  });

  it('valueStats sorts numerically and keeps the mean exact', () => {
    expect(valueStats([10, 9, 100, 1, 2])).toEqual({ min: 1, mean: 24.4, p50: 9, p95: 100, max: 100 });
    expect(valueStats([])).toEqual({ min: null, mean: null, p50: null, p95: null, max: null });
  });
});

describe('compliance, time out of target and unknown samples', () => {
  it('counts unknowns apart and never as within target', () => {
    const figures = computeFigures(samples([100, 600, 700, 100, null, 800]), context(latency, 6));
    expect(figures.samples).toBe(6);
    expect(figures.unknownSamples).toBe(1);
    expect(figures.breachedSamples).toBe(3);
    expect(figures.compliance).toBe(2 / 5);
    expect(figures.timeOutOfTargetSeconds).toBe(180);
    expect(figures.stats).toEqual({ min: 100, mean: 460, p50: 600, p95: 800, max: 800 });
    expect(figures.source).toBe('history');
    expect(figures.sources).toEqual({ history: 6, backfill: 0 });
  });

  it('only unknown samples: no compliance, no stats', () => {
    const figures = computeFigures(samples([null, null]), context(latency, 2));
    expect(figures.compliance).toBeNull();
    expect(figures.unknownSamples).toBe(2);
    expect(figures.stats.mean).toBeNull();
    expect(figures.errorBudget).toBeNull();
  });

  it('time out of target uses each sample its own spacing (history vs backfill)', () => {
    const mixed: PeriodSample[] = [
      { at: T0, value: 900, source: 'history', spacingSeconds: 60 },
      { at: T0 + MIN, value: 900, source: 'backfill', spacingSeconds: 300 },
    ];
    const figures = computeFigures(mixed, context(latency, 10));
    expect(figures.timeOutOfTargetSeconds).toBe(360);
    expect(figures.source).toBe('mixed');
  });

  it('no samples at all: source none', () => {
    const figures = computeFigures([], context(latency, 10));
    expect(figures).toMatchObject({ source: 'none', samples: 0, compliance: null, episodes: [] });
  });

  it('the boundary value is within a `<=` target and outside a `<` one', () => {
    expect(computeFigures(samples([500]), context(latency, 1)).compliance).toBe(0);
    const inclusive = { ...latency, comparator: '<=' as const };
    expect(computeFigures(samples([500]), context(inclusive, 1)).compliance).toBe(1);
  });
});

describe('breach episodes', () => {
  it('splits on in-target and unknown samples, with worst value and severity', () => {
    // minutes: 0 ok | 1-2 breach | 3 ok | 4 breach | 5 unknown | 6-7 breach (to the end)
    const values = [100, 600, 1200, 100, 550, null, 800, 700];
    const episodes = breachEpisodes(samples(values), context(latency, 8, 'performance'));
    expect(
      episodes.map((e) => [
        (e.start.getTime() - T0) / MIN,
        (e.end.getTime() - T0) / MIN,
        e.samples,
        e.worstValue,
        e.severity,
      ]),
    ).toEqual([
      [1, 3, 2, 1200, 'SEV-1'], // +140 %
      [4, 5, 1, 550, 'SEV-3'], // exactly +10 %
      [6, 8, 2, 800, 'SEV-2'], // +60 %
    ]);
  });

  it('marks episodes that touch the period edges', () => {
    const values = [900, 900, 100, 100, 900];
    const episodes = breachEpisodes(samples(values), context(latency, 5));
    expect(episodes).toHaveLength(2);
    expect(episodes[0]).toMatchObject({
      touchesPeriodStart: true,
      touchesPeriodEnd: false,
      durationSeconds: 120,
    });
    expect(episodes[1]).toMatchObject({
      touchesPeriodStart: false,
      touchesPeriodEnd: true,
      durationSeconds: 60,
    });
    expect(episodes[1]!.end.getTime()).toBe(T0 + 5 * MIN);
  });

  it('caps the end of an episode at the end of the covered span', () => {
    const episodes = breachEpisodes(samples([100, 900], 600), { ...context(latency, 0), to: T0 + 660_000 });
    expect(episodes[0]!.end.getTime()).toBe(T0 + 660_000);
    expect(episodes[0]!.durationSeconds).toBe(60);
    expect(episodes[0]!.touchesPeriodEnd).toBe(true);
  });

  it('a hole in the data (more than twice the spacing) ends an episode', () => {
    const holey: PeriodSample[] = [
      { at: T0, value: 900, source: 'history', spacingSeconds: 60 },
      { at: T0 + 10 * MIN, value: 900, source: 'history', spacingSeconds: 60 },
    ];
    expect(breachEpisodes(holey, context(latency, 11))).toHaveLength(2);
  });

  it('lower bounds: the worst value is the lowest', () => {
    const episodes = breachEpisodes(samples([99.5, 98, 99, 100]), context(availability, 4, 'availability'));
    expect(episodes).toHaveLength(1);
    expect(episodes[0]!.worstValue).toBe(98);
    // near-one ratio: (1 − 0.98)/(1 − 0.999) − 1 = 19 → SEV-1
    expect(episodes[0]!.severity).toBe('SEV-1');
  });
});

describe('error budget', () => {
  it('upper bound: allowed = SLO, spent = mean bad / allowed', () => {
    const budget = errorBudget([2, 2, 10, 2], errorRate)!;
    expect(budget.allowedBadFraction).toBeCloseTo(0.05, 12);
    expect(budget.meanBadFraction).toBeCloseTo(0.04, 12);
    expect(budget.spent).toBeCloseTo(0.8, 12);
    expect(budget.remaining).toBeCloseTo(0.2, 12);
  });

  it('lower bound: allowed = 1 − SLO, and spending can exceed the budget', () => {
    const budget = errorBudget([99.8, 99.6], availability)!;
    expect(budget.allowedBadFraction).toBeCloseTo(0.001, 12);
    expect(budget.meanBadFraction).toBeCloseTo(0.003, 12);
    expect(budget.spent).toBeCloseTo(3, 9);
    expect(budget.remaining).toBeCloseTo(-2, 9);
  });

  it('ratio units (0-1) work the same; other units and `=` have none', () => {
    const ratio: MetricTarget = { text: '< 0.05', comparator: '<', slo: 0.05, unit: 'ratio' };
    expect(errorBudget([0.01, 0.03], ratio)!.spent).toBeCloseTo(0.4, 12);
    expect(errorBudget([100], latency)).toBeNull();
    expect(errorBudget([1], { ...errorRate, comparator: '=' })).toBeNull();
  });

  it('a 100 % objective allows no bad fraction: spent is null', () => {
    const perfect: MetricTarget = { text: '>= 100%', comparator: '>=', slo: 100, unit: '%' };
    expect(errorBudget([99], perfect)).toMatchObject({ allowedBadFraction: 0, spent: null, remaining: null });
  });
});

describe('trend against the previous period', () => {
  const stats = (mean: number | null, p95: number | null = mean) => ({ mean, p95 });

  it('upper bound: a rise beyond the threshold is worse, a fall better, the threshold itself stable', () => {
    expect(trendOf(stats(125), stats(100), latency, 0.2)).toEqual({ mean: 0.25, p95: 0.25, trend: 'worse' });
    expect(trendOf(stats(75), stats(100), latency, 0.2)).toEqual({
      mean: -0.25,
      p95: -0.25,
      trend: 'better',
    });
    expect(trendOf(stats(110), stats(100), latency, 0.2).trend).toBe('stable');
    expect(trendOf(stats(120), stats(100), latency, 0.2).trend).toBe('stable'); // not *more* than 20 %
  });

  it('lower bound: a fall is worse, a rise better', () => {
    const throughput: MetricTarget = { text: '> 50 rps', comparator: '>', slo: 50, unit: 'rps' };
    expect(trendOf(stats(70), stats(100), throughput, 0.2).trend).toBe('worse');
    expect(trendOf(stats(130), stats(100), throughput, 0.2).trend).toBe('better');
  });

  it('from a previous mean of 0 the change has no size but a direction', () => {
    expect(trendOf(stats(1), stats(0), errorRate, 0.2)).toEqual({ mean: null, p95: null, trend: 'worse' });
    expect(trendOf(stats(0), stats(0), errorRate, 0.2)).toEqual({ mean: 0, p95: 0, trend: 'stable' });
  });

  it('unknown without a previous or current mean', () => {
    expect(trendOf(stats(1), stats(null), latency, 0.2).trend).toBe('unknown');
    expect(trendOf(stats(null), stats(1), latency, 0.2).trend).toBe('unknown');
    expect(trendOf(stats(1), null, latency, 0.2).trend).toBe('unknown');
  });

  it('`=` objectives: moving away from the SLO is worse', () => {
    const exact: MetricTarget = { text: '= 100', comparator: '=', slo: 100, unit: 'count' };
    expect(trendOf(stats(150), stats(110), exact, 0.2).trend).toBe('worse');
    expect(trendOf(stats(101), stats(150), exact, 0.2).trend).toBe('better');
    expect(trendOf(stats(90), stats(110), exact, 0.2).trend).toBe('stable');
  });

  it('relativeChange', () => {
    expect(relativeChange(12, 10)).toBeCloseTo(0.2, 12);
    expect(relativeChange(-12, -10)).toBeCloseTo(-0.2, 12);
    expect(relativeChange(null, 1)).toBeNull();
  });
});

describe('chart points', () => {
  it('keeps every sample when few, with a null where the data has a hole', () => {
    const points = chartPoints([
      { at: T0, value: 1, source: 'history', spacingSeconds: 60 },
      { at: T0 + MIN, value: 2, source: 'history', spacingSeconds: 60 },
      { at: T0 + 10 * MIN, value: 3, source: 'history', spacingSeconds: 60 },
    ]);
    expect(points).toEqual([
      { at: T0, value: 1 },
      { at: T0 + MIN, value: 2 },
      { at: T0 + 2 * MIN, value: null },
      { at: T0 + 10 * MIN, value: 3 },
    ]);
  });

  it('downsamples many samples to min/max per bucket, keeping a lone spike', () => {
    const many = samples(Array.from({ length: 43_200 }, (_, i) => (i === 12_345 ? 5000 : 100 + (i % 7))));
    const points = chartPoints(many, 1000);
    expect(points.length).toBeLessThanOrEqual(1000);
    expect(points.length).toBeGreaterThan(400);
    expect(points.some((p) => p.value === 5000 && p.at === T0 + 12_345 * MIN)).toBe(true);
    expect(points.every((p, i) => i === 0 || p.at > points[i - 1]!.at)).toBe(true);
  });
});
