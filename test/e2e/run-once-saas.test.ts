/**
 * New Relic, Dynatrace, CloudWatch and Datadog v2 through the built CLI, each against its fake: run-once
 * verdicts with exact values and units, a daily report backfilled by range queries, errors and timeouts as
 * unknown with a reason, and no secret in any output or written file.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCloudWatch } from '../fakes/cloudwatch.js';
import { cwReplies, startFakeCloudWatch } from '../fakes/cloudwatch.js';
import type { FakeDatadog } from '../fakes/datadog.js';
import { ddReplies, ddSeries, startFakeDatadog } from '../fakes/datadog.js';
import type { FakeDynatrace } from '../fakes/dynatrace.js';
import { dtReplies, startFakeDynatrace } from '../fakes/dynatrace.js';
import type { FakeNewRelic } from '../fakes/newrelic.js';
import { nrReplies, startFakeNewRelic } from '../fakes/newrelic.js';
import { freePort } from '../support/prometheus.js';
import { makeWorkspace, runCli } from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
const AT = 1_795_752_000; // fixed evaluation instant (Unix seconds), 2026-11-27T04:00:00Z
const DAY = '2026-11-26'; // the UTC day before AT
const DAY_START = Date.parse(`${DAY}T00:00:00Z`) / 1000;
const DAY_END = DAY_START + 86_400;

const SPEC = `### Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 200ms |
| Reliability | Error Rate | \`api_error_rate\` | < 0.1% |
`;

const NR_KEY = 'NRAK-E2E0TESTKEY0000000000000000';
const NR_ACCOUNT = 3_141_592;
const DT_TOKEN =
  'dt0c01.E2ETESTTOKEN000000000000.e2e0secret00000000000000000000000000000000000000000000000000000';
const DD_API = 'dd-api-e2e0v20000000000000000';
const DD_APP = 'dd-app-e2e0v20000000000000000';
const AWS_KEY_ID = 'AKIAE2ETESTKEY000001';
const AWS_SECRET = 'e2eSecretAccessKey/0000000000000000000000';
const SECRETS = [NR_KEY, DT_TOKEN, DD_API, DD_APP, AWS_SECRET];

interface Summary {
  status: string;
  metrics: Array<{ name: string; value: number | null; status: string; reason: string }>;
}

async function readTree(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const texts = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(path.join(e.parentPath, e.name), 'utf8')),
  );
  return texts.join('\n');
}

/** Runs the built CLI in a fresh workspace; returns its output and every file it wrote. */
async function run(obs: string, args: string[], env: Record<string, string>) {
  const ws = await makeWorkspace({
    [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
    [`specs/core/${SPEC_ID}/observability.yaml`]: obs,
  });
  try {
    // No aggregator and, for the AWS SDK, no shared files or instance metadata of this machine.
    const result = await runCli(args, {
      cwd: ws.root,
      env: {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: path.join(ws.root, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(ws.root, 'no-aws-credentials'),
        ...env,
      },
    });
    const written = await readTree(path.join(ws.root, '.spec/reports'));
    for (const text of [result.stdout, result.stderr, written]) {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    const dailyFile = path.join(
      ws.root,
      '.spec/reports/production-monitoring',
      SPEC_ID,
      'daily',
      `${DAY}.json`,
    );
    const daily = await readFile(dailyFile, 'utf8').then(
      (text) => JSON.parse(text) as DailyReport,
      () => null,
    );
    return { ...result, daily };
  } finally {
    await ws.cleanup();
  }
}

const runOnce = (obs: string, env: Record<string, string>) =>
  run(obs, [SPEC_ID, '--at', String(AT), '--json'], env);

const report = (obs: string, env: Record<string, string>) =>
  run(
    `${obs}reports:\n  weekly: false\n  aggregator_command: false\n`,
    ['report', SPEC_ID, '--period', 'daily', '--date', DAY],
    env,
  );

function byName(stdout: string) {
  const summary = JSON.parse(stdout) as Summary;
  return Object.fromEntries(summary.metrics.map((m) => [m.name, m]));
}

interface DailyReport {
  metrics: Array<{
    name: string;
    samples: number;
    source: string;
    compliance: number;
    stats: { p50: number };
  }>;
}

function reportMetrics(daily: DailyReport | null) {
  if (!daily) throw new Error('no daily report was written');
  return Object.fromEntries(daily.metrics.map((m) => [m.name, m]));
}

describe('New Relic (NRQL over NerdGraph) through the built CLI', () => {
  let nr: FakeNewRelic;
  const P99 = "SELECT percentile(duration, 99) FROM Transaction WHERE appName = 'auth'";
  const ERRORS = "SELECT percentage(count(*), WHERE error IS true) FROM Transaction WHERE appName = 'auth'";
  const obs = (url: string, extra = '') => `providers:
  nr:
    type: newrelic
    api_key: "{{env.NEW_RELIC_API_KEY}}"
    account_id: ${NR_ACCOUNT}
    region: eu
    url: ${url}
${extra}metrics:
  - name: api_latency_p99
    query: "${P99}"
    unit: s
  - name: api_error_rate
    query: "${ERRORS}"
    unit: "%"
`;
  beforeAll(async () => {
    nr = await startFakeNewRelic({ apiKey: NR_KEY, accountId: NR_ACCOUNT });
  });
  afterAll(async () => {
    await nr?.close();
  });

  it('run-once: 0.35 s p99 breaches < 200ms, 0.04 % errors are healthy', async () => {
    nr.reset();
    nr.respond(
      P99,
      nrReplies.points('percentile.duration', [[(AT - 60) * 1000, 0.35]], {
        aggregate: 'latest',
        nested: '99',
      }),
    );
    nr.respond(ERRORS, nrReplies.points('percentage', [[(AT - 60) * 1000, 0.04]]));
    const result = await runOnce(obs(nr.url), { NEW_RELIC_API_KEY: NR_KEY });
    expect(result.code).toBe(1);
    const metrics = byName(result.stdout);
    expect(metrics.api_latency_p99).toMatchObject({ status: 'breached', value: 350 });
    expect(metrics.api_latency_p99!.reason).toContain('newrelic "nr"');
    expect(metrics.api_error_rate).toMatchObject({ status: 'healthy', value: 0.04 });
    expect((nr.requests[0]!.body as { variables: { nrql: string } }).variables.nrql).toBe(
      `${P99} SINCE ${(AT - 300) * 1000} UNTIL ${AT * 1000}`,
    );
  });

  it('an NRQL syntax error and a timeout are unknown with the reason: exit 3', async () => {
    nr.reset();
    nr.respond(P99, nrReplies.syntaxError('Unknown function percentle'));
    nr.respond(ERRORS, nrReplies.delay(10_000));
    const result = await runOnce(obs(nr.url, '    timeout: 1s\n'), { NEW_RELIC_API_KEY: NR_KEY });
    expect(result.code).toBe(3);
    const metrics = byName(result.stdout);
    expect(metrics.api_latency_p99).toMatchObject({ status: 'unknown', value: null });
    expect(metrics.api_latency_p99!.reason).toContain('NRQL Syntax Error: Unknown function percentle');
    expect(metrics.api_error_rate!.status).toBe('unknown');
    expect(metrics.api_error_rate!.reason).toContain('timeout of 1000 ms');
  });

  it('report: the day is backfilled from TIMESERIES range queries', async () => {
    nr.reset();
    const minutes = Array.from({ length: 1440 }, (_, i) => (DAY_START + i * 60 + 30) * 1000);
    nr.respond(
      P99,
      nrReplies.points(
        'percentile.duration',
        minutes.map((t) => [t, 0.1]),
        { aggregate: 'max', nested: '99' },
      ),
    );
    nr.respond(
      ERRORS,
      nrReplies.points(
        'percentage',
        minutes.map((t) => [t, 0.02]),
      ),
    );
    const result = await report(obs(nr.url), { NEW_RELIC_API_KEY: NR_KEY });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sent = nr.requests.map((r) => (r.body as { variables: { nrql: string } }).variables.nrql);
    // The day's one-minute grid (00:00 to 23:59, 86 340 s) in at most 366 buckets: 236 s each, aligned
    // to the window's end as NRQL does: 365 whole buckets, each stamped at its start.
    expect(sent).toContain(
      `${P99} SINCE ${DAY_START * 1000} UNTIL ${(DAY_END - 60) * 1000} TIMESERIES 236 seconds`,
    );
    const metrics = reportMetrics(result.daily);
    expect(metrics.api_latency_p99).toMatchObject({ samples: 365, source: 'backfill', compliance: 1 });
    expect(metrics.api_latency_p99!.stats.p50).toBeCloseTo(100, 9);
    expect(metrics.api_error_rate).toMatchObject({ samples: 365, compliance: 1 });
  });
});

describe('Dynatrace (metrics API v2) through the built CLI', () => {
  let dt: FakeDynatrace;
  const P99 =
    'builtin:service.response.time:filter(eq("dt.entity.service","SERVICE-1234567890ABCDEF")):percentile(99)';
  const ERRORS =
    'builtin:service.errors.total.rate:filter(eq("dt.entity.service","SERVICE-1234567890ABCDEF"))';
  const obs = (url: string, extra = '') => `providers:
  dt:
    type: dynatrace
    url: ${url}
    api_token: env:DT_API_TOKEN
${extra}metrics:
  - name: api_latency_p99
    query: '${P99}'
    unit: us
  - name: api_error_rate
    query: '${ERRORS}'
    unit: "%"
`;
  beforeAll(async () => {
    dt = await startFakeDynatrace({ apiToken: DT_TOKEN });
  });
  afterAll(async () => {
    await dt?.close();
  });

  it('run-once: 150 000 µs p99 is healthy against < 200ms, 0.5 % errors breach < 0.1%', async () => {
    dt.reset();
    dt.respond(
      P99,
      dtReplies.service(P99, [
        [(AT - 120) * 1000, 400_000],
        [(AT - 60) * 1000, 150_000],
      ]),
    );
    dt.respond(
      ERRORS,
      dtReplies.service(ERRORS, [
        [(AT - 60) * 1000, 0.5],
        [AT * 1000, null],
      ]),
    );
    const result = await runOnce(obs(dt.url), { DT_API_TOKEN: DT_TOKEN });
    expect(result.code).toBe(1);
    const metrics = byName(result.stdout);
    expect(metrics.api_latency_p99).toMatchObject({ status: 'healthy', value: 150 });
    expect(metrics.api_error_rate).toMatchObject({ status: 'breached', value: 0.5 });
    expect(metrics.api_error_rate!.reason).toContain('dynatrace "dt"');
    expect(dt.requests[0]!.headers.authorization).toBe(`Api-Token ${DT_TOKEN}`);
  });

  it('a token without metrics.read and a timeout are unknown with the reason: exit 3', async () => {
    dt.reset();
    dt.respond(
      P99,
      dtReplies.error(403, 'Token is missing required scope. Use one of: metrics.read (Read metrics)'),
    );
    dt.respond(ERRORS, dtReplies.delay(10_000));
    const result = await runOnce(obs(dt.url, '    timeout: 1s\n'), { DT_API_TOKEN: DT_TOKEN });
    expect(result.code).toBe(3);
    const metrics = byName(result.stdout);
    expect(metrics.api_latency_p99).toMatchObject({ status: 'unknown' });
    expect(metrics.api_latency_p99!.reason).toContain('metrics.read');
    expect(metrics.api_error_rate!.reason).toContain('timeout of 1000 ms');
  });

  it('report: the day is backfilled at the one-minute resolution', async () => {
    dt.reset();
    const minutes = Array.from({ length: 1440 }, (_, i) => (DAY_START + (i + 1) * 60) * 1000);
    dt.respond(
      P99,
      dtReplies.service(
        P99,
        minutes.map((t) => [t, 80_000]),
      ),
    );
    dt.respond(
      ERRORS,
      dtReplies.service(
        ERRORS,
        minutes.map((t, i) => [t, i < 60 ? 1 : 0.01]),
      ),
    );
    const result = await report(obs(dt.url), { DT_API_TOKEN: DT_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const request = dt.requests.find(
      (r) => r.query.metricSelector === P99 && r.query.from === String(DAY_START * 1000),
    )!;
    expect(request.query).toMatchObject({ to: String((DAY_END - 60) * 1000), resolution: '1m' });
    const metrics = reportMetrics(result.daily);
    // Buckets (from + (k-1) min, from + k min] stamped at their end, k = 1..1439: the minute points of the
    // first hour (at 1 % errors) fill buckets 1..60.
    expect(metrics.api_latency_p99).toMatchObject({ samples: 1439, source: 'backfill', compliance: 1 });
    expect(metrics.api_latency_p99!.stats.p50).toBeCloseTo(80, 9);
    expect(metrics.api_error_rate!.samples).toBe(1439);
    expect(metrics.api_error_rate!.compliance).toBeCloseTo((1439 - 60) / 1439, 9);
  });
});

describe('Datadog v2 (timeseries with formulas) through the built CLI', () => {
  let dd: FakeDatadog;
  const ERRORS = `100 * errors / hits
errors = sum:trace.rack.request.errors{service:my-api,env:prod}.as_count()
hits = sum:trace.rack.request.hits{service:my-api,env:prod}.as_count()`;
  const P99 = 'p99:trace.rack.request{service:my-api,env:prod}';
  const obs = (url: string, extra = '') => `provider: datadog
api: v2
api_key: "{{env.DATADOG_API_KEY}}"
app_key: "{{env.DATADOG_APP_KEY}}"
site: eu
url: ${url}
${extra}metrics:
  - name: api_latency_p99
    query: "${P99}"
  - name: api_error_rate
    unit: "%"
    query: |
${ERRORS.split('\n')
  .map((line) => `      ${line}`)
  .join('\n')}
`;
  const env = { DATADOG_API_KEY: DD_API, DATADOG_APP_KEY: DD_APP };
  beforeAll(async () => {
    dd = await startFakeDatadog({ apiKey: DD_API, appKey: DD_APP });
  });
  afterAll(async () => {
    await dd?.close();
  });

  it('run-once: the formula answer (0.05 %) is healthy and 0.25 s p99 breaches < 200ms', async () => {
    dd.reset();
    dd.respond(
      '100 * errors / hits',
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [(AT - 60) * 1000, 0.05],
            [AT * 1000, null],
          ],
        }),
      ]),
    );
    dd.respond(P99, ddReplies.ok([ddSeries({ pointlist: [[(AT - 60) * 1000, 0.25]] })]));
    const result = await runOnce(obs(dd.url), env);
    expect(result.code).toBe(1);
    const metrics = byName(result.stdout);
    expect(metrics.api_error_rate).toMatchObject({ status: 'healthy', value: 0.05 });
    expect(metrics.api_latency_p99).toMatchObject({ status: 'breached', value: 250 });
    expect(dd.requests.every((r) => r.path === '/api/v2/query/timeseries')).toBe(true);
  });

  it('a 400 and a timeout are unknown with the reason: exit 3', async () => {
    dd.reset();
    dd.respond('100 * errors / hits', ddReplies.badRequest('Error parsing query: unknown function as_cnt'));
    dd.respond(P99, ddReplies.delay(10_000));
    const result = await runOnce(obs(dd.url, 'timeout: 1s\n'), env);
    expect(result.code).toBe(3);
    const metrics = byName(result.stdout);
    expect(metrics.api_error_rate!.reason).toContain('unknown function as_cnt');
    expect(metrics.api_latency_p99!.reason).toContain('timeout of 1000 ms');
  });

  it('report: the day is backfilled with the step as the v2 interval', async () => {
    dd.reset();
    const minutes = Array.from(
      { length: 1440 },
      (_, i) => [(DAY_START + i * 60) * 1000, 0.01] as [number, number],
    );
    dd.respond('100 * errors / hits', ddReplies.ok([ddSeries({ pointlist: minutes })]));
    dd.respond(P99, ddReplies.ok([ddSeries({ pointlist: minutes.map(([t]) => [t, 0.12]) })]));
    const result = await report(obs(dd.url), env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const attributes = dd.requests.map(
      (r) => (r.body as { data: { attributes: Record<string, unknown> } }).data.attributes,
    );
    expect(attributes).toContainEqual(
      expect.objectContaining({ from: DAY_START * 1000, to: (DAY_END - 60) * 1000 + 1, interval: 60_000 }),
    );
    const metrics = reportMetrics(result.daily);
    expect(metrics.api_latency_p99).toMatchObject({ samples: 1440, source: 'backfill', compliance: 1 });
    expect(metrics.api_latency_p99!.stats.p50).toBeCloseTo(120, 9);
    expect(metrics.api_error_rate).toMatchObject({ samples: 1440, compliance: 1 });
  });
});

describe('CloudWatch (GetMetricData through the AWS SDK) through the built CLI', () => {
  let cw: FakeCloudWatch;
  const REGION = 'eu-west-1';
  const P99 = 'SELECT MAX(TargetResponseTime) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer)';
  const obs = (url: string, extra = '') => `providers:
  aws:
    type: cloudwatch
    region: ${REGION}
    endpoint: ${url}
${extra}metrics:
  - name: api_latency_p99
    query: '${P99}'
    unit: s
  - name: api_error_rate
    unit: ratio
    query: |
      [
        {"Id": "errors", "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_Target_5XX_Count",
          "Dimensions": [{"Name": "LoadBalancer", "Value": "app/auth/50dc6c495c0c9188"}]}, "Period": 60, "Stat": "Sum"}},
        {"Id": "requests", "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount",
          "Dimensions": [{"Name": "LoadBalancer", "Value": "app/auth/50dc6c495c0c9188"}]}, "Period": 60, "Stat": "Sum"}},
        {"Id": "ratio", "Expression": "errors / requests"}
      ]
`;
  const env = { AWS_ACCESS_KEY_ID: AWS_KEY_ID, AWS_SECRET_ACCESS_KEY: AWS_SECRET };
  beforeAll(async () => {
    cw = await startFakeCloudWatch({ accessKeyId: AWS_KEY_ID, region: REGION });
  });
  afterAll(async () => {
    await cw?.close();
  });

  it('run-once: SigV4-signed; 0.18 s is healthy, an error ratio of 0.002 breaches < 0.1%', async () => {
    cw.reset();
    cw.respond(
      P99,
      cwReplies.points([
        [AT - 120, 0.5],
        [AT - 60, 0.18],
      ]),
    );
    cw.respond('errors / requests', cwReplies.points([[AT - 60, 0.002]]));
    const result = await runOnce(obs(cw.url), env);
    expect(result.code).toBe(1);
    const metrics = byName(result.stdout);
    expect(metrics.api_latency_p99).toMatchObject({ status: 'healthy', value: 180 });
    expect(metrics.api_error_rate).toMatchObject({ status: 'breached', value: 0.2 });
    expect(metrics.api_error_rate!.reason).toContain('cloudwatch "aws"');
    expect(cw.requests[0]!.headers.authorization).toContain(`Credential=${AWS_KEY_ID}/`);
  });

  it('no credentials and a timeout are unknown with the reason: exit 3', async () => {
    cw.reset();
    const none = await runOnce(obs(cw.url), {});
    expect(none.code).toBe(3);
    expect(byName(none.stdout).api_latency_p99!.reason).toContain('no AWS credentials found');
    expect(cw.requests).toHaveLength(0);
    cw.respond('*', cwReplies.delay(10_000));
    const slow = await runOnce(obs(cw.url, '    timeout: 1s\n'), env);
    expect(slow.code).toBe(3);
    expect(byName(slow.stdout).api_latency_p99!.reason).toContain('timeout of 1000 ms');
  });

  it('report: the day is backfilled from GetMetricData over the day', async () => {
    cw.reset();
    const minutes = Array.from({ length: 1440 }, (_, i) => DAY_START + i * 60);
    cw.respond(P99, cwReplies.points(minutes.map((t) => [t, 0.09])));
    cw.respond('errors / requests', cwReplies.points(minutes.map((t) => [t, 0.0005])));
    const result = await report(obs(cw.url), env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const metrics = reportMetrics(result.daily);
    // EndTime is exclusive: the grid's last point (23:59) is not asked for.
    expect(metrics.api_latency_p99).toMatchObject({ samples: 1439, source: 'backfill', compliance: 1 });
    expect(metrics.api_latency_p99!.stats.p50).toBeCloseTo(90, 9);
    expect(metrics.api_error_rate).toMatchObject({ samples: 1439, compliance: 1 });
  });
});

describe('start-up: the AWS SDK is loaded only when a CloudWatch provider is queried', () => {
  /** Runs the CLI with a module hook that logs every `@aws-sdk/` module it resolves. */
  async function sdkModulesLoaded(obs: string, env: Record<string, string>): Promise<string[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-hooks-'));
    try {
      const log = path.join(dir, 'sdk-modules.log');
      await writeFile(log, '');
      await writeFile(
        path.join(dir, 'hooks.mjs'),
        `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.includes('@aws-sdk/')) appendFileSync(${JSON.stringify(log)}, specifier + '\\n');
  return next(specifier, context);
}
`,
      );
      await writeFile(
        path.join(dir, 'register.mjs'),
        `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`,
      );
      await runOnce(obs, {
        ...env,
        NODE_OPTIONS: `--import=${pathToFileURL(path.join(dir, 'register.mjs')).href}`,
      });
      return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('a Prometheus run-once never resolves @aws-sdk; a CloudWatch one does', async () => {
    // A loopback port with nothing listening: the Prometheus path runs and fails fast, sending nothing.
    const closed = await freePort();
    const prometheus = `provider: prometheus
url: http://127.0.0.1:${closed}
metrics:
  - name: api_latency_p99
    query: 'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))'
`;
    expect(await sdkModulesLoaded(prometheus, {})).toEqual([]);
    const cw = await startFakeCloudWatch({ accessKeyId: AWS_KEY_ID, region: 'eu-west-1' });
    try {
      const cloudwatch = `providers:
  aws:
    type: cloudwatch
    region: eu-west-1
    endpoint: ${cw.url}
metrics:
  - name: api_latency_p99
    query: 'SELECT MAX(TargetResponseTime) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer)'
    unit: s
`;
      const loaded = await sdkModulesLoaded(cloudwatch, {
        AWS_ACCESS_KEY_ID: AWS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      });
      expect(loaded).toContain('@aws-sdk/client-cloudwatch');
    } finally {
      await cw.close();
    }
  });
});
