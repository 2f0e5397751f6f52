/**
 * One known day of gauge history for the backends that store values as they are (InfluxDB, Graphite):
 * 2% errors, a one-hour incident at 10%, p99 at 300 ms (450 ms during the incident), one point a minute.
 */
export const GAUGE_END = 1_767_225_600; // 2026-01-01T00:00:00Z
export const GAUGE_DAY_START = GAUGE_END - 86_400;
/** The incident covers (INC0, INC1]. */
export const GAUGE_INC0 = GAUGE_DAY_START + 12 * 3600;
export const GAUGE_INC1 = GAUGE_INC0 + 3600;
/** The UTC day that holds the incident. */
export const GAUGE_DAY = new Date(GAUGE_DAY_START * 1000).toISOString().slice(0, 10);
/** History starts an hour before the day so that the first buckets of the day are full. */
export const GAUGE_START = GAUGE_DAY_START - 3600;

const inIncident = (t: number): boolean => t > GAUGE_INC0 && t <= GAUGE_INC1;

export const gauge = {
  errorRatio: (t: number): number => (inIncident(t) ? 0.1 : 0.02),
  availability: (t: number): number => (inIncident(t) ? 0.9 : 0.98),
  p99Seconds: (t: number): number => (inIncident(t) ? 0.45 : 0.3),
  meanSeconds: (_t: number): number => 0.12,
  requests: (_t: number): number => 1000,
  errors: (t: number): number => (inIncident(t) ? 100 : 20),
};

/** Minute grid points from GAUGE_START to GAUGE_END inclusive, shifted by `offsetSeconds`. */
export function minutes(offsetSeconds = 0): number[] {
  const times: number[] = [];
  for (let t = GAUGE_START; t <= GAUGE_END; t += 60) times.push(t + offsetSeconds);
  return times;
}

/**
 * The history as InfluxDB line protocol (seconds): measurement `http`, fields error_ratio, availability,
 * p99 and latency_mean (seconds) for service=checkout, plus a second service (search) that is always bad.
 * Points sit half-way through each minute, so none is on a bucket or window boundary.
 */
export function influxLines(): string[] {
  const lines: string[] = [];
  for (const t of minutes(30)) {
    lines.push(
      `http,service=checkout error_ratio=${gauge.errorRatio(t)},availability=${gauge.availability(t)},p99=${gauge.p99Seconds(t)},latency_mean=${gauge.meanSeconds(t)} ${t}`,
      `http,service=search error_ratio=0.5,availability=0.5,p99=2,latency_mean=1 ${t}`,
    );
  }
  return lines;
}
