import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertState } from '../../src/alerting/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { alertState, at, measurement, notification, payload, T0, tempDirs } from './support.js';

const dirs = tempDirs();
const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  dirs.cleanup();
});

function freshStore(): { store: Store; file: string } {
  const file = join(dirs.make(), 'monitor.db');
  const store = openStore(file);
  open.push(store);
  return { store, file };
}

function rawCount(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  const count = db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get()!;
  db.close();
  return count;
}

describe('commitCycle', () => {
  it('commits measurements, alert states and notifications together', () => {
    const { store } = freshStore();
    const result = store.commitCycle({
      at: T0,
      measurements: [measurement(), measurement({ metric: 'error_rate', value: 0.2, slo: 1, reason: 'ok' })],
      alertStates: [alertState()],
      notifications: [notification()],
    });
    expect(result).toEqual({ enqueued: 1 });
    expect(store.latestMeasurements('checkout').map((row) => row.metric)).toEqual([
      'error_rate',
      'p95_latency',
    ]);
    expect(store.loadAlertStates()).toEqual([alertState()]);
    expect(store.outbox()).toEqual([
      {
        id: 1,
        receiver: 'ops-webhook',
        dedupKey: 'smartspec/checkout/p95_latency/slo',
        event: 'trigger',
        payload: payload(),
        createdAt: T0,
        attempts: 0,
        nextAttemptAt: T0,
        status: 'pending',
        lastError: null,
      },
    ]);
  });

  it('is atomic: a constraint error in the middle leaves nothing behind, and the store stays usable', () => {
    const { store, file } = freshStore();
    const broken = { ...alertState({ metric: 'error_rate' }), phase: 'exploded' } as unknown as AlertState;
    expect(() =>
      store.commitCycle({
        at: T0,
        measurements: [measurement(), measurement({ specId: 'new-spec', metric: 'new_metric' })],
        alertStates: [alertState(), broken],
        notifications: [notification()],
      }),
    ).toThrow(/CHECK constraint failed/);
    for (const table of ['measurements', 'series', 'alert_states', 'outbox'])
      expect(rawCount(file, table)).toBe(0);

    // The rolled-back series must not linger in a cache: committing them again works.
    expect(
      store.commitCycle({
        at: T0,
        measurements: [measurement({ specId: 'new-spec', metric: 'new_metric' })],
        alertStates: [],
        notifications: [],
      }),
    ).toEqual({ enqueued: 0 });
    expect(store.latestMeasurements('new-spec')).toHaveLength(1);
  });

  it('enqueues an idempotency key once, however often the cycle is replayed', () => {
    const { store } = freshStore();
    const cycle = {
      at: T0,
      measurements: [measurement()],
      alertStates: [alertState()],
      notifications: [
        notification(),
        notification({ receiver: 'pager', idempotencyKey: 'pager/ep-7f3a/trigger/0' }),
      ],
    };
    expect(store.commitCycle(cycle)).toEqual({ enqueued: 2 });
    expect(store.commitCycle(cycle)).toEqual({ enqueued: 0 });
    expect(
      store.commitCycle({
        ...cycle,
        at: at(60),
        notifications: [notification(), notification({ idempotencyKey: 'x' })],
      }),
    ).toEqual({ enqueued: 1 });
    expect(store.outbox().map((entry) => entry.receiver)).toEqual(['ops-webhook', 'pager', 'ops-webhook']);
    // A replayed measurement (same series, same instant) is ignored too: first write wins.
    expect(store.stats().measurements).toBe(1);
  });

  it('round-trips every alert state field exactly, and upserts by (spec, metric, kind)', () => {
    const { store, file } = freshStore();
    const firing = alertState();
    const blind = alertState({
      kind: 'no_data',
      phase: 'inactive',
      since: null,
      badCycles: 0,
      goodCycles: 0,
      goodSince: null,
      episodeId: null,
      firedAt: null,
      lastNotifiedAt: null,
      severity: null,
      worstValue: null,
    });
    const other = alertState({
      specId: 'search',
      severity: 'SEV-4',
      worstValue: -0.000123456789,
      since: new Date(1),
    });
    store.commitCycle({ at: T0, measurements: [], alertStates: [other, firing, blind], notifications: [] });
    expect(store.loadAlertStates()).toEqual([blind, firing, other]);
    expect(store.loadAlertStates()[1]!.since).toBeInstanceOf(Date);

    const resolved = { ...firing, phase: 'inactive' as const, since: null, goodCycles: 3, episodeId: null };
    store.commitCycle({ at: at(60), measurements: [], alertStates: [resolved], notifications: [] });
    expect(store.loadAlertStates()).toEqual([blind, resolved, other]);
    store.close();
    // And across a restart.
    const reopened = openStore(file);
    open.push(reopened);
    expect(reopened.loadAlertStates()).toEqual([blind, resolved, other]);
  });
});

