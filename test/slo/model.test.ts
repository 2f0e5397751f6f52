import { describe, expect, it } from 'vitest';
import {
  burnRate,
  defaultBurnRateRules,
  errorBudget,
  histogramQuantileOf,
  promDuration,
  ratioOfRates,
  sloWindow,
} from '../../src/slo/index.js';
import { objectivesOf, specOf } from './support.js';

const HEAD = 'provider: prometheus\nurl: http://127.0.0.1:9090\n';

describe('error budget maths (hand-worked)', () => {
  it('2 % errors against a 0.1 % objective is a 20× burn', () => {
    expect(burnRate(0.999, 0.02)).toBe(20);
  });

  it('0.05 % bad of a 99.9 % objective spends half the budget', () => {
    expect(errorBudget(0.999, 0.0005)).toEqual({ allowed: 0.001, consumed: 0.5, remaining: 0.5 });
  });

  it('one hour of 2 % errors spends 2.8 % of a 30-day 99.9 % budget (docs/slo.md)', () => {
    // Over the 720-hour window the bad share is 0.02 × 1/720.
    expect(errorBudget(0.999, 0.02 / 720).consumed).toBeCloseTo(0.0278, 4);
  });

  it('an overspent budget has a negative remainder', () => {
    // 99 % target: 1 % allowed; 3 % bad spends it three times.
    expect(errorBudget(0.99, 0.03)).toEqual({ allowed: 0.01, consumed: 3, remaining: -2 });
  });

  it('refuses a target outside (0, 1)', () => {
    expect(() => errorBudget(1, 0)).toThrow(/between 0 and 1/);
  });
});

describe('burn-rate rules', () => {
  it('are the SRE workbook defaults for a 30-day window', () => {
    expect(defaultBurnRateRules(sloWindow('30d'))).toEqual([
      { severity: 'page', longWindowSeconds: 3600, shortWindowSeconds: 300, factor: 14.4 },
      { severity: 'page', longWindowSeconds: 21600, shortWindowSeconds: 1800, factor: 6 },
      { severity: 'ticket', longWindowSeconds: 86400, shortWindowSeconds: 7200, factor: 3 },
      { severity: 'ticket', longWindowSeconds: 259200, shortWindowSeconds: 21600, factor: 1 },
    ]);
  });

  it('keep each rule’s budget share for a 7-day window (2 % in 1h → 3.36×)', () => {
    const factors = defaultBurnRateRules(sloWindow('7d')).map((rule) => rule.factor);
    // share × window / long: 0.02×168, 0.05×28, 0.1×7, 0.1×7/3
    expect(factors).toEqual([3.36, 1.4, 0.7, 0.233333333333]);
  });

  it('size a calendar month as 30 days and 28d as 28', () => {
    expect(defaultBurnRateRules(sloWindow('month'))[0]?.factor).toBe(14.4);
    expect(defaultBurnRateRules(sloWindow('28d'))[0]?.factor).toBe(13.44);
  });

  it('write PromQL durations', () => {
    expect([300, 1800, 3600, 7200, 21600, 86400, 259200, 5400].map(promDuration)).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
      '1h30m',
    ]);
  });
});

describe('PromQL shapes', () => {
  it('splits a ratio of rates and marks the window', () => {
    expect(ratioOfRates('sum(rate(a{code="500"}[5m])) / sum(rate(a[5m]))')).toEqual({
      numerator: 'sum(rate(a{code="500"}[{{.window}}]))',
      denominator: 'sum(rate(a[{{.window}}]))',
      complement: false,
    });
    expect(ratioOfRates('1 - (sum(increase(a{code="500"}[1h])) / sum(increase(a[1h])))')?.complement).toBe(
      true,
    );
  });

  it('refuses what is not a ratio of counters', () => {
    expect(ratioOfRates('avg_over_time(up[5m])')).toBeNull();
    expect(ratioOfRates('sum(a) / sum(b)')).toBeNull();
    expect(ratioOfRates('sum(rate(a[5m])) / sum(avg_over_time(b[5m]))')).toBeNull();
    expect(ratioOfRates('sum(rate(a[5m]) / ')).toBeNull();
  });

  it('finds the histogram of a quantile query, dropping any le matcher', () => {
    expect(
      histogramQuantileOf('histogram_quantile(0.99, sum by (le) (rate(h_seconds_bucket{job="api"}[5m])))'),
    ).toEqual({ base: 'h_seconds', matchers: 'job="api"', quantile: 0.99 });
  });
});

