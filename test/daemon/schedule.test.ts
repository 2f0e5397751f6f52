import { describe, expect, it } from 'vitest';
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
