/**
 * GitHub Actions workflow commands and job summary: escaping per GitHub's toolkit (`%`, CR, LF in the
 * message; also `:` and `,` in properties), an error per breached NFR and a warning per unknown or
 * unmapped one at its spec line, and a Markdown table whose cells cannot break out of the table.
 */
import { describe, expect, it } from 'vitest';
import {
  escapeCommandData,
  escapeCommandProperty,
  githubAnnotations,
  githubStepSummary,
} from '../../src/report/github.js';
import { runSummary } from './ci-fixtures.js';

const SPEC = 'specs/core/spec-core-001-authentication/spec.md';

describe('workflow command escaping', () => {
  it('escapes the message as GitHub does: % first, then CR and LF', () => {
    expect(escapeCommandData('100% done\r\nnext %0A')).toBe('100%25 done%0D%0Anext %250A');
  });

  it('escapes a property also at : and , (they end a property)', () => {
    expect(escapeCommandProperty('a: b, c%\n')).toBe('a%3A b%2C c%25%0A');
  });
});

describe('githubAnnotations', () => {
  const summary = runSummary(
    [
      { metric: 'api_latency_p99', unit: 'ms', comparator: '<', slo: 200, value: 120, status: 'healthy' },
      {
        metric: 'api_error_rate',
        unit: '%',
        comparator: '<',
        slo: 1,
        value: 7.5,
        status: 'breached',
        reason: '7.5 % breaches < 1 %\n(5m window)',
      },
      {
        metric: 'api_uptime',
        unit: '%',
        comparator: '>',
        slo: 99.9,
        value: null,
        status: 'unknown',
        reason: 'no data, at all',
      },
    ],
    {
      unmonitored: [
        {
          kind: 'unmapped',
          metric: 'api_latency_p95',
          requirement: 'p95',
          target: '< 300ms',
          line: 13,
          reason: 'no query',
        },
        {
          kind: 'no_numeric_target',
          metric: 'audit_log',
          requirement: 'Audit',
          target: 'x',
          line: 14,
          reason: 'no number',
        },
      ],
    },
  );

  it('an error at the line of each breached NFR, a warning for unknown and unmapped ones, nothing else', () => {
    expect(githubAnnotations(summary, SPEC)).toEqual([
      `::error file=${SPEC},line=11,title=spec-core-001-authentication%3A api_error_rate breached::The api_error_rate must stay < 1%25.: 7.5 %25, target < 1%25. 7.5 %25 breaches < 1 %25%0A(5m window)`,
      `::warning file=${SPEC},line=12,title=spec-core-001-authentication%3A api_uptime could not be measured::The api_uptime must stay > 99.9%25. (target > 99.9%25): no data, at all`,
      `::warning file=${SPEC},line=13,title=spec-core-001-authentication%3A api_latency_p95 not measured::p95 (target < 300ms): no query`,
    ]);
  });

  it('a file path with , or : cannot end the property early', () => {
    const [first] = githubAnnotations(summary, 'a,b:c/spec.md');
    expect(first).toMatch(/^::error file=a%2Cb%3Ac\/spec\.md,line=11,/);
  });

  it('the job summary is a table of every NFR with the reasons below, cells escaped', () => {
    const withPipe = runSummary([
      {
        metric: 'api_error_rate',
        unit: '%',
        comparator: '<',
        slo: 1,
        value: 7.5,
        status: 'breached',
        reason: 'a | b\nc',
      },
    ]);
    const text = githubStepSummary(withPipe, SPEC);
    const lines = text.split('\n');
    expect(lines[0]).toBe('### ❌ unhealthy: `spec-core-001-authentication`');
    expect(lines).toContain('| Status | NFR | Requirement | Value | Target | Spec line |');
    expect(lines).toContain(
      '| ❌ breached | `api_error_rate` | The api_error_rate must stay < 1%. | 7.5 % | < 1% | 10 |',
    );
    expect(lines).toContain('- `api_error_rate`: a \\| b c');
    expect(text.endsWith('\n\n')).toBe(true);
    const full = githubStepSummary(summary, SPEC);
    expect(full).toContain('| ⚠️ unmapped | `api_latency_p95` | p95 | — | < 300ms | 13 |');
    expect(full).toContain('| ➖ not monitored | `audit_log` | Audit | — | x | 14 |');
  });
});
