/**
 * The maths of a period report, pure: percentiles, compliance, time out of target, breach episodes,
 * error budget, trend. Percentiles use the nearest-rank method (always an observed value).
 */

import type { SeverityRule } from '../../config/types.js';
import { isWorse, severityFor } from '../../evaluate/severity.js';
import { compare, convert } from '../../units/index.js';
import type { Comparator } from '../../units/types.js';
import type {
  BreachEpisode,
  ChartPoint,
  ErrorBudget,
  FigureSource,
  MetricChange,
  MetricFigures,
  MetricTarget,
  Trend,
  ValueStats,
} from './types.js';

/** One measurement of one metric, in the target's unit; `value` null = unknown. */
export interface PeriodSample {
  /** Unix milliseconds. */
  at: number;
  value: number | null;
  source: 'history' | 'backfill';
  /** The time this sample stands for: the daemon's interval (history) or the backfill step. */
  spacingSeconds: number;
}

/**
 * The samples of one metric as columns, in time order: a 30-day period of 1-minute samples is 43,200
 * of them, and columns cost no object per sample.
 */
export interface SampleColumns {
  readonly length: number;
  /** Unix milliseconds. */
  readonly at: Float64Array;
  /** In the target's unit; NaN = unknown. */
  readonly value: Float64Array;
  readonly spacingSeconds: Float64Array;
  /** 1 where the sample was backfilled from the backend, 0 where it comes from the history. */
  readonly backfilled: Uint8Array;
}

export function toColumns(samples: readonly PeriodSample[]): SampleColumns {
  const n = samples.length;
  const columns = {
    length: n,
    at: new Float64Array(n),
    value: new Float64Array(n),
    spacingSeconds: new Float64Array(n),
    backfilled: new Uint8Array(n),
  };
  samples.forEach((sample, i) => {
    columns.at[i] = sample.at;
    columns.value[i] = sample.value ?? Number.NaN;
    columns.spacingSeconds[i] = sample.spacingSeconds;
    columns.backfilled[i] = sample.source === 'backfill' ? 1 : 0;
  });
  return columns;
}

export function toSamples(columns: SampleColumns): PeriodSample[] {
  return Array.from({ length: columns.length }, (_, i) => ({
    at: columns.at[i]!,
    value: valueAt(columns, i),
    source: columns.backfilled[i] ? 'backfill' : 'history',
    spacingSeconds: columns.spacingSeconds[i]!,
  }));
}

function columnsOf(samples: readonly PeriodSample[] | SampleColumns): SampleColumns {
  return Array.isArray(samples) ? toColumns(samples) : (samples as SampleColumns);
}

function valueAt(columns: SampleColumns, i: number): number | null {
  const value = columns.value[i]!;
  return Number.isNaN(value) ? null : value;
}

/**
 * Nearest-rank percentile of ascending `sorted` values: the value at rank ⌈p/100 · n⌉ (1-based).
 * p50 of [1, 2, 3, 4] is 2; p95 of 20 values is the 19th. Null for no values.
 */
