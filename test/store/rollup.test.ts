import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { NfrStatus } from '../../src/evaluate/types.js';
import { type MeasurementRow, openStore, type Store } from '../../src/store/index.js';
import { MIGRATIONS, REBUILD_MINUTES_SQL } from '../../src/store/migrations.js';
import { ROLLUP_SQL } from '../../src/store/store.js';
import { fixture, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** Not on a minute: buckets and prune cutoffs fall inside minutes. */
const FROM = Date.parse('2026-11-01T00:00:00.000Z') + 17_345;
const SPAN = 3 * 3_600_000;
const STATUS_CODE: Record<NfrStatus, number> = { healthy: 0, breached: 1, unknown: 2 };

function row(at: number, value: number | null, status: NfrStatus, metric = 'latency'): MeasurementRow {
  return { at: new Date(at), specId: 'checkout', metric, value, slo: 300, status, reason: `value ${value}` };
}

function commit(store: Store, rows: MeasurementRow[]): void {
  store.commitCycle({ at: new Date(FROM + SPAN), measurements: rows, alertStates: [], notifications: [] });
}

/** Both ways of reading the same buckets: whole minutes from the rollup, and raw rows only. */
function bothPaths(store: Store, from: number, to: number, maxPoints: number, rowsPerRead?: number) {
  const range = { specId: 'checkout', metric: 'latency', from: new Date(from), to: new Date(to) };
  return {
    rollup: [...store.downsampledHistory(range, maxPoints, rowsPerRead, 0)].flat(),
    raw: [...store.downsampledHistory(range, maxPoints, rowsPerRead, Number.POSITIVE_INFINITY)].flat(),
  };
}

type MinuteRow = Record<string, string | number | null>;

function minuteRows(db: Database.Database): MinuteRow[] {
  return db
    .prepare<[], MinuteRow>(
      `SELECT s.metric, m.minute, m.count, m.breached, m.unknown, m.gaps, m.low, m.low_at, m.high, m.high_at,
         m.first_gap_at
       FROM measurement_minutes m JOIN series s ON s.id = m.series_id ORDER BY s.metric, m.minute`,
    )
    .all();
}

/** The rollup as the migration computes it from the rows now stored (what upserts must have kept). */
function rebuiltMinuteRows(file: string): MinuteRow[] {
  const db = new Database(file);
  try {
    db.exec('BEGIN');
    db.exec('DELETE FROM measurement_minutes');
    const rebuild = db.prepare(REBUILD_MINUTES_SQL);
    for (const id of db.prepare<[], number>('SELECT id FROM series').pluck().all()) {
      rebuild.run(id, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    }
    const rows = minuteRows(db);
    db.exec('ROLLBACK');
    return rows;
  } finally {
    db.close();
  }
}

function storedMinuteRows(file: string): MinuteRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return minuteRows(db);
  } finally {
    db.close();
  }
}

/** Few distinct values, so lows and highs tie often, within a minute and across minutes. */
const valueArbitrary = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(1, 2, 2.5, 3, -4) },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
  { weight: 1, arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);

/** Rows over 5 minutes (dense: many ties in a minute), half an hour or 3 hours, and a range of them. */
const caseArbitrary = fc.constantFrom(300, 1800, SPAN / 1000).chain((seconds) =>
  fc.record({
    rows: fc
      .uniqueArray(
        fc.record({
          // Seconds with a few milliseconds: several rows per minute, rarely on a minute's edge.
          offset: fc.tuple(fc.integer({ min: 0, max: seconds - 1 }), fc.constantFrom(0, 0, 1, 999)),
          value: valueArbitrary,
          status: fc.constantFrom<NfrStatus>('healthy', 'breached', 'unknown'),
          metric: fc.constantFrom('latency', 'latency', 'latency', 'other'),
        }),
        { maxLength: 1200, size: 'medium', selector: (item) => `${item.metric} ${item.offset[0]}` },
      )
      .map((items) =>
        items.map((item) =>
          row(FROM + item.offset[0] * 1000 + item.offset[1], item.value, item.status, item.metric),
        ),
      ),
    fromOffset: fc.integer({ min: -60_000, max: seconds * 1000 - 1 }),
    length: fc.integer({ min: 1, max: seconds * 1000 + 60_000 }),
    pruneOffset: fc.option(fc.integer({ min: 0, max: seconds * 1000 }), { nil: undefined }),
  }),
);

