import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/config/index.js';
import { BUDGET_REFRESH_MS, ObjectiveTracker } from '../../src/daemon/objectives.js';
import { planChecks } from '../../src/evaluate/plan.js';
import type { PreparedCheck } from '../../src/pipeline/index.js';
import type { InstantResult, Provider, RangeResult } from '../../src/providers/types.js';
import { buildSummary } from '../../src/report/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import { configOf, specOf } from '../slo/support.js';

/**
 * Answers every SLI ratio with `share` (and the burn-down's steps with 1 request a second, `share` of
 * them bad), and records the range each query asked for.
 */
class CountingProvider implements Provider {
  readonly name = 'default';
  readonly type = 'prometheus' as const;
  readonly host = '127.0.0.1';
  readonly ranges: string[] = [];
  /** The ranges of the burn-down's range queries. */
  readonly stepRanges: string[] = [];
  share = 0.002;
  async queryInstant(query: string, at: Date): Promise<InstantResult> {
    this.ranges.push(/\[([^\]]+)\]/.exec(query)?.[1] ?? '');
    return { ok: true, value: this.share, at, warnings: [] };
  }
  async queryRange(query: string, start: Date, end: Date, step: number): Promise<RangeResult> {
    this.stepRanges.push(/\[([^\]]+)\]/.exec(query)?.[1] ?? '');
    const samples = [];
    for (let t = start.getTime(); t <= end.getTime(); t += step * 1000) {
      samples.push({ at: new Date(t), value: query.includes('code="500"') ? this.share : 1 });
    }
    return { ok: true, samples, warnings: [] };
  }
}

function preparedWith(provider: Provider): PreparedCheck {
  const config = configOf(`provider: prometheus
url: http://127.0.0.1:9090
metrics:
  - name: error_rate
    query: 'sum(rate(http_requests_total{code="500"}[5m])) / sum(rate(http_requests_total[5m]))'
`);
  const plan = planChecks(
    parseNfrs(specOf([['error_rate', '< 0.1%']])).nfrs,
    config.metrics,
    config.unmapped,
  );
  return {
    spec: { specId: 'spec-a' },
    config,
    plan,
    providers: new Map([['default', provider]]),
    redactor: new Redactor([], []),
  } as unknown as PreparedCheck;
}

