import { describe, expect, it } from 'vitest';
import { budgetRemaining } from '../../src/daemon/index.js';
import { jitterFor, nextSlot, skippedSlots } from '../../src/daemon/schedule.js';

const at = (iso: string) => new Date(iso);

describe('cycle slots', () => {
  it('aligns to multiples of the interval, shifted by the jitter', () => {
    expect(nextSlot(at('2026-11-27T04:00:10Z'), 60, 0).toISOString()).toBe('2026-11-27T04:01:00.000Z');
    expect(nextSlot(at('2026-11-27T04:00:10Z'), 60, 1500).toISOString()).toBe('2026-11-27T04:01:01.500Z');
    // Exactly on a slot: the next one, never the same.
    expect(nextSlot(at('2026-11-27T04:01:00Z'), 60, 0).toISOString()).toBe('2026-11-27T04:02:00.000Z');
    // Before this minute's jittered slot: that slot.
    expect(nextSlot(at('2026-11-27T04:01:00.500Z'), 60, 1500).toISOString()).toBe('2026-11-27T04:01:01.500Z');
  });

  it('keeps the jitter small: at most 5% of the interval and 2 s', () => {
    expect(jitterFor(1, () => 0.999)).toBeLessThanOrEqual(50);
    expect(jitterFor(60, () => 0.999)).toBeLessThanOrEqual(2000);
    expect(jitterFor(3600, () => 0.999)).toBeLessThanOrEqual(2000);
    expect(jitterFor(60, () => 0)).toBe(0);
  });

  it('counts the slots a slow cycle skipped', () => {
    expect(skippedSlots(at('2026-11-27T04:00:00Z'), at('2026-11-27T04:00:59Z'), 60)).toBe(0);
    expect(skippedSlots(at('2026-11-27T04:00:00Z'), at('2026-11-27T04:01:00Z'), 60)).toBe(1);
    expect(skippedSlots(at('2026-11-27T04:00:00Z'), at('2026-11-27T04:03:30Z'), 60)).toBe(3);
  });
});

describe('error budget left', () => {
  const row = (value: number | null) => ({
    at: new Date(0),
    specId: 's',
    metric: 'm',
    value,
    slo: null,
    status: 'healthy' as const,
    reason: '',
  });

  it('for an upper bound (error rate < 1%): spent = mean error / allowed error', () => {
    expect(budgetRemaining([row(0.5), row(0.5)], { comparator: '<', slo: 1, unit: '%' })).toBeCloseTo(
      0.5,
      12,
    );
    expect(budgetRemaining([row(2)], { comparator: '<', slo: 1, unit: '%' })).toBeCloseTo(-1, 12);
  });

  it('for a lower bound (availability > 99.9%): the complement is spent', () => {
    expect(budgetRemaining([row(99.95), row(99.95)], { comparator: '>', slo: 99.9, unit: '%' })).toBeCloseTo(
      0.5,
      9,
    );
    expect(budgetRemaining([row(0.999)], { comparator: '>=', slo: 0.999, unit: 'ratio' })).toBeCloseTo(0, 9);
  });

  it('is unknown without values', () => {
    expect(budgetRemaining([row(null)], { comparator: '<', slo: 1, unit: '%' })).toBeNull();
    expect(budgetRemaining([], { comparator: '<', slo: 1, unit: '%' })).toBeNull();
  });
});
