/**
 * Gathers the samples of one metric over one span: the daemon's recorded history first, then the
 * backend's range query for every gap the history leaves (backfill), so a report can be made on the
 * day a spec is first monitored.
 */
import type { Check } from '../../evaluate/index.js';
import type { Provider, Sample } from '../../providers/types.js';
import type { MeasurementRow, SeriesColumns } from '../../store/index.js';
import { convert } from '../../units/index.js';
import type { PeriodSample, SampleColumns } from './stats.js';
import { toSamples } from './stats.js';

export interface HistoryQuery {
  specId: string;
  metric: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** What a history source gives for one metric: rows or columns; null = there is no store. */
type History = MeasurementRow[] | SeriesColumns | null;

/**
 * The daemon's measurement history of one metric: its rows (e.g. `(q) => store.measurements(q)`) or,
 * cheaper for a long period, its columns (`(q) => store.seriesColumns(q)`, as `report` reads it), or
 * either later (the daemon reads it in a worker thread: `(q) => readers.seriesColumns(q)`). Columns
 * become the report's own: it may change them.
 */
export type HistorySource = (query: HistoryQuery) => History | Promise<History>;

/** Beyond this many gaps, one range query covers them all (then filtered), to bound the backend calls. */
const MAX_GAP_QUERIES = 24;

export interface CollectOptions {
  specId: string;
  check: Check;
  /** Covered span in unix ms: [from, to). */
  from: number;
  to: number;
  /** Backfill grid origin (the period's start): grid points are origin + k·step. */
  origin: number;
  history: HistorySource;
  provider: Provider | undefined;
  intervalSeconds: number;
  stepSeconds: number;
}

export interface Collected {
  samples: PeriodSample[];
  backfillErrors: string[];
}

export interface CollectedColumns {
  samples: SampleColumns;
  backfillErrors: string[];
}

type Span = [start: number, end: number];

/**
 * Spans of [from, to) the history does not cover: before the first row, between rows, or after the
 * last one, wherever consecutive samples (counting `from − interval` and `to` as samples) are more
 * than 2 × interval apart. A row covers [at, at + interval).
 */
export function historyGaps(times: ArrayLike<number>, from: number, to: number, intervalMs: number): Span[] {
  if (to <= from) return [];
  if (times.length === 0) return [[from, to]];
  const gaps: Span[] = [];
  let coveredUntil = from;
  for (let i = 0; i < times.length; i++) {
    const at = times[i]!;
    if (at - coveredUntil > intervalMs) gaps.push([coveredUntil, at]);
    coveredUntil = Math.max(coveredUntil, at + intervalMs);
  }
  if (to - coveredUntil > intervalMs) gaps.push([coveredUntil, to]);
  return gaps;
}

/** Grid points origin + k·step inside [start, end): the first and last, or null when none. */
function gridWithin(span: Span, origin: number, stepMs: number): Span | null {
  const first = Math.ceil((span[0] - origin) / stepMs);
  const last = Math.ceil((span[1] - origin) / stepMs) - 1;
  return last < first ? null : [origin + first * stepMs, origin + last * stepMs];
}

/** The recorded samples of the metric in [from, to), in time order; NaN = unknown. */
interface Recorded {
  length: number;
  at: Float64Array;
  value: Float64Array;
}

function recordedOf(history: MeasurementRow[] | SeriesColumns, options: CollectOptions): Recorded {
  if (!Array.isArray(history)) {
    const { at, value, unknown } = history;
    // The store's columns are one series over [from, to) in time order: only unknowns to mark, in
    // place (each read returns columns of its own, so no copy of a month of values).
    for (let i = 0; i < history.length; i++) {
      if (unknown[i] !== 0 || !Number.isFinite(value[i]!)) value[i] = Number.NaN;
    }
    return { length: history.length, at, value };
  }
  const rows = history
    .filter((row) => {
      const at = row.at.getTime();
      return row.metric === options.check.nfr.metric && at >= options.from && at < options.to;
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const recorded = {
    length: rows.length,
    at: new Float64Array(rows.length),
    value: new Float64Array(rows.length),
  };
  rows.forEach((row, i) => {
    const known = row.status !== 'unknown' && row.value !== null && Number.isFinite(row.value);
    recorded.at[i] = row.at.getTime();
    recorded.value[i] = known ? (row.value as number) : Number.NaN;
  });
  return recorded;
}

/** The usual distance between backend samples: the median gap, at least the step (Datadog rolls up). */
function typicalSpacingSeconds(points: readonly Sample[], stepSeconds: number): number {
  if (points.length < 2) return stepSeconds;
  const gaps = points
    .slice(1)
    .map((point, i) => (point.at.getTime() - points[i]!.at.getTime()) / 1000)
    .filter((gap) => gap > 0)
    .sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] ?? stepSeconds;
  return Math.max(stepSeconds, median);
}

async function backfill(gaps: readonly Span[], options: CollectOptions): Promise<Collected> {
  const { check, provider } = options;
  const stepMs = options.stepSeconds * 1000;
  const grids = gaps
    .map((gap) => ({ gap, grid: gridWithin(gap, options.origin, stepMs) }))
    .filter((g): g is { gap: Span; grid: Span } => g.grid !== null);
  if (grids.length === 0) return { samples: [], backfillErrors: [] };
  if (!provider) {
    return {
      samples: [],
      backfillErrors: [`provider "${check.mapping.provider}" is not available: the gaps were not backfilled`],
    };
  }
  const queries: Span[] =
    grids.length > MAX_GAP_QUERIES
      ? [[grids[0]!.grid[0], grids[grids.length - 1]!.grid[1]]]
      : grids.map((g) => g.grid);
  const samples: PeriodSample[] = [];
  const backfillErrors: string[] = [];
  for (const [start, end] of queries) {
    const result = await provider.queryRange(
      check.mapping.query,
      new Date(start),
      new Date(end),
      options.stepSeconds,
    );
    if (!result.ok) {
      backfillErrors.push(
        `${new Date(start).toISOString()} to ${new Date(end).toISOString()}: ${result.failure}: ${result.message}`,
      );
      continue;
    }
    const spacingSeconds = typicalSpacingSeconds(result.samples, options.stepSeconds);
    for (const point of result.samples) {
      const at = point.at.getTime();
      // Only inside a gap: never on top of a recorded sample.
      if (!insideAny(gaps, at)) continue;
      const value = Number.isFinite(point.value)
        ? convert(point.value, check.valueUnit, check.objective.unit)
        : null;
      samples.push({ at, value, source: 'backfill', spacingSeconds });
    }
  }
  return { samples, backfillErrors };
}

/** Whether `at` lies in one of the sorted, disjoint `spans` (binary search). */
function insideAny(spans: readonly Span[], at: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = spans[mid]!;
    if (at < start) hi = mid - 1;
    else if (at >= end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** History samples plus backfilled ones for the gaps, in time order, as columns. */
export async function collectColumns(options: CollectOptions): Promise<CollectedColumns> {
  const history =
    options.to > options.from
      ? await options.history({
          specId: options.specId,
          metric: options.check.nfr.metric,
          from: new Date(options.from),
          to: new Date(options.to),
        })
      : null;
  const recorded: Recorded = history
    ? recordedOf(history, options)
    : { length: 0, at: new Float64Array(0), value: new Float64Array(0) };
  const gaps = historyGaps(recorded.at, options.from, options.to, options.intervalSeconds * 1000);
  const filled = await backfill(gaps, options);
  // Backfilled samples lie only inside gaps: merged in time order, a recorded sample first on a tie.
  const added = filled.samples.sort((a, b) => a.at - b.at);
  if (added.length === 0) {
    const spacingSeconds = new Float64Array(recorded.length).fill(options.intervalSeconds);
    const samples = { ...recorded, spacingSeconds, backfilled: new Uint8Array(recorded.length) };
    return { samples, backfillErrors: filled.backfillErrors };
  }
  const length = recorded.length + added.length;
  const samples = {
    length,
    at: new Float64Array(length),
    value: new Float64Array(length),
    spacingSeconds: new Float64Array(length),
    backfilled: new Uint8Array(length),
  };
  let r = 0;
  let b = 0;
  for (let i = 0; i < length; i++) {
    if (b >= added.length || (r < recorded.length && recorded.at[r]! <= added[b]!.at)) {
      samples.at[i] = recorded.at[r]!;
      samples.value[i] = recorded.value[r]!;
      samples.spacingSeconds[i] = options.intervalSeconds;
      r++;
    } else {
      const sample = added[b++]!;
      samples.at[i] = sample.at;
      samples.value[i] = sample.value ?? Number.NaN;
      samples.spacingSeconds[i] = sample.spacingSeconds;
      samples.backfilled[i] = 1;
    }
  }
  return { samples, backfillErrors: filled.backfillErrors };
}

/** History samples plus backfilled ones for the gaps, in time order. */
export async function collectSamples(options: CollectOptions): Promise<Collected> {
  const collected = await collectColumns(options);
  return { samples: toSamples(collected.samples), backfillErrors: collected.backfillErrors };
}
