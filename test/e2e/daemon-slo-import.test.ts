/**
 * The daemon measures NFRs mapped by an OpenSLO file (`slo_sources:`) against a real Prometheus, and a
 * change to that file reloads the configuration like a change to observability.yaml does.
 */
import { describe, expect, it } from 'vitest';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import { eventually } from './daemon-support.js';
import { makeWorkspace, ERROR_RATE_AND_LATENCY_SPEC as SPEC, startDaemon } from './support.js';

const skip = prometheusSkipReason();
const history = standardHistory();
const SPEC_ID = 'spec-core-001-authentication';
const FOLDER = `specs/core/${SPEC_ID}`;

const ERRORS_SLO = `apiVersion: openslo/v1
kind: SLO
metadata: { name: errors, labels: { metric: [api_error_rate] } }
spec:
  service: checkout
  indicator:
    metadata: { name: errors }
    spec:
      ratioMetric:
        counter: false
        bad: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total{service="checkout",code="500"}[5m]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total{service="checkout"}[5m]))' } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.95 }]
`;

const LATENCY_SLO = `---
apiVersion: openslo/v1
kind: SLO
metadata: { name: api_latency_p99 }
spec:
  service: checkout
  indicator:
    metadata: { name: latency }
    spec:
      thresholdMetric:
        metricSource: { type: Prometheus, spec: { query: '${history.queries.p99Latency5m}' } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Timeslices
  objectives: [{ op: lt, value: 0.5, target: 0.99, timeSliceWindow: 1m }]
`;

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

interface Status {
  specs: Array<{ metrics: Array<{ name: string; value: number | null }> }>;
}

describe.skipIf(skip !== null)('the daemon with NFRs mapped by an OpenSLO file', () => {
  it('measures them, and reloads when the SLO file changes', async () => {
    const prometheus = await startPrometheus(history);
    const dir = await makeWorkspace({
      [`${FOLDER}/spec.md`]: SPEC,
      [`${FOLDER}/observability.yaml`]: `provider: prometheus\nurl: ${prometheus.url}\nslo_sources: [slos.yaml]\n`,
      [`${FOLDER}/slos.yaml`]: ERRORS_SLO,
    });
    const port = await freePort();
    const daemon = startDaemon(
      [
        '--spec-id',
        SPEC_ID,
        '--listen',
        `127.0.0.1:${port}`,
        '--interval',
        '60',
        '--replay-from',
        iso(history.END - 3600),
        '--replay-speed',
        '120',
      ],
      { cwd: dir.root },
    );
    const metricsListed = (count: number, what: string) =>
      eventually(async () => {
        const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as Status;
        const metrics = status.specs[0]?.metrics ?? [];
        return metrics.length === count && metrics.every((metric) => metric.value !== null)
          ? metrics
          : undefined;
      }, what);
    try {
      await daemon.waitForLog((l) => l.event === 'started');
      const before = await metricsListed(1, 'a cycle measuring the error rate from the SLO file');
      expect(before.map((metric) => metric.name)).toEqual(['api_error_rate']);
      expect(before[0]!.value).toBeCloseTo(history.expected.errorRatioHealthy * 100, 6);

      await dir.write(`${FOLDER}/slos.yaml`, ERRORS_SLO + LATENCY_SLO);
      const reloaded = await daemon.waitForLog((l) => l.event === 'reloaded');
      expect(String(reloaded.trigger)).toContain('slos.yaml');
      const after = await metricsListed(2, 'a cycle with the latency SLO added');
      expect(after.map((metric) => metric.name).sort()).toEqual(['api_error_rate', 'api_latency_p99']);
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
      await dir.cleanup();
      await prometheus.stop();
    }
  });
});
