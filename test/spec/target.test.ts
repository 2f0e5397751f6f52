import { describe, expect, it } from 'vitest';
import type { Objective, TargetContext } from '../../src/spec/index.js';
import { parseTarget, slugify } from '../../src/spec/index.js';

const latency: TargetContext = { metric: 'api_latency', requirement: 'API latency', category: 'Performance' };
const availability: TargetContext = { metric: 'api_uptime', requirement: 'Uptime', category: 'Availability' };
const unknown: TargetContext = { metric: 'queue_depth', requirement: 'Queue depth', category: null };

function objective(
  partial: Partial<Objective> & Pick<Objective, 'comparator' | 'threshold' | 'unit'>,
): Objective {
  return { comparatorInferred: false, percentile: null, ...partial };
}

describe('parseTarget: numeric targets', () => {
  const cases: Array<[string, TargetContext, Objective]> = [
    // explicit symbols
    ['< 200ms', latency, objective({ comparator: '<', threshold: 200, unit: 'ms' })],
    ['<200ms', latency, objective({ comparator: '<', threshold: 200, unit: 'ms' })],
    ['<= 200 ms', latency, objective({ comparator: '<=', threshold: 200, unit: 'ms' })],
    ['=< 200 ms', latency, objective({ comparator: '<=', threshold: 200, unit: 'ms' })],
    ['≤ 200 ms', latency, objective({ comparator: '<=', threshold: 200, unit: 'ms' })],
    ['> 99.9%', availability, objective({ comparator: '>', threshold: 99.9, unit: '%' })],
    ['>= 99.9 %', availability, objective({ comparator: '>=', threshold: 99.9, unit: '%' })],
    ['≥ 99.95%', availability, objective({ comparator: '>=', threshold: 99.95, unit: '%' })],
    ['= 0', unknown, objective({ comparator: '=', threshold: 0, unit: 'count' })],
    ['== 3', unknown, objective({ comparator: '=', threshold: 3, unit: 'count' })],
    [
      '< 0.1%',
      { metric: 'api_error_rate', requirement: 'Error Rate', category: 'Reliability' },
      objective({ comparator: '<', threshold: 0.1, unit: '%' }),
    ],
    [
      '≤ 5 minutes',
      { metric: 'rto', requirement: 'RTO', category: null },
      objective({ comparator: '<=', threshold: 5, unit: 'min' }),
    ],
    // words
    ['within 2 seconds', latency, objective({ comparator: '<=', threshold: 2, unit: 's' })],
    ['under 300 ms', latency, objective({ comparator: '<', threshold: 300, unit: 'ms' })],
    ['below 1.5s', latency, objective({ comparator: '<', threshold: 1.5, unit: 's' })],
    ['less than 250ms', latency, objective({ comparator: '<', threshold: 250, unit: 'ms' })],
    ['at most 400 ms', latency, objective({ comparator: '<=', threshold: 400, unit: 'ms' })],
    ['no more than 1 %', unknown, objective({ comparator: '<=', threshold: 1, unit: '%' })],
    ['max 500ms', latency, objective({ comparator: '<=', threshold: 500, unit: 'ms' })],
    ['must not exceed 800 ms', latency, objective({ comparator: '<=', threshold: 800, unit: 'ms' })],
    ['at least 1,000 rps', unknown, objective({ comparator: '>=', threshold: 1000, unit: 'rps' })],
    ['above 99%', availability, objective({ comparator: '>', threshold: 99, unit: '%' })],
    ['more than 50 req/s', unknown, objective({ comparator: '>', threshold: 50, unit: 'rps' })],
    [
      'minimum 200 requests per second',
      unknown,
      objective({ comparator: '>=', threshold: 200, unit: 'rps' }),
    ],
    ['200 ms or less', unknown, objective({ comparator: '<=', threshold: 200, unit: 'ms' })],
    ['99.9% or higher', unknown, objective({ comparator: '>=', threshold: 99.9, unit: '%' })],
    ['250ms max', unknown, objective({ comparator: '<=', threshold: 250, unit: 'ms' })],
    // percentiles in the target, the metric or the requirement
    ['p95 < 500 ms', latency, objective({ comparator: '<', threshold: 500, unit: 'ms', percentile: 'p95' })],
    ['P95 < 300ms', latency, objective({ comparator: '<', threshold: 300, unit: 'ms', percentile: 'p95' })],
    [
      '< 150ms at p95',
      latency,
      objective({ comparator: '<', threshold: 150, unit: 'ms', percentile: 'p95' }),
    ],
    ['p95 < 2s', latency, objective({ comparator: '<', threshold: 2, unit: 's', percentile: 'p95' })],
    ['p99.9 < 1 s', latency, objective({ comparator: '<', threshold: 1, unit: 's', percentile: 'p99.9' })],
    [
      '< 200 ms (99th percentile)',
      latency,
      objective({ comparator: '<', threshold: 200, unit: 'ms', percentile: 'p99' }),
    ],
    [
      '95% of requests under 200 ms',
      latency,
      objective({ comparator: '<', threshold: 200, unit: 'ms', percentile: 'p95' }),
    ],
    ['median < 80 ms', latency, objective({ comparator: '<', threshold: 80, unit: 'ms', percentile: 'p50' })],
    [
      '< 200ms',
      { metric: 'api_latency_p99', requirement: 'Latency', category: null },
      objective({ comparator: '<', threshold: 200, unit: 'ms', percentile: 'p99' }),
    ],
    [
      '< 200ms',
      { metric: 'latency', requirement: 'p99 Latency', category: null },
      objective({ comparator: '<', threshold: 200, unit: 'ms', percentile: 'p99' }),
    ],
    // units
    ['< 500 µs', latency, objective({ comparator: '<', threshold: 500, unit: 'us' })],
    ['< 500 μs', latency, objective({ comparator: '<', threshold: 500, unit: 'us' })],
    ['< 800 ns', latency, objective({ comparator: '<', threshold: 800, unit: 'ns' })],
    ['< 3 sec', latency, objective({ comparator: '<', threshold: 3, unit: 's' })],
    ['< 2 hours', latency, objective({ comparator: '<', threshold: 2, unit: 'h' })],
    [
      '< 1 day',
      { metric: 'rpo', requirement: 'RPO', category: null },
      objective({ comparator: '<', threshold: 24, unit: 'h' }),
    ],
    ['> 1200 tps', unknown, objective({ comparator: '>', threshold: 1200, unit: 'rps' })],
    ['> 10k rps', unknown, objective({ comparator: '>', threshold: 10_000, unit: 'rps' })],
    ['> 600 rpm', unknown, objective({ comparator: '>', threshold: 600, unit: 'rpm' })],
    ['< 5', unknown, objective({ comparator: '<', threshold: 5, unit: 'count' })],
    ['< 99,5 %', unknown, objective({ comparator: '<', threshold: 99.5, unit: '%' })],
    // trailing words do not change the number
    [
      '99.9% monthly',
      availability,
      objective({ comparator: '>=', comparatorInferred: true, threshold: 99.9, unit: '%' }),
    ],
    [
      '99.9% per month',
      availability,
      objective({ comparator: '>=', comparatorInferred: true, threshold: 99.9, unit: '%' }),
    ],
    [
      '99.9% (30d)',
      availability,
      objective({ comparator: '>=', comparatorInferred: true, threshold: 99.9, unit: '%' }),
    ],
    ['> 99.9% over 30 days', availability, objective({ comparator: '>', threshold: 99.9, unit: '%' })],
  ];
  it.each(cases)('%j (%o)', (text, context, expected) => {
    const result = parseTarget(text, context);
    expect(result.reason).toBeNull();
    expect(result.objective).toEqual(expected);
  });
});

