import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { NfrStatus } from '../../src/evaluate/types.js';
import { type HistorySample, type MeasurementRow, openStore, type Store } from '../../src/store/index.js';
import { HISTORY_SQL, HOURLY_SQL } from '../../src/store/store.js';
import { tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const FROM = Date.parse('2026-11-01T00:00:00.000Z');
const TO = Date.parse('2026-11-08T00:00:00.000Z');
const HOUR = 3_600_000;
const SEVERITY: Record<NfrStatus, number> = { healthy: 0, unknown: 1, breached: 2 };

function row(at: number, value: number | null, status: NfrStatus, metric = 'latency'): MeasurementRow {
  return { at: new Date(at), specId: 'checkout', metric, value, slo: 300, status, reason: `value ${value}` };
}

function storeWith(rows: MeasurementRow[]): Store {
  const store = openStore(join(dirs.make(), 'state.db'));
  store.commitCycle({ at: new Date(TO), measurements: rows, alertStates: [], notifications: [] });
  return store;
}

/** Runs the housekeeping that builds hourly summaries up to `before`; returns the hours summarized. */
function summarize(store: Store, before: number): number {
  const steps = store.summarizeHours(new Date(before));
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function read(
  store: Store,
  from: number,
  to: number,
  maxPoints: number,
  metric = 'latency',
  rowsPerRead?: number,
) {
  const chunks = [
    ...store.downsampledHistory(
      { specId: 'checkout', metric, from: new Date(from), to: new Date(to) },
      maxPoints,
      rowsPerRead,
    ),
  ];
  return { chunks, samples: chunks.flat() };
}

const finite = (value: number | null): number | null =>
  value !== null && Number.isFinite(value) ? value : null;

/**
 * What the SQL must compute, written the plain way over rows in memory: the same buckets, each
 * keeping its earliest lowest and earliest highest value and its first unknown row, with the
 * worst status of the bucket.
 */
function reference(rows: MeasurementRow[], from: number, to: number, maxPoints: number): HistorySample[] {
  const inRange = rows
    .filter((r) => r.at.getTime() >= from && r.at.getTime() < to)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const asSample = (r: MeasurementRow, status = r.status): HistorySample => ({
    at: r.at.getTime(),
    value: finite(r.value),
    status,
  });
  if (inRange.length <= maxPoints) return inRange.map((r) => asSample(r));
  // Equal buckets from `from`; buckets of an hour or more span whole UTC hours instead.
  const count = Math.floor(maxPoints / 3);
  let first = from;
  let width = Math.ceil((to - from) / count);
  if (width >= HOUR) {
    first = Math.floor(from / HOUR) * HOUR;
    width = Math.ceil((to - first) / count / HOUR) * HOUR;
  }
  const samples: HistorySample[] = [];
  for (let start = first; start < to; start += width) {
    const bucket = inRange.filter((r) => r.at.getTime() >= start && r.at.getTime() < start + width);
    if (bucket.length === 0) continue;
    const status = bucket.reduce<NfrStatus>(
      (worst, r) => (SEVERITY[r.status] > SEVERITY[worst] ? r.status : worst),
      'healthy',
    );
    const valued = bucket.filter((r) => finite(r.value) !== null);
    const low = valued.reduce<MeasurementRow | undefined>(
      (a, r) => (!a || r.value! < a.value! ? r : a),
      undefined,
    );
    const high = valued.reduce<MeasurementRow | undefined>(
      (a, r) => (!a || r.value! > a.value! ? r : a),
      undefined,
    );
    const gap = bucket.find((r) => finite(r.value) === null);
    const kept = new Map<number, HistorySample>();
    for (const r of [low, high, gap])
      if (r && !kept.has(r.at.getTime())) kept.set(r.at.getTime(), asSample(r, status));
    samples.push(...[...kept.values()].sort((a, b) => a.at - b.at));
  }
  return samples;
}

const rowsArbitrary = fc
  .uniqueArray(
    fc.record({
      offset: fc.integer({ min: 0, max: TO - FROM - 1 }),
      value: fc.oneof(
        { weight: 12, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v + 0) },
        { weight: 2, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
      ),
      status: fc.constantFrom<NfrStatus>('healthy', 'breached', 'unknown'),
    }),
    { minLength: 0, maxLength: 1500, selector: (item) => item.offset },
  )
  .map((items) => items.map((item) => row(FROM + item.offset, item.value, item.status)));

describe('Store.downsampledHistory', () => {
  it('computes in SQL exactly what the plain in-memory downsampling computes', () => {
    fc.assert(
      fc.property(
        rowsArbitrary,
        fc.integer({ min: 3, max: 300 }),
        // Small reads cut each bucket into several ranges, whose summaries must add up the same.
        fc.constantFrom(undefined, 1, 3, 20),
        // Hourly summaries built up to some hour (or none): reads must not change.
        fc.option(fc.integer({ min: 0, max: (TO - FROM) / HOUR + 2 })),
        // A range that starts and ends inside an hour, and so has raw edges.
        fc.integer({ min: 0, max: HOUR - 1 }),
        (rows, maxPoints, rowsPerRead, summarizedHours, shift) => {
          const store = storeWith(rows);
          try {
            const expected = reference(rows, FROM + shift, TO - shift, maxPoints);
            const { samples } = read(store, FROM + shift, TO - shift, maxPoints, 'latency', rowsPerRead);
            expect(samples).toEqual(expected);
            expect(samples.length).toBeLessThanOrEqual(maxPoints);
            if (summarizedHours !== null) {
              summarize(store, FROM + summarizedHours * HOUR);
              const after = read(store, FROM + shift, TO - shift, maxPoints, 'latency', rowsPerRead);
              expect(after.samples).toEqual(expected);
            }
          } finally {
            store.close();
            dirs.cleanup();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps a one-minute spike, a gap and the breach of a dense week, in at most 600 points', () => {
    const minute = 60_000;
    const spikeAt = FROM + 100 * 60 * minute + 17 * minute;
    const gapAt = FROM + 40 * 60 * minute;
    const rows: MeasurementRow[] = [];
    for (let at = FROM; at < TO; at += 10_000) {
      if (at === spikeAt) rows.push(row(at, 5000, 'breached'));
      else if (at >= gapAt && at < gapAt + 3 * minute) rows.push(row(at, null, 'unknown'));
      else rows.push(row(at, 150 + ((at / 10_000) % 97), 'healthy'));
    }
    // Another metric of the same spec, interleaved in time: never part of the answer.
    rows.push(row(spikeAt + 5_000, 99_999, 'breached', 'other'));
    const store = storeWith(rows);
    try {
      const { chunks, samples } = read(store, FROM, TO, 600);
      expect(samples.length).toBeLessThanOrEqual(600);
      expect(samples.length).toBeGreaterThan(300);
      // One chunk per bucket (~300 rows each): a caller can pause between them.
      expect(chunks.length).toBe(200);
      // Reads of ~100 rows: each bucket takes three or four, and yields after each.
      const small = read(store, FROM, TO, 600, 'latency', 100);
      expect(small.samples).toEqual(samples);
      expect(small.chunks.length).toBeGreaterThanOrEqual(600);
      expect(small.chunks.length).toBeLessThanOrEqual(800);
      expect(samples.find((s) => s.value === 5000)).toEqual({ at: spikeAt, value: 5000, status: 'breached' });
      expect(samples.find((s) => s.value === null)).toEqual({ at: gapAt, value: null, status: 'unknown' });
      expect(samples.some((s) => s.value === 99_999)).toBe(false);
      expect(Math.min(...samples.flatMap((s) => (s.value === null ? [] : [s.value])))).toBe(150);
    } finally {
      store.close();
    }
  });

  it('returns a short series as it is, and nothing for an unknown series or an empty range', () => {
    const rows = [row(FROM + 2000, 5, 'breached'), row(FROM + 1000, null, 'unknown')];
    const store = storeWith(rows);
    try {
      expect(read(store, FROM, TO, 600).samples).toEqual([
        { at: FROM + 1000, value: null, status: 'unknown' },
        { at: FROM + 2000, value: 5, status: 'breached' },
      ]);
      expect(read(store, FROM, TO, 600, 'nope').chunks).toEqual([]);
      expect(read(store, TO, FROM, 600).chunks).toEqual([]);
      expect(() => read(store, FROM, TO, 2)).toThrow(/maxPoints/);
    } finally {
      store.close();
    }
  });

  it('reads every bucket as a range search of the primary key, with no sort or temporary table', () => {
    const file = join(dirs.make(), 'state.db');
    openStore(file).close();
    const db = new Database(file, { readonly: true });
    try {
      for (const [name, sql] of Object.entries(HISTORY_SQL)) {
        const params = name === 'samples' ? [1, 0, 1, 601] : [1, 0, 1];
        const plan = db
          .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...params)
          .map((step) => step.detail);
        expect(plan, name).toEqual(['SEARCH measurements USING PRIMARY KEY (series_id=? AND at>? AND at<?)']);
      }
    } finally {
      db.close();
    }
  });
});

describe('hourly summaries (Store.summarizeHours)', () => {
  /** A day of one-minute rows with a spike, a gap and a breach in known hours. */
  function day(): MeasurementRow[] {
    const rows: MeasurementRow[] = [];
    for (let at = FROM; at < FROM + 24 * HOUR; at += 60_000) {
      const minute = (at - FROM) / 60_000;
      if (minute === 5 * 60 + 7) rows.push(row(at, 9000, 'breached'));
      else if (minute >= 9 * 60 + 30 && minute < 9 * 60 + 33) rows.push(row(at, null, 'unknown'));
      else rows.push(row(at, 100 + (minute % 13), 'healthy'));
    }
    return rows;
  }

  it('summarizes only whole hours before the last row, and reads whole hours from the summaries', () => {
    const rows = day();
    const store = storeWith(rows);
    try {
      // The last row is in hour 23: hours 0..22 are complete.
      expect(summarize(store, FROM + 48 * HOUR)).toBe(23);
      expect(summarize(store, FROM + 48 * HOUR)).toBe(0);
      // Take the rows of hours 1..22 away behind the store's back: a read that still shows the
      // spike and the gap got them from the summaries, not from the rows.
      const db = new Database(store.file);
      db.prepare('DELETE FROM measurements WHERE at >= ? AND at < ?').run(FROM + HOUR, FROM + 23 * HOUR);
      db.close();
      const { samples } = read(store, FROM, FROM + 24 * HOUR, 30);
      expect(samples.find((s) => s.value === 9000)).toEqual({
        at: FROM + (5 * 60 + 7) * 60_000,
        value: 9000,
        status: 'breached',
      });
      expect(samples.find((s) => s.value === null)).toEqual({
        at: FROM + (9 * 60 + 30) * 60_000,
        value: null,
        status: 'unknown',
      });
      expect(samples.length).toBeLessThanOrEqual(30);
    } finally {
      store.close();
    }
  });

  it('takes a late row into a summarized hour into account, and summarizes that hour again', () => {
    const rows = day();
    const store = storeWith(rows);
    try {
      summarize(store, FROM + 48 * HOUR);
      const late = row(FROM + 3 * HOUR + 30_500, -50, 'breached');
      store.commitCycle({ at: new Date(TO), measurements: [late], alertStates: [], notifications: [] });
      const expected = reference([...rows, late], FROM, FROM + 24 * HOUR, 30);
      expect(read(store, FROM, FROM + 24 * HOUR, 30).samples).toEqual(expected);
      expect(summarize(store, FROM + 48 * HOUR)).toBe(20);
      expect(read(store, FROM, FROM + 24 * HOUR, 30).samples).toEqual(expected);
    } finally {
      store.close();
    }
  });

  it('prunes summaries with their rows, and summarizes the hour the cutoff falls in again', () => {
    const rows = day();
    const store = storeWith(rows);
    try {
      summarize(store, FROM + 48 * HOUR);
      const cutoff = FROM + 5 * HOUR + 30 * 60_000; // after the spike of 05:07
      store.prune(new Date(cutoff));
      const kept = rows.filter((r) => r.at.getTime() >= cutoff);
      expect(read(store, FROM, FROM + 24 * HOUR, 30).samples).toEqual(
        reference(kept, FROM, FROM + 24 * HOUR, 30),
      );
      expect(read(store, FROM, FROM + 24 * HOUR, 30).samples.some((s) => s.value === 9000)).toBe(false);
    } finally {
      store.close();
    }
  });

  it('builds and reads the summaries as range searches of primary keys', () => {
    const file = join(dirs.make(), 'state.db');
    openStore(file).close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (sql: string, params: unknown[]) =>
        db
          .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...params)
          .map((step) => step.detail)
          .join('\n');
      for (const name of ['summarize', 'high', 'firstGap'] as const) {
        const params = name === 'summarize' ? [1, 0, 1] : [1, 0, 1, 1];
        expect(plan(HOURLY_SQL[name], params), name).toContain(
          'SEARCH measurements USING PRIMARY KEY (series_id=? AND at>? AND at<?)',
        );
        expect(plan(HOURLY_SQL[name], params), name).not.toMatch(/SCAN measurements/);
      }
      expect(plan(HOURLY_SQL.read, [1, 0, 1])).toBe(
        'SEARCH hourly USING PRIMARY KEY (series_id=? AND hour>? AND hour<?)',
      );
    } finally {
      db.close();
    }
  });
});
