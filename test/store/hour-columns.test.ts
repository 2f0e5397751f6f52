/**
 * The hour columns: each whole summarized hour of a series packed in one blob (src/store/hour-columns.ts),
 * which Store.seriesColumns reads instead of the rows. Codec round trips, and on real SQLite files that a
 * read through them is row for row what the rows say, whatever was summarized, written late or pruned.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { NfrStatus } from '../../src/evaluate/types.js';
import { decodeHourInto, encodeHour, hourRowCount } from '../../src/store/hour-columns.js';
import { type MeasurementRow, openStore, type SeriesColumns, type Store } from '../../src/store/index.js';
import { at, columnRows, measuredRows, measurement, storeHolding, T0, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const storeWith = (rows: readonly MeasurementRow[], file = join(dirs.make(), 'state.db')): Store =>
  storeHolding(file, rows);

const HOUR = 3_600_000;
const HOUR0 = T0.getTime(); // T0 is a whole hour

function columnsOf(rows: { at: number; value: number; unknown?: boolean }[]): SeriesColumns {
  return {
    length: rows.length,
    at: Float64Array.from(rows, (r) => r.at),
    value: Float64Array.from(rows, (r) => r.value),
    unknown: Uint8Array.from(rows, (r) => (r.unknown ? 1 : 0)),
  };
}

function roundTrip(columns: SeriesColumns, hour: number): SeriesColumns {
  const blob = encodeHour(columns, 0, columns.length, hour);
  const count = hourRowCount(blob);
  expect(count).toBe(columns.length);
  // Decoded after two rows already there, into columns with room to spare.
  const into: SeriesColumns = {
    length: 2,
    at: new Float64Array(count! + 5).fill(-1),
    value: new Float64Array(count! + 5).fill(-1),
    unknown: new Uint8Array(count! + 5).fill(7),
  };
  decodeHourInto(blob, hour, into, 2);
  expect(Array.from(into.at.subarray(0, 2))).toEqual([-1, -1]);
  expect(Array.from(into.at.subarray(2 + count!))).toEqual([-1, -1, -1]);
  return {
    length: count!,
    at: into.at.subarray(2, 2 + count!),
    value: into.value.subarray(2, 2 + count!),
    unknown: into.unknown.subarray(2, 2 + count!),
  };
}

function summarize(store: Store, before: Date): number {
  const steps = store.summarizeHours(before);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function countHourColumns(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], number>('SELECT count(*) FROM hour_columns').pluck().get()!;
  } finally {
    db.close();
  }
}

describe('hour columns codec', () => {
  it('keeps evenly spaced rows without a time column, and irregular ones with it', () => {
    const even = columnsOf(
      Array.from({ length: 60 }, (_, i) => ({ at: HOUR0 + 250 + i * 60_000, value: i })),
    );
    const irregular = columnsOf([
      { at: HOUR0, value: 1 },
      { at: HOUR0 + 60_013, value: 2 },
      { at: HOUR0 + 120_000, value: 3 },
    ]);
    const evenBlob = encodeHour(even, 0, 60, HOUR0);
    const irregularBlob = encodeHour(irregular, 0, 3, HOUR0);
    expect(evenBlob.length).toBe(16 + 60 * 8);
    expect(irregularBlob.length).toBe(16 + 3 * 8 + 3 * 4);
    expect(roundTrip(even, HOUR0)).toEqual(even);
    expect(roundTrip(irregular, HOUR0)).toEqual(irregular);
  });

  it('keeps NaN, ±Infinity, -0 and the unknown flags exactly', () => {
    const columns = columnsOf([
      { at: HOUR0 + 1, value: Number.NaN, unknown: true },
      { at: HOUR0 + 2, value: Number.POSITIVE_INFINITY },
      { at: HOUR0 + 3, value: Number.NEGATIVE_INFINITY, unknown: true },
      { at: HOUR0 + 4, value: -0 },
      { at: HOUR0 + HOUR - 1, value: 5e-324 },
    ]);
    const back = roundTrip(columns, HOUR0);
    expect(Object.is(back.value[3], -0)).toBe(true);
    expect(back).toEqual(columns);
    expect(roundTrip(columnsOf([{ at: HOUR0 + 59_999, value: 7 }]), HOUR0)).toEqual(
      columnsOf([{ at: HOUR0 + 59_999, value: 7 }]),
    );
  });

  it('encodes any part of longer columns', () => {
    const columns = columnsOf(Array.from({ length: 10 }, (_, i) => ({ at: HOUR0 + i, value: i * 1.5 })));
    const blob = encodeHour(columns, 3, 7, HOUR0);
    expect(hourRowCount(blob)).toBe(4);
    const into = slice(columns, 0, 4);
    into.at.fill(0);
    into.value.fill(0);
    decodeHourInto(blob, HOUR0, into, 0);
    expect(into).toEqual(slice(columns, 3, 7));
  });

  it('refuses a blob it did not write: another format, a cut or a longer blob', () => {
    const blob = encodeHour(columnsOf([{ at: HOUR0, value: 1, unknown: true }]), 0, 1, HOUR0);
    expect(hourRowCount(blob)).toBe(1);
    expect(hourRowCount(blob.subarray(0, blob.length - 1))).toBeNull();
    expect(hourRowCount(Buffer.concat([blob, Buffer.of(0)]))).toBeNull();
    expect(hourRowCount(Buffer.from([2, ...blob.subarray(1)]))).toBeNull();
    expect(hourRowCount(Buffer.alloc(3))).toBeNull();
  });
});

function slice(columns: SeriesColumns, start: number, end: number): SeriesColumns {
  return {
    length: end - start,
    at: columns.at.slice(start, end),
    value: columns.value.slice(start, end),
    unknown: columns.unknown.slice(start, end),
  };
}

describe('Store.seriesColumns through the hour columns', () => {
  it('reads summarized hours from their blobs: rows deleted behind its back are still returned', () => {
    const file = join(dirs.make(), 'state.db');
    const rows = Array.from({ length: 4 * 60 }, (_, i) =>
      measurement({ at: at(i * 60 + 7), value: i, status: i % 50 === 0 ? 'unknown' : 'healthy' }),
    );
    const store = storeWith(rows, file);
    // Hours 0-2 are summarized; hour 3 is the last one measured, so it waits for a later row.
    expect(summarize(store, at(10 * 3600))).toBe(3);
    expect(countHourColumns(file)).toBe(3);
    const range = { metric: 'p95_latency', from: at(0), to: at(4 * 3600) };
    const before = columnRows(store, range);
    expect(before).toEqual(measuredRows(store, range));
    // The proof that blobs are read: rows of summarized hours gone, the read still has them.
    const db = new Database(file);
    db.prepare('DELETE FROM measurements WHERE at >= ? AND at < ?').run(
      at(3600).getTime(),
      at(7200).getTime(),
    );
    db.close();
    expect(columnRows(store, range)).toEqual(before);
    // A range that starts and ends inside hours reads those partial hours from the rows.
    const inner = { metric: 'p95_latency', from: at(1800), to: at(3 * 3600 + 600) };
    expect(columnRows(store, inner)).toEqual(
      before.filter((r) => r.at! >= at(1800).getTime() && r.at! < at(3 * 3600 + 600).getTime()),
    );
    store.close();
  });

  it('reads the rows of an hour whose blob does not decode', () => {
    const file = join(dirs.make(), 'state.db');
    const store = storeWith(
      Array.from({ length: 3 * 60 }, (_, i) => measurement({ at: at(i * 60), value: i * 2 })),
      file,
    );
    summarize(store, at(10 * 3600));
    const range = { metric: 'p95_latency', from: at(0), to: at(3 * 3600) };
    const db = new Database(file);
    db.prepare("UPDATE hour_columns SET columns = x'0900' WHERE hour = ?").run(at(3600).getTime());
    db.prepare('UPDATE hour_columns SET columns = substr(columns, 1, 40) WHERE hour = ?').run(
      at(0).getTime(),
    );
    db.close();
    for (const rowsPerRead of [undefined, 7]) {
      expect(columnRows(store, range, rowsPerRead)).toEqual(measuredRows(store, range));
    }
    store.close();
  });

  it('pruning takes the blobs of the hours it empties, and rebuilds the hour it cuts', () => {
    const file = join(dirs.make(), 'state.db');
    const store = storeWith(
      Array.from({ length: 4 * 60 }, (_, i) => measurement({ at: at(i * 60), value: i })),
      file,
    );
    summarize(store, at(10 * 3600));
    expect(countHourColumns(file)).toBe(3);
    const range = { metric: 'p95_latency', from: at(0), to: at(4 * 3600) };
    // Cut inside hour 1: hour 0 goes, hour 1 keeps its second half.
    store.prune(at(3600 + 1800));
    expect(columnRows(store, range)).toEqual(measuredRows(store, range));
    expect(columnRows(store, range)[0]!.at).toBe(at(3600 + 1800).getTime());
    // Cut after the last row of hour 2 but inside it: hour 2 has no row left.
    store.prune(at(2 * 3600 + 3599));
    expect(measuredRows(store, range)[0]!.at).toBe(at(3 * 3600).getTime());
    expect(columnRows(store, range)).toEqual(measuredRows(store, range));
    expect(countHourColumns(file)).toBe(0);
    store.close();
  });

  it('agrees row for row with the rows after summaries, late rows and pruning, on random histories', () => {
    const statuses: NfrStatus[] = ['healthy', 'breached', 'unknown'];
    const row = fc.record({
      second: fc.integer({ min: -8000, max: 12_000 }),
      value: fc.option(fc.double(), { nil: null }),
      status: fc.constantFrom(...statuses),
      metric: fc.constantFrom('p95_latency', 'error_rate'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(row, { selector: (r) => `${r.metric}@${r.second}`, maxLength: 60 }),
        fc.uniqueArray(row, { selector: (r) => `${r.metric}@${r.second}`, maxLength: 8 }),
        fc.integer({ min: -8000, max: 14_000 }),
        fc.option(fc.integer({ min: -9000, max: 12_000 }), { nil: null }),
        fc.integer({ min: -9000, max: 13_000 }),
        fc.integer({ min: 0, max: 22_000 }),
        (history, late, summarizedBefore, prunedBefore, fromSecond, span) => {
          const toRow = (g: (typeof history)[number]) =>
            measurement({ at: at(g.second), value: g.value, status: g.status, metric: g.metric });
          const store = storeWith(history.map(toRow));
          try {
            summarize(store, at(summarizedBefore));
            // Rows written after the summaries, some into hours already summarized (a replay).
            for (const g of late) {
              store.commitCycle({
                at: at(g.second),
                measurements: [toRow(g)],
                alertStates: [],
                notifications: [],
              });
            }
            if (prunedBefore !== null) store.prune(at(prunedBefore));
            if (late.length % 2 === 0) summarize(store, at(summarizedBefore + 3600));
            for (const metric of ['p95_latency', 'error_rate']) {
              const range = { metric, from: at(fromSecond), to: at(fromSecond + span) };
              for (const rowsPerRead of [undefined, 2]) {
                expect(columnRows(store, range, rowsPerRead)).toEqual(measuredRows(store, range));
              }
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a database from before the hour columns is summarized again from its first hour', () => {
    const file = join(dirs.make(), 'state.db');
    const store = storeWith(
      Array.from({ length: 3 * 60 }, (_, i) => measurement({ at: at(i * 60), value: i })),
      file,
    );
    summarize(store, at(10 * 3600));
    store.close();
    // As version 4 left it: summaries through hour 2, no hour columns.
    const db = new Database(file);
    db.exec('DROP TABLE hour_columns');
    db.pragma('user_version = 4');
    db.close();

    const upgraded = openStore(file);
    expect(countHourColumns(file)).toBe(0);
    const range = { metric: 'p95_latency', from: at(0), to: at(3 * 3600) };
    expect(columnRows(upgraded, range)).toEqual(measuredRows(upgraded, range));
    expect(summarize(upgraded, at(10 * 3600))).toBe(2);
    expect(countHourColumns(file)).toBe(2);
    expect(columnRows(upgraded, range)).toEqual(measuredRows(upgraded, range));
    upgraded.close();
  });
});
