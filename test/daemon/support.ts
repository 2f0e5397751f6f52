/** The daemon's parts built directly: a temp workspace, real runtimes and SQLite store, an injected clock. */
import { Writable } from 'node:stream';
import type { Clock } from '../../src/common/clock.js';
import { createLogger, type Logger } from '../../src/daemon/logger.js';
import { DaemonMetrics } from '../../src/daemon/metrics.js';
import { DaemonShared } from '../../src/daemon/shared.js';
import type { SpecRuntime } from '../../src/daemon/targets.js';
import { prepareRuntime } from '../../src/daemon/targets.js';
import type { Evaluation, Verdict } from '../../src/evaluate/index.js';
import { openStore } from '../../src/store/index.js';
import { tempDir, writeTree } from '../support/temp.js';

export const T0 = new Date('2026-11-27T04:00:00.000Z');

/** A clock that moves only when the test says so. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start: Date = T0): ManualClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
    sleepUntil: async () => undefined,
  };
}

export function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: 'debug',
    redact: (t) => t,
    stream: new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  });
  return { log, lines };
}

export function specMarkdown(title: string): string {
  return `# ${title}

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Reliability | Error Rate | \`api_error_rate\` | < 5% |
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
`;
}

/** Nothing listens on port 9: the parts under test never query it (the tests measure themselves). */
export const OBSERVABILITY =
  'provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_error_rate\n    query: err\n  - name: api_latency_p99\n    query: lat\n';

export function specPath(specId: string, file: 'spec.md' | 'observability.yaml'): string {
  return `specs/core/${specId}/${file}`;
}

/** A workspace with the given files (default: one spec `spec-a` with its own observability.yaml). */
export function makeWorkspace(files?: Record<string, string>): string {
  const root = tempDir('daemon-parts-');
  writeTree(
    root,
    files ?? {
      [specPath('spec-a', 'spec.md')]: specMarkdown('A'),
      [specPath('spec-a', 'observability.yaml')]: OBSERVABILITY,
    },
  );
  return root;
}

export function outputBaseOf(root: string): string {
  return `${root}/.spec/reports/production-monitoring`;
}

export async function runtimesOf(
  root: string,
  specIds: string[],
  metrics: DaemonMetrics,
): Promise<SpecRuntime[]> {
  const runtimes: SpecRuntime[] = [];
  for (const specId of specIds) {
    runtimes.push(
      await prepareRuntime(specId, {
        root,
        allowNetwork: false,
        env: {},
        userAgent: 'test',
        intervalSeconds: 60,
        outputBase: outputBaseOf(root),
        metrics,
      }),
    );
  }
  return runtimes;
}

/** The shared state of a daemon over a real store in the workspace, with real runtimes. */
export async function sharedOf(root: string, specIds = ['spec-a']) {
  const metrics = new DaemonMetrics();
  const shared = new DaemonShared();
  shared.runtimes = await runtimesOf(root, specIds, metrics);
  const store = openStore(`${root}/.spec/state.db`);
  store.acquireLock({ pid: process.pid, host: 'test', startedAt: T0 });
  shared.store = store;
  return { shared, metrics };
}

export function verdictOf(
  metric: string,
  value: number | null,
  at: Date,
  overrides: Partial<Verdict> = {},
): Verdict {
  const errorRate = metric === 'api_error_rate';
  const slo = errorRate ? 5 : 500;
  return {
    metric,
    nfrId: null,
    requirement: errorRate ? 'Error Rate' : 'p99 Latency',
    category: errorRate ? 'Reliability' : 'Performance',
    target: errorRate ? '< 5%' : '< 500ms',
    comparator: '<',
    comparatorInferred: false,
    slo,
    unit: errorRate ? '%' : 'ms',
    value,
    status: value === null ? 'unknown' : value < slo ? 'healthy' : 'breached',
    provider: 'default',
    providerType: 'prometheus',
    query: errorRate ? 'err' : 'lat',
    reason: 'measured',
    line: 7,
    checkedAt: at,
    ...overrides,
  };
}

export function evaluationOf(
  specId: string,
  at: Date,
  values: { errorRate: number | null; latency: number | null },
): Evaluation {
  const verdicts = [
    verdictOf('api_error_rate', values.errorRate, at),
    verdictOf('api_latency_p99', values.latency, at),
  ];
  return {
    specId,
    checkedAt: at,
    status: verdicts.some((v) => v.status === 'breached')
      ? 'unhealthy'
      : verdicts.some((v) => v.status === 'unknown')
        ? 'degraded'
        : 'healthy',
    verdicts,
    unmonitored: [],
  };
}
