import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

async function validate(obs: string, env: Record<string, string> = {}, extra: string[] = []) {
  ws = await makeWorkspace({
    '.spec/SPEC_INDEX.json': AUTH_INDEX,
    [AUTH_SPEC_PATH]: AUTH_SPEC,
    [AUTH_OBS_PATH]: obs,
  });
  return runCli(['validate', 'spec-core-001-authentication', ...extra], { cwd: ws.root, env });
}

const QUERIES = `  - name: api_latency_p99
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
  - name: api_error_rate
    query: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'
`;

describe('validate: spec and config checked without any network', () => {
  it('a valid setup: exit 0, the NFRs found and the gaps listed, nothing queried', async () => {
    // Port 9 would refuse connections: validate must not try.
    const result = await validate(`provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n${QUERIES}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('NFRs found (4):');
    expect(result.stdout).toMatch(/line\s+11\s+api_latency_p99\s+< 500ms\s+→ < 500 ms\s+\[ok\]/);
    expect(result.stdout).toMatch(/api_uptime.*\[no query\]/);
    expect(result.stdout).toMatch(/audit_log.*\[no numeric target\]/);
    expect(result.stdout).toContain('PromQL checked with promtool');
    // The third: the p99 SLI assumes a bucket le="0.5" that cannot be seen offline.
    expect(result.stdout).toMatch(/VALID: 3 warning\(s\)/);
  });

  it('a PromQL type error, a missing env var and an unused mapping: exit 2 with each place named', async () => {
    const result = await validate(
      `provider: prometheus\nurl: http://127.0.0.1:9\nauth: { bearer: "{{env.PROM_TOKEN_FOR_TEST}}" }\nmetrics:\n${QUERIES.replace(
        'sum(rate(http_requests_total{code=~"5.."}[5m]))',
        'rate(sum(http_requests_total))',
      )}  - name: api_uptme\n    query: up\n`,
      {},
      ['--json'],
    );
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      problems: Array<{ severity: string; where: string; message: string }>;
    };
    expect(report.ok).toBe(false);
    const errors = report.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.where)).toEqual([
      expect.stringMatching(/observability\.yaml:3:\d+$/),
      expect.stringMatching(/observability\.yaml:9$/),
      expect.stringMatching(/observability\.yaml:7$/),
    ]);
    expect(errors[0]!.message).toContain('PROM_TOKEN_FOR_TEST');
    expect(errors[2]!.message).toContain('expected type range vector in call to function "rate"');
    // A mapping named near an NFR that has no query is a typo, hence an error with the name it meant.
    const misnamed = report.problems.find((p) => p.message.includes('"api_uptme" matches no NFR'));
    expect(misnamed).toMatchObject({
      severity: 'error',
      where: expect.stringMatching(/observability\.yaml:9$/),
      hint: 'did you mean `name: api_uptime`?',
    });
    // The unmapped NFR points at the likely typo.
    expect(report.problems.some((p) => p.message.includes('did you mean "api_uptme"'))).toBe(true);
  });

  it('a unit that cannot be converted is an error', async () => {
    const result = await validate(
      `provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n${QUERIES}  - name: api_uptime\n    query: up\n    unit: ms\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /observability\.yaml:8: error: metrics "api_uptime": unit "ms" cannot be converted to the target's unit "%"/,
    );
  });

  it('`metrics: []` is INVALID: nothing can be monitored, and the warning names the field', async () => {
    const result = await validate('provider: prometheus\nurl: http://127.0.0.1:9\nmetrics: []\n');
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /observability\.yaml:3:\d+: warning: metrics: `metrics:` is empty: nothing will be measured/,
    );
    expect(result.stdout).not.toMatch(/: : /);
    expect(result.stdout).toMatch(
      /observability\.yaml: error: nothing can be monitored: no NFR of spec-core-001-authentication with a numeric target has a query/,
    );
    expect(result.stdout).toMatch(/INVALID: 1 error\(s\)/);
  });
});
