import { HttpHeaders } from '../common/http-headers.js';
import type { DatadogProviderConfig, Reduction } from '../config/types.js';
import type { Failure } from './failures.js';
import { fail, listSeries, quoteQuery, transportFailure } from './failures.js';
import type { HttpDeps, HttpResponse } from './http.js';
import { HttpClient } from './http.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

const QUERY_PATH = '/api/v1/query';

/** Datadog metrics through the v1 `GET /api/v1/query` endpoint (from/to in seconds, points in ms). */
export function createDatadogProvider(config: DatadogProviderConfig, deps: HttpDeps = {}): Provider {
  const headers = new HttpHeaders(config.http.headers);
  headers.set('accept', 'application/json');
  headers.set('dd-api-key', config.apiKey);
  const secrets = [config.apiKey];
  if (config.appKey) {
    headers.set('dd-application-key', config.appKey);
    secrets.push(config.appKey);
  }
  return new DatadogProvider(config, new HttpClient(config.http, headers, secrets, deps));
}

interface DatadogSeries {
  scope: string;
  points: Sample[];
}

type SeriesResult = { ok: true; series: DatadogSeries[]; warnings: string[] } | Failure;

class DatadogProvider implements Provider {
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
    const reduce = options.reduce ?? this.config.reduce;
    const to = Math.floor(at.getTime() / 1000);
    const from = to - lookback;
    const fetched = await this.fetchSeries(query, from, to, options.signal);
    if (!fetched.ok) return fetched;
    const { series, warnings } = fetched;
    const window = `the last ${lookback} s before ${at.toISOString()}`;
    const single = this.single(series, query, window, warnings);
    if (!single.ok) return single;
    const reduced = reducePoints(single.points, reduce);
    if (!reduced) {
      return fail('no_data', noPointsMessage(query, window), warnings);
    }
    return { ok: true, value: reduced.value, at: reduced.at, warnings };
  }

  async queryRange(
    query: string,
    start: Date,
    end: Date,
    _stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    // Datadog chooses the point interval itself; the step is only a hint we cannot pass on v1.
    const from = Math.floor(start.getTime() / 1000);
    const to = Math.floor(end.getTime() / 1000);
    const fetched = await this.fetchSeries(query, from, to, options.signal);
    if (!fetched.ok) return fetched;
    const { series, warnings } = fetched;
    const window = `${start.toISOString()} – ${end.toISOString()}`;
    const single = this.single(series, query, window, warnings);
    if (!single.ok) return single;
    if (single.points.length === 0) return fail('no_data', noPointsMessage(query, window), warnings);
    return { ok: true, samples: single.points, warnings };
  }

  private single(
    series: DatadogSeries[],
    query: string,
    window: string,
    warnings: string[],
  ): { ok: true; points: Sample[] } | Failure {
    const shown = quoteQuery(query);
    if (series.length === 0) {
      return fail(
        'no_data',
        `no data: Datadog returned no series for ${window} (query: ${shown}): check the metric name and the tags in the scope {…}; the service may also have had no traffic`,
        warnings,
      );
    }
    if (series.length > 1) {
      return fail(
        'multiple_series',
        `Datadog returned ${series.length} series but exactly one is needed (query: ${shown}): aggregate them, e.g. start the query with sum: or max:, or remove the "by {…}" grouping. Scopes: ${listSeries(series, (entry) => entry.scope || '*', '; ')}`,
        warnings,
      );
    }
    return { ok: true, points: series[0]!.points };
  }

  private async fetchSeries(
    query: string,
    from: number,
    to: number,
    signal: AbortSignal | undefined,
  ): Promise<SeriesResult> {
    const params = { from: String(from), to: String(to), query };
    const outcome = await this.client.request({ method: 'GET', path: QUERY_PATH, params, signal });
    if (outcome.kind !== 'response') return transportFailure(outcome, this.client, 'Datadog');
    const { response, retryNote } = outcome;
    const shown = quoteQuery(query);
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
    if (!isRecord(json)) {
      return fail(
        'bad_response',
        `Datadog at ${this.client.hostPort} did not answer with JSON (content-type "${response.contentType || 'none'}"): check the provider's url${said}`,
      );
    }
    const warnings =
      typeof json.message === 'string' && json.message !== '' ? [this.client.redact(json.message)] : [];
    const errorText = typeof json.error === 'string' && json.error !== '' ? json.error : null;
    if (json.status === 'error' || errorText) {
      const reason = this.client.redact(errorText ?? 'status "error" without a message');
      return fail('query_error', `Datadog could not run the query: ${reason} (query: ${shown})`, warnings);
    }
    if (json.series !== undefined && json.series !== null && !Array.isArray(json.series)) {
      return fail(
        'bad_response',
        `Datadog at ${this.client.hostPort} sent "series" that is not a list`,
        warnings,
      );
    }
    const series: DatadogSeries[] = [];
    for (const entry of (json.series as unknown[] | undefined) ?? []) {
      const parsed = parseSeries(entry);
      if (!parsed) {
        return fail(
          'bad_response',
          `Datadog at ${this.client.hostPort} sent a series without a valid pointlist`,
          warnings,
        );
      }
      series.push(parsed);
    }
    return { ok: true, series, warnings };
  }
}

