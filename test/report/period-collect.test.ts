/**
 * History + backfill: which spans are backfilled and how backend answers become samples. The
 * provider here is a recording stand-in (the real Prometheus is in period-prometheus.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import type { Provider, RangeResult } from '../../src/providers/index.js';
import { collectSamples, historyGaps } from '../../src/report/period/collect.js';
import { buildPeriodReport, customPeriod, dailyPeriod } from '../../src/report/period/index.js';
import type { MeasurementRow } from '../../src/store/index.js';
import { checksFor, memoryHistory, row, SEVERITY_RULES } from './support.js';

const T0 = Date.parse('2026-11-26T00:00:00Z');
const MIN = 60_000;

interface RangeCall {
  start: number;
  end: number;
  step: number;
}

/** Answers every range query with one sample per step, valued by `valueAt`. */
function recordingProvider(
  valueAt: (t: number) => number,
  fail?: (call: RangeCall) => RangeResult | null,
): Provider & { calls: RangeCall[] } {
  const calls: RangeCall[] = [];
  return {
    name: 'prom',
    type: 'prometheus',
    host: '127.0.0.1',
    calls,
    async queryInstant() {
      throw new Error('not used');
    },
    async queryRange(_query, start, end, stepSeconds) {
      const call = { start: start.getTime(), end: end.getTime(), step: stepSeconds };
      calls.push(call);
      const failure = fail?.(call);
      if (failure) return failure;
      const samples = [];
      for (let t = call.start; t <= call.end; t += stepSeconds * 1000) {
        samples.push({ at: new Date(t), value: valueAt(t) });
      }
      return { ok: true, samples, warnings: [] };
    },
  };
}

const [latency] = checksFor([
  {
    category: 'Performance',
    requirement: 'p99 Latency',
    metric: 'api_latency_p99',
    target: '< 500ms',
    query: 'histogram_quantile(0.99, x)',
  },
]);
const check = latency!;

const rowsAtMinutes = (minutes: number[], value = 100): MeasurementRow[] =>
  minutes.map((m) => row('spec-a', 'api_latency_p99', T0 + m * MIN, value));

describe('history gaps', () => {
  const minutes = (gaps: Array<[number, number]>) => gaps.map(([a, b]) => [(a - T0) / MIN, (b - T0) / MIN]);

  it('no history: the whole span', () => {
    expect(minutes(historyGaps([], T0, T0 + 10 * MIN, MIN))).toEqual([[0, 10]]);
  });

  it('regular samples, even with jitter, leave no gap', () => {
    const times = [0, 1, 2, 3, 4].map((m) => T0 + m * MIN + 7_000);
    expect(historyGaps(times, T0, T0 + 5 * MIN, MIN)).toEqual([]);
  });

  it('a gap is more than twice the interval between samples (and at the edges)', () => {
    // samples at 0, 1, 2 and 7, 8 min of 10: [3, 7) and [9, 10) are not covered
    const times = [0, 1, 2, 7, 8].map((m) => T0 + m * MIN);
    expect(minutes(historyGaps(times, T0, T0 + 10 * MIN, MIN))).toEqual([[3, 7]]);
    // exactly 2 × interval apart is not a gap; 3 × is
    expect(historyGaps([T0, T0 + 2 * MIN], T0, T0 + 3 * MIN, MIN)).toEqual([]);
    expect(minutes(historyGaps([T0, T0 + 3 * MIN], T0, T0 + 4 * MIN, MIN))).toEqual([[1, 3]]);
    // a late start and an early stop
    expect(minutes(historyGaps([T0 + 5 * MIN], T0, T0 + 10 * MIN, MIN))).toEqual([
      [0, 5],
      [6, 10],
    ]);
  });
});

