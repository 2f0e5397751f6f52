/**
 * The scrape provider's arithmetic against Prometheus' own: a real Prometheus holds a known history, and
 * for several instants the evaluator gets the two samples Prometheus sees in `[16s]` (the grid is 15 s),
 * so both must give the same rates, ratios and quantiles, resets included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../../src/providers/index.js';
import { evaluateScrape, type ScrapeSnapshot } from '../../../src/providers/scrape/evaluate.js';
import type { ExposedSeries } from '../../../src/providers/scrape/exposition.js';
import { compileScrapeQuery } from '../../../src/providers/scrape/query.js';
import type { Provider } from '../../../src/providers/types.js';
import type { HistorySeries, RunningPrometheus } from '../../support/prometheus.js';
import { prometheusSkipReason, startPrometheus } from '../../support/prometheus.js';

const skip = prometheusSkipReason();
const STEP = 15;
const START = 1_767_614_400; // 2026-01-05T12:00:00Z
const STEPS = 40;
const RESET_STEP = 20;
const BOUNDS = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'];

/** Irregular but reproducible increments per step. */
function increment(step: number, seed: number): number {
  return 10 + ((step * 7919 + seed * 104_729) % 97);
}

/** A cumulative counter on the grid; instance b restarts at RESET_STEP. */
function counter(seed: number, restarts: boolean): (t: number) => number {
  const cumulative = (step: number) => {
    let total = 0;
    for (let j = 1; j <= step; j++) total += increment(j, seed);
    return total;
  };
  return (t) => {
    const step = Math.round((t - START) / STEP);
    if (!restarts) return 100_000 + cumulative(step);
    return step < RESET_STEP ? 100_000 + cumulative(step) : cumulative(step) - cumulative(RESET_STEP - 1);
  };
}

function history(): HistorySeries[] {
  const series: HistorySeries[] = [];
  for (const [index, instance] of ['a', 'b'].entries()) {
    const restarts = instance === 'b';
    for (const [code, seed] of [
      ['200', 1 + index * 10],
      ['500', 2 + index * 10],
    ] as const) {
      series.push({
        name: 'http_requests_total',
        type: 'counter',
        labels: { instance, code },
        valueAt: counter(seed, restarts),
      });
    }
    // Bucket i counts the parts 0..i, so the buckets are cumulative in `le` at every instant.
    const parts = BOUNDS.map((_, i) => counter(100 + index * 10 + i, restarts));
    BOUNDS.forEach((le, i) => {
      series.push({
        name: 'http_request_duration_seconds_bucket',
        type: 'histogram',
        labels: { instance, le },
        valueAt: (t) => parts.slice(0, i + 1).reduce((sum, part) => sum + part(t), 0),
      });
    });
  }
  return series;
}

function snapshotAt(series: HistorySeries[], t: number): ScrapeSnapshot {
  const exposed: ExposedSeries[] = series.map((s) => ({
    name: s.name,
    labels: s.labels,
    value: s.valueAt(t),
    timestampMs: t * 1000,
  }));
  return {
    exposition: { format: 'prometheus-text', series: exposed, types: new Map() },
    scrapedAtMs: t * 1000,
  };
}

const QUERIES = [
  'sum(rate(http_requests_total[16s]))',
  'sum(rate(http_requests_total{code="500"}[16s])) / sum(rate(http_requests_total[16s]))',
  'sum by (instance) (rate(http_requests_total{code="500",instance="b"}[16s]))',
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[16s])))',
  'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[16s])))',
  'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{instance="b"}[16s])))',
  'histogram_quantile(0.75, sum by (le) (http_request_duration_seconds_bucket))',
];

describe.skipIf(skip !== null)('scrape evaluation agrees with a real Prometheus on the same samples', () => {
  const series = history();
  let prometheus: RunningPrometheus;
  let provider: Provider;

  beforeAll(async () => {
    prometheus = await startPrometheus({
      series,
      start: START,
      end: START + STEPS * STEP,
      stepSeconds: STEP,
    });
    provider = createProvider({
      type: 'prometheus',
      name: 'reference',
      http: {
        url: prometheus.url,
        headers: {},
        timeoutMs: 10_000,
        tls: { caFile: null, insecureSkipVerify: false },
      },
      tenant: null,
      auth: { kind: 'none' },
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  // Step RESET_STEP is the first sample after instance b restarted.
  it.each([5, RESET_STEP, RESET_STEP + 1, 33])('at step %i', async (step) => {
    const t = START + step * STEP;
    const first = snapshotAt(series, t - STEP);
    const second = snapshotAt(series, t);
    for (const query of QUERIES) {
      const reference = await provider.queryInstant(query, new Date(t * 1000));
      if (!reference.ok) throw new Error(`Prometheus: ${reference.message}`);
      const ours = evaluateScrape(compileScrapeQuery(query), first, second).value;
      const value = ours.kind === 'scalar' ? ours.value : ours.samples[0]?.value;
      expect(ours.kind === 'vector' ? ours.samples : [], query).toHaveLength(1);
      expect(
        Math.abs(value! - reference.value) / Math.abs(reference.value),
        `${query} at step ${step}`,
      ).toBeLessThan(1e-12);
    }
  });
});