export function nearestRank(sorted: ArrayLike<number>, percentile: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.ceil((percentile / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

/** min, mean, p50, p95 and max (nearest rank) of `values`. */
export function valueStats(values: ArrayLike<number>): ValueStats {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return statsOfSorted(Float64Array.from(values).sort(), sum);
}

/** The stats of ascending `sorted` values whose sum (added up in time order) is `sum`. */
function statsOfSorted(sorted: Float64Array, sum: number): ValueStats {
  const values = sorted;
  if (values.length === 0) return { min: null, mean: null, p50: null, p95: null, max: null };
  return {
    min: sorted[0]!,
    mean: sum / values.length,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    max: sorted[sorted.length - 1]!,
  };
}

/** The 0-based index in ascending order of the nearest-rank `percentile` of `n` values. */
function rankIndex(n: number, percentile: number): number {
  return Math.min(n, Math.max(1, Math.ceil((percentile / 100) * n))) - 1;
}

/**
 * The value at index `k` of `values[left..right]` once sorted ascending (as Float64Array#sort sorts
 * it), found by selection (Hoare partitions, median-of-three pivots): linear on average where a sort
 * is n log n, which matters for 43,200 samples per NFR. Reorders that part of `values` so that every
 * value before `k` is <= the result and every value after it >= the result. Falls back to a sort when
 * partitions keep coming out lopsided, so the worst case stays n log n.
 */
function selectIndex(values: Float64Array, left: number, right: number, k: number): number {
  let budget = 2 * Math.ceil(Math.log2(right - left + 2)) + 8;
  while (right > left) {
    if (budget-- === 0) {
      values.subarray(left, right + 1).sort();
      break;
    }
    const mid = (left + right) >>> 1;
    // Median of three, which also puts sentinels at both ends.
    if (values[mid]! < values[left]!) swap(values, mid, left);
    if (values[right]! < values[left]!) swap(values, right, left);
    if (values[right]! < values[mid]!) swap(values, right, mid);
    const pivot = values[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break; // values[j + 1 .. i - 1] all equal the pivot
  }
  return values[k]!;
}

function swap(values: Float64Array, a: number, b: number): void {
  const t = values[a]!;
  values[a] = values[b]!;
  values[b] = t;
}

/**
 * A selected 0 with the sign a sort would give it: Float64Array#sort puts −0 before +0, which
 * comparisons cannot tell apart.
 */
function signedZeroAt(values: Float64Array, k: number): number {
  let below = 0;
  let negativeZeros = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < 0) below++;
    else if (value === 0 && Object.is(value, -0)) negativeZeros++;
  }
  return k < below + negativeZeros ? -0 : 0;
}

/**
 * p50 and p95 (nearest rank) of `values`, exactly what sorting them would give, by selection.
 * Reorders `values`.
 */
function percentilesOf(values: Float64Array): { p50: number | null; p95: number | null } {
  const n = values.length;
  if (n === 0) return { p50: null, p95: null };
  const k50 = rankIndex(n, 50);
  const k95 = rankIndex(n, 95);
  let p50 = selectIndex(values, 0, n - 1, k50);
  // Everything after k50 is >= p50 now, so p95 (k95 >= k50) is selected among those only.
  let p95 = k95 === k50 ? p50 : selectIndex(values, k50 + 1, n - 1, k95);
  if (p50 === 0) p50 = signedZeroAt(values, k50);
  if (p95 === 0) p95 = signedZeroAt(values, k95);
  return { p50, p95 };
}

function isUpperBound(comparator: Comparator): boolean {
  return comparator === '<' || comparator === '<=';
}

/** Whether the unit is a share (error rate, availability, success rate...), which has an error budget. */
export function isRatioUnit(unit: MetricTarget['unit']): boolean {
  return unit === '%' || unit === 'ratio';
}

/**
 * Error budget of a ratio objective: allowed bad fraction (upper bound: the SLO; lower bound: 1 − SLO),
 * the mean bad fraction of `values` (each clamped to 0-1), spent = mean / allowed, remaining = 1 − spent.
 * Null for other units, `=` objectives, or without values.
 */
export function errorBudget(values: ArrayLike<number>, target: MetricTarget): ErrorBudget | null {
  const share = badShareOf(target);
  if (share === null) return null;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    sum += clamp01(share.upperBound ? value * share.scale : 1 - value * share.scale);
  }
  return errorBudgetOfTotals(values.length, sum, target);
}

/**
 * How a measured value of a ratio NFR becomes its bad share, `clamp01(value × scale)` for an upper bound
 * (an error rate) and `clamp01(1 − value × scale)` for a lower bound (availability); null when the NFR
 * has no error budget. Lets a store add the shares up in SQL.
 */
export function badShareOf(target: MetricTarget): { scale: number; upperBound: boolean } | null {
  if (!isRatioUnit(target.unit) || target.comparator === '=') return null;
  return { scale: convert(1, target.unit, 'ratio'), upperBound: isUpperBound(target.comparator) };
}

/** The error budget from `count` measured values whose bad shares add up to `badSum`. */
export function errorBudgetOfTotals(count: number, badSum: number, target: MetricTarget): ErrorBudget | null {
  const share = badShareOf(target);
  if (share === null || count === 0) return null;
  const slo = target.slo * share.scale;
  const allowed = clamp01(share.upperBound ? slo : 1 - slo);
  const meanBad = badSum / count;
  const spent = allowed > 0 ? meanBad / allowed : null;
  return {
    allowedBadFraction: allowed,
    meanBadFraction: meanBad,
    spent,
    remaining: spent === null ? null : 1 - spent,
  };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

export interface EpisodeContext {
  target: MetricTarget;
  category: string | null;
  severityRules: readonly SeverityRule[];
  /** The covered span: the period, cut at the report time for a period that has not ended. */
  from: number;
  to: number;
}

/**
 * Runs of consecutive out-of-target samples. An in-target sample, an unknown sample, or a hole in the
 * data (more than twice the sample spacing) ends a run. Each episode spans from its first breached
 * sample to its last plus that sample's spacing (capped at `to`).
 */
export function breachEpisodes(
  samples: readonly PeriodSample[] | SampleColumns,
  context: EpisodeContext,
): BreachEpisode[] {
  const columns = columnsOf(samples);
  const { comparator, slo } = context.target;
  const breached = new Uint8Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const sample = columns.value[i]!;
    breached[i] = !Number.isNaN(sample) && !compare(sample, comparator, slo) ? 1 : 0;
  }
  return episodesOf(columns, breached, context);
}

/** `breachEpisodes` of `columns` whose out-of-target samples are already flagged in `breached`. */
function episodesOf(columns: SampleColumns, breached: Uint8Array, context: EpisodeContext): BreachEpisode[] {
  const { target } = context;
  const { at, value, spacingSeconds, length } = columns;
  const episodes: BreachEpisode[] = [];
  let first = -1;
  let last = -1;
  let worst = 0;
  const close = (): void => {
    const startAt = at[first]!;
    const startSpacingMs = spacingSeconds[first]! * 1000;
    const lastAt = at[last]!;
    const lastSpacingMs = spacingSeconds[last]! * 1000;
    const endMs = Math.min(context.to, lastAt + lastSpacingMs);
    episodes.push({
      start: new Date(startAt),
      end: new Date(endMs),
      durationSeconds: (endMs - startAt) / 1000,
      samples: last - first + 1,
      worstValue: worst,
      severity: severityFor(
        {
          value: worst,
          slo: target.slo,
          comparator: target.comparator,
          unit: target.unit,
          category: context.category,
          status: 'breached',
        },
        context.severityRules,
      ),
      touchesPeriodStart: first === 0 && startAt - context.from <= 2 * startSpacingMs,
      touchesPeriodEnd: last === length - 1 && context.to - (lastAt + lastSpacingMs) <= lastSpacingMs,
    });
    first = -1;
  };
  for (let index = 0; index < length; index++) {
    if (breached[index] === 0) {
      if (first >= 0) close();
      continue;
    }
    // A hole in the data (more than twice the spacing) ends a run too.
    if (first >= 0 && at[index]! - at[index - 1]! > 2 * spacingSeconds[index - 1]! * 1000) close();
    const sample = value[index]!;
    if (first < 0) {
      first = index;
      worst = sample;
    } else if (isWorse(sample, worst, target.comparator, target.slo)) {
      worst = sample;
    }
    last = index;
  }
  if (first >= 0) close();
  return episodes;
}

export function sourceOf(history: number, backfill: number): FigureSource {
  if (history > 0 && backfill > 0) return 'mixed';
  if (history > 0) return 'history';
  if (backfill > 0) return 'backfill';
  return 'none';
}

/** Every figure of one metric over one period, from time-ordered samples. */
export function computeFigures(
  samples: readonly PeriodSample[] | SampleColumns,
  context: EpisodeContext & { backfillErrors?: readonly string[] },
): MetricFigures {
  const { target } = context;
  const { comparator, slo } = target;
  const columns = columnsOf(samples);
  const { value, spacingSeconds, backfilled, length } = columns;
  const share = badShareOf(target);
  // One pass in time order (the sums must add up in that order); the known values are kept for the
  // percentiles, which are then selected rather than sorted.
  const known = new Float64Array(length);
  let knownCount = 0;
  let sum = 0;
  let badSum = 0;
  let min = 0;
  let max = 0;
  let backfill = 0;
  let breachedSamples = 0;
  let timeOutOfTargetSeconds = 0;
  const breached = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    backfill += backfilled[i]!;
    const sample = value[i]!;
    if (Number.isNaN(sample)) continue;
    if (knownCount === 0) {
      min = sample;
      max = sample;
    } else {
      // As a sort orders them: −0 before +0.
      if (sample < min || (sample === 0 && min === 0 && Object.is(sample, -0))) min = sample;
      if (sample > max || (sample === 0 && max === 0 && Object.is(max, -0))) max = sample;
    }
    known[knownCount++] = sample;
    sum += sample;
    if (share !== null) {
      badSum += clamp01(share.upperBound ? sample * share.scale : 1 - sample * share.scale);
    }
    if (!compare(sample, comparator, slo)) {
      breached[i] = 1;
      breachedSamples++;
      timeOutOfTargetSeconds += spacingSeconds[i]!;
    }
  }
  const history = length - backfill;
  const { p50, p95 } = percentilesOf(known.subarray(0, knownCount));
  const stats: ValueStats =
    knownCount === 0
      ? { min: null, mean: null, p50: null, p95: null, max: null }
      : { min, mean: sum / knownCount, p50, p95, max };
  return {
    source: sourceOf(history, backfill),
    sources: { history, backfill },
    backfillErrors: [...(context.backfillErrors ?? [])],
    samples: length,
    unknownSamples: length - knownCount,
    stats,
    compliance: knownCount === 0 ? null : (knownCount - breachedSamples) / knownCount,
    breachedSamples,
    timeOutOfTargetSeconds,
    episodes: episodesOf(columns, breached, context),
    errorBudget: errorBudgetOfTotals(knownCount, badSum, target),
  };
}

