import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Nfr } from '../../src/spec/index.js';
import { parseNfrs } from '../../src/spec/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}.txt`, import.meta.url), 'utf8');
}

/** One line per NFR: `line metric | requirement | category | target | objective-or-reason`. */
function brief(nfr: Nfr): string {
  const outcome = nfr.objective
    ? [
        nfr.objective.comparator + (nfr.objective.comparatorInferred ? '?' : ''),
        nfr.objective.threshold,
        nfr.objective.unit,
        nfr.objective.percentile ?? '-',
      ].join(' ')
    : `UNMONITORABLE: ${nfr.unmonitorableReason}`;
  return `${nfr.line} ${nfr.id ?? '-'} ${nfr.metric} | ${nfr.requirement} | ${nfr.category ?? '-'} | ${nfr.target} | ${outcome}`;
}

describe('parseNfrs: the SmartSpec monitor guide example (seed)', () => {
  const result = parseNfrs(fixture('monitor-guide.md'));

  it('reads exactly the three NFRs of the table, with their lines', () => {
    expect(result.nfrs).toEqual<Nfr[]>([
      {
        id: null,
        metric: 'api_latency_p99',
        requirement: 'p99 Latency',
        category: 'Performance',
        target: '< 200ms',
        line: 11,
        objective: {
          comparator: '<',
          comparatorInferred: false,
          threshold: 200,
          unit: 'ms',
          percentile: 'p99',
        },
        unmonitorableReason: null,
      },
      {
        id: null,
        metric: 'api_error_rate',
        requirement: 'Error Rate',
        category: 'Reliability',
        target: '< 0.1%',
        line: 12,
        objective: {
          comparator: '<',
          comparatorInferred: false,
          threshold: 0.1,
          unit: '%',
          percentile: null,
        },
        unmonitorableReason: null,
      },
      {
        id: null,
        metric: 'api_uptime',
        requirement: 'Uptime',
        category: 'Availability',
        target: '> 99.9%',
        line: 13,
        objective: {
          comparator: '>',
          comparatorInferred: false,
          threshold: 99.9,
          unit: '%',
          percentile: null,
        },
        unmonitorableReason: null,
      },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('ignores targets outside NFR sections (the overview, "Out of scope")', () => {
    expect(result.nfrs.map((nfr) => nfr.line)).toEqual([11, 12, 13]);
  });
});

describe('parseNfrs: real-world styles', () => {
  it('SmartSpec-generated spec: numbered heading, qualitative bullets → unmonitorable', () => {
    const result = parseNfrs(fixture('smartspec-generated.md'));
    expect(result.nfrs.map(brief)).toEqual([
      '11 - performance | Performance | - | Predictable latency categories per workflow stage | UNMONITORABLE: no numeric target',
      '12 - scalability | Scalability | - | Support multiple concurrent generation jobs per tenant | UNMONITORABLE: no numeric target',
      '13 - reliability | Reliability | - | Graceful degradation on provider failure | UNMONITORABLE: no numeric target',
      '14 - maintainability | Maintainability | - | Modular, versioned, and replaceable components | UNMONITORABLE: no numeric target',
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('SmartSpecPro template: ID | Requirement | Target | Notes, placeholder target', () => {
    const result = parseNfrs(fixture('smartspecpro-template.md'));
    expect(result.nfrs.map(brief)).toEqual([
      '15 NFR-1 performance | Performance | - | {{performance_target}} | UNMONITORABLE: no numeric target: "{{performance_target}}" is a placeholder',
      '16 NFR-2 availability | Availability | - | 99.9% | >=? 99.9 % -',
    ]);
  });

  it('Performance Requirements template: list style under sub-headings, percentile labels completed', () => {
    const result = parseNfrs(fixture('performance-template.md'));
    expect(result.nfrs.map(brief)).toEqual([
      '4 - p50_latency | P50 latency | Latency Targets | < 150 ms | < 150 ms p50',
      '5 - p95_latency | P95 latency | Latency Targets | < 300 ms | < 300 ms p95',
      '6 - p99_latency | P99 latency | Latency Targets | < 600 ms | < 600 ms p99',
      '9 - sustained | Sustained | Throughput | ≥ 500 TPS | >= 500 rps -',
      '12 - uptime | Uptime | Availability & SLA | 99.9% monthly | >=? 99.9 % -',
      '13 - rto | RTO | Availability & SLA | ≤ 5 minutes | <= 5 min -',
      '14 - rpo | RPO | Availability & SLA | ≤ 1 minute | <= 1 min -',
    ]);
    // `**Required Metrics:**` and `**Critical Alerts:**` describe monitoring, not targets.
    expect(result.warnings).toEqual([]);
  });

  it('spec generator prompt: bold paragraph labels, per-service sub-headings, duplicate metrics warned', () => {
    const result = parseNfrs(fixture('generate-spec-prompt.md'));
    expect(result.nfrs.map(brief)).toEqual([
      '5 - p99_latency | P99 Latency | Performance | P99 < 150ms | < 150 ms p99',
      '6 - availability | Availability | Performance | 99.9% uptime | >=? 99.9 % -',
      '8 - p95 | P95 | Performance | < 200ms | < 200 ms p95',
      '9 - sla | SLA | Performance | 99.95% uptime | >=? 99.95 % -',
      '10 - cache_hit_rate | Cache hit rate | Performance | > 80% | > 80 % -',
      '17 - p99_latency_2 | P99 latency | Credit Service | < 150ms | < 150 ms p99',
      '22 - p99_latency_3 | P99 latency | Payment Service | < 400ms | < 400 ms p99',
      '23 - payment_error_ratio | Error budget | Payment Service | < 0.5% | < 0.5 % -',
    ]);
    expect(result.warnings).toEqual([
      'metric "p99_latency" would be shared by the NFRs at lines 5, 17 and 22; named from their text, p99_latency_2 (line 17), p99_latency_3 (line 22) get their own names so that none shares a query — give each NFR its own metric name (e.g. in backticks) to choose it',
    ]);
  });

  it('prose and acceptance-criteria styles', () => {
    const result = parseNfrs(fixture('prose-and-acceptance.md'));
    expect(result.nfrs.map(brief)).toEqual([
      '3 - authentication_must_complete_within_2_seconds | Authentication must complete within 2 seconds | - | within 2 seconds | <= 2 s -',
      '4 - passwords_are_hashed_with_bcrypt | Passwords are hashed with bcrypt | - | Passwords are hashed with bcrypt | UNMONITORABLE: no numeric target',
      '10 - performance_targets_met | Performance targets met | Performance | P95 < 300ms | < 300 ms p95',
      '11 - availability | Availability | Performance | > 99.9% | > 99.9 % -',
    ]);
  });

  it('non-SmartSpec tables: 2 columns without operator, NFR ID/Scenario/Threshold, U+2011 heading, placeholders', () => {
    const result = parseNfrs(fixture('external-tables.md'));
    expect(result.nfrs.map(brief)).toEqual([
      '7 - api_latency_p99 | API latency (p99) | - | 200ms | <=? 200 ms p99',
      '8 - availability | Availability | - | 99.9% | >=? 99.9 % -',
      '9 - error_rate | Error rate | - | < 1% | < 1 % -',
      '15 NFR-P-01 search_results_render | Search results render | - | p95 < 2s | < 2 s p95',
      '16 NFR-P-02 checkout_payment | Checkout | payment | - | ≥ 99.95% | >= 99.95 % -',
      '17 NFR-P-03 product_page | Product page | - | ≤ 200 ms | <= 200 ms -',
      '18 NFR-P-04 image_upload | Image upload | - | < 150ms at p95 | < 150 ms p95',
      '22 - availability_2 | Availability | - | >= 99.X% monthly | UNMONITORABLE: no numeric target: "99.X" is a placeholder',
      '23 - error_rate_2 | Error rate | - | < 0.X% | UNMONITORABLE: no numeric target: "0.X" is a placeholder',
      '27 - p95_latency | P95 latency | - | < Xms | UNMONITORABLE: no numeric target: "Xms" is a placeholder',
    ]);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toContain('"availability" would be shared by the NFRs at lines 8 and 22');
    expect(result.warnings[1]).toContain('"error_rate" would be shared by the NFRs at lines 9 and 23');
  });
});

describe('parseNfrs: sections', () => {
  it.each([
    '## 8. Non-Functional Requirements',
    '# 6. Non\u2011Functional Requirements (NFR)',
    '## Non Functional Requirements',
    '## Nonfunctional requirements',
    '### NFRs',
    '### NFR',
    '## SLO',
    '## SLOs and SLIs',
    '## SLA',
    '## Service Level Objectives',
    '## Performance Requirements',
    '## Performance',
    '### Availability & SLA',
    '## Reliability',
    '## Availability',
    '###### 9.1.2 Latency budget',
    'Performance\n===========',
  ])('heading %j opens an NFR section', (heading) => {
    const result = parseNfrs(`# Spec\n\n${heading}\n\n- Uptime: 99.9%\n`);
    expect(result.nfrs.map((nfr) => nfr.metric)).toEqual(['uptime']);
  });

  it.each(['## Overview', '## Security Requirements', '## Functional Requirements', '## Tasks'])(
    'heading %j does not',
    (heading) => {
      expect(parseNfrs(`${heading}\n\n- Uptime: 99.9%\n`).nfrs).toEqual([]);
    },
  );

  it('runs until the next heading of the same or a higher level, sub-headings included', () => {
    const markdown = [
      '# Spec', //                                   1
      '## Non-Functional Requirements', //           2
      '### Latency', //                              3
      '#### Search', //                              4
      '- p95: < 200 ms', //                          5
      '### Capacity', //                             6
      '- Peak throughput: 500 rps', //               7
      '## Tasks', //                                 8
      '- Latency: < 1 ms', //                        9
      '# Appendix', //                               10
      '- Error rate: < 5%', //                       11
    ].join('\n');
    const result = parseNfrs(markdown);
    expect(result.nfrs.map(brief)).toEqual([
      '5 - p95_latency | p95 latency | Search | < 200 ms | < 200 ms p95',
      '7 - peak_throughput | Peak throughput | Capacity | 500 rps | >=? 500 rps -',
    ]);
  });

  it('a deeper NFR heading inside a non-NFR section opens its own section', () => {
    const markdown =
      '## Requirements\n\n- Uptime: 1%\n\n### NFRs\n\n- Uptime: 99.5%\n\n### Functional\n\n- Error rate: < 5%\n';
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual(['7 - uptime | Uptime | - | 99.5% | >=? 99.5 % -']);
  });

  it('warns about an NFR section with nothing to read', () => {
    const result = parseNfrs('# Spec\n\n## Performance\n\nWe care about speed a lot.\n');
    expect(result.nfrs).toEqual([]);
    expect(result.warnings).toEqual(['section "Performance" (line 3) has no NFR table or list']);
  });

  it('warns about a table without a Target-like column', () => {
    const result = parseNfrs(
      '## NFRs\n\n| Metric | Description |\n|---|---|\n| `api_latency` | time to answer |\n',
    );
    expect(result.nfrs).toEqual([]);
    expect(result.warnings).toEqual([
      'table at line 3 has no Target-like column (Target, Threshold, Objective, SLO, Goal...); skipped',
      'section "NFRs" (line 1) has no table with a Target-like column',
    ]);
  });

  it('ignores code blocks, block quotes and HTML in NFR sections', () => {
    const markdown =
      '## SLO\n\n```\n- Uptime: 99%\n```\n\n> - Uptime: 98%\n\n<div>Uptime: 97%</div>\n\n- Uptime: 99.9%\n';
    expect(parseNfrs(markdown).nfrs.map((nfr) => nfr.target)).toEqual(['99.9%']);
  });
});

describe('parseNfrs: tables', () => {
  it('finds columns by header name, in any order, with synonyms', () => {
    const markdown = [
      '## NFR',
      '',
      '| Target | KPI | Type | NFR ID | Description |',
      '|---|---|---|---|---|',
      '| <= 300 ms | `checkout_latency_p95` | Performance | NFR-7 | Checkout latency |',
    ].join('\n');
    expect(parseNfrs(markdown).nfrs).toEqual([
      {
        id: 'NFR-7',
        metric: 'checkout_latency_p95',
        requirement: 'Checkout latency',
        category: 'Performance',
        target: '<= 300 ms',
        line: 5,
        objective: {
          comparator: '<=',
          comparatorInferred: false,
          threshold: 300,
          unit: 'ms',
          percentile: 'p95',
        },
        unmonitorableReason: null,
      },
    ]);
  });

  it.each([
    ['Metric', 'Target'],
    ['Metric Name', 'Threshold'],
    ['SLI', 'Objective'],
    ['Indicator', 'SLO'],
    ['KPI', 'Goal'],
    ['metric', 'Value'],
    ['Metric', 'Limit'],
    ['Metric', 'Budget'],
    ['**Metric**', '**SLO Target**'],
  ])('header pair %s | %s', (metricHeader, targetHeader) => {
    const markdown = `## SLO\n\n| ${metricHeader} | ${targetHeader} |\n|---|---|\n| \`api_latency_p99\` | < 200 ms |\n`;
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '5 - api_latency_p99 | api_latency_p99 | - | < 200 ms | < 200 ms p99',
    ]);
  });

  it.each([['Requirement'], ['Name'], ['Description'], ['NFR'], ['Scenario'], ['Title']])(
    'requirement header %s: metric is the slug of the requirement',
    (requirementHeader) => {
      const markdown = `## NFRs\n\n| ${requirementHeader} | Target |\n|---|---|\n| P99 latency | < 250ms |\n`;
      expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
        '5 - p99_latency | P99 latency | - | < 250ms | < 250 ms p99',
      ]);
    },
  );

  it('reads bold, backticked and escaped-pipe cells', () => {
    const markdown = [
      '## NFRs',
      '| ID | Requirement | Metric | Target | Category |',
      '|----|-------------|--------|--------|----------|',
      '| **NFR-1** | **Search** \\| browse | `search_latency` | **< 200 ms** | _Perf_ |',
      '| NFR-2 | Errors | error_ratio | `< 0.5%` | Reliability |',
    ].join('\n');
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '4 NFR-1 search_latency | Search | browse | Perf | < 200 ms | < 200 ms -',
      '5 NFR-2 error_ratio | Errors | Reliability | < 0.5% | < 0.5 % -',
    ]);
  });

  it('a human Metric cell becomes the requirement and its slug the metric', () => {
    const markdown =
      '## SLO\n\n| Metric | Target |\n|---|---|\n| API latency (p99) | 200ms |\n| Uptime | 99.9% |\n';
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '5 - api_latency_p99 | API latency (p99) | - | 200ms | <=? 200 ms p99',
      '6 - uptime | Uptime | - | 99.9% | >=? 99.9 % -',
    ]);
  });

  it('takes the metric from backticks inside the requirement cell', () => {
    const markdown =
      '## SLO\n\n| Requirement | Target |\n|---|---|\n| Search latency (`search_p95`) | < 1 s |\n';
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '5 - search_p95 | Search latency | - | < 1 s | < 1 s p95',
    ]);
  });

  it('uses unit and percentile given in the Target header', () => {
    const markdown =
      '## Performance\n\n| Operation | Target (p95) | Limit (ms) |\n|---|---|---|\n| Dashboard load | < 500 | x |\n';
    const [nfr] = parseNfrs(markdown).nfrs;
    expect(nfr?.requirement).toBe('Dashboard load');
    expect(nfr?.objective).toEqual({
      comparator: '<',
      comparatorInferred: false,
      threshold: 500,
      unit: 'count',
      percentile: 'p95',
    });
    const withUnit = parseNfrs(
      '## Performance\n\n| Operation | Target (ms) |\n|---|---|\n| Dashboard load time | 500 |\n',
    );
    expect(withUnit.nfrs[0]?.objective).toMatchObject({ threshold: 500, unit: 'ms', comparator: '<=' });
  });

  it('one NFR per percentile column (`Target p50 | Target p95`, `P50 (ms) | P99`)', () => {
    const markdown = [
      '## Performance Requirements',
      '',
      '| **Query Type** | **Target p50** | **Target p95** | **Max Acceptable** |',
      '|---|---|---|---|',
      '| Vector Only | 800ms | 1.2s | 2s |',
      '',
      '| Endpoint | P50 (ms) | P99 |',
      '|---|---|---|',
      '| `get_search` | 100 | 300 |',
    ].join('\n');
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '5 - vector_only_p50 | Vector Only p50 | Performance Requirements | 800ms | <=? 800 ms p50',
      '5 - vector_only_p95 | Vector Only p95 | Performance Requirements | 1.2s | <=? 1.2 s p95',
      '9 - get_search_p50 | get_search p50 | Performance Requirements | 100 | <=? 100 ms p50',
      '9 - get_search_p99 | get_search p99 | Performance Requirements | 300 | <=? 300 ms p99',
    ]);
  });

  it('reads `Latency (p95)` as a percentile target column and `NFR-ID` as the id column', () => {
    const markdown =
      '## SLO\n\n| NFR-ID | Endpoint | Latency (p95) |\n|---|---|---|\n| N-1 | Search | < 1 s |\n';
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual(['5 N-1 search | Search | - | < 1 s | < 1 s p95']);
  });

  it('skips empty rows and records a row without target as unmonitorable', () => {
    const markdown = '## NFRs\n\n| Requirement | Target |\n|---|---|\n| | |\n| Latency | |\n';
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '6 - latency | Latency | - |  | UNMONITORABLE: no target given',
    ]);
  });
});

