import type { MeasurementRow } from '../../src/store/types.js';
import { alertState, FakeSource, type MetricFixture, series, specStatus } from './fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The 30-day burn-down of payments' error_rate: whole until an incident on day 21 spends 40 % of the
 * budget, then a slow burn to the 42 % left; day 25 had no data.
 */
export const PAYMENTS_ERROR_RATE_BURN_DOWN = Array.from({ length: 31 }, (_, day) => {
  const at = new Date(Date.parse('2026-10-28T12:00:00.000Z') + day * 86_400_000).toISOString();
  if (day === 25) return { at, remaining: null, reason: 'the total query has no data in this step' };
  const remaining = day < 21 ? 1 : Number((0.6 - ((day - 21) * 0.18) / 9).toFixed(4));
  return { at, remaining };
});

/** `checkout` healthy; `payments` unhealthy with a firing SEV-2 incident on p99_latency. */
export const CHECKOUT_METRICS: MetricFixture[] = [
  { metric: 'p95_latency', unit: 'ms', comparator: '<', slo: 300, value: 212, status: 'healthy' },
  { metric: 'availability', unit: '%', comparator: '>=', slo: 99.9, value: 99.97, status: 'healthy' },
];

export const PAYMENTS_METRICS: MetricFixture[] = [
  { metric: 'p99_latency', unit: 'ms', comparator: '<', slo: 500, value: 812, status: 'breached' },
  {
    metric: 'error_rate',
    unit: '%',
    comparator: '<',
    slo: 1,
    value: 0.4,
    status: 'healthy',
    // From the backend: 42 % of the 30-day budget left, burning at 20× over the last hour.
    objective: {
      window: '30d',
      window_start: '2026-10-28T12:00:00.000Z',
      budgeting: 'occurrences',
      target: 0.99,
      sli: { kind: 'events', source: 'ratio_query', bad: 'b', total: 't', good: null, note: null },
      error_budget: { allowed: 0.01, consumed: 0.58, remaining: 0.42 },
      burn_rates: { '5m': 18, '30m': 19.5, '1h': 20, '2h': 11, '6h': 3.4, '1d': 0.9, '3d': null },
      alerts: [],
      burn_down: PAYMENTS_ERROR_RATE_BURN_DOWN,
      reason: '3d: no events in 3d (0 ÷ 0)',
    },
  },
  { metric: 'throughput', unit: 'rps', comparator: '>=', slo: 50, value: null, status: 'unknown' },
];

/** A smooth daily wave, so charts look like real traffic. */
const wave = (time: number, base: number, amplitude: number) =>
  base +
  amplitude * Math.sin((time / (24 * HOUR)) * 2 * Math.PI) +
  amplitude * 0.3 * Math.sin(time / (37 * MINUTE));

/** Eight days of 5-minute measurements ending at `now`, with a breach in the last hour of p99_latency. */
export function scenarioHistory(now: Date): MeasurementRow[] {
  const from = new Date(now.getTime() - 8 * 24 * HOUR);
  const step = 5 * MINUTE;
  const incidentStart = now.getTime() - 50 * MINUTE;
  return [
    ...series('checkout', 'p95_latency', 300, from, now, step, (t) => {
      const value = wave(t, 210, 35);
      return { value, status: value < 300 ? 'healthy' : 'breached' };
    }),
    ...series('checkout', 'availability', 99.9, from, now, step, (t) => {
      // A short dip two days ago, and an hour without data yesterday.
      const hoursAgo = (now.getTime() - t) / HOUR;
      if (hoursAgo > 30 && hoursAgo < 31) return { value: null, status: 'unknown' };
      const value = hoursAgo > 48 && hoursAgo < 48.5 ? 99.8 : 99.96 + 0.02 * Math.sin(t / (3 * HOUR));
      return { value, status: value >= 99.9 ? 'healthy' : 'breached' };
    }),
    ...series('payments', 'p99_latency', 500, from, now, step, (t) => {
      const value = t >= incidentStart ? 780 + 60 * Math.sin(t / (7 * MINUTE)) : wave(t, 380, 60);
      return { value, status: value < 500 ? 'healthy' : 'breached' };
    }),
    ...series('payments', 'error_rate', 1, from, now, step, (t) => {
      const value = Math.max(0, wave(t, 0.45, 0.2));
      return { value, status: value < 1 ? 'healthy' : 'breached' };
    }),
    ...series('payments', 'throughput', 50, from, now, step, (t) => {
      if (t >= now.getTime() - 25 * MINUTE) return { value: null, status: 'unknown' };
      const value = wave(t, 120, 40);
      return { value, status: value >= 50 ? 'healthy' : 'breached' };
    }),
  ];
}

export interface ScenarioOptions {
  now: Date;
  intervalSeconds: number;
  workspaceRoot?: string | null;
  reports?: ReportLists;
}

type ReportLists = { daily: string[]; weekly: string[] };

export function applyScenario(
  source: FakeSource,
  now: Date,
  reports: ReportLists = { daily: [], weekly: [] },
) {
  source.specList = [
    specStatus('checkout', CHECKOUT_METRICS, now, {
      budgets: [{ metric: 'availability', windowDays: 30, remaining: 0.93, reason: null }],
      reports,
    }),
    specStatus('payments', PAYMENTS_METRICS, now, {
      alerts: [
        alertState('payments', 'p99_latency', 'firing', new Date(now.getTime() - 50 * MINUTE), {
          severity: 'SEV-2',
          worstValue: 905,
        }),
        alertState('payments', 'throughput', 'pending', new Date(now.getTime() - 25 * MINUTE), {
          kind: 'no_data',
          badCycles: 2,
        }),
        alertState('payments', 'error_rate', 'inactive', null),
      ],
      budgets: [
        { metric: 'error_rate', windowDays: 30, remaining: 0.42, reason: null },
        { metric: 'p99_latency', windowDays: 30, remaining: -0.12, reason: null },
      ],
    }),
  ];
  source.cycle = {
    startedAt: new Date(now.getTime() - 1_200),
    finishedAt: now,
    durationMs: 1_200,
    slow: false,
  };
  source.sloGauge.set({ spec: 'payments', metric: 'p99_latency' }, 812);
  source.sloGauge.set({ spec: 'checkout', metric: 'p95_latency' }, 212);
}

export function scenarioSource(options: ScenarioOptions): FakeSource {
  const source = new FakeSource(
    new Date(options.now.getTime() - 8 * 24 * HOUR),
    options.intervalSeconds,
    options.workspaceRoot ?? null,
  );
  source.rows = scenarioHistory(options.now);
  applyScenario(source, options.now, options.reports);
  return source;
}
