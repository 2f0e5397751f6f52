import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

const skip = prometheusSkipReason();
const history = standardHistory();
const { queries, expected } = history;

interface MetricJson {
  name: string;
  status: string;
  value: number | null;
  slo: number;
  unit: string;
  reason: string;
  comparator: string;
  target: string;
  provider: string;
  provider_type: string;
  query: string;
  spec_line: number;
}

function obsYaml(url: string, extra = ''): string {
  return `provider: prometheus
url: ${url}
metrics:
  - name: api_latency_p99
    query: '${queries.p99Latency5m}'
  - name: api_error_rate
    query: '${queries.errorRatio5m}'
  - name: api_uptime
    query: '${queries.availability1h}'
${extra}`;
}

describe.skipIf(skip !== null)('run-once against a real Prometheus with a known history', () => {
  let prometheus: RunningPrometheus;
  let ws: Workspace;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: AUTH_SPEC,
      [AUTH_OBS_PATH]: obsYaml(prometheus.url),
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await ws?.cleanup();
  });

  it('a healthy instant: exit 0, exact values, summary.json and report.md', async () => {
    const result = await runCli(
      ['--spec-id', 'spec-core-001-authentication', '--run-once', '--at', String(history.END)],
      {
        cwd: ws.root,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'HEALTHY spec-core-001-authentication: 3/3 NFRs within target, 1 not monitored',
    );

    const [summary] = (await ws.summaries('spec-core-001-authentication')).slice(-1);
    expect(summary).toMatchObject({
      workflow: 'smartspec_production_monitor',
      spec_id: 'spec-core-001-authentication',
      status: 'healthy',
      checked_at: new Date(history.END * 1000).toISOString(),
      counts: { healthy: 3, breached: 0, unknown: 0, unmonitored: 1 },
    });
    const metrics = summary!.metrics as MetricJson[];
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    expect(byName.api_latency_p99!.value).toBeCloseTo(expected.p99Latency * 1000, 6);
    expect(byName.api_latency_p99).toMatchObject({
      status: 'healthy',
      slo: 500,
      unit: 'ms',
      comparator: '<',
      target: '< 500ms',
      spec_line: 11,
    });
    expect(byName.api_error_rate!.value).toBeCloseTo(expected.errorRatioHealthy * 100, 9);
    expect(byName.api_error_rate).toMatchObject({
      status: 'healthy',
      slo: 5,
      unit: '%',
      provider: 'default',
      provider_type: 'prometheus',
    });
    expect(byName.api_uptime!.value).toBeCloseTo(expected.availability1hHealthy * 100, 9);
    expect(byName.api_uptime).toMatchObject({ status: 'healthy', slo: 95, comparator: '>' });
    expect(byName.api_uptime!.query).toBe(queries.availability1h);
    expect(summary!.unmonitored).toEqual([
      expect.objectContaining({
        name: 'audit_log',
        spec_line: 14,
        reason: expect.stringContaining('numeric'),
      }),
    ]);
    const writes = (summary!.writes as { reports: string[] }).reports;
    expect(writes).toEqual([
      `.spec/reports/production-monitoring/spec-core-001-authentication/${summary!.run_id}/summary.json`,
      `.spec/reports/production-monitoring/spec-core-001-authentication/${summary!.run_id}/report.md`,
    ]);
    const report = await ws.read(writes[1]!);
    expect(report).toContain('# Production monitoring: spec-core-001-authentication');
    expect(report).toContain('| `api_error_rate` | Error Rate | < 5% | 2 % | ✅ healthy |');
  });

  it('an incident instant: exit 1, the breached NFRs explained', async () => {
    const result = await runCli(
      ['spec-core-001-authentication', '--at', new Date(history.INC1 * 1000).toISOString(), '--json'],
      {
        cwd: ws.root,
      },
    );
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { status: string; metrics: MetricJson[] };
    expect(summary.status).toBe('unhealthy');
    const byName = Object.fromEntries(summary.metrics.map((m) => [m.name, m]));
    expect(byName.api_error_rate).toMatchObject({ status: 'breached' });
    expect(byName.api_error_rate!.value).toBeCloseTo(expected.errorRatioIncident * 100, 9);
    expect(byName.api_error_rate!.reason).toMatch(/^10 % breaches < 5 %/);
    expect(byName.api_error_rate!.reason).toContain('prometheus "default"');
    expect(byName.api_uptime!.value).toBeCloseTo(expected.availability1hIncident * 100, 9);
    expect(byName.api_uptime!.status).toBe('breached');
    expect(byName.api_latency_p99!.status).toBe('healthy');
    // --json prints the summary that was written.
    const [written] = (await ws.summaries('spec-core-001-authentication')).filter(
      (s) => s.run_id === (summary as unknown as { run_id: string }).run_id,
    );
    expect(written).toEqual(summary);
  });

  it('no data and several series are unknown with the reason; the run is degraded (exit 3)', async () => {
    const dir = await makeWorkspace({
      [AUTH_SPEC_PATH]: AUTH_SPEC.replace(
        '| Security | Audit trail | `audit_log` | Every sign-in is logged |',
        '| Performance | Throughput | `api_rps` | > 10 rps |',
      ),
      [AUTH_OBS_PATH]: obsYaml(
        prometheus.url,
        `  - name: api_rps\n    query: 'sum(rate(http_requests_total{service="nowhere"}[5m]))'\n`,
      ).replace(queries.availability1h, 'rate(http_requests_total[5m])'),
    });
    try {
      const result = await runCli(['spec-core-001-authentication', '--at', String(history.END), '--json'], {
        cwd: dir.root,
      });
      expect(result.code).toBe(3);
      const summary = JSON.parse(result.stdout) as { status: string; metrics: MetricJson[] };
      expect(summary.status).toBe('degraded');
      const byName = Object.fromEntries(summary.metrics.map((m) => [m.name, m]));
      expect(byName.api_rps).toMatchObject({ status: 'unknown', value: null });
      expect(byName.api_rps!.reason).toContain('no data');
      expect(byName.api_rps!.reason).toContain('service="nowhere"');
      expect(byName.api_uptime).toMatchObject({ status: 'unknown', value: null });
      expect(byName.api_uptime!.reason).toMatch(/2 series/);
      expect(byName.api_uptime!.reason).toMatch(/sum|aggregate/);
      expect(byName.api_error_rate!.status).toBe('healthy');
    } finally {
      await dir.cleanup();
    }
  });

  it('an NFR with a numeric target and no query is unmapped: degraded (exit 3), unless `unmapped: ignore`', async () => {
    const spec = AUTH_SPEC.replace(
      '| Security | Audit trail |',
      '| Performance | p95 Latency | `api_latency_p95` | < 300ms |\n| Security | Audit trail |',
    );
    const dir = await makeWorkspace({ [AUTH_SPEC_PATH]: spec, [AUTH_OBS_PATH]: obsYaml(prometheus.url) });
    try {
      const args = ['spec-core-001-authentication', '--at', String(history.END)];
      const table = await runCli(args, { cwd: dir.root });
      expect(table.code).toBe(3);
      expect(table.stdout).toContain(
        'DEGRADED spec-core-001-authentication: 3/3 NFRs within target, 1 unmapped (not measured), 1 not monitored',
      );
      expect(table.stdout).toMatch(
        /Unmapped: promised but not measured \(1\):\n {2}- api_latency_p95 \(spec line 14\)/,
      );

      const json = await runCli([...args, '--json'], { cwd: dir.root });
      expect(json.code).toBe(3);
      const summary = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        status: 'degraded',
        counts: { healthy: 3, breached: 0, unknown: 0, unmonitored: 2, unmapped: 1 },
      });
      expect(summary.unmonitored).toEqual([
        expect.objectContaining({ name: 'api_latency_p95', kind: 'unmapped', spec_line: 14 }),
        expect.objectContaining({ name: 'audit_log', kind: 'no_numeric_target' }),
      ]);

      await dir.write(AUTH_OBS_PATH, obsYaml(prometheus.url, 'unmapped:\n  ignore: [api_latency_p95]\n'));
      const excused = await runCli(args, { cwd: dir.root });
      expect(excused.code).toBe(0);
      expect(excused.stdout).toContain(
        'HEALTHY spec-core-001-authentication: 3/3 NFRs within target, 2 not monitored',
      );
    } finally {
      await dir.cleanup();
    }
  });

  it('a mapping named near an unmapped NFR is a config error with did-you-mean (exit 2)', async () => {
    const dir = await makeWorkspace({
      [AUTH_SPEC_PATH]: AUTH_SPEC,
      [AUTH_OBS_PATH]: obsYaml(prometheus.url).replace('name: api_uptime', 'name: api_uptme'),
    });
    try {
      const result = await runCli(['spec-core-001-authentication', '--at', String(history.END)], {
        cwd: dir.root,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: specs\/core\/spec-core-001-authentication\/observability\.yaml:8: metrics\[2\]\.name: metric "api_uptme" matches no NFR, and NFR "api_uptime" \(spec line 13\) has no query/,
      );
      expect(result.stderr).toContain('did you mean `name: api_uptime`?');
      expect(result.stdout).toBe('');
    } finally {
      await dir.cleanup();
    }
  });

  it('a backend that is down makes every metric unknown, never healthy (exit 3)', async () => {
    const port = await freePort();
    const dir = await makeWorkspace({
      [AUTH_SPEC_PATH]: AUTH_SPEC,
      [AUTH_OBS_PATH]: obsYaml(`http://127.0.0.1:${port}`),
    });
    try {
      const result = await runCli(['spec-core-001-authentication'], { cwd: dir.root });
      expect(result.code).toBe(3);
      expect(result.stdout).toContain('DEGRADED');
      const [summary] = await dir.summaries('spec-core-001-authentication');
      const metrics = summary!.metrics as MetricJson[];
      expect(metrics.map((m) => m.status)).toEqual(['unknown', 'unknown', 'unknown']);
      for (const m of metrics) expect(m.reason).toContain(`127.0.0.1:${port}`);
    } finally {
      await dir.cleanup();
    }
  });

  it('no colour codes when stdout is not a terminal, even without NO_COLOR', async () => {
    const result = await runCli(['spec-core-001-authentication', '--at', String(history.INC1)], {
      cwd: ws.root,
      env: { NO_COLOR: undefined },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('UNHEALTHY');
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('--quiet prints nothing and still writes the report and sets the exit code', async () => {
    const result = await runCli(['spec-core-001-authentication', '--at', String(history.INC1), '--quiet'], {
      cwd: ws.root,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
  });

  it('--apply is accepted, has no effect, and the report says so', async () => {
    const result = await runCli(
      ['spec-core-001-authentication', '--at', String(history.END), '--apply', '--json'],
      { cwd: ws.root },
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { flags: { apply: { given: boolean; note: string } } };
    expect(summary.flags.apply.given).toBe(true);
    expect(summary.flags.apply.note).toContain('--apply was ignored');
  });
});
