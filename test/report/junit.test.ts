/**
 * JUnit XML of a run: one test case per NFR in a suite per spec, failure for breached, error for
 * unknown and unmapped, skipped for NFRs deliberately not monitored; counts that match the cases;
 * every character escaped so that a strict XML parser reads back exactly the text that went in.
 */
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import { parseXml, type XmlElement, xmlParserSkipReason } from '../support/xml.js';
import { runSummary } from './ci-fixtures.js';

const NASTY = 'p99 <b>"quoted" & \'single\'</b>\nsecond line\ttab\r\nend ]]> \u0001\u001f \uD800 ok 😀';

const summary = runSummary(
  [
    { metric: 'api_latency_p99', unit: 'ms', comparator: '<', slo: 200, value: 120, status: 'healthy' },
    { metric: 'api_error_rate', unit: '%', comparator: '<', slo: 1, value: 7.5, status: 'breached' },
    {
      metric: 'api_uptime',
      unit: '%',
      comparator: '>',
      slo: 99.9,
      value: null,
      status: 'unknown',
      reason: NASTY,
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
        target: 'every sign-in',
        line: 14,
        reason: 'no number',
      },
      {
        kind: 'unmapped_ignored',
        metric: 'api_rps',
        requirement: 'Throughput',
        target: '> 10 rps',
        line: 15,
        reason: 'ignored',
      },
    ],
    reports: [
      '.spec/reports/production-monitoring/spec-core-001-authentication/20261127-040000Z/summary.json',
    ],
  },
);

const child = (element: XmlElement | undefined, tag: string) => element?.children.find((c) => c.tag === tag);

describe.skipIf(xmlParserSkipReason() !== null)('renderJunit', () => {
  it('one suite per spec, one case per NFR, counts that match the cases', async () => {
    const root = await parseXml(renderJunit([summary], { durationSeconds: 1.2345 }));
    expect(root.tag).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '6', failures: '1', errors: '2', skipped: '2', time: '1.234' });
    const [suite] = root.children;
    expect(suite?.attrs).toMatchObject({
      name: 'spec-core-001-authentication',
      tests: '6',
      failures: '1',
      errors: '2',
      skipped: '2',
      timestamp: '2026-11-27T04:00:00.000Z',
      file: 'specs/core/spec-core-001-authentication/spec.md',
    });
    const properties = child(suite, 'properties')?.children.map((p) => [p.attrs.name, p.attrs.value]);
    expect(properties).toContainEqual(['status', 'unhealthy']);
    expect(properties).toContainEqual(['report', summary.writes.reports[0]]);
    const cases = suite?.children.filter((c) => c.tag === 'testcase') ?? [];
    expect(cases.map((c) => [c.attrs.name, c.attrs.line, c.children.map((o) => o.tag).join()])).toEqual([
      ['api_latency_p99 (The api_latency_p99 must stay < 200 ms. < 200 ms)', '10', ''],
      ['api_error_rate (The api_error_rate must stay < 1%. < 1%)', '11', 'failure'],
      [expect.stringMatching(/^api_uptime /), '12', 'error'],
      ['api_latency_p95 (p95 < 300ms)', '13', 'error'],
      ['audit_log (Audit every sign-in)', '14', 'skipped'],
      ['api_rps (Throughput > 10 rps)', '15', 'skipped'],
    ]);
    for (const testCase of cases) {
      expect(testCase.attrs).toMatchObject({
        classname: 'spec-core-001-authentication',
        file: suite?.attrs.file,
      });
    }
    const failure = child(cases[1], 'failure');
    expect(failure?.attrs).toEqual({ message: '7.5 %, target < 1%', type: 'breached' });
    expect(failure?.text).toContain('query (prometheus:prometheus): histogram_quantile(0.95');
    expect(failure?.text).toContain('spec: specs/core/spec-core-001-authentication/spec.md:11');
    expect(child(cases[3], 'error')?.attrs).toEqual({ message: 'not measured: no query', type: 'unmapped' });
    expect(child(cases[4], 'skipped')?.attrs.message).toBe('not monitored: no number');
  });

  it('escapes markup, quotes and whitespace; characters XML cannot hold become U+FFFD', async () => {
    const xml = renderJunit([summary], { durationSeconds: 0 });
    const root = await parseXml(xml);
    const error = child(
      root.children[0]?.children.find((c) => c.attrs.line === '12'),
      'error',
    );
    const readable = NASTY.replace(/[\u0001\u001f\uD800]/g, '\uFFFD');
    expect(error?.attrs.message).toBe(`could not be measured: ${readable}`);
    expect(error?.text.split('\nvalue:')[0]).toBe(readable);
    expect(error?.attrs.type).toBe('unknown');
    // Nothing of the text leaks out as markup.
    expect(xml).not.toContain('<b>');
  });

  it('a run that is not healthy is never all green: with nothing monitored, one error says why', async () => {
    const empty = runSummary([], { status: 'degraded' });
    const root = await parseXml(renderJunit([empty], { durationSeconds: 0 }));
    expect(root.attrs).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    expect(
      child(
        root.children[0]?.children.find((c) => c.tag === 'testcase'),
        'error',
      )?.attrs.message,
    ).toBe('no NFR of the spec is monitored');
    const healthy = runSummary([
      { metric: 'api_latency_p99', unit: 'ms', comparator: '<', slo: 200, value: 120, status: 'healthy' },
    ]);
    expect((await parseXml(renderJunit([healthy], { durationSeconds: 0 }))).attrs).toMatchObject({
      tests: '1',
      failures: '0',
      errors: '0',
      skipped: '0',
    });
  });
});

it.runIf(xmlParserSkipReason() !== null)(`prerequisite missing: ${xmlParserSkipReason() ?? 'none'}`, () => {
  expect(xmlParserSkipReason()).not.toBeNull();
});
