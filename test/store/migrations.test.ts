import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { openStore, SCHEMA_VERSION } from '../../src/store/index.js';
import { alertState, at, fixture, measurement, notification, T0, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function catchUserError(fn: () => void): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const names = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);
  db.close();
  return names;
}

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  const version = db.pragma('user_version', { simple: true }) as number;
  db.close();
  return version;
}

/** A database written by release 1: the frozen v1 schema plus a little data, through raw SQL only. */
function writeV1Database(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(readFileSync(fixture('schema-v1.sql'), 'utf8'));
  db.prepare(
    "INSERT INTO series (id, spec_id, metric, reason_dictionary) VALUES (1, 'checkout', 'p95_latency', x'')",
  ).run();
  db.prepare("INSERT INTO measurements VALUES (1, ?, 412.5, 500, 0, 'p95 412.5 ms < 500 ms')").run(
    T0.getTime(),
  );
  db.prepare(
    `INSERT INTO alert_states VALUES ('checkout', 'p95_latency', 'slo', 'pending', ?, 2, 0, NULL, NULL, NULL, NULL, NULL, 612, ?)`,
  ).run(at(-60).getTime(), T0.getTime());
  db.prepare(
    `INSERT INTO outbox (idempotency_key, receiver, dedup_key, event, payload, created_at, next_attempt_at)
     VALUES ('k1', 'ops', 'd1', 'trigger', '{"spec_id":"checkout"}', ?, ?)`,
  ).run(T0.getTime(), T0.getTime());
  db.pragma('user_version = 1');
  db.close();
}

