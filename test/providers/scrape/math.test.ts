import { describe, expect, it } from 'vitest';
import { bucketQuantile, extrapolatedRate } from '../../../src/providers/scrape/math.js';

// The buckets of the Prometheus exposition-format documentation (le → cumulative count).
const DOC_BUCKETS = [
  { upperBound: 0.05, count: 24054 },
  { upperBound: 0.1, count: 33444 },
  { upperBound: 0.2, count: 100392 },
  { upperBound: 0.5, count: 129389 },
  { upperBound: 1, count: 133988 },
  { upperBound: Number.POSITIVE_INFINITY, count: 144320 },
];

describe('bucketQuantile (promql/quantile.go)', () => {
  it('interpolates linearly inside the bucket that holds the rank', () => {
    expect(bucketQuantile(0.5, DOC_BUCKETS).value).toBeCloseTo(0.1 + (0.1 * (72160 - 33444)) / 66948, 12);
    expect(bucketQuantile(0.9, DOC_BUCKETS).value).toBeCloseTo(0.5 + (0.5 * (129888 - 129389)) / 4599, 12);
  });

  it('returns the highest finite bound when the rank falls into the +Inf bucket', () => {
    expect(bucketQuantile(0.95, DOC_BUCKETS).value).toBe(1);
    expect(bucketQuantile(0.99, DOC_BUCKETS).value).toBe(1);
  });

  it('sorts buckets given in any order and interpolates from 0 in the first bucket', () => {
    const shuffled = [
      DOC_BUCKETS[3]!,
      DOC_BUCKETS[5]!,
      DOC_BUCKETS[0]!,
      DOC_BUCKETS[2]!,
      DOC_BUCKETS[1]!,
      DOC_BUCKETS[4]!,
    ];
    expect(bucketQuantile(0.1, shuffled).value).toBeCloseTo((0.05 * 14432) / 24054, 12);
  });

  it('gives NaN without a +Inf bucket, with fewer than two buckets, or with no observations', () => {
    expect(bucketQuantile(0.5, DOC_BUCKETS.slice(0, 5)).value).toBeNaN();
    expect(bucketQuantile(0.5, [{ upperBound: Number.POSITIVE_INFINITY, count: 5 }]).value).toBeNaN();
    expect(
      bucketQuantile(0.5, [
        { upperBound: 1, count: 0 },
        { upperBound: Number.POSITIVE_INFINITY, count: 0 },
      ]).value,
    ).toBeNaN();
  });

  it('maps φ outside [0, 1] to ∓Inf and NaN to NaN', () => {
    expect(bucketQuantile(-0.1, DOC_BUCKETS).value).toBe(Number.NEGATIVE_INFINITY);
    expect(bucketQuantile(1.1, DOC_BUCKETS).value).toBe(Number.POSITIVE_INFINITY);
    expect(bucketQuantile(Number.NaN, DOC_BUCKETS).value).toBeNaN();
  });

  it('returns a non-positive first bound instead of interpolating below it', () => {
    const buckets = [
      { upperBound: -1, count: 10 },
      { upperBound: 1, count: 20 },
      { upperBound: Number.POSITIVE_INFINITY, count: 20 },
    ];
    expect(bucketQuantile(0.25, buckets).value).toBe(-1);
  });

  it('raises a decreasing count to the one before it and says so; float noise is fixed silently', () => {
    const decreasing = [
      { upperBound: 0.1, count: 10 },
      { upperBound: 0.2, count: 8 },
      { upperBound: 0.4, count: 20 },
      { upperBound: Number.POSITIVE_INFINITY, count: 20 },
    ];
    const fixed = bucketQuantile(0.75, decreasing);
    expect(fixed.forcedMonotonic).toBe(true);
    // counts become 10, 10, 20: rank 15 lies halfway into (0.2, 0.4].
    expect(fixed.value).toBeCloseTo(0.3, 12);
    const noisy = [
      { upperBound: 0.1, count: 10 },
      { upperBound: 0.2, count: 10 - 1e-14 },
      { upperBound: Number.POSITIVE_INFINITY, count: 20 },
    ];
    expect(bucketQuantile(0.5, noisy).forcedMonotonic).toBe(false);
  });

  it('adds up buckets with the same bound', () => {
    const merged = bucketQuantile(0.5, [
      { upperBound: 1, count: 3 },
      { upperBound: 1, count: 7 },
      { upperBound: Number.POSITIVE_INFINITY, count: 10 },
      { upperBound: Number.POSITIVE_INFINITY, count: 10 },
    ]);
    expect(merged.value).toBe(1);
  });
});

describe('extrapolatedRate (promql/functions.go)', () => {
  it('reproduces the worked example: resets, the 1.1 × spacing threshold and the zero clamp', () => {
    const samples = [
      { t: 5_000, v: 10 },
      { t: 20_000, v: 20 },
      { t: 35_000, v: 5 },
      { t: 50_000, v: 15 },
    ];
    expect(extrapolatedRate(samples, 0, 60_000, false)).toBeCloseTo((25 * 60) / 45, 12);
    expect(extrapolatedRate(samples, 0, 60_000, true)).toBeCloseTo((25 * 60) / 45 / 60, 12);
  });

  it('is the plain difference over the time between two samples that span the window', () => {
    const pair = [
      { t: 1_000, v: 100 },
      { t: 11_000, v: 160 },
    ];
    expect(extrapolatedRate(pair, 1_000, 11_000, false)).toBe(60);
    expect(extrapolatedRate(pair, 1_000, 11_000, true)).toBe(6);
  });

  it('counts a reset between two samples as a restart from zero', () => {
    const reset = [
      { t: 0, v: 500 },
      { t: 10_000, v: 30 },
    ];
    expect(extrapolatedRate(reset, 0, 10_000, false)).toBe(30);
  });

  it('gives nothing for fewer than two samples', () => {
    expect(extrapolatedRate([{ t: 0, v: 1 }], 0, 10_000, true)).toBeNull();
  });
});
