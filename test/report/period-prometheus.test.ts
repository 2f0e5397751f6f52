/**
 * Period reports against a REAL Prometheus with the standard history (test/support/prometheus.ts):
 * 2 days at 1 min, 1000 requests/min, 2 % errors except 10 % during the incident (INC0, INC1], one
 * hour at the start of the last day; p99 latency 0.41666 s at every instant.
 */
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusProviderConfig } from '../../src/config/types.js';
import { judge } from '../../src/evaluate/index.js';
import type { Provider } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';
import type { HistorySource, PeriodMetric, PeriodReport } from '../../src/report/period/index.js';
import { buildPeriodReport, dailyPeriod } from '../../src/report/period/index.js';
import type { MeasurementRow, Store } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import { checksFor, SEVERITY_RULES, tempDirs } from './support.js';

const skip = prometheusSkipReason();
if (skip) console.warn(`test/report/period-prometheus.test.ts ${skip}`);

const history = standardHistory();
const { INC0, INC1, END, queries } = history;
const SPEC = 'spec-core-001-authentication';
const HALF_SPEC = 'spec-core-002-half-history';
const STEP = 60;
const DAY_SAMPLES = 1440;

const checks = checksFor([
  {
    category: 'Reliability',
    requirement: 'Error Rate',
    metric: 'api_error_rate',
    target: '< 5%',
    query: queries.errorRatio5m,
  },
  {
    category: 'Performance',
    requirement: 'p99 Latency',
    metric: 'api_latency_p99',
    target: '< 500ms',
    query: queries.p99Latency5m,
  },
]);

/** The day that contains the incident: [INC0, END), the last day of the history. */
const day = dailyPeriod(new Date(INC0 * 1000));
/** The report is written five minutes after the day ended. */
const generatedAt = new Date((END + 300) * 1000);

/*
 * Expected figures of api_error_rate from first principles.
 *
 * The query is sum(rate(5xx[5m])) / sum(rate(all[5m])). On Prometheus 2.x a 5 m range at instant t
 * holds the six samples t−300 … t (both edges included), so both rates cover the counter increments
 * made at t−240, t−180, t−120, t−60 and t; the samples sit exactly on the window's edges, so there
 * is no extrapolation, and the total is 1000 a minute: the ratio is the mean error share of those
 * five increments. An increment at t′ is 10 % when INC0 < t′ ≤ INC1, else 2 %.
 *
 * The report samples t = INC0 + 60·k, k = 0 … 1439. With c(k) = how many of the five increments fall
 * in the incident, ratio(k) = 2 % + 8 %·c(k)/5. The increment at t − 60·j is in the incident when
 * 1 ≤ k − j ≤ 60, so c(k) = #{ j ∈ 0…4 : k − 60 ≤ j ≤ k − 1 }:
 *   k = 0 → 0, 1 → 1, 2 → 2, 3 → 3, 4 → 4, 5…60 → 5, 61 → 4, 62 → 3, 63 → 2, 64 → 1, ≥ 65 → 0.
 * The target `< 5%` is missed when 2 + 1.6·c > 5, i.e. c ≥ 2: k = 2 … 63, 62 samples.
 */
function incidentCount(k: number): number {
  let count = 0;
  for (let j = 0; j <= 4; j++) if (k - j >= 1 && k - j <= 60) count++;
  return count;
}
const expectedRatioPercent = (k: number): number => 2 + (8 * incidentCount(k)) / 5;
const breachedKs = Array.from({ length: DAY_SAMPLES }, (_, k) => k).filter(
  (k) => expectedRatioPercent(k) > 5,
);
const EXPECTED_BREACHED = breachedKs.length; // 62
// Every incident increment is inside five windows: Σ c(k) = 60 · 5 = 300, so the mean is 2 % + 8 %·300/5/1440.
const EXPECTED_MEAN_PERCENT =
  Array.from({ length: DAY_SAMPLES }, (_, k) => expectedRatioPercent(k)).reduce((a, b) => a + b, 0) /
  DAY_SAMPLES;
const EXPECTED_P99_MS = history.expected.p99Latency * 1000; // 0.25 + 0.25·10/15 s = 416.67 ms

function promConfig(url: string): PrometheusProviderConfig {
  return {
    type: 'prometheus',
    name: 'prom',
    http: { url, headers: {}, timeoutMs: 10_000, tls: { caFile: null, insecureSkipVerify: false } },
    tenant: null,
    auth: { kind: 'none' },
  };
}

function metricOf(report: PeriodReport, name: string): PeriodMetric {
  const metric = report.metrics.find((m) => m.metric === name);
  if (!metric) throw new Error(`no metric ${name} in the report`);
  return metric;
}