describe('per-minute rollup of measurements', () => {
  it('gives the same buckets as the raw rows, with ties, gaps, ±Infinity, NaN, replays, out-of-order commits and pruning', () => {
    fc.assert(
      fc.property(
        caseArbitrary,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 3, max: 120 }),
        fc.constantFrom(undefined, 1, 7, 50),
        ({ rows, fromOffset, length, pruneOffset }, commits, maxPoints, rowsPerRead) => {
          const file = join(dirs.make(), 'state.db');
          const store = openStore(file);
          try {
            // In several commits, newest first, each replayed once (a replay must not count twice).
            const size = Math.ceil(rows.length / commits);
            for (let i = commits - 1; i >= 0; i--) {
              const part = rows.slice(i * size, (i + 1) * size);
              commit(store, part);
              commit(store, part.slice(0, 3));
            }
            if (pruneOffset !== undefined) store.prune(new Date(FROM + pruneOffset));
            expect(storedMinuteRows(file)).toEqual(rebuiltMinuteRows(file));
            const from = FROM + fromOffset;
            const { rollup, raw } = bothPaths(store, from, from + length, maxPoints, rowsPerRead);
            expect(rollup).toEqual(raw);
          } finally {
            store.close();
            dirs.cleanup();
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reads the whole minutes of a long bucket from the rollup, not from the rows', () => {
    const file = join(dirs.make(), 'state.db');
    const store = openStore(file);
    try {
      const rows: MeasurementRow[] = [];
      for (let at = FROM; at < FROM + SPAN; at += 1000) rows.push(row(at, (at / 1000) % 50, 'healthy'));
      commit(store, rows);
      const before = bothPaths(store, FROM, FROM + SPAN, 60);
      expect(before.rollup).toEqual(before.raw);
      // With the minutes gone, only the partial minutes at the edges of each bucket are left to read.
      const db = new Database(file);
      db.exec('DELETE FROM measurement_minutes');
      db.close();
      const after = bothPaths(store, FROM, FROM + SPAN, 60);
      expect(after.raw).toEqual(before.raw);
      expect(after.rollup).not.toEqual(before.rollup);
      // The default: a 3-hour range cut into 20 buckets of 9 minutes reads the rollup; a short one does not.
      const range = {
        specId: 'checkout',
        metric: 'latency',
        from: new Date(FROM),
        to: new Date(FROM + SPAN),
      };
      expect([...store.downsampledHistory(range, 60)].flat()).toEqual(after.rollup);
      const hour = { ...range, to: new Date(FROM + 3_600_000) };
      expect([...store.downsampledHistory(hour, 600)].flat()).toEqual(
        [...store.downsampledHistory(hour, 600, undefined, Number.POSITIVE_INFINITY)].flat(),
      );
    } finally {
      store.close();
    }
  });

  it('reads the rollup as a range search of its primary key, with no sort or temporary table', () => {
    const file = join(dirs.make(), 'state.db');
    openStore(file).close();
    const db = new Database(file, { readonly: true });
    try {
      for (const [name, sql] of Object.entries(ROLLUP_SQL)) {
        const plan = db
          .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all(1, 0, 1)
          .map((step) => step.detail);
        expect(plan, name).toEqual([
          'SEARCH measurement_minutes USING PRIMARY KEY (series_id=? AND minute>? AND minute<?)',
        ]);
      }
    } finally {
      db.close();
    }
  });

  it('migration 4 fills the rollup of a version 3 file from its measurements', () => {
    const rows: MeasurementRow[] = [];
    const values = [3, 1, 1, null, Number.POSITIVE_INFINITY, 3, Number.NEGATIVE_INFINITY, 2];
    for (let i = 0; i < 400; i++) {
      const status: NfrStatus = i % 7 === 0 ? 'breached' : i % 5 === 0 ? 'unknown' : 'healthy';
      rows.push(row(FROM + i * 7_300, values[i % values.length]!, status, i % 3 === 0 ? 'other' : 'latency'));
    }

    // A version 3 file, written by raw SQL only (as that release left it).
    const v3 = join(dirs.make(), 'v3.db');
    const db = new Database(v3);
    db.exec(readFileSync(fixture('schema-v1.sql'), 'utf8'));
    for (const migration of MIGRATIONS.filter((m) => m.version === 2 || m.version === 3)) migration.up(db);
    db.pragma('user_version = 3');
    const seriesIds = new Map<string, number>();
    const insert = db.prepare('INSERT INTO measurements VALUES (?, ?, ?, 300, ?, ?)');
    db.exec('BEGIN');
    for (const r of rows) {
      let id = seriesIds.get(r.metric);
      if (id === undefined) {
        id = seriesIds.size + 1;
        seriesIds.set(r.metric, id);
        db.prepare("INSERT INTO series VALUES (?, 'checkout', ?, x'')").run(id, r.metric);
      }
      insert.run(id, r.at.getTime(), r.value, STATUS_CODE[r.status], r.reason);
    }
    db.exec('COMMIT');
    db.close();

    const migrated = openStore(v3);
    // The same rows written by this version, in cycles of 20 rows, newest cycle first.
    const written = join(dirs.make(), 'v4.db');
    const fresh = openStore(written);
    try {
      for (let i = rows.length - 20; i >= 0; i -= 20) commit(fresh, rows.slice(i, i + 20));
      const minutes = storedMinuteRows(v3);
      expect(minutes.length).toBeGreaterThan(30);
      expect(minutes).toEqual(storedMinuteRows(written));
      expect(minutes.reduce((sum, m) => sum + Number(m.count), 0)).toBe(rows.length);
      const { rollup, raw } = bothPaths(migrated, FROM, FROM + rows.length * 7_300, 60);
      expect(rollup.length).toBeGreaterThan(30);
      expect(rollup).toEqual(raw);
    } finally {
      migrated.close();
      fresh.close();
    }
  });
});
