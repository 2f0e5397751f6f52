import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

const SECRET = 'dd-secret-4f9c2b7e1a';
const GOOD_OBS = `provider: prometheus
url: http://127.0.0.1:9
metrics:
  - name: api_latency_p99
    query: 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))'
`;

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

async function run(files: Record<string, string>, args: string[], env: Record<string, string> = {}) {
  ws = await makeWorkspace({ '.spec/SPEC_INDEX.json': AUTH_INDEX, [AUTH_SPEC_PATH]: AUTH_SPEC, ...files });
  return runCli(args, { cwd: ws.root, env });
}

/** Every bad input: exit 2, one actionable message on stderr, no stack trace, nothing queried. */
function expectUsageError(
  result: { code: number | null; stdout: string; stderr: string },
  ...fragments: (string | RegExp)[]
) {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
  for (const f of fragments) expect(result.stderr).toMatch(f);
}

describe('bad input gives exit 2 and a message a person can act on', () => {
  it('YAML syntax error names file, line and column', async () => {
    const result = await run({ [AUTH_OBS_PATH]: 'provider: prometheus\nurl: [unclosed\nmetrics: []\n' }, [
      'spec-core-001-authentication',
    ]);
    expectUsageError(result, /observability\.yaml:\d+:\d+/);
  });

  it('a schema error names the field', async () => {
    const result = await run(
      {
        [AUTH_OBS_PATH]:
          'provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_latency_p99\n    query: 42\n',
      },
      ['spec-core-001-authentication'],
    );
    expectUsageError(result, /observability\.yaml:5:\d+/, /metrics\[0\]\.query/);
  });

  it('validate: a value that fits no form of a field says what the field takes and what it got', async () => {
    const result = await run(
      { [AUTH_OBS_PATH]: `${GOOD_OBS}server:\n  listen: true\nincident_command: run.sh\n` },
      ['validate', 'spec-core-001-authentication'],
    );
    expectUsageError(
      result,
      /observability\.yaml:7:11: server\.listen: expected a port \(1-65535\) or "host:port", got true/,
      /observability\.yaml:8:19: incident_command: expected `\{ argv: \[program, args\.\.\.\] \}`.* or `false` to turn it off, got `run\.sh`/,
    );
    expect(result.stderr).not.toContain('Invalid input');
  });

  it('an unknown key gets "did you mean"', async () => {
    const result = await run({ [AUTH_OBS_PATH]: GOOD_OBS.replace('provider:', 'provder:') }, [
      'spec-core-001-authentication',
    ]);
    expectUsageError(result, /observability\.yaml:1:1/, /provder/, /did you mean .?provider/);
  });

  it('a missing environment variable is named', async () => {
    const result = await run(
      {
        [AUTH_OBS_PATH]:
          'provider: datadog\napi_key: "{{env.DD_API_KEY_FOR_TEST}}"\napp_key: env:DD_APP_KEY_FOR_TEST\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_latency_p99\n    query: "avg:trace.http.request.duration{service:auth}"\n',
      },
      ['spec-core-001-authentication'],
      { DD_APP_KEY_FOR_TEST: SECRET },
    );
    expectUsageError(result, /DD_API_KEY_FOR_TEST/, /api_key/);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('a literal secret is refused and not echoed', async () => {
    const result = await run(
      {
        [AUTH_OBS_PATH]: `provider: datadog\napi_key: "${SECRET}"\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_latency_p99\n    query: "avg:x{*}"\n`,
      },
      ['spec-core-001-authentication'],
    );
    expectUsageError(result, /api_key/, /env/);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('an unknown spec-id names where it looked and the closest ids', async () => {
    const result = await run({ [AUTH_OBS_PATH]: GOOD_OBS }, ['spec-core-001-authenticaton']);
    expectUsageError(
      result,
      /spec-core-001-authenticaton/,
      /SPEC_INDEX\.json/,
      /specs\//,
      /spec-core-001-authentication/,
    );
  });

  it('a traversal attempt is refused before any path is built', async () => {
    const result = await run({ [AUTH_OBS_PATH]: GOOD_OBS }, ['--spec-id', '../../etc/passwd']);
    expectUsageError(result, /spec.?id/i);
  });

  it('a broken index still finds the spec by folder, with a warning', async () => {
    const result = await run({ '.spec/SPEC_INDEX.json': '{ "specs": [ broken', [AUTH_OBS_PATH]: GOOD_OBS }, [
      'spec-core-001-authentication',
    ]);
    expect(result.code).toBe(3); // found; the backend at port 9 is down, so degraded
    expect(result.stderr).toMatch(/SPEC_INDEX\.json/);
  });

  it('a broken index and an unknown id: exit 2', async () => {
    const result = await run({ '.spec/SPEC_INDEX.json': '{ broken', [AUTH_OBS_PATH]: GOOD_OBS }, [
      'spec-nope-001',
    ]);
    expectUsageError(result, /spec-nope-001/);
  });

  it('no observability.yaml: names the places searched', async () => {
    const result = await run({}, ['spec-core-001-authentication']);
    expectUsageError(result, /observability\.yaml/, /\.spec\/observability/);
  });

  it('--out outside the allowed write roots is refused', async () => {
    const result = await run({ [AUTH_OBS_PATH]: GOOD_OBS }, [
      'spec-core-001-authentication',
      '--out',
      '../elsewhere',
    ]);
    expectUsageError(result, /--out|out/);
  });

  it('conflicting flags are usage errors', async () => {
    expectUsageError(
      await run({ [AUTH_OBS_PATH]: GOOD_OBS }, ['spec-core-001-authentication', '--json', '--quiet']),
      /--json/,
    );
    expectUsageError(
      await run({ [AUTH_OBS_PATH]: GOOD_OBS }, ['a-spec-one', '--spec-id', 'another-spec']),
      /two different spec ids/,
    );
    const unknown = await run({ [AUTH_OBS_PATH]: GOOD_OBS }, [
      'spec-core-001-authentication',
      '--frobnicate',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
    expectUsageError(
      await run({ [AUTH_OBS_PATH]: GOOD_OBS }, ['spec-core-001-authentication', '--at', 'yesterday']),
      /--at/,
    );
  });

  it('the SmartSpec network policy refuses a remote provider unless --allow-network', async () => {
    const obs = GOOD_OBS.replace('http://127.0.0.1:9', 'https://prometheus.example.invalid');
    const result = await run({ [AUTH_OBS_PATH]: obs }, ['spec-core-001-authentication']);
    expectUsageError(result, /prometheus\.example\.invalid/, /--allow-network/);
  });

  it('the upstream SmartSpec config (not valid YAML) gives one warning and the defaults', async () => {
    const { readFile } = await import('node:fs/promises');
    const upstream = await readFile(
      new URL('../workspace/fixtures/upstream.smartspec.config.golden.yaml', import.meta.url),
      'utf8',
    );
    const result = await run({ '.spec/smartspec.config.yaml': upstream, [AUTH_OBS_PATH]: GOOD_OBS }, [
      'spec-core-001-authentication',
    ]);
    expect(result.code).toBe(3);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\.spec\/smartspec\.config\.yaml:84/);
  });

  it('a YAML alias bomb in observability.yaml is bad input: exit 2 with file and line, not a crash', async () => {
    const result = await run({ [AUTH_OBS_PATH]: `${GOOD_OBS}${ALIAS_BOMB}` }, [
      'spec-core-001-authentication',
    ]);
    expectUsageError(result, /observability\.yaml:8:\d+: YAML: YAML aliases expand to more than 100 copies/);
    expect(result.stderr).toContain('hint: write the repeated values out');
    expect(result.stderr).not.toContain('internal error');
  });

  it('a YAML alias bomb in the SmartSpec config is bad input too', async () => {
    const result = await run(
      {
        '.spec/smartspec.config.yaml': `safety:\n  spec_id_regex: "^[a-z0-9-]+$"\nx:\n${indent(ALIAS_BOMB)}`,
        [AUTH_OBS_PATH]: GOOD_OBS,
      },
      ['spec-core-001-authentication'],
    );
    expectUsageError(
      result,
      /\.spec\/smartspec\.config\.yaml:6: YAML aliases expand to more than 100 copies/,
    );
  });

  it('an observability.yaml over the size limit is refused; the limit is configurable', async () => {
    const padding = `# ${'x'.repeat(1000)}\n`.repeat(1100);
    const result = await run({ [AUTH_OBS_PATH]: `${GOOD_OBS}${padding}` }, ['spec-core-001-authentication']);
    expectUsageError(
      result,
      /observability\.yaml:1:1: the file is \d+ bytes, over the limit of 1048576 bytes/,
      /max_file_bytes_scanned/,
    );
    await ws!.write(
      '.spec/smartspec.config.yaml',
      'safety:\n  content_limits:\n    max_file_bytes_scanned: 2000000\n',
    );
    const raised = await runCli(['spec-core-001-authentication'], { cwd: ws!.root });
    expect(raised.code).toBe(3); // read and checked; the backend at port 9 is down
    await ws!.write(
      '.spec/smartspec.config.yaml',
      'safety:\n  content_limits:\n    max_file_bytes_scanned: 100\n',
    );
    await ws!.write(AUTH_OBS_PATH, GOOD_OBS);
    expectUsageError(
      await runCli(['spec-core-001-authentication'], { cwd: ws!.root }),
      /the file is \d+ bytes, over the limit of 100 bytes/,
    );
  });

  it('a SmartSpec config over the size limit is refused', async () => {
    const result = await run(
      { '.spec/smartspec.config.yaml': `# ${'x'.repeat(1000)}\n`.repeat(1100), [AUTH_OBS_PATH]: GOOD_OBS },
      ['spec-core-001-authentication'],
    );
    expectUsageError(
      result,
      /\.spec\/smartspec\.config\.yaml: SmartSpec config .* is \d+ bytes, over the limit of 1048576 bytes/,
    );
  });
});

/** Billion laughs, small: each level repeats the one before nine times. */
const ALIAS_BOMB = `bomb_a: &a [x, x, x, x, x, x, x, x, x]
bomb_b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
bomb_c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
bomb_d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
`;

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
}
