/**
 * `rules` through the BUILT CLI (dist/) on the example workspace: the files it writes pass promtool, the
 * other formats parse, NFRs left out are named on stderr, and bad input exits 2 without a stack trace.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT, runCli } from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
let root = '';

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-rules-'));
  await cp(path.join(PROJECT_ROOT, 'examples/workspace'), root, { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function promtoolCheck(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', ['check', 'rules', file], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

describe('rules: generated from the example workspace by the built CLI', () => {
  it('writes Prometheus rules that promtool accepts, naming what it left out', async () => {
    const out = '.spec/reports/production-monitoring/slo-rules.yaml';
    const result = await runCli(['rules', SPEC_ID, '--out', out], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`wrote ${out} (3 objective(s), prometheus)\n`);
    // Never silently dropped: the NFR without a numeric target, the mean latency without a share of good.
    expect(result.stderr).toMatch(/audit_log \(spec line 14\): left out: no numeric target/);
    expect(result.stderr).toMatch(/api_latency_mean: left out of the prometheus output: .*objective\.target/);
    expect(result.stderr).toMatch(/api_latency_p99 .*note: assumes the histogram has a bucket le="0.5"/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);

    // Generating again replaces the file.
    const again = await runCli(['rules', SPEC_ID, '--out', out], { cwd: root });
    expect(again.stderr).not.toMatch(/not a folder/);
    expect(again.code).toBe(0);

    const file = path.join(root, out);
    const check = await promtoolCheck(file);
    expect(check.output).toMatch(/SUCCESS: 33 rules found/);
    expect(check.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(root);
    const rules = (
      (parseAllDocuments(text)[0]?.toJS() ?? { groups: [] }) as {
        groups: { rules: Record<string, unknown>[] }[];
      }
    ).groups.flatMap((group) => group.rules);
    const page = rules.find(
      (rule) =>
        (rule.labels as Record<string, string> | undefined)?.metric === 'api_error_rate' &&
        (rule.labels as Record<string, string>).long_window === '1h',
    );
    // error rate < 5 %: 95 % good, 5 % allowed.
    expect(page?.expr).toContain('> (14.4 * 0.05)');
    expect(page?.labels).toMatchObject({ spec_id: SPEC_ID, severity: 'page', slo_window: '30d' });
    expect((page?.annotations as Record<string, string> | undefined)?.description).toContain(
      'Error Rate: < 5%',
    );
  });

  it('prints a PrometheusRule, Sloth and OpenSLO documents', async () => {
    const operator = await runCli(['rules', SPEC_ID, '--format', 'prometheus-operator'], { cwd: root });
    expect(operator.code).toBe(0);
    expect(parseAllDocuments(operator.stdout)[0]?.toJS()).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'smartspec-slo-spec-core-001-authentication' },
    });

    const sloth = await runCli(['rules', SPEC_ID, '--format', 'sloth'], { cwd: root });
    expect(sloth.code).toBe(0);
    const slothSpec = parseAllDocuments(sloth.stdout)[0]?.toJS() as {
      version: string;
      slos: { name: string; objective: number }[];
    };
    expect(slothSpec.version).toBe('prometheus/v1');
    expect(slothSpec.slos.map((slo) => [slo.name, slo.objective])).toEqual([
      ['api-latency-p99', 99],
      ['api-error-rate', 95],
      ['api-uptime', 95],
    ]);

    const openslo = await runCli(['rules', SPEC_ID, '--format', 'openslo'], { cwd: root });
    expect(openslo.code).toBe(0);
    const documents = parseAllDocuments(openslo.stdout).map((document) => document.toJS()) as {
      kind: string;
      spec: { budgetingMethod: string; timeWindow: unknown[] };
    }[];
    expect(documents.map((document) => [document.kind, document.spec.budgetingMethod])).toEqual([
      ['SLO', 'Occurrences'],
      ['SLO', 'Occurrences'],
      ['SLO', 'Occurrences'],
    ]);
    expect(documents[0]?.spec.timeWindow).toEqual([{ duration: '30d', isRolling: true }]);
  });

  it('--json prints the rule file as JSON, which promtool also accepts', async () => {
    const result = await runCli(['rules', SPEC_ID, '--json'], { cwd: root });
    expect(result.code).toBe(0);
    const file = JSON.parse(result.stdout) as { groups: { name: string }[] };
    expect(file.groups.map((group) => group.name)).toEqual([
      `smartspec-slo:${SPEC_ID}:api_latency_p99`,
      `smartspec-slo:${SPEC_ID}:api_error_rate`,
      `smartspec-slo:${SPEC_ID}:api_uptime`,
    ]);
    const target = path.join(root, 'rules.json');
    await writeFile(target, result.stdout);
    const check = await promtoolCheck(target);
    expect(check.code).toBe(0);
  });

  it('refuses bad input with exit 2 and a message that says how to fix it', async () => {
    const format = await runCli(['rules', SPEC_ID, '--format', 'nagios'], { cwd: root });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/unknown format "nagios"/);
    expect(format.stderr).toMatch(/prometheus, prometheus-operator, sloth, openslo/);

    const none = await runCli(['rules'], { cwd: root });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no spec id given/);

    const governed = await runCli(['rules', SPEC_ID, '--out', 'specs/rules.yaml'], { cwd: root });
    expect(governed.code).toBe(2);
    expect(governed.stderr).toMatch(/--out: refusing to write "specs\/rules.yaml": it is under specs\//);
    for (const result of [format, none, governed]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a mapping whose unit does not fit, and stops at a config error with its line', async () => {
    const obs = path.join(root, 'specs/core/spec-core-001-authentication/observability.yaml');
    const original = await readFile(obs, 'utf8');
    await writeFile(
      obs,
      original.replace('  - name: api_error_rate\n', '  - name: api_error_rate\n    unit: ms\n'),
    );
    const mismatch = await runCli(['rules', SPEC_ID], { cwd: root });
    expect(mismatch.code).toBe(0);
    expect(mismatch.stderr).toMatch(
      /api_error_rate \(specs\/core\/spec-core-001-authentication\/observability\.yaml:10\): left out: unit "ms" cannot be converted to the target's unit "%"/,
    );
    expect(mismatch.stdout).not.toContain('metric: api_error_rate');

    await writeFile(obs, `${original}objective:\n  window: mnth\n`);
    const invalid = await runCli(['rules', SPEC_ID], {
      cwd: root,
      env: { PROMETHEUS_URL: 'http://127.0.0.1:9090' },
    });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/observability\.yaml:21:11: objective\.window: unknown SLO window `mnth`/);
    expect(invalid.stderr).toMatch(/did you mean `month`/);
    expect(invalid.stdout).toBe('');
  });

  it('--all covers every spec of the workspace', async () => {
    const result = await runCli(['rules', '--all'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`from ${SPEC_ID}.`);
  });
});
