/*
 * Prometheus' own arithmetic for counters and classic histograms, ported line by line so that a scrape
 * evaluated here gives the number Prometheus would give for the same samples:
 * `extrapolatedRate` from promql/functions.go and `BucketQuantile` from promql/quantile.go.
 */

export interface TimedValue {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

/**
 * `rate()` (isRate) or `increase()` of counter samples inside the window (rangeStart, rangeEnd], in ms.
 * Null when fewer than two samples: Prometheus gives no result then.
 */
export function extrapolatedRate(
  samples: readonly TimedValue[],
  rangeStartMs: number,
  rangeEndMs: number,
  isRate: boolean,
): number | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  let result = last.v - first.v;
  // A drop means the counter restarted from zero: everything before the drop was counted already.
  let previous = first.v;
  for (const sample of samples.slice(1)) {
    if (sample.v < previous) result += previous;
    previous = sample.v;
  }
  let durationToStart = (first.t - rangeStartMs) / 1000;
  let durationToEnd = (rangeEndMs - last.t) / 1000;
  const sampledInterval = (last.t - first.t) / 1000;
  const averageBetweenSamples = sampledInterval / (samples.length - 1);
  // A boundary further away than 110 % of the usual spacing means the series starts or ends inside the
  // window: extrapolate only half a spacing there.
  const threshold = averageBetweenSamples * 1.1;
  if (durationToStart >= threshold) durationToStart = averageBetweenSamples / 2;
  // Counters are never negative: do not extrapolate back past the point where this one was zero.
  let durationToZero = durationToStart;
  if (result > 0 && first.v >= 0) durationToZero = sampledInterval * (first.v / result);
  if (durationToZero < durationToStart) durationToStart = durationToZero;
  if (durationToEnd >= threshold) durationToEnd = averageBetweenSamples / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (rangeEndMs - rangeStartMs) / 1000;
  return result * factor;
}

export interface Bucket {
  upperBound: number;
  count: number;
}

export interface QuantileResult {
  value: number;
  /** Some cumulative count fell below the one before it and was raised (Prometheus' info annotation). */
  forcedMonotonic: boolean;
}

/** promql/quantile.go `smallDeltaTolerance`. */
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** `histogram_quantile(q, …)` of one group of classic buckets (cumulative counts by `le`). */
export function bucketQuantile(q: number, input: readonly Bucket[]): QuantileResult {
  const plain = (value: number): QuantileResult => ({ value, forcedMonotonic: false });
  if (Number.isNaN(q)) return plain(Number.NaN);
  if (q < 0) return plain(Number.NEGATIVE_INFINITY);
  if (q > 1) return plain(Number.POSITIVE_INFINITY);
  if (input.length === 0) return plain(Number.NaN);
  const sorted = input.map((bucket) => ({ ...bucket })).sort((a, b) => a.upperBound - b.upperBound);
  if (sorted[sorted.length - 1]!.upperBound !== Number.POSITIVE_INFINITY) return plain(Number.NaN);
  const buckets = coalesceBuckets(sorted);
  const forcedMonotonic = ensureMonotonic(buckets);
  if (buckets.length < 2) return plain(Number.NaN);
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return plain(Number.NaN);
  let rank = q * observations;
  // sort.Search over all buckets but +Inf: the first whose count reaches the rank.
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if (buckets[i]!.count >= rank) {
      b = i;
      break;
    }
  }
  // The rank falls into the +Inf bucket: its lower bound is the best estimate there is.
  if (b === buckets.length - 1) return { value: buckets[buckets.length - 2]!.upperBound, forcedMonotonic };
  if (b === 0 && buckets[0]!.upperBound <= 0) return { value: buckets[0]!.upperBound, forcedMonotonic };
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return { value: bucketStart + (bucketEnd - bucketStart) * (rank / count), forcedMonotonic };
}

/** Buckets with the same bound (from series that differ in another label) are added up. */
function coalesceBuckets(sorted: Bucket[]): Bucket[] {
  const merged: Bucket[] = [];
  for (const bucket of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === bucket.upperBound) last.count += bucket.count;
    else merged.push({ ...bucket });
  }
  return merged;
}

/**
 * Cumulative counts never decrease; a decrease (from scraping buckets at slightly different moments, or
 * float noise) is raised to the count before it. Returns whether a real decrease was fixed.
 */
function ensureMonotonic(buckets: Bucket[]): boolean {
  let forced = false;
  let previous = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const current = buckets[i]!.count;
    if (current === previous) continue;
    if (almostEqual(previous, current, SMALL_DELTA_TOLERANCE)) {
      buckets[i]!.count = previous;
      continue;
    }
    if (current < previous) {
      buckets[i]!.count = previous;
      forced = true;
      continue;
    }
    previous = current;
  }
  return forced;
}

/** util/almost.Equal. */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