/** (current − previous) / |previous|; 0 when both are 0; null when either is missing or only the previous is 0. */
export function relativeChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null) return null;
  if (previous === 0) return current === 0 ? 0 : null;
  return (current - previous) / Math.abs(previous);
}

/**
 * Compares the mean with the previous period's, in the objective's direction: for an upper bound
 * (`<`, `<=`) a rise is worse, for a lower bound a fall is worse, for `=` a larger distance from the
 * SLO is worse. 'worse'/'better' need a relative change beyond `threshold`; a change from 0 has no
 * relative size and counts as beyond it.
 */
export function trendOf(
  current: { mean: number | null; p95: number | null },
  previous: { mean: number | null; p95: number | null } | null,
  target: Pick<MetricTarget, 'comparator' | 'slo'>,
  threshold: number,
): MetricChange {
  const change = {
    mean: relativeChange(current.mean, previous?.mean ?? null),
    p95: relativeChange(current.p95, previous?.p95 ?? null),
  };
  if (current.mean === null || previous === null || previous.mean === null) {
    return { ...change, trend: 'unknown' };
  }
  let badness: number; // > 0: moved to the bad side, relative
  if (target.comparator === '=') {
    const before = Math.abs(previous.mean - target.slo);
    const after = Math.abs(current.mean - target.slo);
    const scale = target.slo !== 0 ? Math.abs(target.slo) : before;
    badness = scale > 0 ? (after - before) / scale : Math.sign(after - before) * Number.POSITIVE_INFINITY;
  } else {
    const rise = change.mean ?? Math.sign(current.mean - previous.mean) * Number.POSITIVE_INFINITY;
    badness = isUpperBound(target.comparator) ? rise : -rise;
  }
  let trend: Trend = 'stable';
  if (badness > threshold) trend = 'worse';
  else if (badness < -threshold) trend = 'better';
  return { ...change, trend };
}

