/**
 * A small, fully deterministic period report built from hand-made history (no backend): the input
 * of the golden-file, writer and browser tests.
 */
import type { PeriodReport } from '../../src/report/period/index.js';
import { buildPeriodReport, dailyPeriod } from '../../src/report/period/index.js';
import type { MeasurementRow } from '../../src/store/index.js';
import { compare } from '../../src/units/index.js';
import { checksFor, memoryHistory, SEVERITY_RULES } from './support.js';

export const SAMPLE_SPEC = 'spec-core-001-authentication';
export const SAMPLE_DAY = new Date('2026-11-26T12:00:00Z');
export const SAMPLE_GENERATED_AT = new Date('2026-11-27T00:05:00Z');
/** 15 minutes: 96 samples a day keeps the fixture small. */
export const SAMPLE_INTERVAL = 900;

export const sampleChecks = () =>
  checksFor([
    {
      category: 'Performance',
      requirement: 'p99 Latency',
      metric: 'api_latency_p99',
      target: '< 200ms',
      query:
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="auth"}[5m])))',
    },
    {
      category: 'Reliability',
      requirement: 'Error Rate',
      metric: 'api_error_rate',
      target: '< 1%',
      query:
        'sum(rate(http_requests_total{service="auth",code=~"5..|429"}[5m])) / sum(rate(http_requests_total{service="auth"}[5m]))',
    },
    {
      category: 'Availability',
      requirement: 'Uptime',
      metric: 'api_uptime',
      target: '>= 99.9%',
      query: 'avg_over_time(up{job="auth"}[5m]) * 100',
      unit: '%',
    },
    {
      category: 'Performance',
      requirement: 'Login throughput',
      metric: 'login_throughput',
      target: '> 50 rps',
      query: 'sum(rate(login_total{service="auth"}[5m]))',
    },
  ]);

/** Value of each metric at sample index i (0..95) of the reported day (`current`) or the day before. */
function valueAt(metric: string, i: number, current: boolean): number | null {
  switch (metric) {
    case 'api_latency_p99': {
      if (!current) return 120 + (i % 4) * 5;
      const spikes: Record<number, number> = { 40: 260, 41: 310, 42: 280, 43: 240, 94: 230, 95: 250 };
      return spikes[i] ?? 140 + (i % 4) * 5;
    }
    case 'api_error_rate':
      if (!current) return 0.5;
      return i === 40 ? 1.5 : i === 41 ? 3.2 : 0.2;
    case 'api_uptime':
      if (!current) return 100;
      if (i === 0) return 99.5;
      if (i === 1) return 99;
      if (i === 50 || i === 51) return null;
      return 100;
    default:
      return null;
  }
}

export function sampleHistory(): MeasurementRow[] {
  const checks = sampleChecks();
  const day = dailyPeriod(SAMPLE_DAY);
  const rows: MeasurementRow[] = [];
  for (const [offset, current] of [
    [-86_400_000, false],
    [0, true],
  ] as const) {
    for (let i = 0; i < 96; i++) {
      const at = new Date(day.from.getTime() + offset + i * SAMPLE_INTERVAL * 1000);
      for (const check of checks) {
        if (check.nfr.metric === 'login_throughput') continue; // never recorded: no history at all
        const value = valueAt(check.nfr.metric, i, current);
        const status =
          value === null
            ? 'unknown'
            : compare(value, check.objective.comparator, check.objective.threshold)
              ? 'healthy'
              : 'breached';
        rows.push({
          at,
          specId: SAMPLE_SPEC,
          metric: check.nfr.metric,
          value,
          slo: check.objective.threshold,
          status,
          reason: `${check.nfr.metric} ${status}`,
        });
      }
    }
  }
  return rows;
}

export function buildSampleReport(): Promise<PeriodReport> {
  return buildPeriodReport({
    specId: SAMPLE_SPEC,
    period: dailyPeriod(SAMPLE_DAY),
    checks: sampleChecks(),
    history: memoryHistory(sampleHistory()),
    providers: new Map(),
    intervalSeconds: SAMPLE_INTERVAL,
    severityRules: SEVERITY_RULES,
    generatedAt: SAMPLE_GENERATED_AT,
    version: '0.0.0-test',
  });
}
