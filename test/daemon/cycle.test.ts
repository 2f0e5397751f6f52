import { describe, expect, it } from 'vitest';
import { alertKey } from '../../src/alerting/advance.js';
import { Redactor } from '../../src/config/index.js';
import { alertContextFor } from '../../src/daemon/alert-context.js';
import { BlindMonitoring } from '../../src/daemon/blind.js';
import { Cycle, type Measure } from '../../src/daemon/cycle.js';
import type { DaemonMetrics } from '../../src/daemon/metrics.js';
import type { DaemonShared } from '../../src/daemon/shared.js';
import { StatusView } from '../../src/daemon/status-view.js';
import { useTempDirs } from '../support/temp.js';
import {
  capturingLogger,
  evaluationOf,
  type ManualClock,
  makeWorkspace,
  manualClock,
  outputBaseOf,
  sharedOf,
  T0,
} from './support.js';

useTempDirs();

function cycleOf(shared: DaemonShared, metrics: DaemonMetrics, clock: ManualClock, measure: Measure) {
  const { log, lines } = capturingLogger();
  const view = new StatusView(shared, metrics, {
    version: '0.0.0-test',
    startedAt: clock.now(),
    intervalSeconds: 60,
    outputBase: outputBaseOf(shared.root),
    onObjectivesError: () => {},
  });
  const followedUp: Date[] = [];
  const committed: Date[] = [];
  const cycle = new Cycle(shared, {
    clock,
    log,
    metrics,
    blind: new BlindMonitoring(log),
    view,
    intervalSeconds: 60,
    version: '0.0.0-test',
    databaseIsThere: () => true,
    isFatal: () => false,
    redactor: () => new Redactor([], []),
    alertContext: (runtime) =>
      alertContextFor(runtime, { intervalSeconds: 60, version: '0.0.0-test', statusPageUrl: null }),
    afterCommit: (at) => committed.push(at),
    followUp: (at) => followedUp.push(at),
    measure,
  });
  return { cycle, view, lines, followedUp, committed };
}

describe('one measuring cycle', () => {
  it('records the measurements and alert states in the store, then shows them and starts the follow-ups', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const clock = manualClock();
    const { cycle, view, lines, followedUp, committed } = cycleOf(
      shared,
      metrics,
      clock,
      async (runtime, at) => evaluationOf(runtime.prepared.spec.specId, at, { errorRate: 12, latency: 120 }),
    );

    await cycle.run(T0);

    expect(
      shared.store.measurements({
        specId: 'spec-a',
        metric: 'api_error_rate',
        from: T0,
        to: new Date(T0.getTime() + 1),
      }),
    ).toMatchObject([{ value: 12, status: 'breached' }]);
    // The default policy holds a breach pending before it fires.
    const state = shared.alertStates.get(alertKey('spec-a', 'api_error_rate', 'slo'));
    expect(state?.phase).toBe('pending');
    expect(shared.store.loadAlertStates()).toContainEqual(state);
    expect(view.specs().map((s) => [s.summary.status, s.alerts.map((a) => a.metric)])).toEqual([
      ['unhealthy', ['api_error_rate']],
    ]);
    expect(view.lastCycle()).toMatchObject({ startedAt: T0, error: null, consecutiveFailures: 0 });
    expect(committed).toEqual([T0]);
    expect(followedUp).toEqual([T0]);
    expect(lines.find((l) => l.event === 'spec_status')).toMatchObject({
      spec_id: 'spec-a',
      to: 'unhealthy',
    });
    shared.store.close();
  });

  it('times the cycle on the injected clock, as its start and end are (a replay shows one time line)', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const clock = manualClock();
    const { cycle, view } = cycleOf(shared, metrics, clock, async (runtime, at) => {
      // The backend takes 90 s of the daemon's clock (a replay runs faster than real time).
      clock.advance(90_000);
      return evaluationOf(runtime.prepared.spec.specId, at, { errorRate: 1, latency: 120 });
    });

    await cycle.run(T0);

    const last = view.lastCycle()!;
    expect(last.finishedAt.getTime() - last.startedAt.getTime()).toBe(90_000);
    expect(last.durationMs).toBe(90_000);
    expect(last.slow).toBe(true);
    expect(shared.store.recentCycles(1)).toEqual([
      { startedAt: T0, durationMs: 90_000, slow: true, error: null },
    ]);
    shared.store.close();
  });

  it('a cycle that cannot be recorded shows no verdict, counts the failure and starts no follow-up', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const clock = manualClock();
    const { cycle, view, lines, followedUp } = cycleOf(shared, metrics, clock, async (runtime, at) =>
      evaluationOf(runtime.prepared.spec.specId, at, { errorRate: 12, latency: 120 }),
    );
    shared.store.close();

    await cycle.run(T0);

    expect(view.specs()).toEqual([]);
    expect(view.lastCycle()).toMatchObject({ consecutiveFailures: 1 });
    expect(view.lastCycle()?.error).toEqual(expect.any(String));
    expect(followedUp).toEqual([]);
    expect(lines.find((l) => l.event === 'cycle_failed')).toMatchObject({ consecutive: 1 });
    // Unknown, never healthy: the measured values are not the monitor's word.
    const unknown = await metrics.registry.getSingleMetricAsString('smartspec_pm_slo_unknown');
    expect(unknown).toContain('smartspec_pm_slo_unknown{spec_id="spec-a",metric="api_error_rate"} 1');
    expect(await metrics.registry.getSingleMetricAsString('smartspec_pm_slo_healthy')).not.toContain(
      'spec-a',
    );
  });

  it('builds a spec summary only when the status server reads it, as of the cycle that measured it', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const clock = manualClock();
    const { cycle, view } = cycleOf(shared, metrics, clock, async (runtime, at) =>
      evaluationOf(runtime.prepared.spec.specId, at, { errorRate: 1, latency: 120 }),
    );
    // The summary is the redacted copy the server shows: counting the copies counts the summaries.
    const redactor = shared.runtimes[0]!.prepared.redactor;
    let copies = 0;
    const redactDeep = redactor.redactDeep.bind(redactor);
    redactor.redactDeep = (value) => {
      copies++;
      return redactDeep(value);
    };

    for (let i = 0; i < 3; i++) {
      await cycle.run(clock.now());
      clock.advance(60_000);
    }
    expect(copies).toBe(0);

    const [spec] = view.specs();
    expect(spec!.summary.generated_at).toBe(new Date(T0.getTime() + 120_000).toISOString());
    expect(view.specs()[0]!.summary).toBe(spec!.summary);
    expect(copies).toBe(1);
    shared.store.close();
  });
});
