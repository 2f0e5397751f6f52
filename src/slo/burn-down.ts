/**
 * Budget burn-down (docs/slo.md#budget-burn-down): how the error budget of the window that ends at `at`
 * was spent, one point per step from the window's start. The budget is `allowed` × every event (or
 * counted slice) the window holds at `at`; each point subtracts the bad ones from the window's start up
 * to that point, so the curve starts at 1, falls as the budget is spent, and its last point is the
 * window's `error_budget.remaining` (for event SLIs, to within Prometheus' extrapolation at the step
 * edges). Pure: the backend's answers come in as steps.
 */
import { tidy } from './budget.js';
import type { SloWindow } from './types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One point a day; for windows of a week or less one every 6 hours (28 points rather than 7). */
export function burnDownStepMs(window: SloWindow): number {
  return window.seconds <= 7 * 86_400 ? 6 * HOUR_MS : DAY_MS;
}

/** The equal steps of a burn-down, ending at `at`. */
export interface BurnDownGrid {
  stepMs: number;
  count: number;
  /** End of each step, oldest first; the last is `at`. */
  ends: Date[];
}

/**
 * The steps of a burn-down: `count` equal steps of `stepMs` ending at `at`; null before the window
 * begins. A rolling window is a whole number of steps; a calendar window that has not ended is divided
 * into as many equal steps as it has begun days (or 6-hour steps), so that every step's SLI value
 * covers the same length of time and values of a `rate()` template add up like those of an
 * `increase()` one. Steps are rounded down to the millisecond: at most `count` ms at the window's
 * start fall before the first step.
 */
export function burnDownGrid(window: SloWindow, windowStart: Date, at: Date): BurnDownGrid | null {
  const elapsedMs = at.getTime() - windowStart.getTime();
  if (elapsedMs <= 0) return null;
  const nominal = burnDownStepMs(window);
  const count = Math.ceil(elapsedMs / nominal);
  const stepMs = Math.floor(elapsedMs / count);
  const ends = Array.from({ length: count }, (_, j) => new Date(at.getTime() - (count - 1 - j) * stepMs));
  return { stepMs, count, ends };
}

/** A PromQL range for a step: `1d`, `6h`, or milliseconds when the step is not whole seconds. */
export function stepRange(stepMs: number): string {
  if (stepMs % 1000 !== 0) return `${stepMs}ms`;
  let rest = stepMs / 1000;
  let text = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      text += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return text;
}

/**
 * Steps from judged time slices (slice k ends at `at` − k·slice, oldest last): each step counts the
 * slices that end in it. Slices without data are not counted; a step whose slices all lack data is
 * unknown.
 */
export function sliceSteps(
  grid: BurnDownGrid,
  states: readonly ('good' | 'bad' | 'missing')[],
  sliceSeconds: number,
): BurnDownStep[] {
  const counts = grid.ends.map(() => ({ bad: 0, counted: 0 }));
  states.forEach((state, k) => {
    const j = Math.max(0, grid.count - 1 - Math.floor((k * sliceSeconds * 1000) / grid.stepMs));
    const step = counts[j];
    if (!step || state === 'missing') return;
    step.counted++;
    if (state === 'bad') step.bad++;
  });
  return grid.ends.map((end, j) => {
    const { bad, counted } = counts[j] ?? { bad: 0, counted: 0 };
    return counted > 0
      ? { end, bad, total: counted, reason: null }
      : { end, bad: null, total: null, reason: 'no data in any slice of this step' };
  });
}

/** One step's bad and total events (or bad and counted slices), or why the step has no data. */
export type BurnDownStep =
  | { end: Date; bad: number; total: number; reason: null }
  | { end: Date; bad: null; total: null; reason: string };

/** The backend's answer for a whole burn-down: its steps, or why none could be had. */
export type BurnDownSteps = { steps: BurnDownStep[]; reason: null } | { steps: null; reason: string };

/** A point of `objective.burn_down` (docs/summary-json.md). */
export interface BurnDownPoint {
  at: string;
  /** Budget left at `at`, a fraction of the window's budget (negative when overspent); null: unknown. */
  remaining: number | null;
  /** Why `remaining` is null; absent when it is known. */
  reason?: string;
}

/**
 * The burn-down points: the window's start (a whole budget), then the end of every step. A step
 * without data is a null point with its reason; its events are not known, so they are counted neither
 * as good nor as bad, exactly as the whole-window budget counts only what the backend holds. Null
 * (with a reason) when the steps are unknown or the window holds no events at all.
 */
export function burnDownPoints(
  windowStart: Date,
  steps: BurnDownSteps,
  allowed: number,
): { points: BurnDownPoint[]; reason: null } | { points: null; reason: string } {
  if (steps.steps === null) return { points: null, reason: steps.reason };
  let total = 0;
  for (const step of steps.steps) if (step.reason === null) total += step.total;
  if (!(total > 0)) {
    const reason = steps.steps.find((s) => s.reason !== null)?.reason;
    return { points: null, reason: `no events in the window${reason ? ` (${reason})` : ''}` };
  }
  const budget = allowed * total;
  const points: BurnDownPoint[] = [{ at: windowStart.toISOString(), remaining: 1 }];
  let bad = 0;
  for (const step of steps.steps) {
    if (step.reason !== null) {
      points.push({ at: step.end.toISOString(), remaining: null, reason: step.reason });
      continue;
    }
    bad += step.bad;
    // Rounded as error_budget is: consumed first, so that a budget spent exactly is 0, not −4e-16.
    points.push({ at: step.end.toISOString(), remaining: tidy(1 - tidy(bad / budget)) });
  }
  return { points, reason: null };
}

/**
 * A step from the values of the bad and total queries over it (either may be missing). A bad count a
 * hair below zero (`total − good` in floating point) is zero; a bad count outside 0…total is an error.
 */
export function eventStep(end: Date, bad: number | undefined, total: number | undefined): BurnDownStep {
  const missing = (reason: string): BurnDownStep => ({ end, bad: null, total: null, reason });
  if (total === undefined || !Number.isFinite(total))
    return missing('the total query has no data in this step');
  if (bad === undefined || !Number.isFinite(bad)) return missing('the bad query has no data in this step');
  const slack = 1e-9 * Math.max(1, total);
  if (bad < -slack || bad > total + slack || total < 0) {
    return missing(
      `the SLI counted ${bad} bad of ${total} events in this step: do the bad (or good) and total queries count the same events?`,
    );
  }
  return { end, bad: Math.min(Math.max(bad, 0), total), total, reason: null };
}
