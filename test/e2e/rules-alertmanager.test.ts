/**
 * The generated rules running in a REAL Prometheus that scrapes a controllable exporter and sends to a
 * REAL Alertmanager: a fast burn (2 % errors against a 0.1 % objective, 20×) must reach Alertmanager
 * as a page with the labels the rules promise. Rules are written by the BUILT CLI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, prometheusBinaries, prometheusSkipReason } from '../support/prometheus.js';
import {
  alertmanagerSkipReason,
  eventually,
  type RunningAlertmanager,
  startAlertmanager,
} from './daemon-support.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC_PATH,
  makeWorkspace,
  runCli,
  type Workspace,
} from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
const SPEC = `# Checkout

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Reliability | Error Rate | \`api_error_rate\` | < 0.1% |
`;
const OBSERVABILITY = `provider: prometheus
url: "{{env.PROMETHEUS_URL}}"
runbook_url: https://runbooks.example/checkout-errors
metrics:
  - name: api_error_rate
    query: 'sum(rate(http_requests_total{code="500"}[5m])) / sum(rate(http_requests_total[5m]))'
`;
const RULES_FILE = '.spec/reports/production-monitoring/slo-rules.yaml';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every scrape counts 1000 more requests, `bad` of them failed: the error ratio is exact at any window. */
async function startExporter(bad: number): Promise<{ port: number; scrapes: () => number }> {
  let scrapes = 0;
  const server: Server = createServer((_request, response) => {
    scrapes += 1;
    response.setHeader('content-type', 'text/plain; version=0.0.4');
    response.end(
      [
        '# TYPE http_requests_total counter',
        `http_requests_total{code="200"} ${(1000 - bad) * scrapes}`,
        `http_requests_total{code="500"} ${bad * scrapes}`,
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, scrapes: () => scrapes };
}

async function startRuler(rulesFile: string, exporterPort: number, alertmanagerUrl: string): Promise<string> {
  const binaries = prometheusBinaries();
  if (!binaries) throw new Error(prometheusSkipReason() ?? 'prometheus not found');
  const dir = await mkdtemp(path.join(tmpdir(), 'ssm-ruler-'));
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(rulesFile)}]`,
      'scrape_configs:',
      `  - { job_name: checkout, static_configs: [{ targets: ["127.0.0.1:${exporterPort}"] }] }`,
      'alerting:',
      `  alertmanagers: [{ static_configs: [{ targets: ["${new URL(alertmanagerUrl).host}"] }] }]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    binaries.prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
    `Prometheus to be ready (${log})`,
    30_000,
  );
  return url;
}

const skip = prometheusSkipReason() ?? alertmanagerSkipReason();

describe.skipIf(skip !== null)('generated rules in a real Prometheus and Alertmanager', () => {
  it('a fast burn reaches Alertmanager as a page with spec_id, metric, severity and slo_window', async () => {
    const ws: Workspace = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: SPEC,
      [AUTH_OBS_PATH]: OBSERVABILITY,
    });
    cleanups.push(() => ws.cleanup());
    const generated = await runCli(['rules', SPEC_ID, '--out', RULES_FILE], { cwd: ws.root });
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);

    const alertmanager: RunningAlertmanager = await startAlertmanager();
    cleanups.push(() => alertmanager.stop());
    const exporter = await startExporter(20);
    const prometheus = await startRuler(path.join(ws.root, RULES_FILE), exporter.port, alertmanager.url);

    // Prometheus loaded every generated rule (a broken rule file would leave no groups).
    const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: unknown[] }[] };
    };
    expect(rules.data.groups.map((group) => [group.name, group.rules.length])).toEqual([
      [`smartspec-slo:${SPEC_ID}:api_error_rate`, 11],
    ]);

    const [page] = await eventually(
      async () => {
        const alerts = await alertmanager.alerts({ severity: 'page', long_window: '1h' });
        return alerts.length > 0 ? alerts : undefined;
      },
      'the 14.4× page in Alertmanager',
      60_000,
      200,
    );
    expect(page?.labels).toMatchObject({
      alertname: 'SmartSpecErrorBudgetBurn',
      spec_id: SPEC_ID,
      metric: 'api_error_rate',
      severity: 'page',
      slo_window: '30d',
      short_window: '5m',
      burn_rate_factor: '14.4',
    });
    expect(page?.annotations.runbook_url).toBe('https://runbooks.example/checkout-errors');
    expect(page?.annotations.description).toContain('Error Rate: < 0.1%');

    // The recorded burn over 1h is the exporter's: 2 % errors ÷ 0.1 % allowed = 20×.
    const burn = await eventually(async () => {
      const response = await fetch(
        `${prometheus}/api/v1/query?query=${encodeURIComponent('smartspec_slo:sli_error:ratio_rate1h / 0.001')}`,
      );
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      const value = body.data.result[0]?.value[1];
      return value === undefined ? undefined : Number(value);
    }, 'the recorded 1h error ratio');
    expect(burn).toBeCloseTo(20, 6);
    expect(exporter.scrapes()).toBeGreaterThan(1);
  });
});