describe('parseNfrs: lists and paragraphs', () => {
  const cases: Array<[string, string, string]> = [
    [
      '### Latency Targets',
      '- **P50**: < 150 ms',
      '3 - p50_latency | P50 latency | Latency Targets | < 150 ms | < 150 ms p50',
    ],
    [
      '## NFRs',
      '- **P99 latency** (`search_latency_p99`): < 600 ms',
      '3 - search_latency_p99 | P99 latency | - | < 600 ms | < 600 ms p99',
    ],
    ['## NFRs', '- Uptime: 99.9% monthly', '3 - uptime | Uptime | - | 99.9% monthly | >=? 99.9 % -'],
    ['## NFRs', '- **Uptime**: 99.9% monthly', '3 - uptime | Uptime | - | 99.9% monthly | >=? 99.9 % -'],
    ['## NFRs', '- **Uptime:** 99.9% monthly', '3 - uptime | Uptime | - | 99.9% monthly | >=? 99.9 % -'],
    ['## NFRs', '- **Uptime** — 99.9%', '3 - uptime | Uptime | - | 99.9% | >=? 99.9 % -'],
    ['## NFRs', '- **RTO**: ≤ 5 minutes', '3 - rto | RTO | - | ≤ 5 minutes | <= 5 min -'],
    ['## NFRs', '- SLA: 99.95% uptime', '3 - sla | SLA | - | 99.95% uptime | >=? 99.95 % -'],
    ['## NFRs', '- Cache hit rate: > 80%', '3 - cache_hit_rate | Cache hit rate | - | > 80% | > 80 % -'],
    ['## NFRs', '- P95: < 200ms', '3 - p95 | P95 | - | < 200ms | < 200 ms p95'],
    ['## Latency', '- P95: < 200ms', '3 - p95_latency | P95 latency | Latency | < 200ms | < 200 ms p95'],
    ['## NFRs', '**Latency:** P99 < 150ms', '3 - p99_latency | P99 Latency | - | P99 < 150ms | < 150 ms p99'],
    [
      '## NFRs',
      '- [ ] Performance targets met (P95 < 300ms)',
      '3 - performance_targets_met | Performance targets met | - | P95 < 300ms | < 300 ms p95',
    ],
    ['## NFRs', '- [ ] Availability > 99.9%', '3 - availability | Availability | - | > 99.9% | > 99.9 % -'],
    [
      '## NFRs',
      '- Authentication must complete within 2 seconds',
      '3 - authentication_must_complete_within_2_seconds | Authentication must complete within 2 seconds | - | within 2 seconds | <= 2 s -',
    ],
    [
      '## NFRs',
      '- **Performance:** Predictable latency categories per workflow stage',
      '3 - performance | Performance | - | Predictable latency categories per workflow stage | UNMONITORABLE: no numeric target',
    ],
    [
      '## NFRs',
      '- p95 latency below 250 ms',
      '3 - p95_latency | p95 latency | - | below 250 ms | < 250 ms p95',
    ],
    [
      '## NFRs',
      '- Throughput of at least 1,000 rps',
      '3 - throughput | Throughput | - | at least 1,000 rps | >= 1000 rps -',
    ],
    [
      '## NFRs',
      '- `api_latency_p99` < 200ms',
      '3 - api_latency_p99 | api_latency_p99 | - | < 200ms | < 200 ms p99',
    ],
    [
      '## NFRs',
      '- Latency: `checkout_p95` < 200ms',
      '3 - checkout_p95 | Latency | - | < 200ms | < 200 ms p95',
    ],
    ['## NFRs', '- **NFR-3**: Error rate < 0.5%', '3 NFR-3 error_rate | Error rate | - | < 0.5% | < 0.5 % -'],
    ['## NFRs', '1. Uptime: 99.9%', '3 - uptime | Uptime | - | 99.9% | >=? 99.9 % -'],
    ['## NFRs', '* Error rate: 0.001', '3 - error_rate | Error rate | - | 0.001 | <=? 0.001 ratio -'],
    ['## NFRs', '- Availability: 0.999', '3 - availability | Availability | - | 0.999 | >=? 0.999 ratio -'],
    [
      '## NFRs',
      '- Queue depth: 50',
      '3 - queue_depth | Queue depth | - | 50 | UNMONITORABLE: cannot tell whether 50 is an upper or a lower bound for "Queue depth" (no comparator, and its meaning is unknown); write a comparator in the target, e.g. "<= 50" or ">= 50"',
    ],
  ];
  it.each(cases)('%s / %s', (heading, line, expected) => {
    const result = parseNfrs(`${heading}\n\n${line}\n`);
    expect(result.nfrs.map(brief)).toEqual([expected]);
  });

  it('a label-only line or list item gives context to the list under it', () => {
    const markdown = [
      '## SLO', //                          1
      '', //                                2
      '**Latency:**', //                    3
      '- P99: < 150ms', //                  4
      '', //                                5
      '- **Response time**', //             6
      '  - p95: < 1 s', //                  7
      '  - p50: < 300 ms', //               8
    ].join('\n');
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '4 - p99_latency | P99 latency | - | < 150ms | < 150 ms p99',
      '7 - p95_response_time | p95 response time | - | < 1 s | < 1 s p95',
      '8 - p50_response_time | p50 response time | - | < 300 ms | < 300 ms p50',
    ]);
  });

  it('reads several bold-label lines of one paragraph with their own lines; plain prose lines are skipped', () => {
    const markdown = [
      '## NFRs', //                                       1
      '', //                                              2
      'These targets apply to production.', //           3
      '**Latency:** P99 < 150ms', //                     4
      '**Availability:** 99.9% uptime', //               5
      '**Owner:** team search', //                       6
      'Note: we measured 5 things.', //                  7
      'Error rate < 1%', //                              8
    ].join('\n');
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '4 - p99_latency | P99 Latency | - | P99 < 150ms | < 150 ms p99',
      '5 - availability | Availability | - | 99.9% uptime | >=? 99.9 % -',
      '8 - error_rate | Error rate | - | < 1% | < 1 % -',
    ]);
  });

  it('skips monitoring notes (Required Metrics, Critical Alerts) with their nested lists', () => {
    const markdown =
      '## Performance\n\n- **Critical Alerts:**\n  - P99 latency > threshold for 5 minutes\n- **Uptime**: 99.9%\n';
    expect(parseNfrs(markdown).nfrs.map((nfr) => nfr.metric)).toEqual(['uptime']);
  });
});

