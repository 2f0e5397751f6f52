import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_SPEC, AUTH_SPEC_PATH, makeWorkspace, runCli } from './support.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const PROSE_SPEC = `${AUTH_SPEC}
## Success Criteria

- **SC-001**: Sign-in p95 < 800 ms and p99 < 2 s under 200 RPS
- Current: 1.4 s (baseline)
- Session store memory below 512 MiB
`;

describe('nfrs: the targets read from a spec, without observability.yaml', () => {
  it('lists every target with its line, text and reading, and the numbers it did not take (--json)', async () => {
    ws = await makeWorkspace({ '.spec/SPEC_INDEX.json': AUTH_INDEX, [AUTH_SPEC_PATH]: PROSE_SPEC });
    const result = await runCli(['nfrs', 'spec-core-001-authentication', '--json'], { cwd: ws.root });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout);
    expect(listing.specId).toBe('spec-core-001-authentication');
    expect(listing.specFile).toBe(AUTH_SPEC_PATH);
    const brief = listing.targets.map(
      (t: Record<string, unknown>) =>
        `${t.line} ${t.metric} ${t.comparator} ${t.value} ${t.unit} ${t.percentile} ${t.monitoredAs}`,
    );
    expect(brief).toEqual([
      '11 api_latency_p99 < 500 ms 99 api_latency_p99',
      '12 api_error_rate < 5 % null api_error_rate',
      '13 api_uptime > 95 % null api_uptime',
      '18 sign_in_p95_duration < 800 ms 95 null',
      '18 sign_in_p99_duration < 2 s 99 null',
      '18 sign_in_rate >= 200 rps null null',
      '20 session_store_memory < 512 MiB null null',
    ]);
    const memory = listing.targets.find((t: { unit: string }) => t.unit === 'MiB');
    expect(memory.monitorable).toBe(false);
    expect(memory.reason).toMatch(/unit "MiB" is not supported/);
    expect(listing.targets[3].text).toBe('- **SC-001**: Sign-in p95 < 800 ms and p99 < 2 s under 200 RPS');
    expect(listing.rejected).toContainEqual(
      expect.objectContaining({ line: 19, quantity: '1.4 s', reason: 'not a runtime target' }),
    );
    expect(listing.sections.map((s: { title: string }) => s.title)).toEqual([
      'Non-Functional Requirements',
      'Success Criteria',
    ]);
  });

  it('prints a readable listing', async () => {
    ws = await makeWorkspace({ '.spec/SPEC_INDEX.json': AUTH_INDEX, [AUTH_SPEC_PATH]: PROSE_SPEC });
    const result = await runCli(['nfrs', 'spec-core-001-authentication'], { cwd: ws.root });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /line {3}11 {2}api_latency_p99 {2}< 500 ms p99 {2}\[monitored as api_latency_p99\]/,
    );
    expect(result.stdout).toMatch(/line {3}19 {2}"1\.4 s": not a runtime target/);
  });

  it('a spec over safety.content_limits.max_spec_bytes: exit 2 naming the file and the limit, for nfrs and run-once', async () => {
    ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: AUTH_SPEC + 'x'.repeat(5000),
      '.spec/smartspec.config.yaml': 'safety:\n  content_limits:\n    max_spec_bytes: 4096\n',
    });
    for (const args of [
      ['nfrs', 'spec-core-001-authentication'],
      ['spec-core-001-authentication', '--run-once'],
    ]) {
      const result = await runCli(args, { cwd: ws.root });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: specs\/core\/spec-core-001-authentication\/spec\.md: safety\.content_limits\.max_spec_bytes: specs\/core\/spec-core-001-authentication\/spec\.md is \d+ bytes, more than the limit of 4096 bytes for a spec/,
      );
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    }
  });
});
