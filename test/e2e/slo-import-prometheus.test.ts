/**
 * Imported SLOs measure the same values as the mapping they were generated from: `rules --format
 * openslo|sloth` from a workspace with `metrics:`, then a run-once against a real Prometheus with a known
 * history where observability.yaml names only the backend and `slo_sources:`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

const skip = prometheusSkipReason();
const history = standardHistory();
const { queries, expected } = history;
const SPEC_ID = 'spec-core-001-authentication';
const SPEC_FOLDER = AUTH_OBS_PATH.replace(/\/observability\.yaml$/, '');

function obsYaml(url: string): string {
  return `provider: prometheus
url: ${url}
metrics:
  - name: api_latency_p99
    query: '${queries.p99Latency5m}'
  - name: api_error_rate
    query: '${queries.errorRatio5m}'
  - name: api_uptime
    query: '${queries.availability1h}'
`;
}

interface MetricJson {
  name: string;
  status: string;
  value: number | null;
  query: string;
}

describe.skipIf(skip !== null)('imported SLOs against a real Prometheus with a known history', () => {
  let prometheus: RunningPrometheus;
  let ws: Workspace;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: AUTH_SPEC,
      [AUTH_OBS_PATH]: obsYaml(prometheus.url),
    });
    for (const format of ['openslo', 'sloth']) {
      const exported = await runCli(['rules', SPEC_ID, '--format', format], { cwd: ws.root });
      expect(exported.code).toBe(0);
      await ws.write(`${SPEC_FOLDER}/slos.${format}.yaml`, exported.stdout);
    }
  });
  afterAll(async () => {
    await prometheus?.stop();
    await ws?.cleanup();
  });

  async function measure(at: number): Promise<Record<string, MetricJson>> {
    const result = await runCli(['--spec-id', SPEC_ID, '--run-once', '--at', String(at)], { cwd: ws.root });
    expect(result.stderr).toBe('');
    const [summary] = (await ws.summaries(SPEC_ID)).slice(-1);
    const metrics = summary!.metrics as MetricJson[];
    return Object.fromEntries(metrics.map((metric) => [metric.name, metric]));
  }

  for (const format of ['openslo', 'sloth'] as const) {
    it(`${format}: healthy and incident instants give the known values`, async () => {
      await ws.write(
        AUTH_OBS_PATH,
        `provider: prometheus\nurl: ${prometheus.url}\nslo_sources: [slos.${format}.yaml]\n`,
      );
      const healthy = await measure(history.END);
      expect(healthy.api_latency_p99!.value).toBeCloseTo(expected.p99Latency * 1000, 6);
      expect(healthy.api_latency_p99!.query).toBe(
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))',
      );
      expect(healthy.api_error_rate!.value).toBeCloseTo(expected.errorRatioHealthy * 100, 9);
      // Uptime is the good share, measured from the imported counters at 5m.
      expect(healthy.api_uptime!.value).toBeCloseTo((1 - expected.errorRatioHealthy) * 100, 9);
      expect(Object.values(healthy).map((metric) => metric.status)).toEqual([
        'healthy',
        'healthy',
        'healthy',
      ]);

      const incident = await measure(history.INC1);
      expect(incident.api_error_rate!.value).toBeCloseTo(expected.errorRatioIncident * 100, 9);
      expect(incident.api_error_rate!.status).toBe('breached');
      expect(incident.api_uptime!.value).toBeCloseTo((1 - expected.errorRatioIncident) * 100, 9);
      expect(incident.api_uptime!.status).toBe('breached');
    });
  }
});
