import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialAlertState } from '../../src/alerting/state.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../../src/alerting/types.js';
import { alertContextFor } from '../../src/daemon/alert-context.js';
import { AlertmanagerRefresh } from '../../src/daemon/alertmanager-refresh.js';
import { DeliveryLoop } from '../../src/daemon/delivery.js';
import { Housekeeping } from '../../src/daemon/housekeeping.js';
import type { DaemonMetrics } from '../../src/daemon/metrics.js';
import type { DaemonShared } from '../../src/daemon/shared.js';
import { StatusView } from '../../src/daemon/status-view.js';
import type { Provider } from '../../src/providers/types.js';
import type { MeasurementRow } from '../../src/store/types.js';
import { samplePayload } from '../alerting/fixtures.js';
import { useTempDirs } from '../support/temp.js';
import {
  capturingLogger,
  evaluationOf,
  makeWorkspace,
  manualClock,
  outputBaseOf,
  sharedOf,
  T0,
} from './support.js';

useTempDirs();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function viewOf(shared: DaemonShared, metrics: DaemonMetrics) {
  return new StatusView(shared, metrics, {
    version: '0.0.0-test',
    startedAt: T0,
    intervalSeconds: 60,
    outputBase: outputBaseOf(shared.root),
    onObjectivesError: () => {},
  });
}

function rowsOf(at: Date, errorRate: number): MeasurementRow[] {
  return [
    {
      at,
      specId: 'spec-a',
      metric: 'api_error_rate',
      value: errorRate,
      slo: 5,
      status: errorRate < 5 ? 'healthy' : 'breached',
      reason: 'measured',
    },
  ];
}

describe('StatusView', () => {
  it('shows only specs with a recorded verdict, their open alerts, and the newest regular report files', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const view = viewOf(shared, metrics);
    expect(view.specs()).toEqual([]);

    const evaluation = evaluationOf('spec-a', T0, { errorRate: 12, latency: 120 });
    view.latest.set('spec-a', { evaluation, summary: { status: 'unhealthy' } as never });
    const firing = samplePayload('trigger').metric;
    shared.alertStates.set('open', {
      ...initialAlertState('spec-a', firing, 'slo'),
      phase: 'firing',
    });
    shared.alertStates.set('closed', {
      ...initialAlertState('spec-a', 'other', 'slo'),
    });
    const daily = path.join(outputBaseOf(root), 'spec-a', 'daily');
    mkdirSync(daily, { recursive: true });
    writeFileSync(path.join(daily, '2026-11-25.json'), '{}');
    writeFileSync(path.join(daily, '2026-11-26.json'), '{}');
    writeFileSync(path.join(daily, '2026-11-26.html'), '<html>');
    // A symlink is never linked: the report route refuses it.
    symlinkSync(path.join(daily, '2026-11-25.json'), path.join(daily, '2026-11-27.json'));

    const before = view.revision();
    view.recordCycle({ startedAt: T0, finishedAt: T0, durationMs: 0, slow: false });
    expect(view.revision()).toBe(before + 1);
    const [spec] = view.specs();
    expect(spec!.alerts.map((a) => [a.metric, a.phase])).toEqual([[firing, 'firing']]);
    expect(spec!.reports).toEqual({
      daily: [
        '.spec/reports/production-monitoring/spec-a/daily/2026-11-26.html',
        '.spec/reports/production-monitoring/spec-a/daily/2026-11-25.json',
      ],
      weekly: [],
    });
    expect(view.reportFile('.spec/reports/production-monitoring/spec-a/daily/2026-11-26.html')).toBe(
      path.join(daily, '2026-11-26.html'),
    );
    shared.store.close();
  });
});

describe('Housekeeping', () => {
  it('prunes beyond storage.retention at most once an hour of the daemon clock', async () => {
    const root = makeWorkspace();
    const { shared } = await sharedOf(root);
    const { log, lines } = capturingLogger();
    const housekeeping = new Housekeeping(shared, log, {
      isStopping: () => false,
      retentionDays: () => 90,
    });
    const now = new Date(T0.getTime() + 100 * DAY);
    // A retention of 90 days: the first row goes, the second stays.
    shared.store.commitCycle({ at: T0, measurements: rowsOf(T0, 1), alertStates: [], notifications: [] });
    const recent = new Date(now.getTime() - DAY);
    shared.store.commitCycle({
      at: recent,
      measurements: rowsOf(recent, 1),
      alertStates: [],
      notifications: [],
    });

    housekeeping.pruneIfDue(now);
    const all = { specId: 'spec-a', metric: 'api_error_rate', from: T0, to: now };
    expect(shared.store.measurements(all).map((r) => r.at)).toEqual([recent]);
    expect(lines.find((l) => l.event === 'pruned')).toMatchObject({ measurements: 1, retention_days: 90 });

    // Within the hour nothing runs again, even when there is something to prune.
    const later = new Date(now.getTime() + 30 * 60_000);
    shared.store.commitCycle({ at: T0, measurements: rowsOf(T0, 1), alertStates: [], notifications: [] });
    housekeeping.pruneIfDue(later);
    expect(shared.store.measurements(all)).toHaveLength(2);
    housekeeping.pruneIfDue(new Date(now.getTime() + HOUR));
    expect(shared.store.measurements(all)).toHaveLength(1);
    shared.store.close();
  });
});

