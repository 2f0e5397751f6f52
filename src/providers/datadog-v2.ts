import type { DatadogProviderConfig } from '../config/types.js';
import { datadogAllNull, datadogClient, readDatadogAnswer } from './datadog.js';
import { fail, quoteQuery } from './failures.js';
import type { HttpDeps } from './http.js';
import { dig, isRecord } from './json.js';
import type {
  InstantSpan,
  PointSeries,
  PointSeriesAnswer,
  PointSeriesMessages,
  RangeSpan,
} from './series.js';
import { PointSeriesProvider, pointsFrom } from './series.js';
import type { Provider } from './types.js';

const QUERY_PATH = '/api/v2/query/timeseries';
/** Datadog query names: a letter, then letters, digits and underscores. */
const QUERY_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const SINGLE_QUERY_NAME = 'query1';

/** A `query:` text as the v2 API takes it: named metric queries, and formulas over their names. */
export interface DatadogV2Query {
  queries: Array<{ name: string; query: string }>;
  /** Empty: the single query's own series is the answer. */
  formulas: string[];
}

/**
 * One line is one metric query. Several lines are a formula, then one `name = metric query` per line:
 *
 *     100 * errors / hits
 *     errors = sum:trace.http.request.errors{service:api}.as_count()
 *     hits = sum:trace.http.request.hits{service:api}.as_count()
 */
export function parseDatadogV2Query(
  text: string,
): { ok: true; value: DatadogV2Query } | { ok: false; problem: string } {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) return { ok: false, problem: 'the query is empty' };
  if (lines.length === 1)
    return { ok: true, value: { queries: [{ name: SINGLE_QUERY_NAME, query: lines[0]! }], formulas: [] } };
  const [formula, ...definitions] = lines as [string, ...string[]];
  const queries: DatadogV2Query['queries'] = [];
  for (const line of definitions) {
    const match = /^([^=\s]+)\s*=\s*(.+)$/.exec(line);
    if (!match || !QUERY_NAME.test(match[1]!)) {
      return {
        ok: false,
        problem: `"${quoteQuery(line)}" is not \`name = metric query\`: after the formula line, each line names one query, e.g. \`errors = sum:trace.http.request.errors{service:api}.as_count()\``,
      };
    }
    if (queries.some((query) => query.name === match[1])) {
      return { ok: false, problem: `the query name ${match[1]} is defined twice` };
    }
    queries.push({ name: match[1]!, query: match[2]! });
  }
  for (const name of formula.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (!queries.some((query) => query.name === name) && !FORMULA_FUNCTIONS.has(name.toLowerCase())) {
      return {
        ok: false,
        problem: `the formula "${quoteQuery(formula)}" uses ${name}, which no line defines: add \`${name} = <metric query>\``,
      };
    }
  }
  return { ok: true, value: { queries, formulas: [formula] } };
}

/** Functions a formula may call besides the query names (Datadog's formula functions, in part). */
const FORMULA_FUNCTIONS = new Set([
  'abs',
  'log2',
  'log10',
  'cumsum',
  'integral',
  'per_second',
  'per_minute',
  'per_hour',
  'diff',
  'derivative',
  'monotonic_diff',
  'rollup',
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'top',
  'clamp_min',
  'clamp_max',
  'cutoff_min',
  'cutoff_max',
  'default_zero',
  'timeshift',
  'hour_before',
  'day_before',
  'week_before',
  'month_before',
  'ewma_3',
  'ewma_5',
  'ewma_10',
  'ewma_20',
  'median_3',
  'median_5',
  'median_7',
  'median_9',
  'robust_trend',
  'trend_line',
  'piecewise_constant',
  'outliers',
  'anomalies',
  'forecast',
  'fill',
  'exclude_null',
  'as_count',
  'as_rate',
]);

/** Datadog metrics through `POST /api/v2/query/timeseries` (times in ms, formulas over named queries). */
export function createDatadogV2Provider(config: DatadogProviderConfig, deps: HttpDeps = {}): Provider {
  return new DatadogV2Provider(config, datadogClient(config, deps));
}