describe('history', () => {
  it('returns measurements in time order with from inclusive and to exclusive, all fields intact', () => {
    const { store } = freshStore();
    const rows = [0, 60, 120, 180].flatMap((s, i) => [
      measurement({ at: at(s), value: 400 + i }),
      measurement({
        at: at(s),
        metric: 'availability',
        value: i === 2 ? null : 99.9,
        slo: 99.5,
        status: i === 2 ? 'unknown' : 'healthy',
        reason: i === 2 ? 'no data: the query returned no series' : 'availability 99.9% >= 99.5%',
      }),
    ]);
    // Commit out of order: reads are ordered by time regardless.
    store.commitCycle({ at: at(180), measurements: rows.slice(4), alertStates: [], notifications: [] });
    store.commitCycle({ at: at(60), measurements: rows.slice(0, 4), alertStates: [], notifications: [] });
    store.commitCycle({
      at: at(60),
      measurements: [measurement({ specId: 'other', at: at(60) })],
      alertStates: [],
      notifications: [],
    });

    const all = store.measurements({ specId: 'checkout', from: at(60), to: at(180) });
    expect(all.map((row) => [row.at.getTime() - T0.getTime(), row.metric])).toEqual([
      [60_000, 'availability'],
      [60_000, 'p95_latency'],
      [120_000, 'availability'],
      [120_000, 'p95_latency'],
    ]);
    expect(all[2]).toEqual(rows[5]);
    expect(all[3]).toEqual(rows[4]);
    expect(store.measurements({ specId: 'checkout', metric: 'p95_latency', from: T0, to: at(1000) })).toEqual(
      rows.filter((row) => row.metric === 'p95_latency'),
    );
    expect(store.latestMeasurements('checkout')).toEqual([rows[7], rows[6]]);
    // Reports start where the spec was first measured.
    expect(store.firstMeasurementAt('checkout')).toEqual(at(0));
    expect(store.firstMeasurementAt('other')).toEqual(at(60));
    expect(store.firstMeasurementAt('never-measured')).toBeNull();
    // Without reasons (reports, charts): the same rows, reason left empty.
    expect(
      store.measurements({ specId: 'checkout', from: at(60), to: at(180) }, { withReasons: false }),
    ).toEqual(all.map((row) => ({ ...row, reason: '' })));
    expect(store.latestMeasurements('nobody')).toEqual([]);
    expect(store.series()).toEqual([
      { specId: 'checkout', metric: 'availability' },
      { specId: 'checkout', metric: 'p95_latency' },
      { specId: 'other', metric: 'p95_latency' },
    ]);
  });

  it('keeps any reason text exactly, compressed or not', () => {
    const { store, file } = freshStore();
    const reasons = [
      'p95_latency = 1 ms, target < 500 ms: healthy (query x via prometheus "prod")',
      '',
      'ü — 漢字 — 🚀 p95 ↑',
      'p95_latency = 2 ms, target < 500 ms: healthy (query x via prometheus "prod")',
      'x'.repeat(50_000),
    ];
    store.commitCycle({
      at: T0,
      measurements: reasons.map((reason, i) => measurement({ at: at(i), reason })),
      alertStates: [],
      notifications: [],
    });
    expect(store.measurements({ specId: 'checkout', from: T0, to: at(10) }).map((row) => row.reason)).toEqual(
      reasons,
    );
    // The series' first reason became its dictionary: the similar ones are stored compressed.
    const db = new Database(file, { readonly: true });
    const stored = db
      .prepare<[], { kind: string; bytes: number }>(
        'SELECT typeof(reason) AS kind, length(CAST(reason AS BLOB)) AS bytes FROM measurements ORDER BY at',
      )
      .all();
    db.close();
    expect(stored[3]!.kind).toBe('blob');
    expect(stored[3]!.bytes).toBeLessThan(20);
    expect(stored[1]).toEqual({ kind: 'text', bytes: 0 });
  });

  it('records cycles, newest first', () => {
    const { store } = freshStore();
    store.recordCycle({ startedAt: T0, durationMs: 812.6, slow: false, error: null });
    store.recordCycle({ startedAt: at(60), durationMs: 75_000, slow: true, error: 'provider prod: timeout' });
    expect(store.recentCycles(1)).toEqual([
      { startedAt: at(60), durationMs: 75_000, slow: true, error: 'provider prod: timeout' },
    ]);
    expect(store.recentCycles(10).map((cycle) => cycle.durationMs)).toEqual([75_000, 813]);
  });
});

