/**
 * Round trip through the BUILT CLI on the example workspace: `rules --format openslo|sloth` writes the
 * NFRs' SLOs, an observability.yaml that names only the backend and `slo_sources:` imports them back, and
 * the objectives (window, budgeting, target, SLI queries) are those of the original mapping: the
 * Prometheus rules generated from both are identical, and `validate --json` derives the same SLOs.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runCli } from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
const SPEC_DIR = 'specs/core/spec-core-001-authentication';
// validate reads the backend's URL from the environment but never connects (port 9 would refuse).
const ENV = { PROMETHEUS_URL: 'http://127.0.0.1:9' };
let root = '';

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-slo-import-'));
  await cp(path.join(PROJECT_ROOT, 'examples/workspace'), root, { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

interface ValidateJson {
  ok: boolean;
  nfrs: {
    metric: string;
    slo: {
      window: string;
      budgeting: string;
      target: number | null;
      sli: { good: string | null; bad: string; total: string; source: string } | null;
      mappedBy: string;
    } | null;
  }[];
  problems: { severity: string; where: string; message: string }[];
}

async function cli(args: string[]) {
  const result = await runCli(args, { cwd: root, env: ENV });
  expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  return result;
}

/** The objectives `validate --json` derives, keyed by metric, without where they come from. */
async function objectives(): Promise<Record<string, unknown>> {
  const result = await cli(['validate', SPEC_ID, '--json']);
  const report = JSON.parse(result.stdout) as ValidateJson;
  expect(report.ok, JSON.stringify(report.problems)).toBe(true);
  return Object.fromEntries(
    report.nfrs
      .filter((nfr) => nfr.slo?.target != null && nfr.slo.sli !== null)
      .map((nfr) => {
        const slo = nfr.slo!;
        const sli = slo.sli!;
        return [
          nfr.metric,
          {
            window: slo.window,
            budgeting: slo.budgeting,
            target: slo.target,
            bad: sli.bad,
            total: sli.total,
            good: sli.good,
          },
        ];
      }),
  );
}

