/**
 * Cycle slots are aligned to multiples of the interval (a 60 s daemon runs at :00 of every minute),
 * shifted by a small per-process jitter so that many daemons do not hit a backend at the same instant.
 */
export function jitterFor(intervalSeconds: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(intervalSeconds * 50, 2000)); // ≤ 5% of the interval, ≤ 2 s
}

/** The first slot strictly after `after`. */
export function nextSlot(after: Date, intervalSeconds: number, jitterMs: number): Date {
  const intervalMs = intervalSeconds * 1000;
  const t = after.getTime() - jitterMs;
  return new Date((Math.floor(t / intervalMs) + 1) * intervalMs + jitterMs);
}

/** How many slots a cycle that ran from `slot` to `finishedAt` made the daemon skip (0 = on time). */
export function skippedSlots(slot: Date, finishedAt: Date, intervalSeconds: number): number {
  const late = finishedAt.getTime() - slot.getTime();
  return Math.max(0, Math.floor(late / (intervalSeconds * 1000)));
}
