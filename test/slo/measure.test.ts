import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { planChecks } from '../../src/evaluate/plan.js';
import { failFast, measureCheckObjective } from '../../src/pipeline/objectives.js';
import type { InstantResult, Provider, RangeResult } from '../../src/providers/types.js';
import { MAX_POINTS_PER_RANGE_QUERY, windowStartOf } from '../../src/slo/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import { configOf, objectivesOf, specOf } from './support.js';

/**
 * A provider answering from tables instead of a network: the maths is checked here against
 * hand-worked figures; test/slo/measure-prometheus.test.ts checks the same against a real Prometheus.
 */
class ScriptedProvider implements Provider {
  readonly name = 'scripted';
  readonly host = '127.0.0.1';
  readonly instantQueries: string[] = [];
  readonly rangeQueries: { query: string; start: number; end: number; step: number }[] = [];
  constructor(
    readonly type: 'prometheus' | 'datadog',
    private readonly instant: (query: string) => InstantResult = () => failure('query_error', 'no script'),
    private readonly range: (start: number, end: number, step: number, query: string) => RangeResult = () =>
      failure('query_error', 'no script'),
  ) {}
  async queryInstant(query: string, at: Date): Promise<InstantResult> {
    this.instantQueries.push(query);
    const result = this.instant(query);
    return result.ok ? { ...result, at } : result;
  }
  async queryRange(query: string, start: Date, end: Date, step: number): Promise<RangeResult> {
    const s = start.getTime() / 1000;
    const e = end.getTime() / 1000;
    this.rangeQueries.push({ query, start: s, end: e, step });
    return this.range(s, e, step, query);
  }
}

function failure(kind: 'query_error' | 'no_data' | 'timeout', message: string) {
  return { ok: false as const, failure: kind, message, warnings: [] };
}

function value(v: number): InstantResult {
  return { ok: true, value: v, at: new Date(0), warnings: [] };
}

const PROM = 'provider: prometheus\nurl: http://127.0.0.1:9090\n';
const ERROR_QUERY = 'sum(rate(http_requests_total{code="500"}[5m])) / sum(rate(http_requests_total[5m]))';
const AT = new Date('2026-03-11T12:00:00Z');

async function measure(spec: string, yaml: string, provider: Provider, at = AT) {
  const config = configOf(yaml);
  const check = planChecks(parseNfrs(spec).nfrs, config.metrics, config.unmapped).checks[0]!;
  const providers = new Map([[check.mapping.provider, provider]]);
  return measureCheckObjective({ config, providers }, check, { at });
}

/** The range of the `[...]` selector in an SLI query. */
function rangeOf(query: string): string {
  return /\[([^\]]+)\]/.exec(query)?.[1] ?? '';
}