describe('schema migrations', () => {
  it('creates a fresh database, with its parent folders, at the latest version', () => {
    const file = join(dirs.make(), 'deep', 'er', 'monitor.db');
    const store = openStore(file);
    store.close();
    expect(SCHEMA_VERSION).toBe(5);
    expect(userVersion(file)).toBe(SCHEMA_VERSION);
    expect(tables(file)).toEqual([
      'alert_states',
      'cycles',
      'hour_columns',
      'hourly',
      'lock',
      'measurements',
      'outbox',
      'series',
      'sqlite_sequence',
    ]);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(
      db
        .prepare<[], { strict: number }>("SELECT strict FROM pragma_table_list WHERE name = 'measurements'")
        .get()?.strict,
    ).toBe(1);
    db.close();
  });

  it('upgrades a version 1 file in place, keeping its data', () => {
    const file = join(dirs.make(), 'monitor.db');
    writeV1Database(file);
    expect(tables(file)).not.toContain('cycles');

    const store = openStore(file);
    expect(userVersion(file)).toBe(SCHEMA_VERSION);
    expect(tables(file)).toContain('cycles');
    expect(store.measurements({ specId: 'checkout', from: T0, to: at(1) })).toEqual([
      {
        at: T0,
        specId: 'checkout',
        metric: 'p95_latency',
        value: 412.5,
        slo: 500,
        status: 'healthy',
        reason: 'p95 412.5 ms < 500 ms',
      },
    ]);
    expect(store.loadAlertStates()).toMatchObject([
      { phase: 'pending', since: at(-60), badCycles: 2, worstValue: 612 },
    ]);
    expect(store.depth()).toBe(1);

    // What migration 2 added works, and so does everything else on the upgraded file.
    store.recordCycle({ startedAt: T0, durationMs: 1234.4, slow: true, error: null });
    expect(store.recentCycles(5)).toEqual([{ startedAt: T0, durationMs: 1234, slow: true, error: null }]);
    const result = store.commitCycle({
      at: at(60),
      measurements: [measurement({ at: at(60) })],
      alertStates: [alertState()],
      notifications: [notification()],
    });
    expect(result).toEqual({ enqueued: 1 });
    store.close();

    // Opening again changes nothing.
    const again = openStore(file);
    expect(again.stats().measurements).toBe(2);
    again.close();
    expect(userVersion(file)).toBe(SCHEMA_VERSION);
  });

  it('migration 3 keeps every outbox row, its id and the id sequence, and allows the superseded status', () => {
    const file = join(dirs.make(), 'monitor.db');
    writeV1Database(file);
    // A delivered and pruned entry leaves the sequence above max(id): ids must never be reused.
    const v1 = new Database(file);
    v1.prepare(
      `INSERT INTO outbox (idempotency_key, receiver, dedup_key, event, payload, created_at, next_attempt_at)
       VALUES ('k2', 'ops', 'd1', 'resolve', '{"spec_id":"checkout"}', ?, ?)`,
    ).run(T0.getTime(), T0.getTime());
    v1.prepare("DELETE FROM outbox WHERE idempotency_key = 'k2'").run();
    v1.close();

    const store = openStore(file);
    expect(store.outbox().map((e) => [e.id, e.event, e.status])).toEqual([[1, 'trigger', 'pending']]);
    store.markSuperseded(1, 5, T0);
    expect(store.outbox()[0]).toMatchObject({ status: 'superseded', lastError: 'superseded by #5' });
    store.commitCycle({ at: at(60), measurements: [], alertStates: [], notifications: [notification()] });
    expect(store.outbox().map((e) => e.id)).toEqual([1, 3]);
    store.close();
  });

  it('migration 4 adds hourly summaries that an upgraded history fills from its rows', () => {
    const file = join(dirs.make(), 'monitor.db');
    writeV1Database(file);
    const store = openStore(file);
    expect(tables(file)).toContain('hourly');
    // The v1 row is at T0; one more an hour later completes T0's hour.
    store.commitCycle({
      at: at(3600),
      measurements: [measurement({ at: at(3600) })],
      alertStates: [],
      notifications: [],
    });
    const steps = store.summarizeHours(at(7200));
    let step = steps.next();
    while (!step.done) step = steps.next();
    expect(step.value).toBeGreaterThanOrEqual(1);
    store.close();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT count, low, high FROM hourly').all();
    db.close();
    expect(rows).toEqual([{ count: 1, low: 412.5, high: 412.5 }]);
  });

  it('refuses a file written by a newer version, and leaves it untouched', () => {
    const file = join(dirs.make(), 'monitor.db');
    openStore(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();

    for (const readonly of [false, true]) {
      const error = catchUserError(() => openStore(file, { readonly }));
      expect(error.code).toBe('config');
      expect(error.message).toContain('written by a newer version');
      expect(error.message).toContain(`schema ${SCHEMA_VERSION + 1}`);
    }
    expect(userVersion(file)).toBe(SCHEMA_VERSION + 1);
  });

  it('refuses to upgrade in a read-only open', () => {
    const file = join(dirs.make(), 'monitor.db');
    writeV1Database(file);
    const error = catchUserError(() => openStore(file, { readonly: true }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('needs an upgrade');
    expect(userVersion(file)).toBe(1);
  });

  it('rolls the whole upgrade back when a migration fails', () => {
    const file = join(dirs.make(), 'monitor.db');
    writeV1Database(file);
    // Something in the way of migration 2.
    const db = new Database(file);
    db.exec('CREATE VIEW cycles AS SELECT 1');
    db.close();
    expect(() => openStore(file)).toThrow(/cycles/);
    expect(userVersion(file)).toBe(1);
  });

  it("will not write into another program's database or into a file that is not SQLite", () => {
    const dir = dirs.make();
    const foreign = join(dir, 'other.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    db.close();
    const error = catchUserError(() => openStore(foreign));
    expect(error.code).toBe('config');
    expect(error.message).toContain('not a smartspec-production-monitor database');
    expect(error.message).toContain('customers');
    expect(tables(foreign)).toEqual(['customers']);

    const text = join(dir, 'notes.db');
    writeFileSync(text, 'these are notes, not a database. '.repeat(100));
    expect(catchUserError(() => openStore(text)).code).toBe('config');

    const missing = catchUserError(() => openStore(join(dir, 'missing.db'), { readonly: true }));
    expect(missing.code).toBe('config');
    expect(missing.message).toContain('no database');
  });
});
