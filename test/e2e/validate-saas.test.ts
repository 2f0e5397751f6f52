import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

async function validate(obs: string, env: Record<string, string> = {}) {
  ws = await makeWorkspace({
    '.spec/SPEC_INDEX.json': AUTH_INDEX,
    [AUTH_SPEC_PATH]: AUTH_SPEC,
    [AUTH_OBS_PATH]: obs,
  });
  return runCli(['validate', 'spec-core-001-authentication', '--json'], { cwd: ws.root, env });
}

interface Report {
  ok: boolean;
  problems: Array<{ severity: string; where: string; message: string; hint: string | null }>;
}

describe('validate: New Relic, Datadog v2 and CloudWatch queries checked offline', () => {
  it('NRQL without FROM or with its own SINCE, a v2 formula on v1, a bad MetricDataQueries list: exit 2, each line named', async () => {
    const result = await validate(
      `providers:
  nr:
    type: newrelic
    api_key: "{{env.NEW_RELIC_API_KEY}}"
    account_id: 1234567
  dd:
    type: datadog
    api_key: "{{env.DATADOG_API_KEY}}"
    app_key: "{{env.DATADOG_APP_KEY}}"
  aws:
    type: cloudwatch
    region: us-east-1
metrics:
  - name: api_latency_p99
    provider: nr
    query: "SELECT percentile(duration, 99) FROM Transaction SINCE 30 minutes ago"
  - name: api_error_rate
    provider: dd
    query: |
      100 * errors / hits
      errors = sum:trace.http.request.errors{service:api}.as_count()
      hits = sum:trace.http.request.hits{service:api}.as_count()
  - name: api_uptime
    provider: aws
    query: '[{"Id": "Up", "Expression": "AVG(METRICS())"}]'
`,
      {
        NEW_RELIC_API_KEY: 'NRAK-VALIDATE00000000000000000',
        DATADOG_API_KEY: 'dd-api-validate0000',
        DATADOG_APP_KEY: 'dd-app-validate0000',
      },
    );
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as Report;
    const errors = report.problems.filter((p) => p.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        where: expect.stringMatching(/observability\.yaml:14$/),
        message: expect.stringContaining('NRQL: remove SINCE'),
      }),
      expect.objectContaining({
        where: expect.stringMatching(/observability\.yaml:17$/),
        message: expect.stringContaining('needs the v2 API'),
        hint: 'add `api: v2` to the Datadog provider',
      }),
      expect.objectContaining({
        where: expect.stringMatching(/observability\.yaml:23$/),
        message: expect.stringContaining('CloudWatch: entry 1 needs an "Id"'),
      }),
    ]);
    expect(result.stdout).not.toContain('NRAK-VALIDATE');
  });

  it('the same file with the queries fixed is valid, and an unknown New Relic region is a config error', async () => {
    const good = await validate(
      `providers:
  nr:
    type: newrelic
    api_key: "{{env.NEW_RELIC_API_KEY}}"
    account_id: 1234567
    region: eu
metrics:
  - name: api_latency_p99
    query: "FROM Transaction SELECT percentile(duration, 99) WHERE appName = 'auth'"
    unit: s
`,
      { NEW_RELIC_API_KEY: 'NRAK-VALIDATE00000000000000000' },
    );
    expect(good.code).toBe(0);
    const bad = await validate(
      `providers:
  nr:
    type: newrelic
    api_key: "{{env.NEW_RELIC_API_KEY}}"
    account_id: abc
    region: europe
metrics:
  - name: api_latency_p99
    query: "SELECT count(*) FROM Transaction"
`,
      { NEW_RELIC_API_KEY: 'NRAK-VALIDATE00000000000000000' },
    );
    expect(bad.code).toBe(2);
    const { error } = JSON.parse(bad.stdout) as {
      error: { message: string; line: number; field: string; hint: string; details: string[] };
    };
    expect(error).toMatchObject({
      line: 5,
      field: 'providers.nr.account_id',
      message: 'not a New Relic account id',
    });
    expect(error.hint).toContain('account_id: 1234567');
    expect(error.details).toEqual([
      expect.stringMatching(
        /observability\.yaml:6:\d+: providers\.nr\.region: expected one of us, eu, jp, fedramp$/,
      ),
    ]);
  });
});
