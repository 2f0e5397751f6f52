import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GAUGE_DAY, GAUGE_END, GAUGE_INC0, GAUGE_INC1, gauge, minutes } from '../support/gauge-history.js';
import { graphiteSkipReason, startGraphite, type WhisperSeries } from '../support/graphite.js';
import { type RecordingProxy, startRecordingProxy } from '../support/proxy.js';
import type { RunningServer } from '../support/server-process.js';
import { findOpenssl, type HttpsProxy, makeTestPki, startHttpsProxy, type TestPki } from '../support/tls.js';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

const skip = graphiteSkipReason();
const SPEC_ID = 'spec-core-001-authentication';
const USER = 'grafana-instance-1234';
const TOKEN = 'glc-token-8d2f6a1e9b7c';

function series(): WhisperSeries[] {
  const times = minutes();
  const of = (name: string, value: (t: number) => number | null): WhisperSeries => ({
    path: `svc.checkout.${name}`,
    points: times.map((t) => [t, value(t)]),
  });
  return [
    // The last minute of p99 was never written: instant queries take the point before it.
    of('p99', (t) => (t === GAUGE_END ? null : gauge.p99Seconds(t))),
    of('requests', gauge.requests),
    of('errors', gauge.errors),
    of('availability', gauge.availability),
    // Stopped reporting an hour before the end of the day.
    of('stale', (t) => (t <= GAUGE_END - 3600 ? 1 : null)),
  ];
}

const QUERIES = {
  p99: `summarize(svc.checkout.p99, '5min', 'max')`,
  errors: 'asPercent(svc.checkout.errors, svc.checkout.requests)',
  uptime: 'svc.checkout.availability',
};

function obsYaml(url: string, options: { queries?: Partial<typeof QUERIES>; extra?: string } = {}): string {
  const q = { ...QUERIES, ...options.queries };
  return `providers:
  graphite:
    type: graphite
    url: ${url}
${options.extra ?? ''}metrics:
  - name: api_latency_p99
    query: ${JSON.stringify(q.p99)}
    unit: s
  - name: api_error_rate
    query: ${JSON.stringify(q.errors)}
    unit: '%'
  - name: api_uptime
    query: ${JSON.stringify(q.uptime)}
    unit: ratio
`;
}

interface MetricJson {
  name: string;
  status: string;
  value: number | null;
  reason: string;
  provider_type: string;
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) => readFile(path.join(entry.parentPath, entry.name), 'utf8')),
  );
}

async function run(dir: Workspace, at: number, env: Record<string, string> = {}) {
  const result = await runCli([SPEC_ID, '--at', String(at), '--json'], { cwd: dir.root, env });
  const summary = JSON.parse(result.stdout || '{}') as { status: string; metrics: MetricJson[] };
  const byName = Object.fromEntries((summary.metrics ?? []).map((m) => [m.name, m]));
  return { result, summary, byName };
}