describe('parseTarget: direction inferred from meaning', () => {
  const upper = [
    'latency',
    'duration',
    'response time',
    'error rate',
    'failure rate',
    'RTO',
    'RPO',
    'page load time',
  ];
  const lower = [
    'uptime',
    'availability',
    'throughput',
    'throughput_tps',
    'api rps',
    'cache hit rate',
    'success rate',
    'apdex',
  ];
  it.each(upper)('%s → <= (inferred)', (requirement) => {
    const { objective } = parseTarget('200', { metric: slugify(requirement), requirement, category: null });
    expect(objective?.comparator).toBe('<=');
    expect(objective?.comparatorInferred).toBe(true);
  });
  it.each(lower)('%s → >= (inferred)', (requirement) => {
    const { objective } = parseTarget('0.95', { metric: slugify(requirement), requirement, category: null });
    expect(objective?.comparator).toBe('>=');
    expect(objective?.comparatorInferred).toBe(true);
  });

  it('reads the category when the requirement says nothing', () => {
    const { objective } = parseTarget('99.9%', {
      metric: 'sla',
      requirement: 'SLA',
      category: 'Availability',
    });
    expect(objective).toMatchObject({ comparator: '>=', comparatorInferred: true });
  });

  it('reads the words of the target itself', () => {
    const { objective } = parseTarget('99.95% uptime', { metric: 'sla', requirement: 'SLA', category: null });
    expect(objective).toEqual({
      comparator: '>=',
      comparatorInferred: true,
      threshold: 99.95,
      unit: '%',
      percentile: null,
    });
  });

  it('a bare percentile means a latency, a rate means a throughput', () => {
    expect(
      parseTarget('150 ms', { metric: 'p50', requirement: 'P50', category: null }).objective?.comparator,
    ).toBe('<=');
    expect(
      parseTarget('500 rps', { metric: 'search', requirement: 'Search', category: null }).objective
        ?.comparator,
    ).toBe('>=');
  });

  it('an explicit comparator wins over the meaning', () => {
    const { objective } = parseTarget('> 200 ms', latency);
    expect(objective).toMatchObject({ comparator: '>', comparatorInferred: false });
  });

  it('gives a fixing hint when the direction cannot be inferred', () => {
    const result = parseTarget('50', unknown);
    expect(result.objective).toBeNull();
    expect(result.reason).toContain('upper or a lower bound');
    expect(result.reason).toContain('"Queue depth"');
    expect(result.reason).toContain('write a comparator');
    expect(result.reason).toContain('"<= 50"');
  });
});