describe('rules --format openslo|sloth, imported back through slo_sources', () => {
  for (const format of ['openslo', 'sloth'] as const) {
    it(`${format}: the same objectives and the same Prometheus rules as the original mapping`, async () => {
      const originalRules = await cli(['rules', SPEC_ID, '--json']);
      expect(originalRules.code).toBe(0);
      const originalObjectives = await objectives();
      expect(Object.keys(originalObjectives)).toEqual(['api_latency_p99', 'api_error_rate', 'api_uptime']);

      const exported = await cli(['rules', SPEC_ID, '--format', format]);
      expect(exported.code).toBe(0);
      await writeFile(path.join(root, SPEC_DIR, `slos.${format}.yaml`), exported.stdout);
      // In place of the metrics: the file names only the backend and the SLO source.
      await writeFile(
        path.join(root, SPEC_DIR, 'observability.yaml'),
        `provider: prometheus\nurl: "{{env.PROMETHEUS_URL}}"\nslo_sources: [slos.${format}.yaml]\n`,
      );

      const importedObjectives = await objectives();
      expect(importedObjectives).toEqual(originalObjectives);
      const importedRules = await cli(['rules', SPEC_ID, '--json']);
      expect(importedRules.code).toBe(0);
      expect(JSON.parse(importedRules.stdout)).toEqual(JSON.parse(originalRules.stdout));

      // validate names the imported SLO each NFR comes from.
      const report = JSON.parse((await cli(['validate', SPEC_ID, '--json'])).stdout) as ValidateJson;
      const errorRate = report.nfrs.find((nfr) => nfr.metric === 'api_error_rate');
      expect(errorRate?.slo?.mappedBy).toMatch(new RegExp(`^${SPEC_DIR}/slos\\.${format}\\.yaml:\\d+:\\d+$`));
      expect(errorRate?.slo?.sli?.source).toBe('imported');
    });
  }

  it('validate lists the SLO derivation of each monitored NFR and warns where it rests on a guess', async () => {
    const text = await cli(['validate', SPEC_ID]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `SLO: 30d rolling, occurrences, target 95 % good; SLI bad/total from the ratio query [${SPEC_DIR}/observability.yaml:10]`,
    );
    expect(text.stdout).toContain(
      'SLO: 30d rolling, occurrences, target 99 % good; SLI good/total from the histogram buckets (assumes the histogram has a bucket le="0.5" (the p99 threshold in s))',
    );
    expect(text.stdout).toMatch(
      /SLO: 30d rolling, timeslices of 60 s, no target \(the NFR names no share of good/,
    );
    expect(text.stdout).toContain(
      `${SPEC_DIR}/observability.yaml:15: warning: api_latency_mean: SLO: no target fraction: the NFR names no share of good`,
    );
    const report = JSON.parse((await cli(['validate', SPEC_ID, '--json'])).stdout) as ValidateJson;
    expect(report.nfrs.find((nfr) => nfr.metric === 'api_latency_mean')?.slo).toMatchObject({
      window: '30d',
      budgeting: 'timeslices',
      target: null,
      sli: null,
      mappedBy: `${SPEC_DIR}/observability.yaml:15`,
    });
    expect(report.nfrs.find((nfr) => nfr.metric === 'audit_log')?.slo).toBeNull();
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        where: `${SPEC_DIR}/observability.yaml:7`,
        message: expect.stringContaining('api_latency_p99: SLO: assumes the histogram has a bucket le="0.5"'),
      }),
    );
  });

  it('a PromQL error in an imported query is named at the SLO that holds it', async () => {
    await writeFile(
      path.join(root, SPEC_DIR, 'openslo.yaml'),
      `apiVersion: openslo/v1
kind: SLO
metadata: { name: api_latency_mean }
spec:
  indicator:
    metadata: { name: mean }
    spec:
      thresholdMetric:
        metricSource: { type: Prometheus, spec: { query: 'rate(sum(http_request_duration_seconds_sum))' } }
  objectives: [{ op: lt, value: 0.15, target: 0.99 }]
`,
    );
    await writeFile(
      path.join(root, SPEC_DIR, 'observability.yaml'),
      'provider: prometheus\nurl: "{{env.PROMETHEUS_URL}}"\nslo_sources: [openslo.yaml]\n',
    );
    const report = JSON.parse((await cli(['validate', SPEC_ID, '--json'])).stdout) as ValidateJson;
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        where: `${SPEC_DIR}/openslo.yaml:1:1`,
        message: expect.stringContaining('metrics "api_latency_mean": PromQL:'),
      }),
    );
  });

  it('an imported SLO that joins no NFR, and one that contradicts observability.yaml, are named with their place', async () => {
    const sloth = `version: prometheus/v1
service: ${SPEC_ID}
slos:
  - name: api-error-rate
    objective: 99
    labels: { metric: api_error_rate }
    sli:
      events:
        error_query: sum(rate(http_requests_total{service="checkout",code="500"}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="checkout"}[{{.window}}]))
  - name: api_latency_p95
    objective: 95
    sli: { raw: { error_ratio_query: 'sum(rate(slow_total[{{.window}}])) / sum(rate(all_total[{{.window}}]))' } }
`;
    await writeFile(path.join(root, SPEC_DIR, 'sloth.yaml'), sloth);
    const observability = path.join(root, SPEC_DIR, 'observability.yaml');
    await writeFile(observability, `${await readFile(observability, 'utf8')}slo_sources: [sloth.yaml]\n`);

    const result = await cli(['validate', SPEC_ID]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(
      `${SPEC_DIR}/sloth.yaml:5:16: error: Sloth SLO \`api-error-rate\`: \`api_error_rate\` is also mapped in observability.yaml (line 10) with another target: 0.95 there, 0.99 here`,
    );
    expect(result.stdout).toContain(
      `${SPEC_DIR}/sloth.yaml:11:5: warning: Sloth SLO \`api_latency_p95\` joins no NFR of ${SPEC_ID}: no NFR has the metric \`api_latency_p95\` (its name)`,
    );
    // A run stops on the conflict with exit 2, naming the place, without a stack trace.
    const run = await cli([SPEC_ID, '--run-once', '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toContain('is also mapped in observability.yaml');

    // An SLO file where observability.yaml belongs names no backend: exit 2 with the way to use it.
    const direct = await cli([SPEC_ID, '--run-once', '--obs-config', `${SPEC_DIR}/sloth.yaml`]);
    expect(direct.code).toBe(2);
    expect(direct.stderr).toContain(
      'sloth.yaml:1:1: this is a Sloth spec, not an observability.yaml: it says what to measure but not which backend to ask',
    );
    expect(direct.stderr).toContain('`slo_sources: [<this file>]`');
  });
});
