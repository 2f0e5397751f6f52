import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorBudget, errorBudgetOfTotals } from '../../src/report/period/index.js';
import { badShareOf } from '../../src/report/period/stats.js';
import { openStore } from '../../src/store/index.js';
import type { Comparator } from '../../src/units/types.js';
import { at, measurement, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** The budget left of one series as the daemon computes it: bad shares added up in SQL, day by day. */
function budgetLeft(
  values: Array<number | null>,
  target: { comparator: Comparator; slo: number; unit: '%' | 'ratio' },
) {
  const store = openStore(join(dirs.make(), 'state.db'));
  try {
    values.forEach((value, i) => {
      store.commitCycle({
        at: at(i * 3600),
        measurements: [measurement({ at: at(i * 3600), metric: 'm', value, slo: target.slo, reason: '' })],
        alertStates: [],
        notifications: [],
      });
    });
    const full = { text: '', ...target };
    const share = badShareOf(full)!;
    let count = 0;
    let sum = 0;
    // Two slices, as the daemon reads a long window in parts.
    for (const [from, to] of [
      [at(-1), at(3600)],
      [at(3600), at(values.length * 3600)],
    ] as const) {
      const part = store.badShareTotals({ specId: 'checkout', metric: 'm', from, to }, share);
      count += part.count;
      sum += part.sum;
    }
    const fromSql = errorBudgetOfTotals(count, sum, full)?.remaining ?? null;
    // The reports' maths over the same values gives the same answer.
    const known = values.filter((v): v is number => v !== null);
    expect(errorBudget(known, full)?.remaining ?? null).toBe(fromSql);
    return fromSql;
  } finally {
    store.close();
  }
}

describe('error budget left, added up in SQL', () => {
  it('for an upper bound (error rate < 1%): spent = mean error / allowed error', () => {
    expect(budgetLeft([0.5, 0.5], { comparator: '<', slo: 1, unit: '%' })).toBeCloseTo(0.5, 12);
    expect(budgetLeft([2], { comparator: '<', slo: 1, unit: '%' })).toBeCloseTo(-1, 12);
  });

  it('for a lower bound (availability > 99.9%): the complement is spent', () => {
    expect(budgetLeft([99.95, 99.95], { comparator: '>', slo: 99.9, unit: '%' })).toBeCloseTo(0.5, 9);
    expect(budgetLeft([0.999], { comparator: '>=', slo: 0.999, unit: 'ratio' })).toBeCloseTo(0, 9);
  });

  it('clamps each share to 0..1 and skips unknown values', () => {
    expect(budgetLeft([150, null, 0], { comparator: '<', slo: 10, unit: '%' })).toBeCloseTo(
      1 - 0.5 / 0.1,
      12,
    );
  });

  it('is unknown without values', () => {
    expect(budgetLeft([null], { comparator: '<', slo: 1, unit: '%' })).toBeNull();
    expect(budgetLeft([], { comparator: '<', slo: 1, unit: '%' })).toBeNull();
  });
});