/**
 * At most `maxPoints` chart points: all samples when few, else the min and max known value of each of
 * `maxPoints / 2` buckets (in time order, so spikes survive). A hole in the data or a bucket of only
 * unknown samples becomes a null point, which breaks the line.
 */
export function chartPoints(
  samples: readonly PeriodSample[] | SampleColumns,
  maxPoints = 1000,
): ChartPoint[] {
  const columns = columnsOf(samples);
  const { at, value, spacingSeconds, length: n } = columns;
  const points: ChartPoint[] = [];
  if (n <= maxPoints) {
    for (let index = 0; index < n; index++) {
      if (index > 0 && at[index]! - at[index - 1]! > 2 * spacingSeconds[index - 1]! * 1000) {
        points.push({ at: at[index - 1]! + spacingSeconds[index - 1]! * 1000, value: null });
      }
      points.push({ at: at[index]!, value: valueAt(columns, index) });
    }
    return points;
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  for (let b = 0; b < buckets; b++) {
    const begin = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let low = -1;
    let high = -1;
    for (let i = begin; i < end; i++) {
      const sample = value[i]!;
      if (Number.isNaN(sample)) continue;
      if (low < 0 || sample < value[low]!) low = i;
      if (high < 0 || sample > value[high]!) high = i;
    }
    if (low < 0) {
      if (begin < end) points.push({ at: at[begin]!, value: null });
      continue;
    }
    for (const i of low === high ? [low] : [Math.min(low, high), Math.max(low, high)]) {
      points.push({ at: at[i]!, value: value[i]! });
    }
  }
  return points;
}
