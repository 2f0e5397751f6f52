import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, STANDARD_END, startPrometheus } from '../support/prometheus.js';
import { sloHistory } from '../support/slo-history.js';
import { eventually } from './daemon-support.js';
import type { DaemonProcess, Workspace } from './support.js';
import { makeWorkspace, startDaemon } from './support.js';

const skip = prometheusSkipReason();
const SPEC_ID = 'spec-core-002-checkout';
const END = STANDARD_END;
const DAY = 86_400;
// Four days in which 1 % of the requests always fail: every window's bad share is 1 %, a 10× burn of a
// 0.1 % objective, whenever the daemon's clock asks.
const history = sloHistory({
  end: END,
  days: 4,
  incidents: [{ from: END - 5 * DAY, to: END + DAY, share: 0.01 }],
});

interface ObjectiveJson {
  error_budget: { allowed: number; consumed: number; remaining: number };
  burn_rates: Record<string, number | null>;
  alerts: { name: string; firing: boolean | null }[];
  burn_down: { at: string; remaining: number | null }[] | null;
  reason: string | null;
}

describe.skipIf(skip !== null)('the daemon measures objectives from the backend (real Prometheus)', () => {
  let prometheus: RunningPrometheus;
  let ws: Workspace;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: `# Checkout

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Reliability | Error Rate | \`checkout_error_rate\` | < 0.1% |
`,
      [`specs/core/${SPEC_ID}/observability.yaml`]: `provider: prometheus
url: ${prometheus.url}
metrics:
  - name: checkout_error_rate
    query: '${history.errorRatioQuery}'
incident_command: false
reports:
  daily: false
  weekly: false
`,
    });
  });
  afterAll(async () => {
    daemon?.kill('SIGKILL');
    await prometheus?.stop();
    await ws?.cleanup();
  });

  it('/api/status carries the objective block after the first cycle: budget and burn rates from days of history', async () => {
    const port = await freePort();
    daemon = startDaemon(
      [
        '--spec-id',
        SPEC_ID,
        '--interval',
        '60',
        '--replay-from',
        new Date((END - 3600) * 1000).toISOString(),
        '--listen',
        `127.0.0.1:${port}`,
      ],
      { cwd: ws.root },
    );
    const objective = await eventually(async () => {
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
        specs: { metrics: { objective?: ObjectiveJson }[] }[];
      };
      return status.specs[0]?.metrics[0]?.objective;
    }, 'the objective on /api/status');
    expect(objective.reason).toBeNull();
    // Four days of backend history, not the daemon's one cycle: 1 % bad ÷ 0.1 % allowed.
    expect(objective.error_budget).toEqual({ allowed: 0.001, consumed: 10, remaining: -9 });
    expect(objective.burn_rates).toEqual({
      '5m': 10,
      '30m': 10,
      '1h': 10,
      '2h': 10,
      '6h': 10,
      '1d': 10,
      '3d': 10,
    });
    // 10× is under the 14.4× page, over the 6× page and both tickets.
    expect(objective.alerts.map((a) => [a.name, a.firing])).toEqual([
      ['page-1h-5m', false],
      ['page-6h-30m', true],
      ['ticket-1d-2h', true],
      ['ticket-3d-6h', true],
    ]);
    // The burn-down from the first cycle on (END − 1 h): a point a day over 30 days, unknown before the
    // history's four days. Those days' steps hold 1380 minutes (the first, which the history begins
    // 23 h before its end) and 1440 each; 1 % of them bad spends 10 budgets in all, in proportion.
    const burnDown = objective.burn_down!;
    expect(burnDown).toHaveLength(31);
    expect(burnDown.slice(1, 27).every((p) => p.remaining === null)).toBe(true);
    const minutes = [1380, 2820, 4260, 5700];
    for (const [k, cumulative] of minutes.entries()) {
      // The replay clock starts at --replay-from and runs on: within a minute of it.
      const at = Date.parse(burnDown[27 + k]!.at) - (END - 3600 - (3 - k) * DAY) * 1000;
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(30_000);
      // The clock's fraction of a second moves the partial first step's extrapolation by about 1e-5.
      expect(burnDown[27 + k]!.remaining).toBeCloseTo(1 - (10 * cumulative) / 5700, 4);
    }
  });
});
