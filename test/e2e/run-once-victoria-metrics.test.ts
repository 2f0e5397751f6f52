import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standardHistory } from '../support/prometheus.js';
import { type RecordingProxy, startRecordingProxy } from '../support/proxy.js';
import type { RunningServer } from '../support/server-process.js';
import { startVictoriaMetrics, victoriaMetricsSkipReason } from '../support/victoria-metrics.js';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

const skip = victoriaMetricsSkipReason();
const history = standardHistory();
const { queries, expected } = history;
const SPEC_ID = 'spec-core-001-authentication';

/** The share of requests answered within 250 ms: MetricsQL's histogram_share, which PromQL lacks. */
const FAST_SHARE = `histogram_share(0.25, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))`;
const SPEC = AUTH_SPEC.replace(
  '| Security | Audit trail | `audit_log` | Every sign-in is logged |',
  '| Performance | Fast answers | `api_fast_share` | > 95% |',
);

function obsYaml(url: string, fastShare = FAST_SHARE): string {
  return `provider: prometheus
url: ${url}
metrics:
  - name: api_latency_p99
    query: '${queries.p99Latency5m}'
  - name: api_error_rate
    query: '${queries.errorRatio5m}'
  - name: api_uptime
    query: '${queries.availability1h}'
  - name: api_fast_share
    query: '${fastShare}'
`;
}

interface MetricJson {
  name: string;
  status: string;
  value: number | null;
  reason: string;
  provider_type: string;
}

async function run(dir: Workspace, at: number) {
  const result = await runCli([SPEC_ID, '--at', String(at), '--json'], { cwd: dir.root });
  const summary = JSON.parse(result.stdout || '{}') as { status: string; metrics: MetricJson[] };
  const byName = Object.fromEntries((summary.metrics ?? []).map((m) => [m.name, m]));
  return { result, summary, byName };
}

