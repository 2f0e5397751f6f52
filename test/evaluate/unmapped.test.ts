import { describe, expect, it } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';
import type { ObservabilityConfig } from '../../src/config/types.js';
import { overallStatus, planChecks } from '../../src/evaluate/index.js';
import { parseNfrs } from '../../src/spec/index.js';

/** The issue's spec: four NFRs with numeric targets, one of which (p95) has no query. */
const SPEC = `### Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
| Performance | p95 Latency | \`api_latency_p95\` | < 300ms |
| Reliability | Error Rate | \`api_error_rate\` | < 5% |
| Security | Audit trail | \`audit_log\` | Every sign-in is logged |
`;

function config(extra = '', metrics = ['api_latency_p99', 'api_error_rate']): ObservabilityConfig {
  const text = `provider: prometheus\nurl: http://127.0.0.1:9090\nmetrics:\n${metrics
    .map((name) => `  - name: ${name}\n    query: up\n`)
    .join('')}${extra}`;
  const result = parseObservabilityConfig(text, 'observability.yaml', {});
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.config as ObservabilityConfig;
}

const { nfrs } = parseNfrs(SPEC);
const allHealthy = [{ status: 'healthy' as const }, { status: 'healthy' as const }];

describe('an NFR promised but not measured (unmapped)', () => {
  it('is listed as unmapped and makes an otherwise healthy run degraded', () => {
    const plan = planChecks(nfrs, config().metrics, config().unmapped);
    expect(plan.checks.map((c) => c.nfr.metric)).toEqual(['api_latency_p99', 'api_error_rate']);
    expect(plan.unmonitored.map((u) => [u.metric, u.kind])).toEqual([
      ['api_latency_p95', 'unmapped'],
      ['audit_log', 'no_numeric_target'],
    ]);
    expect(plan.unmonitored[0]!.reason).toMatch(/not measured, so the status is degraded/);
    expect(overallStatus(allHealthy, plan.unmonitored)).toBe('degraded');
  });

  it('an NFR without a numeric target does not degrade the status', () => {
    const plan = planChecks(
      nfrs,
      config('', ['api_latency_p99', 'api_latency_p95', 'api_error_rate']).metrics,
    );
    expect(plan.unmonitored.map((u) => u.kind)).toEqual(['no_numeric_target']);
    expect(overallStatus([...allHealthy, { status: 'healthy' }], plan.unmonitored)).toBe('healthy');
  });

  it('`unmapped: ignore` excuses every unmapped NFR', () => {
    const c = config('unmapped: ignore\n');
    expect(c.unmapped).toEqual({ default: 'ignore', ignore: [] });
    const plan = planChecks(nfrs, c.metrics, c.unmapped);
    expect(plan.unmonitored[0]).toMatchObject({ metric: 'api_latency_p95', kind: 'unmapped_ignored' });
    expect(overallStatus(allHealthy, plan.unmonitored)).toBe('healthy');
  });

  it('`unmapped: { ignore: [name] }` excuses that metric only, and names that are no NFR are reported', () => {
    const c = config('unmapped:\n  ignore: [api_latency_p95, api_latency_p50]\n');
    const plan = planChecks(nfrs, c.metrics, c.unmapped);
    expect(plan.unmonitored[0]).toMatchObject({ metric: 'api_latency_p95', kind: 'unmapped_ignored' });
    expect(plan.unknownIgnoredNames).toEqual(['api_latency_p50']);
    expect(overallStatus(allHealthy, plan.unmonitored)).toBe('healthy');
  });

  it('a breach still wins, and nothing measured is never healthy', () => {
    const plan = planChecks(nfrs, config().metrics);
    expect(overallStatus([{ status: 'breached' }], plan.unmonitored)).toBe('unhealthy');
    expect(overallStatus([], [])).toBe('degraded');
  });

  it('a mapping whose name matches no NFR, near an unmapped one, is reported as misnamed', () => {
    const c = config('', ['api_latency_p99', 'api_latency_p59', 'api_error_rate']);
    const plan = planChecks(nfrs, c.metrics, c.unmapped);
    expect(plan.misnamedMappings).toEqual([
      expect.objectContaining({ nfrMetric: 'api_latency_p95', specLine: 6 }),
    ]);
    expect(plan.misnamedMappings[0]!.mapping.name).toBe('api_latency_p59');
  });

  it('a bad `unmapped` value is a config error with a did-you-mean', () => {
    const result = parseObservabilityConfig(
      'provider: prometheus\nurl: http://127.0.0.1:9090\nunmapped: ignor\n',
      'observability.yaml',
      {},
    );
    expect(result.config).toBeNull();
    const error = result.diagnostics.find((d) => d.field === 'unmapped');
    expect(error).toMatchObject({
      severity: 'error',
      line: 3,
      message:
        'expected `degrade`, `ignore`, or a mapping such as `{ ignore: [api_latency_p95] }`, got `ignor`',
      hint: 'did you mean `ignore`?',
    });
  });
});