describe('parseNfrs: duplicates and robustness', () => {
  it('a derived name that a written one already has gets a suffix and a warning, never a shared query', () => {
    const markdown =
      '## NFRs\n\n- Uptime: 99.9%\n\n## SLA\n\n| Metric | Target |\n|---|---|\n| `uptime` | >= 99.5% |\n';
    const result = parseNfrs(markdown);
    expect(result.nfrs.map((nfr) => [nfr.metric, nfr.line])).toEqual([
      ['uptime_2', 3],
      ['uptime', 9],
    ]);
    expect(result.warnings).toEqual([
      'metric "uptime" would be shared by the NFRs at lines 3 and 9; named from their text, uptime_2 (line 3) gets its own name so that none shares a query — give each NFR its own metric name (e.g. in backticks) to choose it',
    ]);
  });

  it('names written twice in the spec are kept, with a warning', () => {
    const markdown = '## NFRs\n\n- `uptime`: >= 99.9%\n- `uptime`: >= 99.5%\n';
    const result = parseNfrs(markdown);
    expect(result.nfrs.map((nfr) => nfr.metric)).toEqual(['uptime', 'uptime']);
    expect(result.warnings).toEqual([
      'metric "uptime" is defined more than once (lines 3 and 4); all are kept — give each NFR its own metric name (e.g. in backticks) so they can be told apart',
    ]);
  });

  it('a derived suffix is stable when an unrelated line changes', () => {
    const names = (extra: string) =>
      parseNfrs(`## NFRs\n\n- P99 latency: < 150 ms\n${extra}- P99 latency: < 400 ms\n`).nfrs.map(
        (n) => n.metric,
      );
    expect(names('')).toEqual(['p99_latency', 'p99_latency_2']);
    expect(names('- Owner: team search\n- Note: see 2 runbooks\n')).toEqual(['p99_latency', 'p99_latency_2']);
  });

  it('reads CRLF line endings with the same lines', () => {
    const result = parseNfrs('## NFRs\r\n\r\n- Uptime: 99.9%\r\n- Latency: < 1 s\r\n');
    expect(result.nfrs.map((nfr) => [nfr.metric, nfr.line])).toEqual([
      ['uptime', 3],
      ['latency', 4],
    ]);
  });

  it('returns nothing for empty or NFR-free documents', () => {
    expect(parseNfrs('')).toEqual({ nfrs: [], warnings: [] });
    expect(parseNfrs('# Title\n\nSome text.\n')).toEqual({ nfrs: [], warnings: [] });
  });

  it('a metric is never empty, even for symbol-only requirements', () => {
    const result = parseNfrs('## NFRs\n\n| Requirement | Target |\n|---|---|\n| !!! | < 5 ms |\n');
    expect(result.nfrs[0]?.metric).toBe('nfr_line_5');
  });

  it('copes with very long lines and deep nesting', () => {
    const long = `## NFRs\n\n- Latency: ${'[('.repeat(20_000)} < 5 ms ${'. '.repeat(20_000)}\n`;
    expect(() => parseNfrs(long)).not.toThrow();
    const nested = `## NFRs\n\n${Array.from({ length: 200 }, (_, depth) => `${'  '.repeat(depth)}- Uptime: 99.${depth}%`).join('\n')}\n`;
    const result = parseNfrs(nested);
    expect(result.nfrs.length).toBeGreaterThan(0);
  });
});