describe.skipIf(skip !== null)(
  'the prometheus provider against a real VictoriaMetrics (imported history)',
  () => {
    let vm: RunningServer;
    let ws: Workspace;

    beforeAll(async () => {
      vm = await startVictoriaMetrics(history);
      ws = await makeWorkspace({
        '.spec/SPEC_INDEX.json': AUTH_INDEX,
        [AUTH_SPEC_PATH]: SPEC,
        [AUTH_OBS_PATH]: obsYaml(vm.url),
      });
    });
    afterAll(async () => {
      await vm?.stop();
      await ws?.cleanup();
    });

    it('healthy at the end: the same exact values as Prometheus, and a MetricsQL-only function', async () => {
      const { result, summary, byName } = await run(ws, history.END);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(summary.status).toBe('healthy');
      expect(byName.api_latency_p99!.value).toBeCloseTo(expected.p99Latency * 1000, 6);
      expect(byName.api_error_rate!.value).toBeCloseTo(expected.errorRatioHealthy * 100, 9);
      expect(byName.api_uptime!.value).toBeCloseTo(expected.availability1hHealthy * 100, 9);
      expect(byName.api_fast_share!.value).toBeCloseTo(expected.fractionUnder250ms * 100, 9);
      expect(byName.api_fast_share).toMatchObject({ status: 'healthy', provider_type: 'prometheus' });
    });

    it('in the incident: the error rate and uptime breached with the same exact values as Prometheus (exit 1)', async () => {
      const { result, byName } = await run(ws, history.INC1);
      expect(result.code).toBe(1);
      expect(byName.api_error_rate).toMatchObject({ status: 'breached' });
      expect(byName.api_error_rate!.value).toBeCloseTo(expected.errorRatioIncident * 100, 9);
      expect(byName.api_uptime).toMatchObject({ status: 'breached' });
      expect(byName.api_uptime!.value).toBeCloseTo(expected.availability1hIncident * 100, 9);
      expect(byName.api_latency_p99!.status).toBe('healthy');
    });

    it('a MetricsQL error (HTTP 422) is a query error naming the function; the run is degraded (exit 3)', async () => {
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: SPEC,
        [AUTH_OBS_PATH]: obsYaml(vm.url, 'nosuchfunc(up{service="checkout"})'),
      });
      try {
        const { result, byName } = await run(dir, history.END);
        expect(result.code).toBe(3);
        expect(byName.api_fast_share).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_fast_share!.reason).toContain('Prometheus returned an error (HTTP 422');
        expect(byName.api_fast_share!.reason).toContain('unknown func "nosuchfunc"');
      } finally {
        await dir.cleanup();
      }
    });

    it('single-node serves the API under / and /prometheus, but not the cluster tenant path /select/<accountID>/prometheus', async () => {
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: SPEC,
        [AUTH_OBS_PATH]: obsYaml(`${vm.url}/prometheus`),
      });
      try {
        const prefixed = await run(dir, history.END);
        expect(prefixed.result.code).toBe(0);
        expect(prefixed.byName.api_error_rate!.value).toBeCloseTo(expected.errorRatioHealthy * 100, 9);

        await dir.write(AUTH_OBS_PATH, obsYaml(`${vm.url}/select/0/prometheus`));
        const tenant = await run(dir, history.END);
        expect(tenant.result.code).toBe(3);
        for (const metric of tenant.summary.metrics) {
          expect(metric).toMatchObject({ status: 'unknown', value: null });
          expect(metric.reason).toContain(
            `HTTP 400 Bad Request for http://127.0.0.1:${vm.port}/select/0/prometheus/api/v1/query: VictoriaMetrics does not serve this path`,
          );
          expect(metric.reason).toContain("/select/<accountID>/prometheus is the cluster's vmselect");
        }
      } finally {
        await dir.cleanup();
      }
    });

    describe('behind a vmselect-like gateway that serves tenant 42 at /select/42/prometheus', () => {
      let proxy: RecordingProxy;
      beforeAll(async () => {
        proxy = await startRecordingProxy({ target: vm.url, prefix: '/select/42/prometheus' });
      });
      afterAll(async () => {
        await proxy?.close();
      });

      it('the url with the tenant path is kept as the prefix of every API path', async () => {
        const dir = await makeWorkspace({
          [AUTH_SPEC_PATH]: SPEC,
          [AUTH_OBS_PATH]: obsYaml(`${proxy.url}/select/42/prometheus`),
        });
        try {
          const { result, byName } = await run(dir, history.END);
          expect(result.code).toBe(0);
          expect(byName.api_fast_share!.value).toBeCloseTo(expected.fractionUnder250ms * 100, 9);
          // Instant queries for the verdicts, range queries for the objectives judged per time slice.
          const paths = new Set(proxy.requests.map((request) => request.path));
          expect(paths.has('/select/42/prometheus/api/v1/query')).toBe(true);
          for (const requested of paths) {
            expect([
              '/select/42/prometheus/api/v1/query',
              '/select/42/prometheus/api/v1/query_range',
            ]).toContain(requested);
          }
        } finally {
          await dir.cleanup();
        }
      });
    });

    it('`report` for the incident day is backfilled by query_range with the same figures as Prometheus', async () => {
      const day = new Date(history.INC0 * 1000).toISOString().slice(0, 10);
      const result = await runCli(['report', SPEC_ID, '--period', 'daily', '--date', day], { cwd: ws.root });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const file = path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'daily', `${day}.json`);
      const json = JSON.parse(await readFile(file, 'utf8')) as {
        metrics: Array<{ name: string; samples: number; compliance: number; source: string }>;
      };
      const errors = json.metrics.find((m) => m.name === 'api_error_rate')!;
      // As with Prometheus: the 5 m error ratio is above 5% at 62 of the day's 1440 minutes.
      expect(errors).toMatchObject({ samples: 1440, source: 'backfill' });
      expect(errors.compliance).toBeCloseTo(1378 / 1440, 9);
      const fast = json.metrics.find((m) => m.name === 'api_fast_share')!;
      expect(fast).toMatchObject({ samples: 1440, compliance: 1 });
    });
  },
);