describe('objective of an NFR', () => {
  const spec = specOf([
    ['error_rate', '< 0.1%'],
    ['uptime', '> 99.9%'],
    ['latency_p99', 'p99 < 200ms'],
    ['latency_mean', '< 100ms'],
    ['throughput', '> 100 rps'],
  ]);
  const yaml = `${HEAD}metrics:
  - name: error_rate
    query: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'
  - name: uptime
    query: '1 - (sum(rate(http_requests_total{code=~"5.."}[1h])) / sum(rate(http_requests_total[1h])))'
  - name: latency_p99
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[5m])))'
  - name: latency_mean
    query: 'sum(rate(d_sum[5m])) / sum(rate(d_count[5m]))'
  - name: throughput
    query: 'sum(rate(http_requests_total[5m]))'
`;
  const objectives = objectivesOf(spec, yaml);

  it('error rate < 0.1 % → 99.9 % good, bad/total from the ratio, rolling 30d by default', () => {
    const objective = objectives.get('error_rate');
    expect(objective).toMatchObject({
      window: { name: '30d', rolling: true },
      budgeting: 'occurrences',
      target: 0.999,
      alertingMode: 'both',
      sli: {
        source: 'ratio_query',
        bad: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
        total: 'sum(rate(http_requests_total[{{.window}}]))',
      },
    });
    expect(objective?.burnRateRules[0]?.factor).toBe(14.4);
  });

  it('uptime > 99.9 % written as 1 − errors/total → 0.999 with the same bad counter', () => {
    expect(objectives.get('uptime')).toMatchObject({
      target: 0.999,
      sli: { bad: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))' },
    });
  });

  it('p99 < 200ms → 99 % of requests under 200 ms, from the 0.2 s bucket, saying it assumes it', () => {
    const objective = objectives.get('latency_p99');
    expect(objective?.target).toBe(0.99);
    expect(objective?.sli?.good).toBe(
      'sum(rate(http_request_duration_seconds_bucket{job="api",le="0.2"}[{{.window}}]))',
    );
    expect(objective?.sli?.total).toBe(
      'sum(rate(http_request_duration_seconds_count{job="api"}[{{.window}}]))',
    );
    expect(objective?.sli?.assumption).toMatch(/bucket le="0.2".*sli: \{le:/);
  });

  it('a mean latency has no share of good: timeslices, and the target must be configured', () => {
    expect(objectives.get('latency_mean')).toMatchObject({
      budgeting: 'timeslices',
      sliceSeconds: 60,
      target: null,
      sli: null,
    });
    expect(objectives.get('latency_mean')?.targetReason).toMatch(/objective\.target/);
  });

  it('a rate NFR is judged per time slice, with the reason', () => {
    expect(objectives.get('throughput')?.sliReason).toMatch(/per time slice/);
  });
});

describe('objective from observability.yaml', () => {
  it('takes window, target, slice, explicit counters, rules and runbook, metric over file', () => {
    const spec = specOf([
      ['checkout_errors', '< 1%'],
      ['search_latency_p95', 'p95 < 300ms'],
    ]);
    const yaml = `${HEAD}objective: { window: 7d }
runbook_url: https://runbooks.example/slo
alerting:
  mode: burn_rate
metrics:
  - name: checkout_errors
    query: 'sum(rate(c_failed[5m])) / sum(rate(c_total[5m]))'
    sli: { good: 'c_ok{shop="eu"}', total: 'sum(rate(c_total[{{.window}}]))' }
    objective: { window: month, target: 0.995 }
    runbook_url: https://runbooks.example/checkout
    alerting:
      burn_rate_rules:
        - { severity: page, long_window: 2h, short_window: 10m, factor: 10 }
  - name: search_latency_p95
    query: 'histogram_quantile(0.95, sum by (le) (rate(s_ms_bucket[5m])))'
    unit: ms
    sli: { le: 250 }
`;
    const objectives = objectivesOf(spec, yaml);
    expect(objectives.get('checkout_errors')).toMatchObject({
      window: { name: 'month', rolling: false },
      target: 0.995,
      alertingMode: 'burn_rate',
      runbookUrl: 'https://runbooks.example/checkout',
      burnRateRules: [{ severity: 'page', longWindowSeconds: 7200, shortWindowSeconds: 600, factor: 10 }],
      sli: {
        source: 'config',
        good: 'sum(rate(c_ok{shop="eu"}[{{.window}}]))',
        bad: '(sum(rate(c_total[{{.window}}]))) - (sum(rate(c_ok{shop="eu"}[{{.window}}])))',
      },
    });
    const latency = objectives.get('search_latency_p95');
    expect(latency).toMatchObject({
      window: { name: '7d' },
      target: 0.95,
      runbookUrl: 'https://runbooks.example/slo',
    });
    expect(latency?.burnRateRules[0]?.factor).toBe(3.36);
    expect(latency?.sli?.good).toBe('sum(rate(s_ms_bucket{le="250"}[{{.window}}]))');
    expect(latency?.sli?.assumption).toMatch(/configured bucket le="250", while the threshold is 300 ms/);
  });

  it('refuses sli.le on an NFR that is not a latency', () => {
    const yaml = `${HEAD}metrics:
  - name: error_rate
    query: 'sum(rate(e[5m])) / sum(rate(t[5m]))'
    sli: { le: "0.2" }
`;
    const objective = objectivesOf(specOf([['error_rate', '< 1%']]), yaml).get('error_rate');
    expect(objective).toMatchObject({ budgeting: 'timeslices', sli: null });
    expect(objective?.sliReason).toMatch(/sli\.le.*latency NFRs only/);
  });

  it('a Datadog metric has no event SLI and says why', () => {
    const spec = specOf([['error_rate', '< 1%']]);
    const yaml = `provider: datadog
api_key: "{{env.DD_API_KEY}}"
app_key: "{{env.DD_APP_KEY}}"
metrics:
  - name: error_rate
    query: 'sum:errors{*}.as_count() / sum:hits{*}.as_count()'
    objective: { budgeting: occurrences }
`;
    const objective = objectivesOf(spec, yaml).get('error_rate');
    expect(objective).toMatchObject({ budgeting: 'timeslices', sli: null, target: 0.99 });
    expect(objective?.sliReason).toMatch(/occurrences needs an event SLI.*datadog query/);
  });
});
