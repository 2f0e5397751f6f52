import { HttpHeaders } from '../common/http-headers.js';
import type { DatadogProviderConfig } from '../config/types.js';
import { datadogHttpFailure, errorsOf, reducePoints } from './datadog.js';
import type { Failure } from './failures.js';
import { fail, listSeries, quoteQuery, transportFailure } from './failures.js';
import type { HttpDeps } from './http.js';
import { HttpClient } from './http.js';
import { dig, isRecord, parseJson } from './json.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

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
  const headers = new HttpHeaders(config.http.headers);
  headers.set('accept', 'application/json');
  headers.set('dd-api-key', config.apiKey);
  const secrets = [config.apiKey];
  if (config.appKey) {
    headers.set('dd-application-key', config.appKey);
    secrets.push(config.appKey);
  }
  return new DatadogV2Provider(config, new HttpClient(config.http, headers, secrets, deps));
}

interface V2Series {
  tags: string;
  points: Sample[];
}

class DatadogV2Provider implements Provider {
  readonly type = 'datadog' as const;
  readonly name: string;
  readonly host: string;

  constructor(
    private readonly config: DatadogProviderConfig,
    private readonly client: HttpClient,
  ) {
    this.name = config.name;
    this.host = client.baseUrl.hostname;
  }

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const lookback = options.lookbackSeconds ?? this.config.lookbackSeconds;
    const to = Math.floor(at.getTime() / 1000) * 1000;
    // `to` is exclusive on v2: one more millisecond keeps a point stamped at the evaluation time.
    const fetched = await this.fetchSeries(query, to - lookback * 1000, to + 1, null, options.signal);
    if (!fetched.ok) return fetched;
    const window = `the last ${lookback} s before ${at.toISOString()}`;
    const single = this.single(fetched.series, query, window, fetched.warnings);
    if (!single.ok) return single;
    const reduced = reducePoints(single.points, options.reduce ?? this.config.reduce);
    if (!reduced) return fail('no_data', nullMessage(query, window), fetched.warnings);
    return { ok: true, value: reduced.value, at: reduced.at, warnings: fetched.warnings };
  }

  async queryRange(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    const fetched = await this.fetchSeries(
      query,
      start.getTime(),
      end.getTime() + 1,
      Math.max(1, Math.round(stepSeconds)) * 1000,
      options.signal,
    );
    if (!fetched.ok) return fetched;
    const window = `${start.toISOString()} – ${end.toISOString()}`;
    const single = this.single(fetched.series, query, window, fetched.warnings);
    if (!single.ok) return single;
    if (single.points.length === 0) return fail('no_data', nullMessage(query, window), fetched.warnings);
    return { ok: true, samples: single.points, warnings: fetched.warnings };
  }

  private single(
    series: V2Series[],
    query: string,
    window: string,
    warnings: string[],
  ): { ok: true; points: Sample[] } | Failure {
    const shown = quoteQuery(query);
    if (series.length === 0) {
      return fail(
        'no_data',
        `no data: Datadog returned no series for ${window} (query: ${shown}): check the metric names and the tags in the scopes {…}; the service may also have had no traffic`,
        warnings,
      );
    }
    if (series.length > 1) {
      return fail(
        'multiple_series',
        `Datadog returned ${series.length} series but exactly one is needed (query: ${shown}): aggregate them (sum:, max:) or remove the "by {…}" grouping. Groups: ${listSeries(series, (entry) => entry.tags || '*', '; ')}`,
        warnings,
      );
    }
    return { ok: true, points: series[0]!.points };
  }

  private async fetchSeries(
    query: string,
    fromMs: number,
    toMs: number,
    intervalMs: number | null,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; series: V2Series[]; warnings: string[] } | Failure> {
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
    const outcome = await this.client.request({
      method: 'POST',
      path: QUERY_PATH,
      params: {},
      json: { data: { type: 'timeseries_request', attributes } },
      signal,
    });
    if (outcome.kind !== 'response') return transportFailure(outcome, this.client, 'Datadog');
    const { response, retryNote } = outcome;
    const json = parseJson(response.body);
    const errors = errorsOf(json).map((text) => this.client.redact(text));
    const detail = errors.length > 0 ? errors.join('; ') : this.client.snippet(response);
    const said = detail ? ` (Datadog said: ${detail})` : '';
    const retried = retryNote ? ` (${retryNote})` : '';
    const httpFailure = datadogHttpFailure(
      response,
      this.client,
      this.config,
      QUERY_PATH,
      shown,
      said,
      retried,
    );
    if (httpFailure) return httpFailure;
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
        `Datadog at ${this.client.hostPort} did not answer with a timeseries_response (content-type "${response.contentType || 'none'}"): check the provider's url${said}`,
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
      return fail(
        'bad_response',
        `Datadog at ${this.client.hostPort} sent series, times and values that do not pair up`,
      );
    }
    const series: V2Series[] = [];
    for (let i = 0; i < seriesMeta.length; i++) {
      const row: unknown = values[i];
      if (!Array.isArray(row) || row.length !== times.length) {
        return fail(
          'bad_response',
          `Datadog at ${this.client.hostPort} sent a values row that does not match times`,
        );
      }
      const points: Sample[] = [];
      for (let j = 0; j < times.length; j++) {
        const at: unknown = times[j];
        const value: unknown = row[j];
        if (typeof at !== 'number')
          return fail('bad_response', `Datadog at ${this.client.hostPort} sent a time that is not a number`);
        if (value === null) continue;
        if (typeof value !== 'number')
          return fail('bad_response', `Datadog at ${this.client.hostPort} sent a value that is not a number`);
        points.push({ at: new Date(at), value });
      }
      points.sort((a, b) => a.at.getTime() - b.at.getTime());
      const meta: unknown = seriesMeta[i];
      const tags = isRecord(meta) && Array.isArray(meta.group_tags) ? meta.group_tags.join(',') : '';
      series.push({ tags, points });
    }
    return { ok: true, series, warnings: [] };
  }
}

function nullMessage(query: string, window: string): string {
  return `no data: Datadog returned a series but every point in ${window} was null (query: ${quoteQuery(query)}): the metric may not be reported in that window; widen the lookback or check the service's traffic`;
}