/** The failure an HTTP status means, for both API versions; null for 2xx. */
export function datadogHttpFailure(
  response: HttpResponse,
  client: HttpClient,
  config: DatadogProviderConfig,
  path: string,
  shown: string,
  said: string,
  retried: string,
): Failure | null {
  if (response.status === 401) {
    return fail(
      'auth',
      `Datadog rejected the API key (DD-API-KEY, HTTP 401): check api_key / its env var${said}`,
    );
  }
  if (response.status === 403) {
    const appKey = config.appKey
      ? 'Datadog rejected the application key or it lacks the timeseries_query permission (DD-APPLICATION-KEY, HTTP 403): check app_key'
      : 'Datadog refused the query (HTTP 403) and no application key is configured: set app_key (DD-APPLICATION-KEY), queries need both keys';
    return fail(
      'auth',
      `${appKey}; Datadog also answers 403 to an invalid API key: check api_key / its env var${said}`,
    );
  }
  if (response.status === 400) {
    return fail('query_error', `Datadog rejected the query (HTTP 400)${said} (query: ${shown})`);
  }
  if (response.status === 429) {
    return fail(
      'rate_limited',
      `Datadog rate limit reached (HTTP 429${rateLimitText(response)})${retried}${said}`,
    );
  }
  if (response.status >= 500) {
    return fail(
      'unreachable',
      `Datadog at ${client.hostPort} failed with HTTP ${response.status}${retried}: try again later or check status.datadoghq.com${said}`,
    );
  }
  if (response.status === 404) {
    return fail(
      'bad_response',
      `HTTP 404 for ${client.describe(path)}: check the provider's site / url (e.g. https://api.datadoghq.eu)${said}`,
    );
  }
  if (response.status < 200 || response.status >= 300) {
    return fail('bad_response', `unexpected HTTP ${response.status} from ${client.describe(path)}${said}`);
  }
  return null;
}

/** Keeps non-null points in time order; `pointlist` timestamps are milliseconds. */
function parseSeries(entry: unknown): DatadogSeries | null {
  if (!isRecord(entry) || !Array.isArray(entry.pointlist)) return null;
  const points: Sample[] = [];
  for (const point of entry.pointlist as unknown[]) {
    if (!Array.isArray(point) || typeof point[0] !== 'number') return null;
    const value: unknown = point[1];
    if (value === null || value === undefined) continue;
    if (typeof value !== 'number') return null;
    points.push({ at: new Date(Math.round(point[0])), value });
  }
  points.sort((a, b) => a.at.getTime() - b.at.getTime());
  const scope =
    typeof entry.scope === 'string'
      ? entry.scope
      : Array.isArray(entry.tag_set)
        ? entry.tag_set.join(',')
        : '';
  return { scope, points };
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

function noPointsMessage(query: string, window: string): string {
  return `no data: Datadog returned a series but every point in ${window} was null (query: ${quoteQuery(query)}): the metric may not be reported in that window; widen the lookback or check the service's traffic`;
}

function rateLimitText(response: HttpResponse): string {
  const limit = response.headers.get('x-ratelimit-limit');
  const period = response.headers.get('x-ratelimit-period');
  const reset = response.headers.get('x-ratelimit-reset');
  const parts: string[] = [];
  if (limit && period) parts.push(`limit ${limit} requests per ${period} s`);
  if (reset) parts.push(`resets in ${reset} s`);
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function errorsOf(json: unknown): string[] {
  if (!isRecord(json) || !Array.isArray(json.errors)) return [];
  return json.errors.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