describe('DeliveryLoop', () => {
  it('sends what the outbox holds to the receivers of the specs; calls during a pass share it', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const { log } = capturingLogger();
    const seen: AlertPayload[] = [];
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const receiver: Receiver = {
      name: 'spec-a/test',
      type: 'test',
      async deliver(payload): Promise<DeliveryResult> {
        seen.push(payload);
        await held;
        return { ok: true };
      },
    };
    shared.runtimes = [{ ...shared.runtimes[0]!, receivers: [receiver] }];
    const payload = samplePayload('trigger');
    shared.store.commitCycle({
      at: T0,
      measurements: [],
      alertStates: [],
      notifications: [
        {
          receiver: receiver.name,
          dedupKey: payload.dedup_key,
          event: 'trigger',
          payload,
          idempotencyKey: 'k1',
        },
      ],
    });
    const loop = new DeliveryLoop(shared, {
      clock: manualClock(),
      log,
      metrics,
      databaseIsThere: () => true,
      lost: new AbortController().signal,
    });

    const first = loop.deliver();
    expect(loop.deliver()).toBe(first);
    expect(loop.pending).toBe(first);
    release!();
    await first;

    expect(seen.map((p) => p.dedup_key)).toEqual([payload.dedup_key]);
    expect(shared.store.depth()).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('smartspec_pm_notifications_total')).toContain(
      'result="delivered"} 1',
    );
    expect(loop.pending).toBeNull();
    shared.store.close();
  });

  it('sends nothing once the database is gone', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const { log } = capturingLogger();
    const seen: AlertPayload[] = [];
    shared.runtimes = [
      {
        ...shared.runtimes[0]!,
        receivers: [
          {
            name: 'spec-a/test',
            type: 'test',
            deliver: async (p) => {
              seen.push(p);
              return { ok: true };
            },
          },
        ],
      },
    ];
    const payload = samplePayload('trigger');
    shared.store.commitCycle({
      at: T0,
      measurements: [],
      alertStates: [],
      notifications: [
        {
          receiver: 'spec-a/test',
          dedupKey: payload.dedup_key,
          event: 'trigger',
          payload,
          idempotencyKey: 'k1',
        },
      ],
    });
    const loop = new DeliveryLoop(shared, {
      clock: manualClock(),
      log,
      metrics,
      databaseIsThere: () => false,
      lost: new AbortController().signal,
    });
    await loop.deliver();
    expect(seen).toEqual([]);
    expect(shared.store.depth()).toBe(1);
    shared.store.close();
  });
});

describe('AlertmanagerRefresh', () => {
  it('re-posts a firing burn-rate alert with the burn rates and trigger of the cycle it was measured in', async () => {
    const root = makeWorkspace();
    const { shared, metrics } = await sharedOf(root);
    const view = viewOf(shared, metrics);
    const runtime = shared.runtimes[0]!;
    // The instant value (3 %) meets the NFR's < 5 %; every 1-minute slice of the range reads 6 %, so
    // every slice is bad: a 20× burn of the 5 % allowed, and the fast page fires.
    const backend: Provider = {
      name: 'default',
      type: 'prometheus',
      host: '127.0.0.1',
      queryInstant: async (_query, at) => ({ ok: true, value: 3, at, warnings: [] }),
      queryRange: async (_query, start, end, step) => {
        const samples = [];
        for (let t = start.getTime(); t <= end.getTime(); t += step * 1000) {
          samples.push({ at: new Date(t), value: 6 });
        }
        return { ok: true, samples, warnings: [] };
      },
    };
    (runtime.prepared.providers as Map<string, Provider>).set('default', backend);
    const posted: AlertPayload[] = [];
    runtime.receivers = [
      {
        name: 'am',
        type: 'alertmanager',
        deliver: async (payload): Promise<DeliveryResult> => {
          posted.push(payload);
          return { ok: true };
        },
      },
    ];
    await view.objectives.refresh([runtime.prepared], T0);
    view.latest.set('spec-a', {
      evaluation: evaluationOf('spec-a', T0, { errorRate: 3, latency: 120 }),
      summary: {} as never,
    });
    shared.alertStates.set('spec-a\u0000api_error_rate\u0000slo', {
      ...initialAlertState('spec-a', 'api_error_rate', 'slo'),
      phase: 'firing',
      since: T0,
      firedAt: T0,
      episodeId: 'e1',
      severity: 'SEV-1',
    });
    const { log } = capturingLogger();
    const refresh = new AlertmanagerRefresh(shared, view, {
      intervalSeconds: 60,
      log,
      alertContext: (r) => alertContextFor(r, { intervalSeconds: 60, version: '0', statusPageUrl: null }),
    });
    await refresh.refreshIfDue(T0);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ event: 'reminder', trigger: 'burn_rate', window: '30d' });
    expect(posted[0]!.burn_rates?.['1h']).toBe(20);
    expect(posted[0]!.firing_rules.map((r) => `${r.severity}-${r.long}-${r.short}`)).toContain('page-1h-5m');
    shared.store.close();
  });
});
