import { describe, expect, it } from 'vitest';
import type { HistoryOptions } from './prometheus.js';
import { gridCounter, renderOpenMetrics, STANDARD_END, standardHistory } from './prometheus.js';

describe('OpenMetrics history rendering', () => {
  const options: HistoryOptions = {
    start: 1000,
    end: 1120,
    stepSeconds: 60,
    series: [
      { name: 'reqs_total', type: 'counter', labels: { code: '200' }, valueAt: (t) => t - 1000 },
      {
        name: 'temp',
        type: 'gauge',
        labels: { room: 'a "quoted" \\ name' },
        valueAt: () => Number.POSITIVE_INFINITY,
      },
      { name: 'reqs_total', type: 'counter', labels: { code: '500' }, valueAt: () => 0.5 },
    ],
  };

  it('groups families, keeps series time-ascending, uses seconds and ends with # EOF', () => {
    expect(renderOpenMetrics(options, 1000, 2000)).toBe(
      [
        '# TYPE reqs counter',
        'reqs_total{code="200"} 0 1000',
        'reqs_total{code="200"} 60 1060',
        'reqs_total{code="200"} 120 1120',
        'reqs_total{code="500"} 0.5 1000',
        'reqs_total{code="500"} 0.5 1060',
        'reqs_total{code="500"} 0.5 1120',
        '# TYPE temp gauge',
        'temp{room="a \\"quoted\\" \\\\ name"} +Inf 1000',
        'temp{room="a \\"quoted\\" \\\\ name"} +Inf 1060',
        'temp{room="a \\"quoted\\" \\\\ name"} +Inf 1120',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('renders only the grid points of a chunk', () => {
    const text = renderOpenMetrics({ ...options, series: [options.series[0]!] }, 1030, 1100);
    expect(text).toBe('# TYPE reqs counter\nreqs_total{code="200"} 60 1060\n# EOF\n');
  });

  it('rejects counters without _total', () => {
    const bad: HistoryOptions = {
      ...options,
      series: [{ name: 'reqs', type: 'counter', labels: {}, valueAt: () => 1 }],
    };
    expect(() => renderOpenMetrics(bad, 1000, 2000)).toThrow(/must end in _total/);
  });
});

describe('standard history', () => {
  it('has the recipe instants and cumulative counters', () => {
    const history = standardHistory();
    expect(history.END).toBe(STANDARD_END);
    expect(history.START).toBe(STANDARD_END - 2 * 86_400);
    expect(history.INC1 - history.INC0).toBe(3600);
    const errors = history.series.find((series) => series.labels.code === '500')!;
    // 2% of 1000 per minute outside the incident, 10% inside it.
    expect(errors.valueAt(history.INC0) - errors.valueAt(history.INC0 - 60)).toBe(20);
    expect(errors.valueAt(history.INC1) - errors.valueAt(history.INC1 - 60)).toBe(100);
    expect(errors.valueAt(history.INC1 + 60) - errors.valueAt(history.INC1)).toBe(20);
    expect(history.expected.p99Latency).toBeCloseTo(0.4166666667, 9);
  });

  it('accumulates increments on the grid', () => {
    const counter = gridCounter(0, 300, 60, (t) => t);
    expect([0, 59, 60, 120, 300, 400].map(counter)).toEqual([0, 0, 60, 180, 900, 900]);
  });
});