describe('occurrences: one instant ratio per window', () => {
  // A one-hour spike of 2 % errors ending now, nothing bad before: hand-worked shares per window.
  const shares: Record<string, number> = {
    '5m': 0.02,
    '30m': 0.02,
    '1h': 0.02,
    '2h': 0.01,
    '6h': 0.02 / 6,
    '1d': 0.02 / 24,
    '3d': 0.02 / 72,
    '30d': 0.02 / 720,
  };
  const spec = specOf([['error_rate', '< 0.1%']]);
  const yaml = `${PROM}metrics:\n  - name: error_rate\n    query: '${ERROR_QUERY}'\n`;
  // The burn-down's daily steps of the same history, as rates: 1 request a second, and the last day's
  // hour at 2 % bad (0.02 / 24 of that day's requests).
  const daily: (start: number, end: number, step: number, query: string) => RangeResult = (
    start,
    end,
    step,
    query,
  ) => {
    const samples = [];
    for (let t = start; t <= end; t += step) {
      const bad = query.includes('code="500"') ? (t === end ? 0.02 / 24 : 0) : 1;
      samples.push({ at: new Date(t * 1000), value: bad });
    }
    return { ok: true, samples, warnings: [] };
  };

  it('2 % errors for an hour against 0.1 %: 1h burn 20×, 2.78 % of the 30-day budget, the fast page fires', async () => {
    const provider = new ScriptedProvider(
      'prometheus',
      (query) => value(shares[rangeOf(query)] ?? Number.NaN),
      daily,
    );
    const { report } = await measure(spec, yaml, provider);
    expect(provider.instantQueries).toContain(
      '(sum(rate(http_requests_total{code="500"}[1h]))) / (sum(rate(http_requests_total[1h])))',
    );
    expect(provider.instantQueries.map(rangeOf).sort()).toEqual(Object.keys(shares).sort());
    expect(report.burn_rates).toEqual({
      '5m': 20,
      '30m': 20,
      '1h': 20,
      '2h': 10,
      '6h': 3.33333333333,
      '1d': 0.833333333333,
      '3d': 0.277777777778,
    });
    // 0.02 / 720 / 0.001 = 1 / 36.
    expect(report.error_budget).toEqual({
      allowed: 0.001,
      consumed: 0.0277777777778,
      remaining: 0.972222222222,
    });
    expect(report.alerts).toEqual([
      { name: 'page-1h-5m', severity: 'page', long: '1h', short: '5m', factor: 14.4, firing: true },
      { name: 'page-6h-30m', severity: 'page', long: '6h', short: '30m', factor: 6, firing: false },
      { name: 'ticket-1d-2h', severity: 'ticket', long: '1d', short: '2h', factor: 3, firing: false },
      { name: 'ticket-3d-6h', severity: 'ticket', long: '3d', short: '6h', factor: 1, firing: false },
    ]);
    expect(report).toMatchObject({
      window: '30d',
      window_start: '2026-02-09T12:00:00.000Z',
      budgeting: 'occurrences',
      target: 0.999,
      sli: { kind: 'events', source: 'ratio_query' },
      reason: null,
    });
    // Two range queries (bad and total) at a 1-day step; whole until the last day spends 1/36.
    expect(provider.rangeQueries.map((q) => [rangeOf(q.query), q.step, q.end - q.start])).toEqual([
      ['1d', 86_400, 29 * 86_400],
      ['1d', 86_400, 29 * 86_400],
    ]);
    expect(report.burn_down).toHaveLength(31);
    expect(report.burn_down?.[0]).toEqual({ at: '2026-02-09T12:00:00.000Z', remaining: 1 });
    expect(report.burn_down?.[29]).toEqual({ at: '2026-03-10T12:00:00.000Z', remaining: 1 });
    expect(report.burn_down?.[30]).toEqual({ at: '2026-03-11T12:00:00.000Z', remaining: 0.972222222222 });
  });

  it('a failed window is null with its reason; a rule fires only when both windows are known', async () => {
    const provider = new ScriptedProvider(
      'prometheus',
      (query) =>
        rangeOf(query) === '5m'
          ? failure('timeout', 'Prometheus did not answer within 5 s')
          : value(shares[rangeOf(query)]!),
      daily,
    );
    const { report } = await measure(spec, yaml, provider);
    expect(report.burn_rates['5m']).toBeNull();
    // 1h is 20× > 14.4 but 5m is unknown: the page may or may not fire.
    expect(report.alerts[0]?.firing).toBeNull();
    // 6h is 3.3× ≤ 6: the rule is known not to fire whatever 30m says.
    expect(report.alerts[1]?.firing).toBe(false);
    expect(report.reason).toBe('5m: Prometheus did not answer within 5 s');
  });

  it('no events (0 ÷ 0) is unknown, never a healthy zero', async () => {
    const provider = new ScriptedProvider('prometheus', () => value(Number.NaN));
    const { report } = await measure(spec, yaml, provider);
    expect(report.error_budget).toEqual({ allowed: 0.001, consumed: null, remaining: null });
    expect(Object.values(report.burn_rates).every((rate) => rate === null)).toBe(true);
    expect(report.alerts.every((alert) => alert.firing === null)).toBe(true);
    expect(report.reason).toMatch(/^budget: no events in the 30d window \(0 ÷ 0\); 5m: no events in 5m/);
  });

  it('a bad share outside 0…1 is refused as unknown', async () => {
    const provider = new ScriptedProvider('prometheus', () => value(1.5));
    const { report } = await measure(spec, yaml, provider);
    expect(report.error_budget.consumed).toBeNull();
    expect(report.reason).toMatch(/bad share of 1.5 .* outside 0…1/);
  });

  it('an NFR without a share of good asks the backend nothing and says why', async () => {
    const provider = new ScriptedProvider('prometheus', () => value(0));
    const throughput = specOf([['throughput', '> 100 rps']]);
    const { report } = await measure(
      throughput,
      `${PROM}metrics:\n  - name: throughput\n    query: 'sum(rate(http_requests_total[5m]))'\n`,
      provider,
    );
    expect(provider.instantQueries).toEqual([]);
    expect(provider.rangeQueries).toEqual([]);
    expect(report.target).toBeNull();
    expect(report.error_budget).toEqual({ allowed: null, consumed: null, remaining: null });
    expect(report.reason).toMatch(/names no share of good/);
  });

  it('a calendar month covers the month so far: 10 days and 12 hours on March 11 at noon', async () => {
    const provider = new ScriptedProvider('prometheus', () => value(0.0005));
    const { report } = await measure(
      spec,
      `${PROM}metrics:\n  - name: error_rate\n    query: '${ERROR_QUERY}'\n    objective: { window: month }\n`,
      provider,
    );
    expect(report.window_start).toBe('2026-03-01T00:00:00.000Z');
    expect(provider.instantQueries.map(rangeOf)).toContain('10d12h');
    expect(report.error_budget).toEqual({ allowed: 0.001, consumed: 0.5, remaining: 0.5 });
  });

  it('with alerting.mode threshold there are no burn-rate rules to report, burn rates still are', async () => {
    const provider = new ScriptedProvider('prometheus', (query) => value(shares[rangeOf(query)]!));
    const { report } = await measure(
      spec,
      `${PROM}alerting: { mode: threshold }\nmetrics:\n  - name: error_rate\n    query: '${ERROR_QUERY}'\n`,
      provider,
    );
    expect(report.alerts).toEqual([]);
    expect(report.burn_rates['1h']).toBe(20);
  });
});