describe.skipIf(skip !== null)('period report against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let provider: Provider;
  let providers: Map<string, Provider>;
  let store: Store;
  const temp = tempDirs();

  const build = (history: HistorySource, options: { specId?: string; trendThreshold?: number } = {}) =>
    buildPeriodReport({
      specId: options.specId ?? SPEC,
      period: day,
      checks,
      history,
      providers,
      intervalSeconds: STEP,
      severityRules: SEVERITY_RULES,
      generatedAt,
      version: '0.0.0-test',
      ...(options.trendThreshold === undefined ? {} : { trendThreshold: options.trendThreshold }),
    });

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    provider = createProvider(promConfig(prometheus.url));
    providers = new Map([['prom', provider]]);

    // What the daemon would have recorded: one instant query per metric every 60 s, judged and
    // committed one cycle at a time into a real SQLite store. HALF_SPEC gets the first 12 h only.
    store = openStore(join(temp.make(), 'monitor.db'));
    const limit = pLimit(8);
    const cycles = await Promise.all(
      Array.from({ length: DAY_SAMPLES }, (_, k) =>
        limit(async () => {
          const at = new Date((INC0 + k * STEP) * 1000);
          const rows: MeasurementRow[] = [];
          for (const check of checks) {
            const result = await provider.queryInstant(check.mapping.query, at);
            const verdict = judge(check, result, provider, at);
            rows.push({
              at,
              specId: SPEC,
              metric: verdict.metric,
              value: verdict.value,
              slo: verdict.slo,
              status: verdict.status,
              reason: verdict.reason,
            });
          }
          return { k, at, rows };
        }),
      ),
    );
    for (const { k, at, rows } of cycles) {
      const measurements =
        k < DAY_SAMPLES / 2 ? [...rows, ...rows.map((r) => ({ ...r, specId: HALF_SPEC }))] : rows;
      store.commitCycle({ at, measurements, alertStates: [], notifications: [] });
    }
  });

  afterAll(async () => {
    store?.close();
    await prometheus?.stop();
    temp.cleanup();
  });

  it('the period is the UTC day of the incident', () => {
    expect(day).toMatchObject({ kind: 'daily', label: '2025-12-31', timeZone: 'UTC' });
    expect(day.from.getTime()).toBe(INC0 * 1000);
    expect(day.to.getTime()).toBe(END * 1000);
    expect(EXPECTED_BREACHED).toBe(62);
  });

  describe('with no history: pure backfill at a 60 s step', () => {
    let report: PeriodReport;
    beforeAll(async () => {
      report = await build(() => null);
    });

    it('error rate: samples, compliance, time out of target, source', () => {
      const m = metricOf(report, 'api_error_rate');
      expect(m.backfillErrors).toEqual([]);
      expect(m).toMatchObject({
        source: 'backfill',
        sources: { history: 0, backfill: DAY_SAMPLES },
        samples: DAY_SAMPLES,
        unknownSamples: 0,
        breachedSamples: EXPECTED_BREACHED,
        timeOutOfTargetSeconds: EXPECTED_BREACHED * STEP, // 3720 s
      });
      expect(m.compliance).toBeCloseTo((DAY_SAMPLES - EXPECTED_BREACHED) / DAY_SAMPLES, 12); // 0.956944…
      expect(m.target).toEqual({ text: '< 5%', comparator: '<', slo: 5, unit: '%' });
      expect(m.stats.min).toBeCloseTo(2, 9);
      expect(m.stats.max).toBeCloseTo(10, 9);
      expect(m.stats.mean).toBeCloseTo(EXPECTED_MEAN_PERCENT, 9); // 2.3333 %
      // 64 samples are above 2 % (c ≥ 1); rank ⌈0.95·1440⌉ = 1368 ≤ 1376 is still 2 %.
      expect(m.stats.p50).toBeCloseTo(2, 9);
      expect(m.stats.p95).toBeCloseTo(2, 9);
    });

    it('error rate: one breach episode that spans the incident within one 5 m window', () => {
      const m = metricOf(report, 'api_error_rate');
      expect(m.episodes).toHaveLength(1);
      const episode = m.episodes[0]!;
      // First breached sample k = 2, last k = 63 (+ its 60 s): [INC0 + 120 s, INC1 + 240 s).
      expect(episode.start.getTime()).toBe((INC0 + breachedKs[0]! * STEP) * 1000);
      expect(episode.end.getTime()).toBe((INC0 + (breachedKs.at(-1)! + 1) * STEP) * 1000);
      expect(Math.abs(episode.start.getTime() / 1000 - INC0)).toBeLessThanOrEqual(300);
      expect(Math.abs(episode.end.getTime() / 1000 - INC1)).toBeLessThanOrEqual(300);
      expect(episode.durationSeconds).toBe(EXPECTED_BREACHED * STEP);
      expect(episode.samples).toBe(EXPECTED_BREACHED);
      expect(episode.worstValue).toBeCloseTo(10, 9);
      // (10 − 5) / 5 = +100 % → SEV-1 with the default rules.
      expect(episode.severity).toBe('SEV-1');
      expect(episode.touchesPeriodStart).toBe(false);
      expect(episode.touchesPeriodEnd).toBe(false);
    });

    it('error rate: error budget spent = mean error / 5 %', () => {
      const budget = metricOf(report, 'api_error_rate').errorBudget!;
      expect(budget.allowedBadFraction).toBeCloseTo(0.05, 12);
      expect(budget.meanBadFraction).toBeCloseTo(EXPECTED_MEAN_PERCENT / 100, 9);
      expect(budget.spent).toBeCloseTo(EXPECTED_MEAN_PERCENT / 5, 9); // 0.4667
      expect(budget.remaining).toBeCloseTo(1 - EXPECTED_MEAN_PERCENT / 5, 9);
    });

    it('latency: p50 = p95 = max = 416.67 ms, always within target', () => {
      const m = metricOf(report, 'api_latency_p99');
      expect(m.samples).toBe(DAY_SAMPLES);
      for (const value of [m.stats.min, m.stats.p50, m.stats.p95, m.stats.max, m.stats.mean]) {
        expect(value).toBeCloseTo(EXPECTED_P99_MS, 6);
      }
      expect(m.compliance).toBe(1);
      expect(m.episodes).toEqual([]);
      expect(m.errorBudget).toBeNull(); // not a ratio objective
      expect(m.change.trend).toBe('stable');
      expect(m.change.mean).toBeCloseTo(0, 9);
    });

    it('trend against the previous day (also backfilled): +16.7 % error rate', () => {
      const m = metricOf(report, 'api_error_rate');
      expect(report.previousPeriod.label).toBe('2025-12-30');
      // The first instant of the history (START) has a single sample in its 5 m window: no rate there.
      expect(m.previous).toMatchObject({ source: 'backfill', samples: DAY_SAMPLES - 1, compliance: 1 });
      expect(m.previous.mean).toBeCloseTo(2, 9);
      const change = (EXPECTED_MEAN_PERCENT - 2) / 2; // 1/6
      expect(m.change.mean).toBeCloseTo(change, 9);
      // 16.7 % is below the default 20 % threshold.
      expect(m.change.trend).toBe('stable');
      expect(report.trends).toEqual([]);
      expect(report.status).toBe('unhealthy');
      expect(report.summary.worstMetric).toBe('api_error_rate');
      expect(report.summary.compliance).toBeCloseTo(
        (1 + (DAY_SAMPLES - EXPECTED_BREACHED) / DAY_SAMPLES) / 2,
        12,
      );
    });

    it('with a 10 % threshold the error rate trend is worse, with the aggregator-style sentence', async () => {
      const strict = await build(() => null, { trendThreshold: 0.1 });
      expect(metricOf(strict, 'api_error_rate').change.trend).toBe('worse');
      expect(strict.trends.map((t) => t.sentence)).toEqual([
        `Error Rate (api_error_rate) for ${SPEC} has increased by 17% over the last day`,
      ]);
    });
  });

  describe('from a store filled with what the daemon would have recorded', () => {
    let backfilled: PeriodReport;
    let recorded: PeriodReport;
    let mixed: PeriodReport;
    beforeAll(async () => {
      backfilled = await build(() => null);
      recorded = await build((q) => store.measurements(q));
      mixed = await build((q) => store.measurements(q), { specId: HALF_SPEC });
    });

    /*
     * Tolerance: the daemon's instant queries evaluate the same PromQL at the same instants as the
     * range query's steps, so counts must be equal and values equal to 1e-9 (relative).
     */
    function expectSameFigures(a: PeriodMetric, b: PeriodMetric): void {
      expect(a.samples).toBe(b.samples);
      expect(a.unknownSamples).toBe(b.unknownSamples);
      expect(a.breachedSamples).toBe(b.breachedSamples);
      expect(a.timeOutOfTargetSeconds).toBe(b.timeOutOfTargetSeconds);
      expect(a.compliance).toBe(b.compliance);
      for (const key of ['min', 'mean', 'p50', 'p95', 'max'] as const) {
        expect(a.stats[key]! / b.stats[key]!).toBeCloseTo(1, 9);
      }
      expect(a.episodes.map((e) => [e.start.getTime(), e.end.getTime(), e.samples, e.severity])).toEqual(
        b.episodes.map((e) => [e.start.getTime(), e.end.getTime(), e.samples, e.severity]),
      );
      if (b.errorBudget) expect(a.errorBudget!.spent! / b.errorBudget.spent!).toBeCloseTo(1, 9);
    }

    it('history only: the same figures as the backfill, sourced from history', () => {
      for (const name of ['api_error_rate', 'api_latency_p99']) {
        const fromStore = metricOf(recorded, name);
        expect(fromStore).toMatchObject({
          source: 'history',
          sources: { history: DAY_SAMPLES, backfill: 0 },
        });
        expect(fromStore.backfillErrors).toEqual([]);
        expectSameFigures(fromStore, metricOf(backfilled, name));
        // The store has nothing for the previous day: that one is backfilled.
        expect(fromStore.previous.source).toBe('backfill');
      }
    });

    it('history for the first half of the day: mixed, with the second half backfilled', () => {
      for (const name of ['api_error_rate', 'api_latency_p99']) {
        const half = metricOf(mixed, name);
        expect(half).toMatchObject({
          source: 'mixed',
          sources: { history: DAY_SAMPLES / 2, backfill: DAY_SAMPLES / 2 },
        });
        expectSameFigures(half, metricOf(backfilled, name));
      }
    });
  });
});