describe('parseTarget: plain numbers', () => {
  it.each([
    ['0.999', availability, 'ratio', 0.999],
    ['0.001', { metric: 'api_error_rate', requirement: 'Error rate', category: null }, 'ratio', 0.001],
    ['99.9', availability, '%', 99.9],
    ['0.85', { metric: 'apdex', requirement: 'Apdex', category: null }, 'ratio', 0.85],
    ['500', { metric: 'throughput', requirement: 'Throughput', category: null }, 'count', 500],
  ] as const)('%j for %o is %s', (text, context, unit, threshold) => {
    expect(parseTarget(text, context).objective).toMatchObject({ unit, threshold });
  });
});

describe('parseTarget: not monitorable', () => {
  it.each([
    ['', 'no target given'],
    ['   ', 'no target given'],
    ['Predictable latency categories per workflow stage', 'no numeric target'],
    ['fast', 'no numeric target'],
    ['N/A', 'no numeric target'],
    ['P95', 'no numeric target'],
    ['5xx', 'no numeric target'],
  ])('%j → %j', (text, reason) => {
    const result = parseTarget(text, latency);
    expect(result.objective).toBeNull();
    expect(result.reason).toBe(reason);
  });

  it.each([
    ['{{performance_target}}', '{{performance_target}}'],
    ['< [threshold]', '[threshold]'],
    ['[X]% uptime', '[X]'],
    ['>= 99.X% monthly', '99.X'],
    ['< 0.X%', '0.X'],
    ['< Xms', 'Xms'],
    ['TBD', 'TBD'],
    ['< <threshold>', '<threshold>'],
  ])('placeholder %j', (text, placeholder) => {
    const result = parseTarget(text, latency);
    expect(result.objective).toBeNull();
    expect(result.reason).toBe(`no numeric target: "${placeholder}" is a placeholder`);
  });

  it('names an unsupported unit', () => {
    const result = parseTarget('< 512 MB', { metric: 'memory', requirement: 'Memory', category: null });
    expect(result.objective).toBeNull();
    expect(result.reason).toMatch(/^unit "MB" is not supported/);
  });

  // Sizes, bandwidths and rates per hour or day were read as plain numbers (`< 100 MB/s` → `< 100 count`).
  it.each([
    ['< 100 MB/s', 'MB/s'],
    ['< 100MB/s', 'MB/s'],
    ['> 2 GB', 'GB'],
    ['> 1 Gbit/s', 'Gbit/s'],
    ['< 3 TB/day', 'TB/day'],
    ['< 5 req/day', 'req/day'],
    ['< 5 req / hour', 'req / hour'],
    ['< 5 req/h', 'req/h'],
    ['< 2 errors/day', 'errors/day'],
    ['< 5 per day', 'per day'],
    ['fewer than 3 incidents per month', 'incidents per month'],
    ['> 10k req/day', 'req/day'],
    ['< 100 m/s', 'm/s'],
    ['< 2 ms/op', 'ms/op'],
    ['>= 500 rps/node', 'rps/node'],
  ])('%j has the unsupported unit %j', (text, unit) => {
    const result = parseTarget(text, unknown);
    expect(result.objective).toBeNull();
    expect(result.reason).toBe(
      `unit "${unit}" is not supported; write the target in ns, us, ms, s, min, h, %, rps, rpm or as a plain number`,
    );
  });
});

