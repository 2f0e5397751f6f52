import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

async function validate(obs: string) {
  ws = await makeWorkspace({
    '.spec/SPEC_INDEX.json': AUTH_INDEX,
    [AUTH_SPEC_PATH]: AUTH_SPEC,
    [AUTH_OBS_PATH]: obs,
  });
  return runCli(['validate', 'spec-core-001-authentication', '--json'], { cwd: ws.root });
}

// Port 9 would refuse connections: validate must not try.
const obs = (latency: string, errors: string) => `providers:
  influx:
    type: influxdb
    url: http://127.0.0.1:9
    database: app
  graphite:
    type: graphite
    url: http://127.0.0.1:9
metrics:
  - name: api_latency_p99
    provider: influx
    query: ${JSON.stringify(latency)}
  - name: api_error_rate
    provider: graphite
    query: ${JSON.stringify(errors)}
unmapped: ignore
`;

interface Report {
  ok: boolean;
  problems: Array<{ severity: string; where: string; message: string }>;
}

describe('validate: InfluxQL and Graphite targets checked by shape, offline', () => {
  it('well-formed queries: exit 0', async () => {
    const result = await validate(
      obs(
        `SELECT percentile("duration", 99) FROM "http" WHERE "svc" = 'api' AND $timeFilter`,
        `asPercent(sumSeries(app.*.errors), sumSeries(app.*.requests))`,
      ),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Report).ok).toBe(true);
  });

  it('an unbalanced InfluxQL query without $timeFilter and an unclosed Graphite call: exit 2, metric and line named', async () => {
    const result = await validate(
      obs(`SELECT percentile("duration", 99 FROM "http"`, `asPercent(sumSeries(app.*.errors), app.requests`),
    );
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(false);
    const errors = report.problems.filter((p) => p.severity === 'error');
    expect(errors).toEqual([
      {
        severity: 'error',
        where: 'specs/core/spec-core-001-authentication/observability.yaml:10',
        message: 'metrics "api_latency_p99": InfluxQL: "(" at column 18 is never closed',
        hint: null,
      },
      {
        severity: 'error',
        where: 'specs/core/spec-core-001-authentication/observability.yaml:13',
        message: 'metrics "api_error_rate": Graphite target: "(" at column 10 is never closed',
        hint: null,
      },
    ]);

    const missing = await validate(obs(`SELECT last("p99") FROM "http"`, 'app.errors'));
    expect(missing.code).toBe(2);
    expect((JSON.parse(missing.stdout) as Report).problems).toContainEqual(
      expect.objectContaining({
        message:
          'metrics "api_latency_p99": InfluxQL: no $timeFilter: write WHERE $timeFilter so the monitor can choose the time window',
      }),
    );
  });
});
