import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GAUGE_DAY, GAUGE_END, GAUGE_INC0, GAUGE_INC1, influxLines } from '../support/gauge-history.js';
import { influxdbSkipReason, startInfluxdb } from '../support/influxdb.js';
import type { RunningServer } from '../support/server-process.js';
import type { Workspace } from './support.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  makeWorkspace,
  PROJECT_ROOT,
  runCli,
} from './support.js';

const skip = influxdbSkipReason();
const SPEC_ID = 'spec-core-001-authentication';
const USER = 'monitor';
const PASSWORD = 'influx-pw-4b1d9c7e2f';
const ENV = { INFLUX_PASSWORD: PASSWORD };

const QUERIES = {
  p99: `SELECT last("p99") FROM "http" WHERE "service" = 'checkout' AND $timeFilter`,
  errors: `SELECT mean("error_ratio") FROM "http" WHERE "service" = 'checkout' AND $timeFilter`,
  uptime: `SELECT mean("availability") FROM "http" WHERE "service" = 'checkout' AND $timeFilter`,
};

function obsYaml(
  url: string,
  options: { queries?: Partial<typeof QUERIES>; provider?: string } = {},
): string {
  const q = { ...QUERIES, ...options.queries };
  return `providers:
  influx:
    type: influxdb
    url: ${url}
    database: app
    auth:
      basic:
        username: ${USER}
        password: "{{env.INFLUX_PASSWORD}}"
${options.provider ?? ''}metrics:
  - name: api_latency_p99
    query: ${JSON.stringify(q.p99)}
    unit: s
  - name: api_error_rate
    query: ${JSON.stringify(q.errors)}
    unit: ratio
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
  provider: string;
  provider_type: string;
}

/** Every file under `dir`, as text. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) => readFile(path.join(entry.parentPath, entry.name), 'utf8')),
  );
}

describe.skipIf(skip !== null)(
  'run-once and reports against a real InfluxDB 1.x with a known history',
  () => {
    let influx: RunningServer;
    let ws: Workspace;

    beforeAll(async () => {
      influx = await startInfluxdb({
        username: USER,
        password: PASSWORD,
        database: 'app',
        lines: influxLines(),
      });
      ws = await makeWorkspace({
        '.spec/SPEC_INDEX.json': AUTH_INDEX,
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: obsYaml(influx.url),
      });
    });
    afterAll(async () => {
      await influx?.stop();
      await ws?.cleanup();
    });

    it('healthy at the end of the day: exact values, the password only in the Authorization header', async () => {
      const result = await runCli([SPEC_ID, '--at', String(GAUGE_END), '--json'], { cwd: ws.root, env: ENV });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as { status: string; metrics: MetricJson[] };
      expect(summary.status).toBe('healthy');
      const byName = Object.fromEntries(summary.metrics.map((m) => [m.name, m]));
      expect(byName.api_latency_p99!.value).toBeCloseTo(300, 9);
      expect(byName.api_error_rate!.value).toBeCloseTo(2, 9);
      expect(byName.api_uptime!.value).toBeCloseTo(98, 9);
      expect(byName.api_uptime).toMatchObject({
        provider: 'influx',
        provider_type: 'influxdb',
        status: 'healthy',
      });

      // InfluxDB's access log shows every request line: the user is known from the header, no u=/p= in the URL.
      const log = await readFile(influx.logFile, 'utf8');
      expect(log).toMatch(
        new RegExp(`127\\.0\\.0\\.1 - ${USER} \\[[^\\]]+\\] "GET /query\\?db=app&epoch=ms&q=SELECT`),
      );
      expect(log).not.toContain(PASSWORD);
      expect(log).not.toMatch(/[?&][up]=/);
      for (const text of [result.stdout, ...(await allFiles(ws.root))]) expect(text).not.toContain(PASSWORD);
    });

    it("the demo's examples/influxdb/observability.yaml: healthy at the end of the day, unhealthy in the incident", async () => {
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: await readFile(
          path.join(PROJECT_ROOT, 'examples/influxdb/observability.yaml'),
          'utf8',
        ),
      });
      try {
        const env = { INFLUX_URL: influx.url, INFLUX_PASSWORD: PASSWORD };
        const healthy = await runCli([SPEC_ID, '--at', String(GAUGE_END)], { cwd: dir.root, env });
        expect(healthy.stdout).toContain(`HEALTHY ${SPEC_ID}: 3/3 NFRs within target`);
        expect(healthy.code).toBe(0);
        const incident = await runCli([SPEC_ID, '--at', String(GAUGE_INC1)], { cwd: dir.root, env });
        expect(incident.stdout).toContain(`UNHEALTHY ${SPEC_ID}: 1/3 NFRs within target, 2 breached`);
        expect(incident.code).toBe(1);
      } finally {
        await dir.cleanup();
      }
    });

    it('in the incident: the error rate and uptime breached with exact values (exit 1)', async () => {
      const result = await runCli([SPEC_ID, '--at', String(GAUGE_INC1), '--json'], {
        cwd: ws.root,
        env: ENV,
      });
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout) as { status: string; metrics: MetricJson[] };
      const byName = Object.fromEntries(summary.metrics.map((m) => [m.name, m]));
      expect(byName.api_error_rate).toMatchObject({ status: 'breached' });
      expect(byName.api_error_rate!.value).toBeCloseTo(10, 9);
      expect(byName.api_error_rate!.reason).toContain('influxdb "influx"');
      expect(byName.api_uptime).toMatchObject({ status: 'breached' });
      expect(byName.api_uptime!.value).toBeCloseTo(90, 9);
      // last(): the latest point of the window, 30 s before the evaluation time.
      expect(byName.api_latency_p99).toMatchObject({ status: 'healthy' });
      expect(byName.api_latency_p99!.value).toBeCloseTo(450, 9);
    });

    it('no data, several series, an InfluxQL error and a missing $timeFilter are unknown with the reason (exit 3)', async () => {
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: obsYaml(influx.url, {
          queries: {
            p99: `SELECT last("p99") FROM "http" WHERE "service" = 'nowhere' AND $timeFilter`,
            errors: `SELECT mean("error_ratio") FROM "http" WHERE $timeFilter GROUP BY "service"`,
            uptime: `SELECT mean("availability" FROM "http" WHERE $timeFilter`,
          },
        }),
      });
      try {
        const result = await runCli([SPEC_ID, '--at', String(GAUGE_END), '--json'], {
          cwd: dir.root,
          env: ENV,
        });
        expect(result.code).toBe(3);
        const summary = JSON.parse(result.stdout) as { status: string; metrics: MetricJson[] };
        expect(summary.status).toBe('degraded');
        const byName = Object.fromEntries(summary.metrics.map((m) => [m.name, m]));
        expect(byName.api_latency_p99).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_latency_p99!.reason).toContain('no data');
        expect(byName.api_latency_p99!.reason).toContain(`'nowhere'`);
        expect(byName.api_error_rate).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_error_rate!.reason).toContain('2 series');
        expect(byName.api_error_rate!.reason).toContain('http{service="checkout"}, http{service="search"}');
        expect(byName.api_uptime).toMatchObject({ status: 'unknown', value: null });
        expect(byName.api_uptime!.reason).toMatch(/InfluxDB rejected the query \(error parsing query: .*\)/);

        await dir.write(
          AUTH_OBS_PATH,
          obsYaml(influx.url, { queries: { p99: `SELECT last("p99") FROM "http"` } }).replace(
            'database: app',
            'database: nosuchdb',
          ),
        );
        const second = await runCli([SPEC_ID, '--at', String(GAUGE_END), '--json'], {
          cwd: dir.root,
          env: ENV,
        });
        expect(second.code).toBe(3);
        const metrics = (JSON.parse(second.stdout) as { metrics: MetricJson[] }).metrics;
        const p99 = metrics.find((m) => m.name === 'api_latency_p99')!;
        expect(p99.reason).toContain('has no $timeFilter');
        const errors = metrics.find((m) => m.name === 'api_error_rate')!;
        expect(errors.status).toBe('unknown');
        expect(errors.reason).toContain('database not found: nosuchdb');
        expect(errors.reason).toContain("check the provider's database (nosuchdb)");
      } finally {
        await dir.cleanup();
      }
    });

    it('a wrong password is an auth failure that names what to check, and the password is never printed', async () => {
      const wrong = 'wrong-pw-5e8a1f3c9b';
      const result = await runCli([SPEC_ID, '--at', String(GAUGE_END)], {
        cwd: ws.root,
        env: { INFLUX_PASSWORD: wrong },
      });
      expect(result.code).toBe(3);
      expect(result.stdout).toContain('DEGRADED');
      expect(result.stdout).toMatch(/HTTP 401[^\n]*check the provider's auth/);
      for (const text of [result.stdout, result.stderr, ...(await allFiles(ws.root))]) {
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(Buffer.from(`${USER}:${wrong}`).toString('base64'));
      }
    });

    it('a server that never answers times out: unknown with the timeout named (exit 3)', async () => {
      const silent: Server = createServer(() => {
        // Never answers: the request stays open until the client gives up.
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      const dir = await makeWorkspace({
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: obsYaml(`http://127.0.0.1:${port}`).replace(
          'database: app',
          'database: app\n    timeout: 1s',
        ),
      });
      try {
        const result = await runCli([SPEC_ID, '--at', String(GAUGE_END), '--json'], {
          cwd: dir.root,
          env: ENV,
        });
        expect(result.code).toBe(3);
        const metrics = (JSON.parse(result.stdout) as { metrics: MetricJson[] }).metrics;
        for (const metric of metrics) {
          expect(metric).toMatchObject({ status: 'unknown', value: null });
          expect(metric.reason).toContain(
            `InfluxDB at 127.0.0.1:${port} did not answer within the configured timeout of 1000 ms`,
          );
        }
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
        await dir.cleanup();
      }
    });

    it('`report` for the incident day is backfilled by range queries (GROUP BY time(step)) with exact figures', async () => {
      const result = await runCli(['report', SPEC_ID, '--period', 'daily', '--date', GAUGE_DAY], {
        cwd: ws.root,
        env: ENV,
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
        backfill_errors?: unknown;
      };
      const errors = json.metrics.find((m) => m.name === 'api_error_rate')!;
      // One point a minute; the 60 points in (INC0, INC1] are at 10%.
      expect(errors).toMatchObject({ samples: 1440, source: 'backfill' });
      expect(errors.compliance).toBeCloseTo(1380 / 1440, 9);
      expect(errors.episodes).toHaveLength(1);
      expect(errors.episodes[0]!.worst_value).toBeCloseTo(10, 9);
      // The bucket [INC0, INC0 + 60 s) is stamped with its end.
      expect(Date.parse(errors.episodes[0]!.start)).toBe((GAUGE_INC0 + 60) * 1000);
      const latency = json.metrics.find((m) => m.name === 'api_latency_p99')!;
      expect(latency.compliance).toBe(1);
      const text = (await allFiles(ws.root)).join('\n');
      expect(text).not.toContain(PASSWORD);
    });
  },
);
