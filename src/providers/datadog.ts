import type { DatadogProviderConfig } from '../config/types.js';
import type { Failure } from './failures.js';
import { fail, quoteQuery } from './failures.js';
import type { HttpClient, HttpDeps, HttpResponse } from './http.js';
import type { Sent } from './http-provider.js';
import { jsonClient, statusFailure } from './http-provider.js';
import { isRecord, parseJson } from './json.js';
import type {
  InstantSpan,
  PointSeries,
  PointSeriesAnswer,
  PointSeriesMessages,
  RangeSpan,
} from './series.js';
import { PointSeriesProvider } from './series.js';
import type { Provider, Sample } from './types.js';

const QUERY_PATH = '/api/v1/query';

/** Datadog metrics through the v1 `GET /api/v1/query` endpoint (from/to in seconds, points in ms). */
export function createDatadogProvider(config: DatadogProviderConfig, deps: HttpDeps = {}): Provider {
  return new DatadogProvider(config, datadogClient(config, deps));
}

/** Both API versions: `DD-API-KEY`, and `DD-APPLICATION-KEY` when an app key is configured. */
export function datadogClient(config: DatadogProviderConfig, deps: HttpDeps): HttpClient {
  return jsonClient(config.http, deps, (headers) => {
    headers.set('dd-api-key', config.apiKey);
    if (!config.appKey) return [config.apiKey];
    headers.set('dd-application-key', config.appKey);
    return [config.apiKey, config.appKey];
  });
}

/** Same for both API versions: a series of nulls. */
export function datadogAllNull(window: string, shown: string): string {
  return `no data: Datadog returned a series but every point in ${window} was null (query: ${shown}): the metric may not be reported in that window; widen the lookback or check the service's traffic`;
}

const MESSAGES: PointSeriesMessages = {
  noSeries: (window, shown) =>
    `no data: Datadog returned no series for ${window} (query: ${shown}): check the metric name and the tags in the scope {…}; the service may also have had no traffic`,
  severalSeries: (count, listed, shown) =>
    `Datadog returned ${count} series but exactly one is needed (query: ${shown}): aggregate them, e.g. start the query with sum: or max:, or remove the "by {…}" grouping. Scopes: ${listed}`,
  allNull: datadogAllNull,
};

class DatadogProvider extends PointSeriesProvider<DatadogProviderConfig> implements Provider {
  readonly type = 'datadog' as const;
  protected readonly backend = 'Datadog';
  protected readonly messages = MESSAGES;

  protected fetchInstant(query: string, { at, lookbackSeconds }: InstantSpan, signal?: AbortSignal) {
    const to = Math.floor(at.getTime() / 1000);
    return this.fetchSeries(query, to - lookbackSeconds, to, signal);
  }

  protected fetchRange(query: string, { start, end }: RangeSpan, signal?: AbortSignal) {
    // Datadog chooses the point interval itself; the step is only a hint we cannot pass on v1.
    const from = Math.floor(start.getTime() / 1000);
    return this.fetchSeries(query, from, Math.floor(end.getTime() / 1000), signal);
  }

  private async fetchSeries(
    query: string,
    from: number,
    to: number,
    signal: AbortSignal | undefined,
  ): Promise<PointSeriesAnswer> {
    const params = { from: String(from), to: String(to), query };
    const sent = await this.send({ method: 'GET', path: QUERY_PATH, params, signal });
    if (!sent.ok) return sent;
    const shown = quoteQuery(query);
    const answer = readDatadogAnswer(sent, this.client, this.config, QUERY_PATH, shown);
    if (!answer.ok) return answer;
    const { json, said } = answer;
    if (!isRecord(json)) {
      return fail(
        'bad_response',
        `Datadog at ${this.client.hostPort} did not answer with JSON (content-type "${sent.response.contentType || 'none'}"): check the provider's url${said}`,
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
      return this.malformed('"series" that is not a list', warnings);
    }
    const series: PointSeries[] = [];
    for (const entry of (json.series as unknown[] | undefined) ?? []) {
      const parsed = parseSeries(entry);
      if (!parsed) return this.malformed('a series without a valid pointlist', warnings);
      series.push(parsed);
    }
    return { ok: true, series, warnings };
  }
}

/**
 * An answer of either API version with its body parsed, and `said`: ` (Datadog said: …)` with its errors
 * or an excerpt, for messages; the failure its HTTP status means when that is not a success.
 */
export function readDatadogAnswer(
  sent: Sent,
  client: HttpClient,
  config: DatadogProviderConfig,
  path: string,
  shown: string,
): { ok: true; json: unknown; said: string } | Failure {
  const { response, retried } = sent;
  const json = parseJson(response.body);
  const errors = errorsOf(json).map((text) => client.redact(text));
  const detail = errors.length > 0 ? errors.join('; ') : client.snippet(response);
  const said = detail ? ` (Datadog said: ${detail})` : '';
  const failure = statusFailure(response.status, () => ({
    unauthorized: `Datadog rejected the API key (DD-API-KEY, HTTP 401): check api_key / its env var${said}`,
    forbidden: `${
      config.appKey
        ? 'Datadog rejected the application key or it lacks the timeseries_query permission (DD-APPLICATION-KEY, HTTP 403): check app_key'
        : 'Datadog refused the query (HTTP 403) and no application key is configured: set app_key (DD-APPLICATION-KEY), queries need both keys'
    }; Datadog also answers 403 to an invalid API key: check api_key / its env var${said}`,
    badRequest: `Datadog rejected the query (HTTP 400)${said} (query: ${shown})`,
    rateLimited: `Datadog rate limit reached (HTTP 429${rateLimitText(response)})${retried}${said}`,
    serverError: `Datadog at ${client.hostPort} failed with HTTP ${response.status}${retried}: try again later or check status.datadoghq.com${said}`,
    notFound: `HTTP 404 for ${client.describe(path)}: check the provider's site / url (e.g. https://api.datadoghq.eu)${said}`,
    unexpected: `unexpected HTTP ${response.status} from ${client.describe(path)}${said}`,
  }));
  return failure ?? { ok: true, json, said };
}

/** Keeps non-null points in time order; `pointlist` timestamps are milliseconds; `*` names an empty scope. */
function parseSeries(entry: unknown): PointSeries | null {
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
  return { label: scope || '*', points };
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

/** v1 and v2 list their errors as `errors: ["…"]`. */
function errorsOf(json: unknown): string[] {
  if (!isRecord(json) || !Array.isArray(json.errors)) return [];
  return json.errors.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}
