import type { Evaluation, Unmonitored } from '../../src/evaluate/types.js';
import { buildSummary, runIdFor, type Summary } from '../../src/report/index.js';
import { type MetricFixture, verdict } from '../server/fixtures.js';

export const CHECKED_AT = new Date('2026-11-27T04:00:00Z');

/** A summary.json object as run-once builds it, from metric fixtures (spec lines 10, 11, ...). */
export function runSummary(
  metrics: MetricFixture[],
  options: { unmonitored?: Unmonitored[]; status?: Summary['status']; reports?: string[] } = {},
): Summary {
  const evaluation: Evaluation = {
    specId: 'spec-core-001-authentication',
    checkedAt: CHECKED_AT,
    status:
      options.status ??
      (metrics.some((m) => m.status === 'breached')
        ? 'unhealthy'
        : metrics.some((m) => m.status === 'unknown') ||
            (options.unmonitored ?? []).some((u) => u.kind === 'unmapped')
          ? 'degraded'
          : 'healthy'),
    verdicts: metrics.map((m, index) => verdict(m, CHECKED_AT, 10 + index)),
    unmonitored: options.unmonitored ?? [],
  };
  return buildSummary(evaluation, {
    version: '0.1.0',
    runId: runIdFor(CHECKED_AT),
    generatedAt: CHECKED_AT,
    mode: 'run-once',
    specFile: 'specs/core/spec-core-001-authentication/spec.md',
    observabilityConfig: 'specs/core/spec-core-001-authentication/observability.yaml',
    apply: false,
    lang: 'en',
    platform: 'ci',
    warnings: [],
    writes: options.reports ?? [],
  });
}
