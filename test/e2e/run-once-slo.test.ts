import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, STANDARD_END, startPrometheus } from '../support/prometheus.js';
import { sloHistory } from '../support/slo-history.js';
import type { Workspace } from './support.js';
import { makeWorkspace, runCli } from './support.js';

const skip = prometheusSkipReason();
const SPEC_ID = 'spec-core-002-checkout';
const SPEC_PATH = `specs/core/${SPEC_ID}/spec.md`;
const OBS_PATH = `specs/core/${SPEC_ID}/observability.yaml`;
const SPEC = `# Checkout

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Reliability | Error Rate | \`checkout_error_rate\` | < 0.1% |
`;

const END = STANDARD_END;
const DAY = 86_400;
/** A 5-minute spike of 2 % errors ends here: the value breaches, the budget does not notice. */
const SPIKE_END = END - 6 * DAY;
// Eight days of 1000 requests a minute; 2 % fail for 5 minutes before SPIKE_END, and for the 48 hours
// that end two days before END (which spends the budget five times over).
const history = sloHistory({
  end: END,
  days: 8,
  incidents: [
    { from: SPIKE_END - 300, to: SPIKE_END, share: 0.02 },
    { from: END - 4 * DAY, to: END - 2 * DAY, share: 0.02 },
  ],
});

interface ObjectiveJson {
  window: string;
  budgeting: string;
  target: number;
  error_budget: { allowed: number; consumed: number; remaining: number };
  burn_rates: Record<string, number | null>;
  alerts: { name: string; firing: boolean | null }[];
  burn_down: { at: string; remaining: number | null; reason?: string }[] | null;
  reason: string | null;
}
interface SummaryJson {
  status: string;
  gate: { mode: string; status: string; reasons: string[] };
  metrics: { name: string; status: string; objective: ObjectiveJson }[];
}

function obsYaml(url: string): string {
  return `provider: prometheus
url: ${url}
metrics:
  - name: checkout_error_rate
    query: '${history.errorRatioQuery}'
`;
}