describe('outbox', () => {
  function enqueue(store: Store, when: Date, ...keys: [receiver: string, dedupKey: string, key: string][]) {
    return store.commitCycle({
      at: when,
      measurements: [],
      alertStates: [],
      notifications: keys.map(([receiver, dedupKey, idempotencyKey]) =>
        notification({ receiver, dedupKey, idempotencyKey }),
      ),
    });
  }
  const ids = (entries: { id: number }[]) => entries.map((entry) => entry.id);

  it('hands out due entries oldest first, up to the limit', () => {
    const { store } = freshStore();
    enqueue(store, T0, ['a', 'd1', 'k1'], ['b', 'd2', 'k2']);
    enqueue(store, at(60), ['a', 'd3', 'k3']);
    expect(ids(store.due(at(-1), 10))).toEqual([]);
    expect(ids(store.due(T0, 10))).toEqual([1, 2]);
    expect(ids(store.due(at(60), 10))).toEqual([1, 2, 3]);
    expect(ids(store.due(at(60), 2))).toEqual([1, 2]);
    expect(store.depth()).toBe(3);
  });

  it('backs off failed entries, counts attempts, and dead-letters when told to give up', () => {
    const { store } = freshStore();
    enqueue(store, T0, ['a', 'd1', 'k1'], ['b', 'd2', 'k2']);
    store.markFailed(1, 'HTTP 503 Service Unavailable', at(1), at(31));
    expect(ids(store.due(at(2), 10))).toEqual([2]);
    expect(ids(store.due(at(31), 10))).toEqual([1, 2]);
    store.markFailed(1, 'HTTP 503 again', at(31), at(91));
    expect(store.outbox()[0]).toMatchObject({
      attempts: 2,
      nextAttemptAt: at(91),
      status: 'pending',
      lastError: 'HTTP 503 again',
    });

    store.markFailed(2, 'HTTP 400 Bad Request', at(3), null);
    expect(store.outbox({ status: 'dead' })).toMatchObject([
      { id: 2, attempts: 1, lastError: 'HTTP 400 Bad Request' },
    ]);
    expect(ids(store.due(at(1000), 10))).toEqual([1]);

    store.markDelivered(1, at(91));
    expect(store.outbox({ status: 'delivered' })).toMatchObject([{ id: 1, attempts: 3 }]);
    expect(store.depth()).toBe(0);
    expect(store.due(at(1000), 10)).toEqual([]);

    // Finished entries are final: late or repeated calls change nothing.
    store.markFailed(1, 'late failure', at(100), null);
    store.markDelivered(2, at(100));
    expect(store.outbox().map((entry) => [entry.status, entry.attempts])).toEqual([
      ['delivered', 3],
      ['dead', 1],
    ]);
    expect(store.stats()).toMatchObject({ outboxPending: 0, outboxDead: 1 });
  });

  it('keeps entries of one alert and receiver in order: a resolve waits for its trigger', () => {
    const { store } = freshStore();
    enqueue(store, T0, ['pager', 'alert-1', 'trigger']);
    store.markFailed(1, 'timeout', at(1), at(600));
    enqueue(
      store,
      at(60),
      ['pager', 'alert-1', 'resolve'],
      ['slack', 'alert-1', 'resolve-slack'],
      ['pager', 'alert-2', 'other'],
    );
    // The pager resolve of alert-1 is due but waits behind its trigger; other receivers/alerts do not.
    expect(ids(store.due(at(60), 10))).toEqual([3, 4]);
    expect(ids(store.due(at(600), 10))).toEqual([1, 3, 4]);
    expect(store.oldestPendingId('pager', 'alert-1')).toBe(1);
    expect(store.oldestPendingId('slack', 'alert-1')).toBe(3);
    store.markDelivered(1, at(600));
    expect(ids(store.due(at(600), 10))).toEqual([2, 3, 4]);
    expect(store.oldestPendingId('pager', 'alert-1')).toBe(2);
    expect(store.oldestPendingId('pager', 'nothing')).toBeNull();
  });

  it('bounds stored error text', () => {
    const { store } = freshStore();
    enqueue(store, T0, ['a', 'd1', 'k1']);
    store.markFailed(1, `<html>${'x'.repeat(10_000)}</html>`, at(1), at(2));
    expect(store.outbox()[0]!.lastError!.length).toBe(2000);
  });
});