describe('calendar windows start in UTC', () => {
  const objectives = objectivesOf(
    specOf([['error_rate', '< 0.1%']]),
    `${PROM}metrics:\n  - name: error_rate\n    query: '${ERROR_QUERY}'\n    objective: { window: week }\n`,
  );
  const week = objectives.get('error_rate')!;
  it('an ISO week begins on Monday 00:00 UTC, also seen from a Sunday', () => {
    expect(windowStartOf(week, new Date('2026-03-11T12:00:00Z')).toISOString()).toBe(
      '2026-03-09T00:00:00.000Z',
    );
    expect(windowStartOf(week, new Date('2026-03-15T23:59:59Z')).toISOString()).toBe(
      '2026-03-09T00:00:00.000Z',
    );
    expect(windowStartOf(week, new Date('2026-03-16T00:00:00Z')).toISOString()).toBe(
      '2026-03-16T00:00:00.000Z',
    );
  });
});

describe('timeslices: one chunked range query at the slice step', () => {
  const spec = specOf([['latency_mean', '< 200ms']]);
  // A mean latency names no share of good: the target is given. 99 % of minutes under 200 ms.
  const yaml = `${PROM}metrics:
  - name: latency_mean
    query: 'sum(rate(d_sum[5m])) / sum(rate(d_count[5m]))'
    unit: s
    objective: { target: 0.99 }
`;
  const at = AT.getTime() / 1000;
  // 0.3 s (bad) during the last hour, 0.1 s (good) before; no data for 200 minutes three days ago.
  const latencyAt = (t: number) =>
    t > at - 3600 ? 0.3 : t > at - 3 * 86_400 - 200 * 60 && t <= at - 3 * 86_400 ? Number.NaN : 0.1;
  const series = (start: number, end: number, step: number): RangeResult => {
    const samples = [];
    for (let t = start; t <= end; t += step) {
      const v = latencyAt(t);
      if (!Number.isNaN(v)) samples.push({ at: new Date(t * 1000), value: v });
    }
    return { ok: true, samples, warnings: [] };
  };

  it('counts bad minutes, leaves out minutes without data, and never asks for more than 11,000 points', async () => {
    const provider = new ScriptedProvider('prometheus', undefined, series);
    const { report } = await measure(spec, yaml, provider);
    // 30 days of minutes: 43,200 points in 4 requests, contiguous, ending at `at`.
    const requests = [...provider.rangeQueries].sort((a, b) => a.start - b.start);
    expect(requests.map((r) => (r.end - r.start) / r.step + 1)).toEqual([10_200, 11_000, 11_000, 11_000]);
    expect(requests.every((r) => (r.end - r.start) / r.step + 1 <= MAX_POINTS_PER_RANGE_QUERY)).toBe(true);
    expect(requests.at(-1)?.end).toBe(at);
    expect(requests[0]?.start).toBe(at - 43_199 * 60);
    for (let i = 1; i < requests.length; i++) expect(requests[i]!.start).toBe(requests[i - 1]!.end + 60);
    expect(report.sli).toMatchObject({
      kind: 'timeslices',
      slice_seconds: 60,
      slices: { counted: 43_000, bad: 60, missing: 200 },
    });
    // 60 bad of 43,000 counted minutes against 1 % allowed: 0.00139535 / 0.01.
    expect(report.error_budget).toEqual({
      allowed: 0.01,
      consumed: 0.139534883721,
      remaining: 0.860465116279,
    });
    // Every burn window holds the bad hour: 60/60, 60/120, …; 3d misses nothing (the gap is older).
    expect(report.burn_rates).toEqual({
      '5m': 100,
      '30m': 100,
      '1h': 100,
      '2h': 50,
      '6h': 16.6666666667,
      '1d': 4.16666666667,
      '3d': 1.38888888889,
    });
    expect(report.alerts.map((a) => a.firing)).toEqual([true, true, true, true]);
  });

  it('a failed chunk makes the windows that reach into it unknown, and only those', async () => {
    const provider = new ScriptedProvider('prometheus', undefined, (start, end, step) =>
      start < at - 20_000 * 60
        ? failure('timeout', 'Prometheus did not answer within 5 s')
        : series(start, end, step),
    );
    const { report } = await measure(spec, yaml, provider);
    expect(report.error_budget.consumed).toBeNull();
    expect(report.burn_rates['3d']).toBe(1.38888888889);
    // The burn-down counts the same slices: unknown with the budget.
    expect(report.burn_down).toBeNull();
    expect(report.reason).toBe('budget, burn-down: Prometheus did not answer within 5 s');
  });

  it('a range with no data at all is unknown', async () => {
    const provider = new ScriptedProvider('prometheus', undefined, () => failure('no_data', 'no series'));
    const { report } = await measure(spec, yaml, provider);
    expect(report.error_budget.consumed).toBeNull();
    expect(report.burn_rates['5m']).toBeNull();
    expect(report.reason).toMatch(
      /^budget: no data in any 1m slice of the 30d window; 5m: no data in any 1m slice of 5m/,
    );
  });

  it('Datadog points between slice ends are averaged per slice; the NFR compares in its own unit', async () => {
    const datadog = `provider: datadog
api_key: "{{env.DD_API_KEY}}"
app_key: "{{env.DD_APP_KEY}}"
metrics:
  - name: latency_mean
    query: 'avg:trace.http.request.duration{service:checkout}'
    unit: ms
    objective: { target: 0.99, window: 7d }
`;
    // Two points per minute, 20 s and 50 s into it: 150 ms and 350 ms average to 250 ms, a bad minute
    // in the last 10 minutes; 150 ms and 150 ms before.
    const provider = new ScriptedProvider('datadog', undefined, (start, end) => {
      const samples = [];
      for (let minute = Math.ceil((start - 60) / 60) * 60; minute < end; minute += 60) {
        const bad = minute >= at - 600;
        samples.push({ at: new Date((minute + 20) * 1000), value: 150 });
        samples.push({ at: new Date((minute + 50) * 1000), value: bad ? 350 : 150 });
      }
      return { ok: true, samples, warnings: [] };
    });
    const { report } = await measure(spec, datadog, provider);
    expect(report.sli).toMatchObject({
      kind: 'timeslices',
      slices: { counted: 10_080, bad: 10, missing: 0 },
    });
    expect(report.burn_rates['5m']).toBe(100);
    expect(report.burn_rates['30m']).toBe(33.3333333333);
  });
});

