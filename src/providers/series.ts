import type { Reduction } from '../config/types.js';
import type { Failure } from './failures.js';
import { fail, listSeries, quoteQuery } from './failures.js';
import { HttpProvider } from './http-provider.js';
import type { InstantResult, QueryOptions, RangeResult, Sample } from './types.js';

/** How a backend words an answer that does not hold exactly one series. */
export interface OneSeriesMessages<T> {
  /** No series at all. */
  none: () => string;
  /** `count` series; `listed` names the first few of them. */
  several: (count: number, listed: string) => string;
  /** How `listed` names one series. */
  label: (series: T) => string;
  separator: string;
}

/** The one series a query must yield: none is no data, several must be aggregated by the query itself. */
export function onlySeries<T>(
  series: readonly T[],
  messages: OneSeriesMessages<T>,
  warnings: string[] = [],
): { ok: true; series: T } | Failure {
  if (series.length === 0) return fail('no_data', messages.none(), warnings);
  if (series.length > 1) {
    const listed = listSeries(series, messages.label, messages.separator);
    return fail('multiple_series', messages.several(series.length, listed), warnings);
  }
  return { ok: true, series: series[0]! };
}

/**
 * Points in time order from parallel lists of times (ms) and values; a null value is a gap, never a zero.
 * When a time or a value is not a number, says which of the two (the first one found).
 */
export function pointsFrom(
  times: readonly unknown[],
  values: readonly unknown[],
): { ok: true; points: Sample[] } | { ok: false; notNumber: 'time' | 'value' } {
  const points: Sample[] = [];
  for (let i = 0; i < times.length; i++) {
    const at = times[i];
    const value = values[i];
    if (typeof at !== 'number') return { ok: false, notNumber: 'time' };
    if (value === null) continue;
    if (typeof value !== 'number') return { ok: false, notNumber: 'value' };
    points.push({ at: new Date(at), value });
  }
  points.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { ok: true, points };
}

/**
 * One number from a point list. `at` is the newest point's time for every reduction: it tells how
 * fresh the data is.
 */
export function reducePoints(points: Sample[], reduce: Reduction): Sample | null {
  const last = points[points.length - 1];
  if (!last) return null;
  const values = points.map((point) => point.value);
  switch (reduce) {
    case 'last':
      return { at: last.at, value: last.value };
    case 'avg':
      return { at: last.at, value: values.reduce((sum, value) => sum + value, 0) / values.length };
    case 'min':
      return { at: last.at, value: Math.min(...values) };
    case 'max':
      return { at: last.at, value: Math.max(...values) };
  }
}

/** One series of a point-list answer. */
export interface PointSeries {
  /** How messages name it: its scope, group tags or dimensions. */
  label: string;
  /** Its non-null points in time order. */
  points: Sample[];
}

export type PointSeriesAnswer = { ok: true; series: PointSeries[]; warnings: string[] } | Failure;

/** What an instant query reads: the lookback window that ends at `at`. */
export interface InstantSpan {
  at: Date;
  lookbackSeconds: number;
}

/** What a range query reads; `stepSeconds` is the spacing the caller would like. */
export interface RangeSpan {
  start: Date;
  end: Date;
  stepSeconds: number;
}

/** A point-list backend's words; `window` is the time span read, `shown` the query as quoted. */
export interface PointSeriesMessages {
  noSeries(window: string, shown: string): string;
  severalSeries(count: number, listed: string, shown: string): string;
  /** The one series holds no point but nulls. */
  allNull(window: string, shown: string): string;
}

/**
 * A backend that answers lists of point series (Datadog v1 and v2, Dynatrace): a query must yield exactly
 * one, reduced to one number for an instant (`reduce` over the lookback), all of its points for a range.
 */
export abstract class PointSeriesProvider<
  Config extends { name: string; lookbackSeconds: number; reduce: Reduction },
> extends HttpProvider<Config> {
  protected abstract readonly messages: PointSeriesMessages;
  protected abstract fetchInstant(
    query: string,
    span: InstantSpan,
    signal?: AbortSignal,
  ): Promise<PointSeriesAnswer>;
  protected abstract fetchRange(
    query: string,
    span: RangeSpan,
    signal?: AbortSignal,
  ): Promise<PointSeriesAnswer>;

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const lookback = options.lookbackSeconds ?? this.config.lookbackSeconds;
    const fetched = await this.fetchInstant(query, { at, lookbackSeconds: lookback }, options.signal);
    if (!fetched.ok) return fetched;
    const window = `the last ${lookback} s before ${at.toISOString()}`;
    const only = this.onlyPoints(fetched, query, window);
    if (!only.ok) return only;
    const reduced = reducePoints(only.points, options.reduce ?? this.config.reduce);
    if (!reduced) return fail('no_data', this.messages.allNull(window, quoteQuery(query)), fetched.warnings);
    return { ok: true, value: reduced.value, at: reduced.at, warnings: fetched.warnings };
  }

  async queryRange(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    const fetched = await this.fetchRange(query, { start, end, stepSeconds }, options.signal);
    if (!fetched.ok) return fetched;
    const window = `${start.toISOString()} – ${end.toISOString()}`;
    const only = this.onlyPoints(fetched, query, window);
    if (!only.ok) return only;
    if (only.points.length === 0) {
      return fail('no_data', this.messages.allNull(window, quoteQuery(query)), fetched.warnings);
    }
    return { ok: true, samples: only.points, warnings: fetched.warnings };
  }

  private onlyPoints(
    answer: { series: PointSeries[]; warnings: string[] },
    query: string,
    window: string,
  ): { ok: true; points: Sample[] } | Failure {
    const shown = quoteQuery(query);
    const only = onlySeries(
      answer.series,
      {
        none: () => this.messages.noSeries(window, shown),
        several: (count, listed) => this.messages.severalSeries(count, listed, shown),
        label: (series) => series.label,
        separator: '; ',
      },
      answer.warnings,
    );
    return only.ok ? { ok: true, points: only.series.points } : only;
  }
}