describe('prune and stats', () => {
  const ids = (entries: { id: number }[]) => entries.map((entry) => entry.id);

  it('deletes old measurements, cycles and finished outbox entries, never pending ones', () => {
    const { store } = freshStore();
    for (let minute = 0; minute < 10; minute++) {
      store.commitCycle({
        at: at(minute * 60),
        measurements: [
          measurement({ at: at(minute * 60) }),
          measurement({ at: at(minute * 60), specId: 'search', metric: 'error_rate' }),
        ],
        alertStates: [],
        notifications: [notification({ idempotencyKey: `k${minute}`, dedupKey: `d${minute}` })],
      });
      store.recordCycle({ startedAt: at(minute * 60), durationMs: 10, slow: false, error: null });
    }
    store.markDelivered(1, at(30)); // old, delivered
    store.markFailed(2, 'gone', at(90), null); // old, dead
    store.markDelivered(9, at(540)); // delivered after the cutoff
    // 3..8 and 10 stay pending, however old.

    expect(store.prune(at(300))).toEqual({ measurements: 10, outbox: 2, cycles: 5 });
    expect(store.measurements({ specId: 'checkout', from: T0, to: at(3600) }).map((row) => row.at)).toEqual(
      [5, 6, 7, 8, 9].map((minute) => at(minute * 60)),
    );
    expect(ids(store.outbox())).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(store.recentCycles(100)).toHaveLength(5);
    expect(store.prune(at(300))).toEqual({ measurements: 0, outbox: 0, cycles: 0 });

    expect(store.stats()).toMatchObject({ measurements: 10, outboxPending: 7, outboxDead: 0 });
  });

  it('reports the size of the database file plus its write-ahead log', () => {
    const { store, file } = freshStore();
    store.commitCycle({
      at: T0,
      measurements: Array.from({ length: 500 }, (_, i) => measurement({ at: at(i), value: i })),
      alertStates: [],
      notifications: [],
    });
    const walSize = statSync(`${file}-wal`).size;
    expect(walSize).toBeGreaterThan(0);
    expect(store.stats().sizeBytes).toBe(statSync(file).size + walSize);
    store.checkpoint();
    expect(statSync(`${file}-wal`).size).toBe(0);
    expect(store.stats().sizeBytes).toBe(statSync(file).size);
    expect(store.stats().measurements).toBe(500);
  });
});

describe('read-only open', () => {
  it('reads what a writer committed, including uncheckpointed WAL content, and refuses writes', () => {
    const { store: writer, file } = freshStore();
    writer.commitCycle({
      at: T0,
      measurements: [measurement()],
      alertStates: [alertState()],
      notifications: [notification()],
    });

    const reader = openStore(file, { readonly: true });
    open.push(reader);
    expect(reader.readonly).toBe(true);
    expect(reader.latestMeasurements('checkout')).toEqual([measurement()]);
    expect(reader.loadAlertStates()).toEqual([alertState()]);
    expect(reader.depth()).toBe(1);
    expect(() =>
      reader.commitCycle({ at: T0, measurements: [], alertStates: [], notifications: [] }),
    ).toThrow(/read-only/);
    expect(() => reader.markDelivered(1, T0)).toThrow(/read-only/);
    // The writer keeps writing while the reader is open.
    writer.commitCycle({
      at: at(60),
      measurements: [measurement({ at: at(60) })],
      alertStates: [],
      notifications: [],
    });
    expect(reader.latestMeasurements('checkout')[0]!.at).toEqual(at(60));
  });
});

describe('connections', () => {
  it("keep SQLite's own 2 MB page cache, not better-sqlite3's 16 MB, read-write and read-only alike", () => {
    const file = join(dirs.make(), 'state.db');
    const cacheOf = (store: Store) =>
      (store as unknown as { db: Database.Database }).db.pragma('cache_size', { simple: true });
    const writer = openStore(file);
    expect(cacheOf(writer)).toBe(-2000);
    const reader = openStore(file, { readonly: true });
    expect(cacheOf(reader)).toBe(-2000);
    reader.close();
    writer.close();
  });
});
