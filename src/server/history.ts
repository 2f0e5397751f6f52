import { setImmediate as nextTurn } from 'node:timers/promises';
import type { NfrStatus } from '../evaluate/types.js';
import type { HistorySample } from '../store/types.js';
import type { Unit } from '../units/types.js';
import type { MonitorStatusSource, SpecStatus } from './types.js';

/** `[epoch ms, value or null when unknown, status]`: compact enough to ship hundreds per chart. */
export type HistoryPoint = [number, number | null, NfrStatus];

export interface HistoryJson {
  spec: string;
  metric: string;
  unit: Unit;
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
const MAX_HISTORY_HOURS = 24 * 35;
/** Upper bound of points per series; a chart a few hundred pixels wide cannot show more. */
const MAX_HISTORY_POINTS = 600;
/** Spec ids and metric names are short; a longer parameter is a mistake or an attack, not a lookup. */
const MAX_HISTORY_NAME_LENGTH = 200;
/**
 * The longest a history read holds the event loop before it lets other requests in (/healthz and
 * /readyz first): a long series is read range by range, pausing when this is spent.
 */
export const HISTORY_SLICE_MS = 10;

const USAGE = 'use /api/history?spec=<spec id>&metric=<metric>&hours=<hours, default 24, at most 840>';
const HOURS_PATTERN = /^(\d+(\.\d*)?|\.\d+)$/;

export type HistoryQueryResult = { ok: true; query: HistoryQuery } | { ok: false; message: string };

export function parseHistoryQuery(params: URLSearchParams): HistoryQueryResult {
  const specId = params.get('spec');
  const metric = params.get('metric');
  if (!specId) return { ok: false, message: `the query parameter "spec" is required: ${USAGE}` };
  if (!metric) return { ok: false, message: `the query parameter "metric" is required: ${USAGE}` };
  for (const [name, value] of [
    ['spec', specId],
    ['metric', metric],
  ] as const) {
    if (value.length > MAX_HISTORY_NAME_LENGTH) {
      return {
        ok: false,
        message: `the query parameter "${name}" is longer than ${MAX_HISTORY_NAME_LENGTH} characters: ${USAGE}`,
      };
    }
  }
  const hoursText = params.get('hours');
  let hours = DEFAULT_HISTORY_HOURS;
  if (hoursText !== null && hoursText !== '') {
    hours = HOURS_PATTERN.test(hoursText) ? Number(hoursText) : Number.NaN;
    if (!Number.isFinite(hours) || hours <= 0) {
      return {
        ok: false,
        message: `"hours" must be a number of hours greater than 0, such as 24 or 1.5 (got "${hoursText.slice(0, 40)}"): ${USAGE}`,
      };
    }
    // Longer ranges are capped, not refused: the answer says which range it covers.
    hours = Math.min(hours, MAX_HISTORY_HOURS);
  }
  return { ok: true, query: { specId, metric, hours } };
}

/**
 * Drains a chunked history read into points. Between chunks it yields to the event loop whenever it
 * has run for `sliceMs`, so a read over millions of rows never blocks other requests for long.
 */
export async function collectPoints(
  chunks: Iterable<HistorySample[]>,
  sliceMs = HISTORY_SLICE_MS,
): Promise<HistoryPoint[]> {
  const points: HistoryPoint[] = [];
  let sliceStart = performance.now();
  for (const chunk of chunks) {
    for (const sample of chunk) points.push([sample.at, sample.value, sample.status]);
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return points;
}

export type HistoryResult = { ok: true; history: HistoryJson } | { ok: false; status: 404; message: string };

/** The series of one monitored metric over the last `hours`, reduced for a chart by the source. */
export async function buildHistory(
  source: MonitorStatusSource,
  specs: readonly SpecStatus[],
  query: HistoryQuery,
  now: Date,
  sliceMs = HISTORY_SLICE_MS,
): Promise<HistoryResult> {
  const spec = specs.find((candidate) => candidate.summary.spec_id === query.specId);
  if (!spec) return { ok: false, status: 404, message: `no monitored spec "${query.specId}"` };
  const metric = spec.summary.metrics.find((candidate) => candidate.name === query.metric);
  if (!metric) {
    return { ok: false, status: 404, message: `spec "${query.specId}" monitors no metric "${query.metric}"` };
  }
  const to = now;
  const from = new Date(now.getTime() - query.hours * 3_600_000);
  const points = await collectPoints(
    source.history({ specId: query.specId, metric: query.metric, from, to }, MAX_HISTORY_POINTS),
    sliceMs,
  );
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
      points,
    },
  };
}
