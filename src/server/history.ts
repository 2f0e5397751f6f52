import type { NfrStatus } from '../evaluate/types.js';
import type { MeasurementRow } from '../store/types.js';
import type { MonitorStatusSource } from './types.js';

/** `[epoch ms, value or null when unknown, status]`: compact enough to ship hundreds per chart. */
export type HistoryPoint = [number, number | null, NfrStatus];

export interface HistoryJson {
  spec: string;
  metric: string;
  unit: string;
  slo: number;
  comparator: string;
  target: string;
  hours: number;
  from: string;
  to: string;
  points: HistoryPoint[];
}

export interface HistoryQuery {
  specId: string;
  metric: string;
  hours: number;
}

export const DEFAULT_HISTORY_HOURS = 24;
export const MAX_HISTORY_HOURS = 24 * 35;
/** Upper bound of points per series; a chart a few hundred pixels wide cannot show more. */
export const MAX_HISTORY_POINTS = 600;

export type HistoryQueryResult = { ok: true; query: HistoryQuery } | { ok: false; message: string };

export function parseHistoryQuery(params: URLSearchParams): HistoryQueryResult {
  const specId = params.get('spec');
  const metric = params.get('metric');
  if (!specId) return { ok: false, message: 'the query parameter "spec" is required' };
  if (!metric) return { ok: false, message: 'the query parameter "metric" is required' };
  const hoursText = params.get('hours');
  let hours = DEFAULT_HISTORY_HOURS;
  if (hoursText !== null && hoursText !== '') {
    hours = Number(hoursText);
    if (!Number.isFinite(hours) || hours <= 0) {
      return { ok: false, message: '"hours" must be a positive number' };
    }
    hours = Math.min(hours, MAX_HISTORY_HOURS);
  }
  return { ok: true, query: { specId, metric, hours } };
}

const SEVERITY_OF_STATUS: Record<NfrStatus, number> = { healthy: 0, unknown: 1, breached: 2 };

export function worstStatus(statuses: Iterable<NfrStatus>): NfrStatus {
  let worst: NfrStatus = 'healthy';
  for (const status of statuses) {
    if (SEVERITY_OF_STATUS[status] > SEVERITY_OF_STATUS[worst]) worst = status;
  }
  return worst;
}

/**
 * Reduces a series to at most `maxPoints` points. Each time bucket keeps its lowest and highest value
 * (so a spike survives) and its first unknown row (so a gap stays visible); every kept point carries
 * the worst status of its bucket (so a short breach is still shaded).
 */
export function downsample(
  rows: readonly MeasurementRow[],
  from: Date,
  to: Date,
  maxPoints = MAX_HISTORY_POINTS,
): HistoryPoint[] {
  const sorted = [...rows].sort((a, b) => a.at.getTime() - b.at.getTime());
  if (sorted.length <= maxPoints)
    return sorted.map((row) => [row.at.getTime(), finite(row.value), row.status]);

  const bucketCount = Math.max(1, Math.floor(maxPoints / 3));
  const start = Math.min(from.getTime(), sorted[0]!.at.getTime());
  const end = Math.max(to.getTime(), sorted[sorted.length - 1]!.at.getTime() + 1);
  const width = (end - start) / bucketCount;
  const buckets: MeasurementRow[][] = Array.from({ length: bucketCount }, () => []);
  for (const row of sorted) {
    const index = Math.min(bucketCount - 1, Math.floor((row.at.getTime() - start) / width));
    buckets[index]!.push(row);
  }

  const points: HistoryPoint[] = [];
  for (const bucket of buckets) {
    if (bucket.length === 0) continue;
    const status = worstStatus(bucket.map((row) => row.status));
    let lowest: MeasurementRow | undefined;
    let highest: MeasurementRow | undefined;
    let firstUnknown: MeasurementRow | undefined;
    for (const row of bucket) {
      const value = finite(row.value);
      if (value === null) {
        firstUnknown ??= row;
        continue;
      }
      if (!lowest || value < finite(lowest.value)!) lowest = row;
      if (!highest || value > finite(highest.value)!) highest = row;
    }
    const kept = new Set([lowest, highest, firstUnknown].filter((row) => row !== undefined));
    for (const row of [...kept].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      points.push([row.at.getTime(), finite(row.value), status]);
    }
  }
  return points;
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

export type HistoryResult = { ok: true; history: HistoryJson } | { ok: false; status: 404; message: string };

/** The series of one monitored metric over the last `hours`, ready for a chart. */
export function buildHistory(source: MonitorStatusSource, query: HistoryQuery, now: Date): HistoryResult {
  const spec = source.specs().find((candidate) => candidate.summary.spec_id === query.specId);
  if (!spec) return { ok: false, status: 404, message: `no monitored spec "${query.specId}"` };
  const metric = spec.summary.metrics.find((candidate) => candidate.name === query.metric);
  if (!metric) {
    return { ok: false, status: 404, message: `spec "${query.specId}" monitors no metric "${query.metric}"` };
  }
  const to = now;
  const from = new Date(now.getTime() - query.hours * 3_600_000);
  const rows = source.history({ specId: query.specId, metric: query.metric, from, to });
  return {
    ok: true,
    history: {
      spec: query.specId,
      metric: query.metric,
      unit: metric.unit,
      slo: metric.slo,
      comparator: metric.comparator,
      target: metric.target,
      hours: query.hours,
      from: from.toISOString(),
      to: to.toISOString(),
      points: downsample(rows, from, to),
    },
  };
}