describe('collecting samples', () => {
  const base = {
    specId: 'spec-a',
    check,
    from: T0,
    to: T0 + 10 * MIN,
    origin: T0,
    intervalSeconds: 60,
    stepSeconds: 60,
  };

  it('backfills exactly the gaps, on the period grid, converting s → ms', async () => {
    const provider = recordingProvider(() => 0.25); // seconds
    const collected = await collectSamples({
      ...base,
      history: memoryHistory(rowsAtMinutes([0, 1, 2, 7, 8, 9])),
      provider,
    });
    expect(provider.calls).toEqual([{ start: T0 + 3 * MIN, end: T0 + 6 * MIN, step: 60 }]);
    expect(collected.backfillErrors).toEqual([]);
    expect(collected.samples.map((s) => [(s.at - T0) / MIN, s.source, s.value])).toEqual([
      [0, 'history', 100],
      [1, 'history', 100],
      [2, 'history', 100],
      [3, 'backfill', 250],
      [4, 'backfill', 250],
      [5, 'backfill', 250],
      [6, 'backfill', 250],
      [7, 'history', 100],
      [8, 'history', 100],
      [9, 'history', 100],
    ]);
  });

  it('no store (null) and an empty store both backfill everything', async () => {
    for (const history of [() => null, memoryHistory([])]) {
      const provider = recordingProvider(() => 0.1);
      const collected = await collectSamples({ ...base, history, provider });
      expect(provider.calls).toEqual([{ start: T0, end: T0 + 9 * MIN, step: 60 }]);
      expect(collected.samples).toHaveLength(10);
    }
  });

  it('recorded unknowns stay unknown and are not backfilled', async () => {
    const rows = rowsAtMinutes([0, 1, 2, 3, 4]);
    rows[2] = { ...rows[2]!, value: null, status: 'unknown' };
    const provider = recordingProvider(() => 0.1);
    const collected = await collectSamples({
      ...base,
      to: T0 + 5 * MIN,
      history: memoryHistory(rows),
      provider,
    });
    expect(provider.calls).toEqual([]);
    expect(collected.samples.map((s) => s.value)).toEqual([100, 100, null, 100, 100]);
  });

  it('NaN from the backend is an unknown sample', async () => {
    const provider = recordingProvider((t) => (t === T0 + 2 * MIN ? Number.NaN : 0.1));
    const collected = await collectSamples({ ...base, to: T0 + 4 * MIN, history: () => null, provider });
    expect(collected.samples.map((s) => s.value)).toEqual([100, 100, null, 100]);
  });

  it('a failed query is reported as text and gives no samples', async () => {
    const provider = recordingProvider(
      () => 0.1,
      () => ({
        ok: false,
        failure: 'unreachable',
        message: 'connect ECONNREFUSED 127.0.0.1:9',
        warnings: [],
      }),
    );
    const collected = await collectSamples({ ...base, history: () => null, provider });
    expect(collected.samples).toEqual([]);
    expect(collected.backfillErrors).toEqual([
      '2026-11-26T00:00:00.000Z to 2026-11-26T00:09:00.000Z: unreachable: connect ECONNREFUSED 127.0.0.1:9',
    ]);
  });

  it('a missing provider is reported, and nothing is queried', async () => {
    const collected = await collectSamples({ ...base, history: () => null, provider: undefined });
    expect(collected.backfillErrors).toEqual([
      'provider "prom" is not available: the gaps were not backfilled',
    ]);
  });

  it('many gaps: one range query over all of them, samples kept only inside gaps', async () => {
    // a sample every 4 minutes for 4 hours: 60 gaps of 3 minutes, minus the recorded minutes
    const recorded = Array.from({ length: 60 }, (_, i) => i * 4);
    const provider = recordingProvider(() => 0.1);
    const collected = await collectSamples({
      ...base,
      to: T0 + 240 * MIN,
      history: memoryHistory(rowsAtMinutes(recorded)),
      provider,
    });
    expect(provider.calls).toEqual([{ start: T0 + MIN, end: T0 + 239 * MIN, step: 60 }]);
    expect(collected.samples).toHaveLength(240);
    expect(collected.samples.filter((s) => s.source === 'history')).toHaveLength(60);
    expect(new Set(collected.samples.map((s) => s.at)).size).toBe(240);
  });

  it('coarser backend points (Datadog rollups) stand for their own spacing', async () => {
    const provider: Provider = {
      ...recordingProvider(() => 0),
      async queryRange(_q, start) {
        const samples = [0, 5, 10].map((m) => ({ at: new Date(start.getTime() + m * MIN), value: 1 }));
        return { ok: true, samples, warnings: [] };
      },
    };
    const collected = await collectSamples({ ...base, to: T0 + 15 * MIN, history: () => null, provider });
    expect(collected.samples.map((s) => s.spacingSeconds)).toEqual([300, 300, 300]);
  });
});

describe('buildPeriodReport inputs', () => {
  const common = {
    specId: 'spec-a',
    checks: [check],
    providers: new Map<string, Provider>(),
    intervalSeconds: 60,
    severityRules: SEVERITY_RULES,
    version: '0.0.0-test',
  };

  it('a period that has not ended is covered up to the report time, and says so', async () => {
    const provider = recordingProvider(() => 0.2);
    const day = dailyPeriod(new Date(T0));
    const report = await buildPeriodReport({
      ...common,
      period: day,
      history: () => null,
      providers: new Map([['prom', provider]]),
      generatedAt: new Date(T0 + 90 * MIN + 30_000),
    });
    const m = report.metrics[0]!;
    expect(m.samples).toBe(91); // 00:00 … 01:30
    expect(Math.max(...provider.calls.map((c) => c.end))).toBe(T0 + 90 * MIN);
    expect(report.warnings).toEqual([
      'the period has not ended: figures cover 2026-11-26T00:00:00.000Z to 2026-11-26T01:30:30.000Z',
    ]);
  });

  it('the backfill step is at least period / 11000 (Prometheus range-query limit)', async () => {
    const provider = recordingProvider(() => 0.2);
    const period = customPeriod(new Date(T0), new Date(T0 + 30 * 86_400_000));
    const report = await buildPeriodReport({
      ...common,
      period,
      history: () => null,
      providers: new Map([['prom', provider]]),
      generatedAt: new Date(T0 + 31 * 86_400_000),
    });
    expect(report.stepSeconds).toBe(Math.ceil((30 * 86_400) / 11_000)); // 236 s
    for (const call of provider.calls)
      expect((call.end - call.start) / 1000 / call.step).toBeLessThan(11_000);
    expect(report.metrics[0]!.samples).toBe(Math.ceil((30 * 86_400) / 236));
  });

  it('rejects a non-positive interval, step or threshold as a user error', async () => {
    const base = {
      ...common,
      period: dailyPeriod(new Date(T0)),
      history: () => null,
      generatedAt: new Date(T0),
    };
    await expect(buildPeriodReport({ ...base, intervalSeconds: 0 })).rejects.toThrow(UserError);
    await expect(buildPeriodReport({ ...base, stepSeconds: -5 })).rejects.toThrow(/backfill step/);
    await expect(buildPeriodReport({ ...base, trendThreshold: Number.NaN })).rejects.toThrow(
      /trend threshold/,
    );
  });

  it('a report with no checks is degraded and empty', async () => {
    const report = await buildPeriodReport({
      ...common,
      checks: [],
      period: dailyPeriod(new Date(T0)),
      history: () => null,
      generatedAt: new Date(T0 + 86_400_000),
    });
    expect(report.status).toBe('degraded');
    expect(report.summary).toEqual({
      compliance: null,
      metrics: 0,
      metricsWithinTarget: 0,
      metricsWithoutData: 0,
      worstMetric: null,
      worsened: 0,
    });
  });
});
