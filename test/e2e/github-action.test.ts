/**
 * The composite action at the repository root (action.yml): its inputs reach the gate only through
 * environment variables, and its gate step, run here with bash exactly as a runner runs `shell: bash`
 * (`bash --noprofile --norc -eo pipefail`) and with the BUILT CLI in place of the installed one, checks
 * every spec against a real Prometheus, passes the most serious exit code through to the step and to
 * the `exit-code` output, and leaves the annotations, the job summary and the JUnit files.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT, run } from '../deploy/support.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import { parseXml, xmlParserSkipReason } from '../support/xml.js';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, CLI, makeWorkspace } from './support.js';

interface Step {
  id?: string;
  name: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(path.join(PROJECT_ROOT, 'action.yml'), 'utf8')) as Action;
const gate = action.runs.steps.find((step) => step.id === 'gate');

describe('action.yml', () => {
  it('is a composite action whose gate step takes every input from the environment', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual([
      'args',
      'junit-dir',
      'node-version',
      'obs-config',
      'root',
      'spec-ids',
    ]);
    expect(action.inputs['spec-ids']?.required).toBe(true);
    expect(action.outputs['exit-code']?.value).toBe(`\${{ steps.gate.outputs.exit-code }}`);
    expect(gate?.shell).toBe('bash');
    const passed = Object.values(gate?.env ?? {}).join('\n');
    for (const input of Object.keys(action.inputs).filter((name) => name !== 'node-version')) {
      expect(passed, input).toContain(`\${{ inputs.${input} }}`);
    }
    // An expression pasted into a script is a script injection: none in any `run`.
    for (const step of action.runs.steps) expect(step.run ?? '', step.name).not.toContain('${{');
    expect(action.runs.steps.map((step) => step.run ?? step.uses)).toEqual([
      'actions/setup-node@v4',
      'npm ci --no-audit --no-fund && npm run build',
      gate?.run,
    ]);
  });
});

const skip = prometheusSkipReason() ?? xmlParserSkipReason();
const history = standardHistory();
const INCIDENT = new Date(history.INC1 * 1000).toISOString();
const SPEC_ID = 'spec-core-001-authentication';
const HEALTHY_ID = 'spec-core-002-sessions';

describe.skipIf(skip !== null)('action.yml: the gate step against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let ws: Workspace;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    const obs = `provider: prometheus
url: ${prometheus.url}
metrics:
  - name: api_latency_p99
    query: '${history.queries.p99Latency5m}'
  - name: api_error_rate
    query: '${history.queries.errorRatio5m}'
  - name: api_uptime
    query: '${history.queries.availability1h}'
`;
    ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: AUTH_SPEC,
      [AUTH_OBS_PATH]: obs,
      // Healthy at every instant: the error rate of the incident (10 %) is within 20 %.
      [`specs/core/${HEALTHY_ID}/spec.md`]: AUTH_SPEC.replace('< 5%', '< 20%').replace('> 95%', '> 50%'),
      [`specs/core/${HEALTHY_ID}/observability.yaml`]: obs,
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await ws?.cleanup();
  });

  async function runGate(inputs: { specIds: string; junitDir?: string; args?: string }) {
    const dir = path.join(ws.root, '.gh', Math.random().toString(36).slice(2));
    const script = await ws.write(path.relative(ws.root, path.join(dir, 'gate.sh')), gate?.run ?? '');
    const outputFile = await ws.write(path.relative(ws.root, path.join(dir, 'output')), '');
    const summaryFile = await ws.write(path.relative(ws.root, path.join(dir, 'summary.md')), '');
    const result = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: ws.root,
      timeoutMs: 120_000,
      env: {
        PATH: process.env.PATH,
        HOME: ws.root,
        NO_COLOR: '1',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: ws.root,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        GATE_SPEC_IDS: inputs.specIds,
        GATE_ROOT: '.',
        GATE_OBS_CONFIG: '',
        GATE_JUNIT_DIR: inputs.junitDir ?? '',
        GATE_ARGS: inputs.args ?? '',
        GATE_CLI: CLI,
      },
    });
    return {
      ...result,
      outputs: await readFile(outputFile, 'utf8'),
      summary: await readFile(summaryFile, 'utf8'),
    };
  }

  it('one breached spec: exit 1 passed through, annotations, job summary and a JUnit file', async () => {
    const junitDir = '.spec/reports/production-monitoring/junit';
    const result = await runGate({ specIds: SPEC_ID, junitDir, args: `--at ${INCIDENT}` });
    expect(result.code).toBe(1);
    expect(result.outputs).toBe('exit-code=1\n');
    expect(result.stdout).toMatch(
      /^::error file=specs\/core\/spec-core-001-authentication\/spec\.md,line=12,/m,
    );
    expect(result.stdout).toContain(`UNHEALTHY ${SPEC_ID}`);
    expect(result.summary).toContain('| ❌ breached | `api_error_rate` | Error Rate | 10 % | < 5% | 12 |');
    const junit = await parseXml(await ws.read(`${junitDir}/${SPEC_ID}.xml`));
    expect(junit.attrs).toMatchObject({ tests: '4', failures: '2', errors: '0', skipped: '1' });
  });

  it('several specs, separated by new lines: the most serious code wins, each spec is reported', async () => {
    const healthy = await runGate({ specIds: HEALTHY_ID, args: `--at ${INCIDENT}` });
    expect(healthy.code).toBe(0);
    expect(healthy.outputs).toBe('exit-code=0\n');

    const both = await runGate({ specIds: `${HEALTHY_ID}\n${SPEC_ID}\n`, args: `--at ${INCIDENT}` });
    expect(both.code).toBe(1);
    expect(both.summary).toContain(`### ✅ healthy: \`${HEALTHY_ID}\``);
    expect(both.summary).toContain(`### ❌ unhealthy: \`${SPEC_ID}\``);

    // A spec id that does not exist is bad input (2): more serious than a breach, and still every
    // other spec is checked.
    const typo = await runGate({ specIds: `${SPEC_ID} spec-core-404-nowhere`, args: `--at ${INCIDENT}` });
    expect(typo.code).toBe(2);
    expect(typo.outputs).toBe('exit-code=2\n');
    expect(typo.stdout).toContain(`UNHEALTHY ${SPEC_ID}`);
    expect(typo.stderr).toMatch(/spec-core-404-nowhere/);

    // Degraded (3) when the backend has no data at the instant: unknown is never healthy.
    const unknown = await runGate({ specIds: HEALTHY_ID, args: '--at 1000000000' });
    expect(unknown.code).toBe(3);
  });

  it('no spec id: exit 2 with an annotation saying so', async () => {
    const result = await runGate({ specIds: '  \n ' });
    expect(result.code).toBe(2);
    expect(result.outputs).toBe('exit-code=2\n');
    expect(result.stdout).toContain(
      '::error title=SmartSpec production gate::no spec id given (input spec-ids)',
    );
  });

  it('arguments are split on whitespace and never evaluated or globbed', async () => {
    const marker = path.join(ws.root, 'evaluated');
    const result = await runGate({ specIds: HEALTHY_ID, args: `--at ${INCIDENT} $(touch ${marker}) *` });
    expect(result.code).toBe(2);
    // `$(touch`, the marker path and `*` arrive as three literal arguments.
    expect(result.stderr).toMatch(/too many arguments\. Expected 1 argument but got 4/);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });
});

it.runIf(skip !== null)(`prerequisite missing: ${skip ?? 'none'}`, () => {
  expect(skip).not.toBeNull();
});