describe.skipIf(skip !== null)('run-once objectives and --gate against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let ws: Workspace;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    ws = await makeWorkspace({ [SPEC_PATH]: SPEC, [OBS_PATH]: obsYaml(prometheus.url) });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await ws?.cleanup();
  });

  const run = (at: number, ...extra: string[]) =>
    runCli([SPEC_ID, '--run-once', '--at', String(at), ...extra], { cwd: ws.root });

  it('a spent budget with a healthy value now: --gate instant passes, --gate budget and both fail', async () => {
    const instant = await run(END);
    expect(instant.stderr).toBe('');
    expect(instant.code).toBe(0);
    // Hand-worked: 8 days hold 11,520 minutes, 11,519 counted; 57,700 failed requests (48 h and 5 min
    // at 20 a minute) of 11,519,000 is 0.5009 %, 5.009 times the 0.1 % allowed.
    expect(instant.stdout).toMatch(/│ -401 % · 0×\s+│/);
    expect(instant.stdout).toContain('HEALTHY spec-core-002-checkout: 1/1 NFRs within target');
    expect(instant.stdout).not.toContain('gate');

    const [summary] = (await ws.summaries(SPEC_ID)).slice(-1) as unknown as SummaryJson[];
    const objective = summary!.metrics[0]!.objective;
    expect(objective).toMatchObject({ window: '30d', budgeting: 'occurrences', target: 0.999, reason: null });
    expect(objective.error_budget.allowed).toBe(0.001);
    expect(objective.error_budget.consumed).toBeCloseTo(57_700 / 11_519, 9);
    expect(objective.error_budget.remaining).toBeCloseTo(1 - 57_700 / 11_519, 9);
    // Only the 3-day window reaches back into the 48 hours: its last 1439 counted minutes of 4319.
    expect(objective.burn_rates).toMatchObject({ '5m': 0, '30m': 0, '1h': 0, '2h': 0, '6h': 0, '1d': 0 });
    expect(objective.burn_rates['3d']).toBeCloseTo(28_780 / 4319, 9);
    expect(objective.alerts.map((a) => a.firing)).toEqual([false, false, false, false]);
    expect(summary!.gate).toEqual({ mode: 'instant', status: 'healthy', reasons: [] });
    // The burn-down, a point a day from END − 30 d: the 22 days before the history are unknown; a day
    // is 1,440,000 requests (1439 counted minutes × 1440/1439), so the budget is 0.1 % of 8 such days
    // (11,520). The spike's day spends 100 · 1440/1439 (100/11,512 of it), each of the 48 hours' two
    // days 28,800 (2.5 budgets).
    const burnDown = objective.burn_down!;
    expect(burnDown).toHaveLength(31);
    expect(burnDown[0]).toEqual({ at: new Date((END - 30 * DAY) * 1000).toISOString(), remaining: 1 });
    expect(burnDown.slice(1, 23).every((p) => p.remaining === null && p.reason !== undefined)).toBe(true);
    const spike = 100 / 11_512;
    const expected = [
      1,
      1 - spike,
      1 - spike,
      1 - spike,
      1 - spike - 2.5,
      1 - spike - 5,
      1 - spike - 5,
      1 - spike - 5,
    ];
    for (const [k, remaining] of expected.entries()) {
      expect(burnDown[23 + k]!.at).toBe(new Date((END - (7 - k) * DAY) * 1000).toISOString());
      expect(burnDown[23 + k]!.remaining).toBeCloseTo(remaining, 9);
    }

    const budget = await run(END, '--gate', 'budget');
    expect(budget.code).toBe(1);
    expect(budget.stdout).toContain('HEALTHY spec-core-002-checkout');
    expect(budget.stdout).toContain(
      'FAIL gate budget:\n  - checkout_error_rate: the 30d error budget is exhausted (-401 % left)',
    );
    const both = await run(END, '--gate', 'both', '--json');
    expect(both.code).toBe(1);
    expect((JSON.parse(both.stdout) as SummaryJson).gate).toEqual({
      mode: 'both',
      status: 'unhealthy',
      reasons: ['checkout_error_rate: the 30d error budget is exhausted (-401 % left)'],
    });
    const report = await ws.read(
      `.spec/reports/production-monitoring/${SPEC_ID}/${(JSON.parse(both.stdout) as { run_id: string }).run_id}/report.md`,
    );
    expect(report).toContain('## Gate: both (unhealthy)');
    expect(report).toMatch(
      /\| `checkout_error_rate` \| 99\.9 % good over 30d \(occurrences\) \| -401 % \| 501 % \| 0× \| 0× \| 0× \| 0× \| 6\.66× \| — \| — \|/,
    );
  });

  it('a short spike now with budget to spare: --gate instant fails, --gate budget passes', async () => {
    const instant = await run(SPIKE_END, '--json');
    expect(instant.code).toBe(1);
    const summary = JSON.parse(instant.stdout) as SummaryJson;
    expect(summary.metrics[0]!.status).toBe('breached');
    const objective = summary.metrics[0]!.objective;
    // Hand-worked: the 2 days of history before SPIKE_END count 2879 minutes; 100 failed requests.
    expect(objective.error_budget.consumed).toBeCloseTo(100 / 2879, 9);
    expect(objective.burn_rates['5m']).toBe(20);
    expect(objective.burn_rates['30m']).toBeCloseTo(100 / 29, 9);
    expect(objective.burn_rates['1h']).toBeCloseTo(100 / 59, 9);
    expect(objective.burn_rates['6h']).toBeCloseTo(100 / 359, 9);
    expect(objective.burn_rates['3d']).toBeCloseTo(100 / 2879, 9);
    // 5m burns 20× > 14.4, 1h only 1.69×: the fast page does not fire.
    expect(objective.alerts.map((a) => [a.name, a.firing])).toEqual([
      ['page-1h-5m', false],
      ['page-6h-30m', false],
      ['ticket-1d-2h', false],
      ['ticket-3d-6h', false],
    ]);

    const budget = await run(SPIKE_END, '--gate', 'budget');
    expect(budget.code).toBe(0);
    expect(budget.stdout).toMatch(/│ 96\.5 % · 1\.69×\s+│/);
    expect(budget.stdout).toContain('UNHEALTHY spec-core-002-checkout');
    expect(budget.stdout).toContain('PASS gate budget');
    expect((await run(SPIKE_END, '--gate', 'both')).code).toBe(1);
  });

  it('an unreachable backend under --gate budget is unknown (exit 3), never a pass', async () => {
    const port = await freePort();
    await ws.write(OBS_PATH, obsYaml(`http://127.0.0.1:${port}`));
    try {
      const result = await run(END, '--gate', 'budget', '--json');
      expect(result.code).toBe(3);
      const summary = JSON.parse(result.stdout) as SummaryJson;
      expect(summary.metrics[0]!.objective.error_budget.remaining).toBeNull();
      expect(summary.gate.status).toBe('degraded');
      expect(summary.gate.reasons[0]).toMatch(
        /^checkout_error_rate: page burn-rate rule page-1h-5m unknown: /,
      );
    } finally {
      await ws.write(OBS_PATH, obsYaml(prometheus.url));
    }
  });

  it('--gate is checked: an unknown mode and --gate with --daemon are usage errors (exit 2)', async () => {
    const unknown = await run(END, '--gate', 'budgets');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown gate "budgets"');
    expect(unknown.stderr).toContain('one of instant, budget, both');
    const daemon = await runCli([SPEC_ID, '--daemon', '--gate', 'budget'], { cwd: ws.root });
    expect(daemon.code).toBe(2);
    expect(daemon.stderr).toContain('--gate belongs to run-once');
  });
});