describe('a backend that is down', () => {
  it('is asked one round, not once per objective and window: later queries fail at once with its reason', async () => {
    let calls = 0;
    const down: Provider = {
      name: 'default',
      type: 'prometheus',
      host: '127.0.0.1',
      queryInstant: async () => {
        calls++;
        return failure('timeout', 'Prometheus did not answer within 5 s');
      },
      queryRange: async () => {
        calls++;
        return failure('timeout', 'Prometheus did not answer within 5 s');
      },
    };
    const guarded = failFast(down);
    const spec = specOf([['error_rate', '< 0.1%']]);
    const config = configOf(`${PROM}metrics:\n  - name: error_rate\n    query: '${ERROR_QUERY}'\n`);
    const check = planChecks(parseNfrs(spec).nfrs, config.metrics, config.unmapped).checks[0]!;
    // One at a time: the first failure is known before the second query would be sent.
    const limit = pLimit(1);
    const { report } = await measureCheckObjective(
      { config, providers: new Map([['default', guarded]]) },
      check,
      {
        at: AT,
        limit,
      },
    );
    expect(calls).toBe(1);
    expect(report.error_budget.remaining).toBeNull();
    expect(report.reason).toBe(
      'budget, 5m, 30m, 1h, 2h, 6h, 1d, 3d, burn-down: Prometheus did not answer within 5 s',
    );
  });

  it('no data is no outage: every window is still asked', async () => {
    let calls = 0;
    const empty = failFast(
      new ScriptedProvider('prometheus', () => {
        calls++;
        return failure('no_data', 'no series');
      }),
    );
    const config = configOf(`${PROM}metrics:\n  - name: error_rate\n    query: '${ERROR_QUERY}'\n`);
    const check = planChecks(
      parseNfrs(specOf([['error_rate', '< 0.1%']])).nfrs,
      config.metrics,
      config.unmapped,
    ).checks[0]!;
    await measureCheckObjective({ config, providers: new Map([['default', empty]]) }, check, { at: AT });
    expect(calls).toBe(8);
  });
});