describe('parseNfrs: decimal percentiles and unsupported units', () => {
  const markdown = [
    '## Non-Functional Requirements',
    '',
    '- Latency p99.9: < 800 ms',
    '- **P99.99 latency:** < 900 ms',
    '- **P999**: < 1 s',
    '- Upload bandwidth: < 100 MB/s',
    '- Password resets: < 5 req/day',
    '',
    '| Metric | Requirement | Target |',
    '|---|---|---|',
    '| api_latency_p99_9 | API latency | < 800 ms |',
    '| `checkout_p99` | Checkout latency p99.9 | < 1 s |',
    '| egress | Egress | > 2 GB |',
    '',
    '| Requirement | Target |',
    '|---|---|',
    '| p99.9 search latency | < 800 ms |',
  ].join('\n');
  const unsupported = (unit: string) =>
    `UNMONITORABLE: unit "${unit}" is not supported; write the target in ns, us, ms, s, min, h, %, rps, rpm or as a plain number`;

  it('keeps the decimals of a percentile in lists, Metric cells and requirements; refuses sizes and daily rates', () => {
    expect(parseNfrs(markdown).nfrs.map(brief)).toEqual([
      '3 - latency_p99_9 | Latency p99.9 | - | < 800 ms | < 800 ms p99.9',
      '4 - p99_99_latency | P99.99 latency | - | < 900 ms | < 900 ms p99.99',
      '5 - p999 | P999 | - | < 1 s | < 1 s p99.9',
      `6 - upload_bandwidth | Upload bandwidth | - | < 100 MB/s | ${unsupported('MB/s')}`,
      `7 - password_resets | Password resets | - | < 5 req/day | ${unsupported('req/day')}`,
      '11 - api_latency_p99_9 | API latency | - | < 800 ms | < 800 ms p99.9',
      '12 - checkout_p99 | Checkout latency p99.9 | - | < 1 s | < 1 s p99.9',
      `13 - egress | Egress | - | > 2 GB | ${unsupported('GB')}`,
      '17 - p99_9_search_latency | p99.9 search latency | - | < 800 ms | < 800 ms p99.9',
    ]);
  });

  it('moves a decimal percentile of a bold-label line into the requirement', () => {
    const result = parseNfrs('## Performance\n\n**Latency:** P99.9 < 150ms\n');
    expect(result.nfrs.map(brief)).toEqual([
      '3 - p99_9_latency | P99.9 Latency | Performance | P99.9 < 150ms | < 150 ms p99.9',
    ]);
  });
});
