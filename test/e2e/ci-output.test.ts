/**
 * CI-native gate output through the BUILT CLI against a real Prometheus with a known history:
 * `--format junit` (stdout or `--format-out`), GitHub Actions annotations on the spec.md lines and the
 * Markdown job summary under GITHUB_ACTIONS=true, the flag contradictions, and no secret anywhere.
 */
import { lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import { parseXml, type XmlElement, xmlParserSkipReason } from '../support/xml.js';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

const skip = prometheusSkipReason() ?? xmlParserSkipReason();
const history = standardHistory();
const { queries } = history;
const SPEC_ID = 'spec-core-001-authentication';
// The redactor hides every secret value wherever it appears; this one is also a label value in a
// query, so it would reach the reasons, the JUnit details and the annotations if anything leaked.
const SECRET = 'nowhere-5e8c1a';

const SPEC = `# ${SPEC_ID}: Authentication

## 1. Overview

Sign-in for every product.

### Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
| Reliability | Error Rate | \`api_error_rate\` | < 5% |
| Availability | Uptime | \`api_uptime\` | > 95% |
| Performance | Throughput | \`api_rps\` | > 10 rps |
| Performance | p95 Latency | \`api_latency_p95\` | < 300ms |
| Security | Audit trail | \`audit_log\` | Every sign-in is logged |
`;

function obsYaml(url: string): string {
  return `provider: prometheus
url: ${url}
auth: { bearer: "{{env.PROMETHEUS_TOKEN}}" }
metrics:
  - name: api_latency_p99
    query: '${queries.p99Latency5m}'
  - name: api_error_rate
    query: '${queries.errorRatio5m}'
  - name: api_uptime
    query: '${queries.availability1h}'
  - name: api_rps
    query: 'sum(rate(http_requests_total{service="${SECRET}"}[5m]))'
`;
}

const INCIDENT = new Date(history.INC1 * 1000).toISOString();
const ENV = { PROMETHEUS_TOKEN: SECRET };

const testcases = (root: XmlElement) =>
  root.children.flatMap((suite) => suite.children.filter((c) => c.tag === 'testcase'));
const outcome = (testCase: XmlElement | undefined) =>
  testCase?.children.find((c) => ['failure', 'error', 'skipped'].includes(c.tag));

describe.skipIf(skip !== null)('run-once CI output against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let ws: Workspace;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: SPEC,
      [AUTH_OBS_PATH]: obsYaml(prometheus.url),
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await ws?.cleanup();
  });

  it('--format junit prints JUnit XML whose counts and cases match the verdicts (exit 1)', async () => {
    const result = await runCli([SPEC_ID, '--at', INCIDENT, '--format', 'junit'], { cwd: ws.root, env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(result.stdout).not.toContain(SECRET);
    const root = await parseXml(result.stdout);
    expect(root.attrs).toMatchObject({ tests: '6', failures: '2', errors: '2', skipped: '1' });
    const [suite] = root.children;
    expect(suite?.attrs).toMatchObject({
      name: SPEC_ID,
      file: AUTH_SPEC_PATH,
      tests: '6',
      timestamp: INCIDENT,
    });
    const cases = testcases(root);
    expect(
      cases.map((c) => [c.attrs.name?.split(' ')[0], c.attrs.line, outcome(c)?.tag ?? 'passed']),
    ).toEqual([
      ['api_latency_p99', '11', 'passed'],
      ['api_error_rate', '12', 'failure'],
      ['api_uptime', '13', 'failure'],
      ['api_rps', '14', 'error'],
      ['api_latency_p95', '15', 'error'],
      ['audit_log', '16', 'skipped'],
    ]);
    expect(outcome(cases[1])?.attrs).toEqual({ type: 'breached', message: '10 %, target < 5%' });
    expect(outcome(cases[1])?.text).toMatch(/^10 % breaches < 5 %/);
    expect(outcome(cases[3])?.attrs.message).toMatch(/^could not be measured: .*no data/);
    // The secret was in the query and so in the reason: it is redacted, not printed.
    expect(outcome(cases[3])?.text).toContain('service="[REDACTED]"');
    // The summary and report were written as always.
    const [summary] = (await ws.summaries(SPEC_ID)).slice(-1);
    expect(summary?.status).toBe('unhealthy');
  });

  it('--format-out writes the file through the checked writer and keeps the table on stdout (exit 3)', async () => {
    const out = '.spec/reports/production-monitoring/ci/junit.xml';
    const result = await runCli(
      [SPEC_ID, '--at', String(history.END), '--format', 'junit', '--format-out', out],
      {
        cwd: ws.root,
        env: ENV,
      },
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`DEGRADED ${SPEC_ID}: 3/4 NFRs within target, 1 unknown, 1 unmapped`);
    const xml = await ws.read(out);
    expect(xml).not.toContain(SECRET);
    const root = await parseXml(xml);
    expect(root.attrs).toMatchObject({ tests: '6', failures: '0', errors: '2', skipped: '1' });
    // Written again (replaced atomically) on the next run.
    const again = await runCli([SPEC_ID, '--at', INCIDENT, '--format', 'junit', '--format-out', out], {
      cwd: ws.root,
      env: ENV,
    });
    expect(again.code).toBe(1);
    expect((await parseXml(await ws.read(out))).attrs.failures).toBe('2');
  });

  it('an unsafe --format-out is refused before anything is queried (exit 2)', async () => {
    const before = (await ws.summaries(SPEC_ID)).length;
    for (const [out, message] of [
      ['specs/junit.xml', /--format-out|specs\/junit\.xml.*governed/],
      ['../junit.xml', /outside the workspace/],
      ['.spec/reports', /is a folder/],
    ] as const) {
      const result = await runCli([SPEC_ID, '--format', 'junit', '--format-out', out], {
        cwd: ws.root,
        env: ENV,
      });
      expect(result.code, out).toBe(2);
      expect(result.stderr, out).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await ws.summaries(SPEC_ID)).length).toBe(before);
  });

  it('contradictory or misplaced CI flags are usage errors (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--format', 'sarif'], /unknown format "sarif".*\n.*table, junit/],
      [['--format-out', '.spec/reports/x.xml'], /--format-out needs a file format/],
      [['--format', 'junit', '--json'], /--json and --format junit both want stdout/],
      [['--daemon', '--format', 'junit'], /--format belongs to run-once/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([SPEC_ID, ...args], { cwd: ws.root, env: ENV });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  describe('under GitHub Actions', () => {
    async function stepSummary(content = '## Earlier step\n\n'): Promise<string> {
      return ws.write(`.gh/step-summary-${Math.random().toString(36).slice(2)}.md`, content);
    }

    it('annotates each breached NFR (error) and each unknown or unmapped one (warning) at its spec line', async () => {
      const summaryFile = await stepSummary();
      const result = await runCli([SPEC_ID, '--at', INCIDENT], {
        cwd: ws.root,
        env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws.root, GITHUB_STEP_SUMMARY: summaryFile },
      });
      expect(result.code).toBe(1);
      const annotations = result.stdout.split('\n').filter((line) => line.startsWith('::'));
      expect(
        annotations.map((a) => /^::(\w+) file=([^,]+),line=(\d+),title=([^:]+)::/.exec(a)?.slice(1)),
      ).toEqual([
        ['error', AUTH_SPEC_PATH, '12', `${SPEC_ID}%3A api_error_rate breached`],
        ['error', AUTH_SPEC_PATH, '13', `${SPEC_ID}%3A api_uptime breached`],
        ['warning', AUTH_SPEC_PATH, '14', `${SPEC_ID}%3A api_rps could not be measured`],
        ['warning', AUTH_SPEC_PATH, '15', `${SPEC_ID}%3A api_latency_p95 not measured`],
      ]);
      expect(annotations[0]).toMatch(/::Error Rate: 10 %25, target < 5%25\. 10 %25 breaches < 5 %25/);
      expect(result.stdout).toContain(`UNHEALTHY ${SPEC_ID}`);
      expect(result.stdout + result.stderr).not.toContain(SECRET);

      const markdown = await readFile(summaryFile, 'utf8');
      expect(
        markdown.startsWith('## Earlier step\n\n### ❌ unhealthy: `spec-core-001-authentication`\n'),
      ).toBe(true);
      expect(markdown).toContain('| Status | NFR | Requirement | Value | Target | Spec line |');
      expect(markdown).toContain('| ❌ breached | `api_error_rate` | Error Rate | 10 % | < 5% | 12 |');
      expect(markdown).toContain('| ✅ healthy | `api_latency_p99` | p99 Latency |');
      expect(markdown).toContain('| ⚠️ unmapped | `api_latency_p95` | p95 Latency | — | < 300ms | 15 |');
      expect(markdown).not.toContain(SECRET);
    });

    it('paths are relative to the repository when the SmartSpec root is a folder in it', async () => {
      const result = await runCli([SPEC_ID, '--at', INCIDENT, '--quiet'], {
        cwd: ws.root,
        env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: path.dirname(ws.root) },
      });
      expect(result.code).toBe(1);
      // --quiet drops the table, not the annotations (they are what the workflow shows).
      expect(
        result.stdout
          .split('\n')
          .filter(Boolean)
          .every((line) => line.startsWith('::')),
      ).toBe(true);
      expect(result.stdout).toContain(`::error file=${path.basename(ws.root)}/${AUTH_SPEC_PATH},line=12,`);
    });

    it('with --json (or JUnit on stdout) the annotations go to stderr, which the runner reads as well', async () => {
      const result = await runCli([SPEC_ID, '--at', INCIDENT, '--json'], {
        cwd: ws.root,
        env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws.root },
      });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'unhealthy' });
      expect(result.stderr).toMatch(
        /^::error file=specs\/core\/spec-core-001-authentication\/spec\.md,line=12,/m,
      );
      const junit = await runCli([SPEC_ID, '--at', INCIDENT, '--format', 'junit'], {
        cwd: ws.root,
        env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws.root },
      });
      expect((await parseXml(junit.stdout)).attrs.failures).toBe('2');
      expect(junit.stderr).toMatch(/^::warning file=.*line=14,/m);
    });

    it('never writes a job summary through a symlink or into a missing file; the verdict stands', async () => {
      const target = await ws.write('.gh/elsewhere.md', 'untouched\n');
      const link = path.join(ws.root, '.gh/link.md');
      await symlink(target, link);
      const linked = await runCli([SPEC_ID, '--at', INCIDENT], {
        cwd: ws.root,
        env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: link },
      });
      expect(linked.code).toBe(1);
      expect(linked.stderr).toMatch(
        /warning: no job summary written: GITHUB_STEP_SUMMARY ".*link\.md" is a symbolic link/,
      );
      expect(await readFile(target, 'utf8')).toBe('untouched\n');
      expect((await lstat(link)).isSymbolicLink()).toBe(true);

      const missing = path.join(ws.root, '.gh/missing.md');
      const absent = await runCli([SPEC_ID, '--at', INCIDENT], {
        cwd: ws.root,
        env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: missing },
      });
      expect(absent.code).toBe(1);
      expect(absent.stderr).toMatch(/GITHUB_STEP_SUMMARY ".*missing\.md" does not exist/);
    });

    it('nothing GitHub-specific is printed when GITHUB_ACTIONS is not "true"', async () => {
      const summaryFile = await stepSummary('');
      const result = await runCli([SPEC_ID, '--at', INCIDENT], {
        cwd: ws.root,
        env: { ...ENV, GITHUB_ACTIONS: 'false', GITHUB_STEP_SUMMARY: summaryFile },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).not.toMatch(/^::/m);
      expect(await readFile(summaryFile, 'utf8')).toBe('');
      await writeFile(summaryFile, '');
    });
  });
});

it.runIf(skip !== null)(`prerequisite missing: ${skip ?? 'none'}`, () => {
  expect(skip).not.toBeNull();
});