describe('the daemon’s objectives', () => {
  it('ask for burn rates every cycle and for the whole window on the first cycle, then every 5 minutes', async () => {
    const provider = new CountingProvider();
    let changes = 0;
    const tracker = new ObjectiveTracker(
      () => changes++,
      (message) => {
        throw new Error(message);
      },
    );
    const prepared = preparedWith(provider);
    const t0 = Date.parse('2026-03-11T12:00:00Z');
    const windowQueries = () => provider.ranges.filter((range) => range === '30d').length;

    await tracker.refresh([prepared], new Date(t0));
    expect(windowQueries()).toBe(1);
    // The burn-down comes with the whole window: bad and total at a 1-day step, one range query each.
    expect(provider.stepRanges).toEqual(['1d', '1d']);
    expect(provider.ranges.filter((range) => range === '5m')).toHaveLength(1);
    expect(changes).toBe(1);

    // One minute later the budget and its burn-down are the ones from t0; the burn rates are new.
    provider.share = 0.02;
    await tracker.refresh([prepared], new Date(t0 + 60_000));
    expect(windowQueries()).toBe(1);
    expect(provider.stepRanges).toHaveLength(2);
    expect(provider.ranges.filter((range) => range === '5m')).toHaveLength(2);
    const evaluation = {
      specId: 'spec-a',
      checkedAt: new Date(t0),
      status: 'healthy' as const,
      verdicts: [],
      unmonitored: [],
    };
    const summary = buildSummary(evaluation, {
      version: '0',
      runId: 'r',
      generatedAt: new Date(t0),
      mode: 'daemon',
      specFile: 's',
      observabilityConfig: 'o',
      apply: false,
      lang: 'en',
      platform: 'cli',
      warnings: [],
      writes: [],
    });
    const withMetric = {
      ...summary,
      metrics: [{ name: 'error_rate' } as (typeof summary.metrics)[number]],
    };
    const objective = tracker.withObjectives(withMetric).metrics[0]?.objective;
    // Budget from t0 (0.2 % bad = 2× the allowed 0.1 %), burn rate from t0 + 1 min (2 % = 20×).
    expect(objective?.error_budget).toEqual({ allowed: 0.001, consumed: 2, remaining: -1 });
    expect(objective?.window_start).toBe(new Date(t0 - 30 * 86_400_000).toISOString());
    expect(objective?.burn_rates['5m']).toBe(20);
    // 0.2 % of every day's requests bad: each day spends 2/30 of the budget, overspent by day 16.
    expect(objective?.burn_down).toHaveLength(31);
    expect(objective?.burn_down?.[0]).toEqual({
      at: new Date(t0 - 30 * 86_400_000).toISOString(),
      remaining: 1,
    });
    expect(objective?.burn_down?.[15]?.remaining).toBe(0);
    expect(objective?.burn_down?.[30]).toEqual({ at: new Date(t0).toISOString(), remaining: -1 });

    await tracker.refresh([prepared], new Date(t0 + BUDGET_REFRESH_MS));
    expect(windowQueries()).toBe(2);
    expect(provider.stepRanges).toHaveLength(4);
    expect(tracker.withObjectives(withMetric).metrics[0]?.objective?.error_budget.consumed).toBe(20);

    // A replay that starts again earlier asks for the window again.
    await tracker.refresh([prepared], new Date(t0));
    expect(windowQueries()).toBe(3);
  });

  it('gives /api/status budgets[] from the measured whole window, null with the reason when unknown', async () => {
    const provider = new CountingProvider();
    const tracker = new ObjectiveTracker(
      () => undefined,
      (message) => {
        throw new Error(message);
      },
    );
    const prepared = preparedWith(provider);
    const t0 = new Date('2026-03-11T12:00:00Z');
    expect(tracker.budgets('spec-a')).toEqual([]);
    // 0.05 % bad over the whole 30 days (the backend's, not the daemon's first minutes) of 0.1 % allowed.
    provider.share = 0.0005;
    await tracker.refresh([prepared], t0);
    expect(tracker.budgets('spec-a')).toEqual([
      { metric: 'error_rate', windowDays: 30, remaining: 0.5, reason: null },
    ]);
    expect(tracker.reportsAt('spec-a', t0)?.get('error_rate')?.error_budget.remaining).toBe(0.5);
    expect(tracker.reportsAt('spec-a', new Date(t0.getTime() + 1))).toBeUndefined();

    const down = new ObjectiveTracker(
      () => undefined,
      () => undefined,
    );
    provider.queryInstant = async () => ({
      ok: false,
      failure: 'unreachable',
      message: 'connection refused',
      warnings: [],
    });
    await down.refresh([prepared], t0);
    const [budget] = down.budgets('spec-a');
    expect(budget).toMatchObject({ metric: 'error_rate', windowDays: 30, remaining: null });
    expect(budget!.reason).toContain('connection refused');
  });

  it('never runs two refreshes at once: a slow backend skips cycles', async () => {
    const provider = new CountingProvider();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Provider = {
      ...provider,
      name: provider.name,
      type: provider.type,
      host: provider.host,
      queryInstant: async (query, at) => {
        await gate;
        return provider.queryInstant(query, at);
      },
      queryRange: (query, start, end, step) => provider.queryRange(query, start, end, step),
    };
    const tracker = new ObjectiveTracker(
      () => {},
      () => {},
    );
    const prepared = preparedWith(slow);
    const first = tracker.refresh([prepared], new Date(0));
    const second = tracker.refresh([prepared], new Date(60_000));
    expect(second).toBe(first);
    release();
    await first;
    // 8 queries of the one refresh: the whole window and the seven burn windows.
    expect(provider.ranges).toHaveLength(8);
  });
});