const MESSAGES: PointSeriesMessages = {
  noSeries: (window, shown) =>
    `no data: Datadog returned no series for ${window} (query: ${shown}): check the metric names and the tags in the scopes {…}; the service may also have had no traffic`,
  severalSeries: (count, listed, shown) =>
    `Datadog returned ${count} series but exactly one is needed (query: ${shown}): aggregate them (sum:, max:) or remove the "by {…}" grouping. Groups: ${listed}`,
  allNull: datadogAllNull,
};

class DatadogV2Provider extends PointSeriesProvider<DatadogProviderConfig> implements Provider {
  readonly type = 'datadog' as const;
  protected readonly backend = 'Datadog';
  protected readonly messages = MESSAGES;

  protected fetchInstant(query: string, { at, lookbackSeconds }: InstantSpan, signal?: AbortSignal) {
    const to = Math.floor(at.getTime() / 1000) * 1000;
    // `to` is exclusive on v2: one more millisecond keeps a point stamped at the evaluation time.
    return this.fetchSeries(query, to - lookbackSeconds * 1000, to + 1, null, signal);
  }

  protected fetchRange(query: string, { start, end, stepSeconds }: RangeSpan, signal?: AbortSignal) {
    const intervalMs = Math.max(1, Math.round(stepSeconds)) * 1000;
    return this.fetchSeries(query, start.getTime(), end.getTime() + 1, intervalMs, signal);
  }

  private async fetchSeries(
    query: string,
    fromMs: number,
    toMs: number,
    intervalMs: number | null,
    signal: AbortSignal | undefined,
  ): Promise<PointSeriesAnswer> {
    const shown = quoteQuery(query);
    const parsed = parseDatadogV2Query(query);
    if (!parsed.ok) return fail('query_error', `Datadog v2 query: ${parsed.problem} (query: ${shown})`);
    const attributes: Record<string, unknown> = {
      from: fromMs,
      to: toMs,
      queries: parsed.value.queries.map((entry) => ({ data_source: 'metrics', ...entry })),
    };
    if (parsed.value.formulas.length > 0) {
      attributes.formulas = parsed.value.formulas.map((formula) => ({ formula }));
    }
    if (intervalMs !== null) attributes.interval = intervalMs;
    const sent = await this.send({
      method: 'POST',
      path: QUERY_PATH,
      params: {},
      json: { data: { type: 'timeseries_request', attributes } },
      signal,
    });
    if (!sent.ok) return sent;
    const answer = readDatadogAnswer(sent, this.client, this.config, QUERY_PATH, shown);
    if (!answer.ok) return answer;
    const { json, said } = answer;
    const topError = dig(json, 'errors');
    if (typeof topError === 'string' && topError !== '') {
      return fail(
        'query_error',
        `Datadog could not run the query: ${this.client.redact(topError)} (query: ${shown})`,
      );
    }
    const attributesOut = dig(json, 'data', 'attributes');
    if (!isRecord(attributesOut)) {
      return fail(
        'bad_response',
        `Datadog at ${this.client.hostPort} did not answer with a timeseries_response (content-type "${sent.response.contentType || 'none'}"): check the provider's url${said}`,
      );
    }
    const times = attributesOut.times ?? [];
    const seriesMeta = attributesOut.series ?? [];
    const values = attributesOut.values ?? [];
    if (
      !Array.isArray(times) ||
      !Array.isArray(seriesMeta) ||
      !Array.isArray(values) ||
      values.length !== seriesMeta.length
    ) {
      return this.malformed('series, times and values that do not pair up');
    }
    const series: PointSeries[] = [];
    for (let i = 0; i < seriesMeta.length; i++) {
      const row: unknown = values[i];
      if (!Array.isArray(row) || row.length !== times.length) {
        return this.malformed('a values row that does not match times');
      }
      const points = pointsFrom(times, row);
      if (!points.ok) return this.malformed(`a ${points.notNumber} that is not a number`);
      const meta: unknown = seriesMeta[i];
      const tags = isRecord(meta) && Array.isArray(meta.group_tags) ? meta.group_tags.join(',') : '';
      series.push({ label: tags || '*', points: points.points });
    }
    return { ok: true, series, warnings: [] };
  }
}
