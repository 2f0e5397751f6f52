import { describe, expect, it } from 'vitest';
import { replayClock } from '../../src/common/clock.js';

const START = new Date('2026-01-01T00:00:00Z');

describe('replayClock', () => {
  it('stands still between sleeps, however long the work takes', async () => {
    const clock = replayClock(START, 1_000);
    const before = clock.now().getTime();
    // Busy work that would move a real-time clock by seconds at this speed.
    const until = Date.now() + 30;
    while (Date.now() < until) {
      /* spin */
    }
    expect(clock.now().getTime()).toBe(before);
  });

  it('moves to exactly the instant slept until, after 1/speed of the wait', async () => {
    const clock = replayClock(START, 60_000);
    const slot = new Date(START.getTime() + 60_000);
    const started = performance.now();
    await clock.sleepUntil(slot);
    expect(clock.now().getTime()).toBe(slot.getTime());
    // 60 s at 60,000× is 1 ms of real time; a loaded machine may take longer, never less.
    expect(performance.now() - started).toBeGreaterThanOrEqual(0.5);
    await clock.sleepUntil(new Date(slot.getTime() + 120_000));
    expect(clock.now().toISOString()).toBe('2026-01-01T00:03:00.000Z');
  });

  it('never goes back: a sleep until the past returns at once and leaves the time alone', async () => {
    const clock = replayClock(START, 1_000);
    await clock.sleepUntil(new Date(START.getTime() + 1_000));
    await clock.sleepUntil(new Date(START.getTime() - 60_000));
    expect(clock.now().getTime()).toBe(START.getTime() + 1_000);
  });

  it('an aborted sleep does not move the time', async () => {
    const clock = replayClock(START, 1);
    const controller = new AbortController();
    const sleeping = clock.sleepUntil(new Date(START.getTime() + 3_600_000), controller.signal);
    controller.abort();
    await sleeping;
    expect(clock.now().getTime()).toBe(START.getTime());
  });
});