describe.skipIf(skip !== null)(
  'run-once and reports against a real graphite-web with a known history',
  () => {
    let graphite: RunningServer;
    let ws: Workspace;

    beforeAll(async () => {
      graphite = await startGraphite(series());
      ws = await makeWorkspace({
        '.spec/SPEC_INDEX.json': AUTH_INDEX,
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: obsYaml(graphite.url),
      });
    });
    afterAll(async () => {
      await graphite?.stop();
      await ws?.cleanup();
    });

    it('healthy at the end of the day: exact values through summarize and asPercent; a null point is skipped', async () => {
      const { result, summary, byName } = await run(ws, GAUGE_END);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(summary.status).toBe('healthy');
      // The 5 min bucket that holds the missing last minute is null: the one before it (max 0.3 s) is used.
      expect(byName.api_latency_p99!.value).toBeCloseTo(300, 9);
      expect(byName.api_error_rate!.value).toBeCloseTo(2, 9);
      expect(byName.api_uptime!.value).toBeCloseTo(98, 9);
      expect(byName.api_uptime).toMatchObject({ provider_type: 'graphite', status: 'healthy' });
    });

    it('a target longer than 2000 URL-encoded characters is sent as a POST form, with the same answer', async () => {
      const long = `averageSeries(${Array(80).fill('svc.checkout.availability').join(', ')})`;
      expect(encodeURIComponent(long).length).toBeGreaterThan(2000);
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: obsYaml(graphite.url, { queries: { uptime: long } }),
      });
      try {
        const { result, byName } = await run(dir, GAUGE_END);
        expect(result.code).toBe(0);
        expect(byName.api_uptime!.value).toBeCloseTo(98, 9);
        // runserver logs each request line.
        expect(await readFile(graphite.logFile, 'utf8')).toMatch(/"POST \/render HTTP\/1\.1" 200/);
      } finally {
        await dir.cleanup();
      }
    });

    it('in the incident: the error rate and uptime breached with exact values (exit 1)', async () => {
      const { result, byName } = await run(ws, GAUGE_INC1);
      expect(result.code).toBe(1);
      expect(byName.api_error_rate).toMatchObject({ status: 'breached' });
      expect(byName.api_error_rate!.value).toBeCloseTo(10, 9);
      expect(byName.api_error_rate!.reason).toContain('graphite "graphite"');
      expect(byName.api_uptime).toMatchObject({ status: 'breached' });
      expect(byName.api_uptime!.value).toBeCloseTo(90, 9);
      expect(byName.api_latency_p99).toMatchObject({ status: 'healthy' });
      expect(byName.api_latency_p99!.value).toBeCloseTo(450, 9);
    });

    it('only null points, several series, an unknown path and an unknown function are unknown with the reason (exit 3)', async () => {
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: AUTH_SPEC.replace(
          '| Security | Audit trail | `audit_log` | Every sign-in is logged |',
          '| Performance | Throughput | `api_rps` | > 10 rps |',
        ),
        [AUTH_OBS_PATH]: `${obsYaml(graphite.url, {
          queries: {
            p99: 'svc.checkout.stale',
            errors: 'svc.checkout.*',
            uptime: 'nosuchfunction(svc.checkout.availability)',
          },
        })}  - name: api_rps
    query: svc.nowhere.requests
`,
      });
      try {
        const { result, summary, byName } = await run(dir, GAUGE_END);
        expect(result.code).toBe(3);
        expect(summary.status).toBe('degraded');
        expect(byName.api_latency_p99).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_latency_p99!.reason).toContain('every point of svc.checkout.stale');
        expect(byName.api_latency_p99!.reason).toContain('is null');
        expect(byName.api_error_rate).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_error_rate!.reason).toContain('5 series');
        expect(byName.api_error_rate!.reason).toContain('"svc.checkout.availability", "svc.checkout.errors"');
        expect(byName.api_uptime).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_uptime!.reason).toContain(
          'Graphite rejected the target (Invalid parameters (Received request for unknown function: nosuchfunction)',
        );
        expect(byName.api_rps).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_rps!.reason).toContain('matched no series');
      } finally {
        await dir.cleanup();
      }
    });

    describe('behind a gateway that demands Basic credentials (hosted Graphite)', () => {
      let proxy: RecordingProxy;
      const expected = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
      beforeAll(async () => {
        proxy = await startRecordingProxy({
          target: graphite.url,
          authorize: (headers) =>
            headers.authorization === expected ? null : { status: 401, body: 'invalid credentials' },
        });
      });
      afterAll(async () => {
        await proxy?.close();
      });

      const withAuth = (url: string) =>
        obsYaml(url, {
          extra: `    auth:\n      basic:\n        username: ${USER}\n        password: "{{env.GRAPHITE_TOKEN}}"\n`,
        });

      it('the token goes in the Authorization header only; a wrong one is an auth failure; neither is printed', async () => {
        const dir = await makeWorkspace({
          [AUTH_SPEC_PATH]: AUTH_SPEC,
          [AUTH_OBS_PATH]: withAuth(proxy.url),
        });
        try {
          const good = await run(dir, GAUGE_END, { GRAPHITE_TOKEN: TOKEN });
          expect(good.result.code).toBe(0);
          expect(good.byName.api_error_rate!.value).toBeCloseTo(2, 9);
          for (const request of proxy.requests) {
            expect(request.path).toBe('/render');
            expect(Object.values(request.params).join(' ')).not.toContain(TOKEN);
          }

          const wrong = 'glc-wrong-3a7b9d1e5f';
          const bad = await run(dir, GAUGE_END, { GRAPHITE_TOKEN: wrong });
          expect(bad.result.code).toBe(3);
          expect(bad.byName.api_error_rate!.reason).toContain('HTTP 401');
          expect(bad.byName.api_error_rate!.reason).toContain("check the provider's auth");
          for (const text of [
            good.result.stdout,
            bad.result.stdout,
            bad.result.stderr,
            ...(await allFiles(dir.root)),
          ]) {
            expect(text).not.toContain(TOKEN);
            expect(text).not.toContain(wrong);
          }
        } finally {
          await dir.cleanup();
        }
      });
    });

    describe.skipIf(findOpenssl() === null)('over HTTPS', () => {
      let pki: TestPki;
      let https: HttpsProxy;
      beforeAll(async () => {
        pki = await makeTestPki(findOpenssl()!);
        https = await startHttpsProxy(graphite.url, { key: pki.serverKey, cert: pki.serverCert });
      });
      afterAll(async () => {
        await https?.close();
        await pki?.cleanup();
      });

      it('trusts graphite-web through tls.ca_file; with another CA every metric is unknown, naming the setting', async () => {
        const dir = await makeWorkspace({
          [AUTH_SPEC_PATH]: AUTH_SPEC,
          [AUTH_OBS_PATH]: obsYaml(https.url, {
            extra: `    tls: { ca_file: ${JSON.stringify(pki.caFile)} }\n`,
          }),
        });
        try {
          const trusted = await run(dir, GAUGE_END);
          expect(trusted.result.code).toBe(0);
          expect(trusted.byName.api_error_rate!.value).toBeCloseTo(2, 9);

          await dir.write(
            AUTH_OBS_PATH,
            obsYaml(https.url, { extra: `    tls: { ca_file: ${JSON.stringify(pki.otherCaFile)} }\n` }),
          );
          const refused = await run(dir, GAUGE_END);
          expect(refused.result.code).toBe(3);
          for (const metric of refused.summary.metrics) {
            expect(metric).toMatchObject({ status: 'unknown', value: null });
            expect(metric.reason).toContain('tls ca_file');
          }
        } finally {
          await dir.cleanup();
        }
      });
    });

    it('a server that never answers times out: unknown with the timeout named (exit 3)', async () => {
      const silent: Server = createServer(() => {
        // Never answers.
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: obsYaml(`http://127.0.0.1:${port}`, { extra: '    timeout: 1s\n' }),
      });
      try {
        const { result, summary } = await run(dir, GAUGE_END);
        expect(result.code).toBe(3);
        for (const metric of summary.metrics) {
          expect(metric).toMatchObject({ status: 'unknown', value: null });
          expect(metric.reason).toContain(
            `Graphite at 127.0.0.1:${port} did not answer within the configured timeout of 1000 ms`,
          );
        }
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
        await dir.cleanup();
      }
    });

    it('`report` for the incident day is backfilled from /render over the day with exact figures', async () => {
      const result = await runCli(['report', SPEC_ID, '--period', 'daily', '--date', GAUGE_DAY], {
        cwd: ws.root,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const file = path.join(
        ws.root,
        '.spec/reports/production-monitoring',
        SPEC_ID,
        'daily',
        `${GAUGE_DAY}.json`,
      );
      const json = JSON.parse(await readFile(file, 'utf8')) as {
        metrics: Array<{
          name: string;
          samples: number;
          compliance: number;
          source: string;
          episodes: Array<{ worst_value: number; start: string }>;
        }>;
      };
      const errors = json.metrics.find((m) => m.name === 'api_error_rate')!;
      // Graphite's own one-minute points; the 60 points in (INC0, INC1] are at 10%.
      expect(errors).toMatchObject({ samples: 1440, source: 'backfill' });
      expect(errors.compliance).toBeCloseTo(1380 / 1440, 9);
      expect(errors.episodes).toHaveLength(1);
      expect(errors.episodes[0]!.worst_value).toBeCloseTo(10, 9);
      expect(Date.parse(errors.episodes[0]!.start)).toBe((GAUGE_INC0 + 60) * 1000);
      // summarize(..., '5min') gives one point per five minutes.
      const latency = json.metrics.find((m) => m.name === 'api_latency_p99')!;
      expect(latency).toMatchObject({ samples: 288, compliance: 1 });
    });
  },
);
