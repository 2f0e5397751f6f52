/**
 * Store.seriesColumns: one series over [from, to) as typed-array columns, row for row what
 * Store.measurements returns, on a real SQLite file.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { NfrStatus } from '../../src/evaluate/types.js';
import { openStore } from '../../src/store/index.js';
import { SERIES_COLUMNS_SQL } from '../../src/store/store.js';
import { at, columnRows, measuredRows, measurement, storeHolding, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('Store.seriesColumns', () => {
  it('reads one series over [from, to) in time order: NULL as NaN, unknown flagged, ±Infinity kept', () => {
    const store = storeHolding(join(dirs.make(), 'state.db'), [
      measurement({ at: at(0), value: 1.5, status: 'healthy' }),
      measurement({ at: at(60), value: null, status: 'unknown' }),
      measurement({ at: at(120), value: 900, status: 'breached' }),
      measurement({ at: at(180), value: 3, status: 'unknown' }),
      measurement({ at: at(240), value: Number.POSITIVE_INFINITY, status: 'breached' }),
      measurement({ at: at(300), value: -0.25, status: 'healthy' }),
      measurement({ at: at(120), metric: 'error_rate', value: 7 }),
    ]);
    const columns = store.seriesColumns({
      specId: 'checkout',
      metric: 'p95_latency',
      from: at(60),
      to: at(300),
    });
    expect(Array.from(columns.at)).toEqual([60, 120, 180, 240].map((s) => at(s).getTime()));
    expect(Array.from(columns.value)).toEqual([Number.NaN, 900, 3, Number.POSITIVE_INFINITY]);
    expect(Array.from(columns.unknown)).toEqual([1, 0, 1, 0]);
    store.close();
  });

  it('is empty for a series never measured, another spec, or an empty range', () => {
    const store = storeHolding(join(dirs.make(), 'state.db'), [measurement({ at: at(0) })]);
    const empty = {
      length: 0,
      at: new Float64Array(0),
      value: new Float64Array(0),
      unknown: new Uint8Array(0),
    };
    expect(store.seriesColumns({ specId: 'checkout', metric: 'nope', from: at(0), to: at(60) })).toEqual(
      empty,
    );
    expect(store.seriesColumns({ specId: 'other', metric: 'p95_latency', from: at(0), to: at(60) })).toEqual(
      empty,
    );
    expect(
      store.seriesColumns({ specId: 'checkout', metric: 'p95_latency', from: at(0), to: at(0) }),
    ).toEqual(empty);
    store.close();
  });

  it('works on a store opened read-only, as reports open it', () => {
    const file = join(dirs.make(), 'state.db');
    const writer = openStore(file);
    writer.commitCycle({
      at: at(0),
      measurements: [measurement({ at: at(0), value: 42 })],
      alertStates: [],
      notifications: [],
    });
    writer.close();
    const reader = openStore(file, { readonly: true });
    const columns = reader.seriesColumns({
      specId: 'checkout',
      metric: 'p95_latency',
      from: at(0),
      to: at(1),
    });
    expect(Array.from(columns.value)).toEqual([42]);
    reader.close();
  });

  it('agrees row for row with Store.measurements on random histories, whatever the read size', () => {
    const statuses: NfrStatus[] = ['healthy', 'breached', 'unknown'];
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            second: fc.integer({ min: -5000, max: 5000 }),
            value: fc.option(fc.double({ noNaN: true }), { nil: null }),
            status: fc.constantFrom(...statuses),
            metric: fc.constantFrom('p95_latency', 'error_rate'),
          }),
          { selector: (r) => `${r.metric}@${r.second}`, maxLength: 40 },
        ),
        fc.integer({ min: -6000, max: 6000 }),
        fc.integer({ min: 0, max: 12_000 }),
        (generated, fromSecond, span) => {
          const store = storeHolding(
            join(dirs.make(), 'state.db'),
            generated.map((g) =>
              measurement({ at: at(g.second), value: g.value, status: g.status, metric: g.metric }),
            ),
          );
          try {
            for (const metric of ['p95_latency', 'error_rate']) {
              const range = { metric, from: at(fromSecond), to: at(fromSecond + span) };
              // Reads of 1 and 3 rows: chunk boundaries anywhere, columns grown many times.
              for (const rowsPerRead of [undefined, 1, 3]) {
                expect(columnRows(store, range, rowsPerRead)).toEqual(measuredRows(store, range));
              }
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads ranges of the primary key in time order, with no sort', () => {
    const file = join(dirs.make(), 'state.db');
    openStore(file).close();
    const db = new Database(file, { readonly: true });
    try {
      for (const [name, sql] of Object.entries(SERIES_COLUMNS_SQL)) {
        const params = name === 'timeAndUnknown' ? [0, 1, 0, 1, 4096] : [1, 0, 1];
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
