import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeWebhook } from '../fakes/webhook.js';
import { startFakeWebhook } from '../fakes/webhook.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, STANDARD_END, startPrometheus } from '../support/prometheus.js';
import { type Incident, sloHistory } from '../support/slo-history.js';
import { eventually } from './daemon-support.js';
import type { DaemonProcess, Workspace } from './support.js';
import { makeWorkspace, startDaemon } from './support.js';

const skip = prometheusSkipReason();
const SPEC_ID = 'spec-core-002-checkout';
const END = STANDARD_END;
const BURST_FROM = END - 6 * 3600;
const BURST_TO = BURST_FROM + 3600;
// For an hour, one minute in ten fails half of its requests: 5 % of the hour (a 51× burn of a 0.1 %
// objective over 1h, 125× over any 5 minutes holding a burst), while the 5-minute error ratio breaches
// the target for 4 minutes and is 0 for the next 6, so the threshold never holds for `for: 5m`.
// Three days of history keep the slow ticket rule quiet (3 000 bad of 4.3 M requests: 0.7×).
const bursts: Incident[] = Array.from({ length: 6 }, (_, i) => ({
  from: BURST_FROM + i * 600,
  to: BURST_FROM + i * 600 + 60,
  share: 0.5,
}));
const history = sloHistory({ end: END, days: 3, incidents: bursts });

const SPEC = `# Checkout

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Reliability | Error Rate | \`checkout_error_rate\` | < 0.1% |
`;

function observability(prometheusUrl: string, hookUrl: string, mode: 'both' | 'threshold'): string {
  return `provider: prometheus
url: ${prometheusUrl}
metrics:
  - name: checkout_error_rate
    query: '${history.errorRatioQuery}'
alerting:
  mode: ${mode}
  for: 5m
  resolve_after: 10m
incident_command: false
reports:
  daily: false
  weekly: false
receivers:
  - type: webhook
    name: hook
    url: ${hookUrl}
`;
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

interface StatusJson {
  last_cycle: { started_at: string } | null;
}

/** Waits until the daemon's replay clock has recorded a cycle at or after `unixSeconds`. */
function replayPassed(port: number, unixSeconds: number): Promise<true> {
  return eventually(
    async () => {
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as StatusJson;
      const at = status.last_cycle ? Date.parse(status.last_cycle.started_at) / 1000 : 0;
      return at >= unixSeconds ? true : undefined;
    },
    `the replay to pass ${iso(unixSeconds)}`,
    120_000,
  );
}

interface PayloadJson {
  event: string;
  severity: string;
  trigger: string | null;
  burn_rates: Record<string, number | null> | null;
  budget_remaining: number | null;
  window: string | null;
  firing_rules: { severity: string; long: string; short: string; factor: number }[];
  dedup_key: string;
  started_at: string;
  ended_at: string | null;
}

describe.skipIf(skip !== null)('burn-rate alerts in the daemon (real Prometheus, replayed clock)', () => {
  let prometheus: RunningPrometheus;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await prometheus?.stop();
  });

  async function start(
    mode: 'both' | 'threshold',
  ): Promise<{ hook: FakeWebhook; port: number; daemon: DaemonProcess }> {
    const hook = await startFakeWebhook();
    const ws: Workspace = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]: observability(prometheus.url, hook.url, mode),
    });
    const port = await freePort();
    const daemon = startDaemon(
      [
        '--spec-id',
        SPEC_ID,
        '--interval',
        '60',
        '--replay-from',
        iso(BURST_FROM - 600),
        '--replay-speed',
        '300',
        '--listen',
        `127.0.0.1:${port}`,
      ],
      { cwd: ws.root },
    );
    cleanups.push(
      () => daemon.kill('SIGKILL'),
      () => hook.close(),
      () => ws.cleanup(),
    );
    return { hook, port, daemon };
  }

  it('a fast burn while the 5m value flaps pages once (one trigger, one resolve); mode threshold opens nothing', async () => {
    const [both, threshold] = await Promise.all([start('both'), start('threshold')]);

    const [fired, resolved] = (await both.hook.waitForRequests(2, 120_000)).map((r) => r.body as PayloadJson);
    expect(fired).toMatchObject({ event: 'trigger', severity: 'SEV-1', window: '30d' });
    expect(['burn_rate', 'both']).toContain(fired!.trigger);
    expect(fired!.firing_rules).toContainEqual({ severity: 'page', long: '1h', short: '5m', factor: 14.4 });
    expect(Object.keys(fired!.burn_rates ?? {})).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    expect(fired!.burn_rates!['1h']).toBeGreaterThan(14.4);
    expect(fired!.burn_rates!['5m']).toBeGreaterThan(14.4);
    // The whole window from the backend (refreshed every 5 minutes of the daemon's clock): a burst or two spent.
    expect(fired!.budget_remaining).toBeGreaterThan(0.5);
    expect(fired!.budget_remaining).toBeLessThan(1);
    // The second burst brings the 1h window over 14.4× (one burst is 8.5×).
    const started = Date.parse(fired!.started_at) / 1000;
    expect(started).toBeGreaterThan(BURST_FROM + 600);
    expect(started).toBeLessThan(BURST_FROM + 600 + 300);
    expect(resolved).toMatchObject({
      event: 'resolve',
      dedup_key: fired!.dedup_key,
      started_at: fired!.started_at,
    });
    expect(resolved!.trigger).toBeNull();
    // The 6h/30m page holds while the 30m window holds a burst (the last one fails at BURST_TO − 570 s),
    // then `resolve_after: 10m`.
    const ended = Date.parse(resolved!.ended_at!) / 1000;
    expect(ended).toBeGreaterThan(BURST_TO - 600 + 30 * 60);
    expect(ended).toBeLessThan(BURST_TO + 3600);

    // Long after the recovery, nothing more was sent for either daemon.
    await Promise.all([
      replayPassed(both.port, BURST_TO + 2 * 3600),
      replayPassed(threshold.port, BURST_TO + 2 * 3600),
    ]);
    expect(both.hook.requests.map((r) => (r.body as PayloadJson).event)).toEqual(['trigger', 'resolve']);
    expect(threshold.hook.requests).toEqual([]);
    const status = (await (await fetch(`http://127.0.0.1:${threshold.port}/api/status`)).json()) as {
      specs: { alerts: unknown[] }[];
    };
    expect(status.specs[0]!.alerts).toEqual([]);
  }, 240_000);
});
