/**
 * A request history with known error incidents, for SLO measurements against a real Prometheus.
 *
 * Samples lie half a minute off the whole minutes (t = start + 30 + 60·k) and queries are asked at
 * whole minutes, so no sample sits on a window's edge: Prometheus 2 (left-closed range selectors) and
 * 3 (left-open) see the same samples. A window of W seconds then holds W/60 samples and `increase()`
 * counts the W/60 − 1 increments after the first one (extrapolating both counters alike, which the
 * ratio cancels). Counters start at 1,000,000 so Prometheus never clamps an extrapolation at zero.
 */
import type { HistoryOptions, HistorySeries } from './prometheus.js';

export const REQUESTS_PER_MINUTE = 1000;

export interface Incident {
  /** Whole-minute unix seconds: the samples strictly between them fail at `share`. */
  from: number;
  to: number;
  share: number;
}

export interface SloHistory extends HistoryOptions {
  /** Bad share of 5 minutes: `sum(rate(…code="500"[5m])) / sum(rate(…[5m]))`. */
  errorRatioQuery: string;
  selector: string;
}

/** `days` of 1000 requests a minute, failing only during the incidents, sampled up to `end` − 30 s. */
export function sloHistory(options: { end: number; days: number; incidents: Incident[] }): SloHistory {
  const stepSeconds = 60;
  const start = options.end - options.days * 86_400 + 30;
  const last = options.end - 30;
  const badAt = (t: number): number => {
    const incident = options.incidents.find((i) => t > i.from && t < i.to);
    return incident ? REQUESTS_PER_MINUTE * incident.share : 0;
  };
  // Cumulative sums on the sample grid, computed once.
  const bad: number[] = [];
  let sum = 0;
  for (let t = start; t <= last; t += stepSeconds) {
    sum += badAt(t);
    bad.push(sum);
  }
  const index = (t: number) => Math.min(Math.max(0, Math.floor((t - start) / stepSeconds)), bad.length - 1);
  const OFFSET = 1_000_000;
  const labels = { service: 'checkout' };
  const series: HistorySeries[] = [
    {
      name: 'http_requests_total',
      type: 'counter',
      labels: { ...labels, code: '200' },
      valueAt: (t) => OFFSET + (index(t) + 1) * REQUESTS_PER_MINUTE - bad[index(t)]!,
    },
    {
      name: 'http_requests_total',
      type: 'counter',
      labels: { ...labels, code: '500' },
      valueAt: (t) => OFFSET + bad[index(t)]!,
    },
  ];
  const selector = 'service="checkout"';
  return {
    series,
    start,
    end: last,
    stepSeconds,
    selector,
    errorRatioQuery: `sum(rate(http_requests_total{${selector},code="500"}[5m])) / sum(rate(http_requests_total{${selector}}[5m]))`,
  };
}
