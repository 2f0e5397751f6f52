import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planChecks } from '../../src/evaluate/plan.js';
import type { PreparedCheck } from '../../src/pipeline/index.js';
import { measureObjectives } from '../../src/pipeline/objectives.js';
import { createProvider } from '../../src/providers/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, STANDARD_END, startPrometheus } from '../support/prometheus.js';
import { sloHistory } from '../support/slo-history.js';
import { configOf, specOf } from './support.js';

const skip = prometheusSkipReason();
const END = STANDARD_END;
// 31 days of 1000 requests a minute; 2 % of them fail in the hour that ends at END.
const history = sloHistory({ end: END, days: 31, incidents: [{ from: END - 3600, to: END, share: 0.02 }] });

// Hand-worked: a window of W minutes counts W − 1 minutes of increments (test/support/slo-history.ts),
// 1000 requests each; the hour's minutes fail 20 requests each (1200 in all). A window that holds the
// whole hour has a burn rate of 1200 / (1000 · (W − 1)) ÷ 0.001 = 1200 / (W − 1); within the hour, 20.

describe.skipIf(skip !== null)('objectives measured against a real Prometheus with a known history', () => {
  let prometheus: RunningPrometheus;
  let prepared: Pick<PreparedCheck, 'config' | 'providers' | 'plan'>;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    const config = configOf(`provider: prometheus
url: ${prometheus.url}
metrics:
  - name: error_rate
    query: '${history.errorRatioQuery}'
  - name: error_minutes
    query: '${history.errorRatioQuery}'
    objective: { budgeting: timeslices }
`);
    const spec = specOf([
      ['error_rate', '< 0.1%'],
      ['error_minutes', '< 0.1%'],
    ]);
    const plan = planChecks(parseNfrs(spec).nfrs, config.metrics, config.unmapped);
    const providers = new Map(
      Object.entries(config.providers).map(([name, provider]) => [name, createProvider(provider)]),
    );
    prepared = { config, providers, plan };
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('occurrences: an hour of 2 % errors is a 20× burn and spends 1200 of 43,199,000 requests of the 30-day budget', async () => {
    const measured = await measureObjectives(prepared as PreparedCheck, new Date(END * 1000));
    const report = measured.get('error_rate')!.report;
    expect(report.reason).toBeNull();
    expect(report.window_start).toBe('2025-12-02T00:00:00.000Z');
    expect(report.burn_rates['5m']).toBe(20);
    expect(report.burn_rates['30m']).toBe(20);
    expect(report.burn_rates['1h']).toBe(20);
    expect(report.burn_rates['2h']).toBeCloseTo(1200 / 119, 9); // 10.084
    expect(report.burn_rates['6h']).toBeCloseTo(1200 / 359, 9); // 3.343
    expect(report.burn_rates['1d']).toBeCloseTo(1200 / 1439, 9);
    expect(report.burn_rates['3d']).toBeCloseTo(1200 / 4319, 9);
    // 30 days = 43,200 minutes, 43,199 counted: 1200 / 43,199,000 bad ÷ 0.001 allowed = 2.78 %.
    expect(report.error_budget.allowed).toBe(0.001);
    expect(report.error_budget.consumed).toBeCloseTo(1200 / 43_199, 9);
    expect(report.error_budget.remaining).toBeCloseTo(1 - 1200 / 43_199, 9);
    expect(report.alerts.map((a) => [a.name, a.firing])).toEqual([
      ['page-1h-5m', true],
      ['page-6h-30m', false],
      ['ticket-1d-2h', false],
      ['ticket-3d-6h', false],
    ]);
  });

  it('timeslices: the 60 minutes whose 5-minute error ratio exceeded 0.1 % overspend the budget', async () => {
    const measured = await measureObjectives(prepared as PreparedCheck, new Date(END * 1000));
    const report = measured.get('error_minutes')!.report;
    expect(report.reason).toBeNull();
    // Every minute of the 30 days has data; the 5-minute windows ending in the incident's hour see errors.
    expect(report.sli).toMatchObject({
      kind: 'timeslices',
      slices: { counted: 43_200, bad: 60, missing: 0 },
    });
    // 60 / 43,200 bad slices ÷ 0.001 allowed.
    expect(report.error_budget).toEqual({
      allowed: 0.001,
      consumed: 1.38888888889,
      remaining: -0.38888888889,
    });
    expect(report.burn_rates).toEqual({
      '5m': 1000,
      '30m': 1000,
      '1h': 1000,
      '2h': 500,
      '6h': 166.666666667,
      '1d': 41.6666666667,
      '3d': 13.8888888889,
    });
    expect(report.alerts.every((a) => a.firing === true)).toBe(true);
  });

  it('before the history there is no data: unknown with the reason, never a full budget', async () => {
    const measured = await measureObjectives(
      prepared as PreparedCheck,
      new Date((history.start - 86_400) * 1000),
    );
    for (const name of ['error_rate', 'error_minutes']) {
      const report = measured.get(name)!.report;
      expect(report.error_budget.remaining).toBeNull();
      expect(report.burn_rates['1h']).toBeNull();
      expect(report.reason).toMatch(/no data/i);
    }
  });
});