describe('parseTarget: supported units next to unsupported ones', () => {
  it.each([
    ['> 500 rps', 500, 'rps'],
    ['> 50 req/s', 50, 'rps'],
    ['> 50 Req / Sec', 50, 'rps'],
    ['> 1200 tps', 1200, 'rps'],
    ['>= 10 docs/sec', 10, 'rps'],
    ['> 600 req/min', 600, 'rpm'],
    ['> 100 requests per second', 100, 'rps'],
    ['> 99.9%', 99.9, '%'],
    ['< 200 ms', 200, 'ms'],
    ['< 200 ms per request', 200, 'ms'],
    ['< 5', 5, 'count'],
    ['> 10k', 10_000, 'count'],
    ['> 10k/s', 10_000, 'rps'],
    ['< 5 concurrent users', 5, 'count'],
    ['< 3 users/tenant', 3, 'count'],
    ['< 1 day', 24, 'h'],
  ] as const)('%j → %d %s', (text, threshold, unit) => {
    const result = parseTarget(text, unknown);
    expect(result.reason).toBeNull();
    expect(result.objective).toMatchObject({ threshold, unit });
  });

  it('a size unit after a supported target does not hide it', () => {
    expect(parseTarget('< 200 ms for 5 MB uploads', latency).objective).toMatchObject({
      threshold: 200,
      unit: 'ms',
    });
  });
});

describe('parseTarget: percentiles with decimals', () => {
  const context = (metric: string, requirement: string): TargetContext => ({
    metric,
    requirement,
    category: null,
  });
  it.each([
    ['p99.9 < 800 ms', context('x', 'Latency'), 'p99.9'],
    ['P99.99 < 800 ms', context('x', 'Latency'), 'p99.99'],
    ['p999 < 800 ms', context('x', 'Latency'), 'p99.9'],
    ['p9999 < 800 ms', context('x', 'Latency'), 'p99.99'],
    // The slug of `Latency p99.9` was read as p99.
    ['< 800 ms', context('latency_p99_9', 'Latency p99.9'), 'p99.9'],
    ['< 800 ms', context('api_latency_p99_9', 'API latency'), 'p99.9'],
    ['< 800 ms', context('p99_9_latency', 'p99.9 latency'), 'p99.9'],
    ['< 800 ms', context('api_latency_p99_99', 'API latency'), 'p99.99'],
    ['< 800 ms', context('latency_p999', 'Latency'), 'p99.9'],
    // The more specific of two readings of the same percentile wins, wherever it is.
    ['< 800 ms', context('latency_p99', 'Latency P99.9'), 'p99.9'],
    ['p99 < 800 ms', context('latency_p99_9', 'Latency'), 'p99.9'],
    ['p99.9 < 800 ms', context('latency_p99', 'p99 latency'), 'p99.9'],
    // Different percentiles do not mix: the target, then the metric, then the requirement.
    ['p95 < 800 ms', context('latency_p99_9', 'Latency'), 'p95'],
    ['< 800 ms', context('latency_p95', 'Latency p99.9'), 'p95'],
    // A window after the percentile is no decimal part.
    ['< 800 ms', context('latency_p99_5m', 'Latency'), 'p99'],
    ['< 800 ms', context('latency_p95_30d', 'Latency'), 'p95'],
  ])('%j with %o → %s', (text, targetContext, percentile) => {
    const { objective, reason } = parseTarget(text, targetContext);
    expect(reason).toBeNull();
    expect(objective?.percentile).toBe(percentile);
    expect(objective?.threshold).toBe(800);
  });
});

describe('slugify', () => {
  it.each([
    ['P99 latency', 'p99_latency'],
    ['API latency (p99)', 'api_latency_p99'],
    ['p99 Latency', 'p99_latency'],
    ['  Error   Rate  ', 'error_rate'],
    ['Cache hit-rate %', 'cache_hit_rate'],
    ['Latência média', 'latencia_media'],
    ['เวลาตอบสนอง', 'เวลาตอบสนอง'],
    ['__x__', 'x'],
    ['!!!', ''],
    ['', ''],
  ])('%j → %j', (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });
});
