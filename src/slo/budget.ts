import type { ErrorBudget } from './types.js';

/** 12 significant digits: 1 − 0.999 is 0.001, not 0.0010000000000000009. */
export function tidy(value: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(12)) : value;
}

/** The share of events (or slices) allowed to be bad: 1 − target. */
export function allowedBadShare(target: number): number {
  if (!(target > 0 && target < 1)) throw new RangeError(`target must be between 0 and 1, not ${target}`);
  return tidy(1 - target);
}

/** Error budget over a window in which `badShare` of the events were bad. */
export function errorBudget(target: number, badShare: number): ErrorBudget {
  const allowed = allowedBadShare(target);
  const consumed = tidy(badShare / allowed);
  return { allowed, consumed, remaining: tidy(1 - consumed) };
}

/** How many times faster than sustainable the budget burns: bad share over a window ÷ allowed. */
export function burnRate(target: number, badShare: number): number {
  return tidy(badShare / allowedBadShare(target));
}
