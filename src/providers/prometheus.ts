import type { PrometheusProviderConfig } from '../config/types.js';
import { applyAuth } from './auth.js';
import type { Failure } from './failures.js';
import { fail, listSeries, quoteQuery } from './failures.js';
import type { HttpDeps, HttpResponse } from './http.js';
import { defaultRetryable } from './http.js';
import { HttpProvider, jsonClient, statusLine } from './http-provider.js';
import { isRecord } from './json.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

/** Queries whose URL-encoded text is longer than this go in a POST form body (URL length limits). */
export const POST_QUERY_THRESHOLD = 2000;
/** VictoriaMetrics answers a path it does not serve with 400 and this text (not 404). */
const VICTORIA_METRICS_UNKNOWN_PATH = 'unsupported path requested';

/** Prometheus and its API-compatible backends (Thanos, Mimir, Cortex, VictoriaMetrics). */
export function createPrometheusProvider(config: PrometheusProviderConfig, deps: HttpDeps = {}): Provider {
  const client = jsonClient(config.http, deps, (headers) => {
    if (config.tenant) headers.set('x-scope-orgid', config.tenant);
    return applyAuth(config.auth, headers);
  });
  return new PrometheusProvider(config, client);
}

interface PromData {
  resultType: string;
  result: unknown;
}

type CallResult = { ok: true; data: PromData; warnings: string[] } | Failure;

class PrometheusProvider extends HttpProvider<PrometheusProviderConfig> implements Provider {
  readonly type = 'prometheus' as const;
  protected readonly backend = 'Prometheus';

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const params = { query, time: unixSeconds(at) };
    const called = await this.call('/api/v1/query', params, query, options.signal);
    if (!called.ok) return called;
    const { data, warnings } = called;
    const shown = quoteQuery(query);

    switch (data.resultType) {
      case 'scalar': {
        const sample = parsePair(data.result);
        if (!sample) return this.malformed('a scalar result without a [time, "value"] pair', warnings);
        return { ok: true, value: sample.value, at: sample.at, warnings };
      }
      case 'vector': {
        if (!Array.isArray(data.result))
          return this.malformed('a vector result that is not a list', warnings);
        const series = data.result as unknown[];
        if (series.length === 0) return fail('no_data', noDataMessage(shown, at), warnings);
        if (series.length > 1) return fail('multiple_series', multipleSeriesMessage(series, shown), warnings);
        const only = series[0] as { value?: unknown; histogram?: unknown };
        if (only.value === undefined && only.histogram !== undefined) {
          return fail(
            'query_error',
            `the query returned a native histogram sample, not a number (query: ${shown}): use histogram_quantile(...), histogram_count(...) or histogram_sum(...)`,
            warnings,
          );
        }
        const sample = parsePair(only.value);
        if (!sample) return this.malformed('a vector sample without a [time, "value"] pair', warnings);
        return { ok: true, value: sample.value, at: sample.at, warnings };
      }
      case 'matrix':
        return fail(
          'query_error',
          `the query returned a range vector (matrix) but one number is needed (query: ${shown}): remove the range selector like [5m], or wrap it in a function such as rate(...) or avg_over_time(...)`,
          warnings,
        );
      case 'string':
        return fail(
          'query_error',
          `the query returned a string but a number is needed (query: ${shown}): write an expression that yields a scalar or a one-series instant vector`,
          warnings,
        );
      default:
        return this.malformed(`an unknown resultType "${data.resultType}"`, warnings);
    }
  }

  async queryRange(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    const params = { query, start: unixSeconds(start), end: unixSeconds(end), step: String(stepSeconds) };
    const called = await this.call('/api/v1/query_range', params, query, options.signal);
    if (!called.ok) return called;
    const { data, warnings } = called;
    const shown = quoteQuery(query);
    if (data.resultType !== 'matrix' || !Array.isArray(data.result)) {
      return this.malformed(`resultType "${data.resultType}" for a range query (expected matrix)`, warnings);
    }
    const series = data.result as unknown[];
    if (series.length === 0) {
      return fail('no_data', noDataMessage(shown, null, { start, end }), warnings);
    }
    if (series.length > 1) return fail('multiple_series', multipleSeriesMessage(series, shown), warnings);
    const values = (series[0] as { values?: unknown }).values ?? [];
    if (!Array.isArray(values))
      return this.malformed('a matrix series whose values are not a list', warnings);
    const samples: Sample[] = [];
    for (const pair of values) {
      const sample = parsePair(pair);
      if (!sample) return this.malformed('a matrix sample without a [time, "value"] pair', warnings);
      samples.push(sample);
    }
    return { ok: true, samples, warnings };
  }

  private async call(
    path: string,
    params: Record<string, string>,
    query: string,
    signal: AbortSignal | undefined,
  ): Promise<CallResult> {
    const method = encodeURIComponent(query).length > POST_QUERY_THRESHOLD ? 'POST' : 'GET';
    const sent = await this.send({ method, path, params, signal, retryable: isRetryable });
    if (!sent.ok) return sent;
    const { response, retried } = sent;
    const where = this.client.describe(path);
    const status = statusLine(response);
    const envelope = parseEnvelope(response.body);
    const ok = response.status >= 200 && response.status < 300;
    if (ok && envelope?.status === 'success' && envelope.data) {
      return { ok: true, data: envelope.data, warnings: envelope.warnings };
    }
    // Only failures are described: a body excerpt costs a pass over the whole answer.
    const shown = quoteQuery(query);
    const detail = envelope?.error ? this.client.redact(envelope.error) : this.client.snippet(response);

    if (response.status === 401 || response.status === 403) {
      const tenantHint = this.config.tenant
        ? ''
        : '; Mimir/Cortex also answer 401 "no org id" when the tenant (X-Scope-OrgID) is not set';
      return fail(
        'auth',
        `${status} from ${where}: check the provider's auth (bearer/basic) settings and headers${tenantHint}${detail ? `: ${detail}` : ''}`,
        envelope?.warnings ?? [],
      );
    }
    if (envelope?.status === 'error') {
      const errorType = envelope.errorType ?? 'unknown';
      const warnings = envelope.warnings;
      const text = `${errorType}: ${detail}`;
      if (errorType === 'timeout' || errorType === 'canceled') {
        return fail(
          'timeout',
          `Prometheus gave up evaluating the query (${text}) (query: ${shown}): make the query cheaper or shorten its range`,
          warnings,
        );
      }
      if (errorType === 'bad_data' || errorType === 'execution') {
        return fail('query_error', `Prometheus rejected the query (${text}) (query: ${shown})`, warnings);
      }
      if (errorType === 'not_found' || errorType === 'not_acceptable') {
        return fail(
          'bad_response',
          `${status} from ${where} (${text}): check the url's path prefix`,
          warnings,
        );
      }
      if (response.status >= 500 || errorType === 'internal' || errorType === 'unavailable') {
        return fail(
          'unreachable',
          `Prometheus at ${this.client.hostPort} failed (${status}, ${text})${retried}`,
          warnings,
        );
      }
      return fail(
        'query_error',
        `Prometheus returned an error (${status}, ${text}) (query: ${shown})`,
        warnings,
      );
    }
    if (ok) {
      const got = envelope
        ? 'JSON without status "success" and data'
        : `content-type "${response.contentType || 'none'}"`;
      return fail(
        'bad_response',
        `${status} from ${where} is not a Prometheus API answer (${got}): does the url point at a Prometheus-compatible API, with the right path prefix?${detail ? ` Body: ${detail}` : ''}`,
      );
    }
    if (response.status === 404) {
      return fail(
        'bad_response',
        `${status} for ${where}: the url's path prefix may be wrong (Mimir and Cortex serve the API under /prometheus, e.g. http://mimir:8080/prometheus; a Prometheus started with --web.route-prefix needs that prefix too)`,
      );
    }
    if (response.status === 400 && response.body.includes(VICTORIA_METRICS_UNKNOWN_PATH)) {
      return fail(
        'bad_response',
        `${status} for ${where}: VictoriaMetrics does not serve this path, so the url's path prefix is wrong (single-node VictoriaMetrics serves the API at / or /prometheus; /select/<accountID>/prometheus is the cluster's vmselect)`,
      );
    }
    if (response.status === 429) {
      return fail(
        'rate_limited',
        `${status} from ${where}: the backend is rate limiting queries${retried}${detail ? `: ${detail}` : ''}`,
      );
    }
    if (response.status >= 500) {
      return fail(
        'unreachable',
        `${status} from ${where}${retried}: the backend or a proxy in front of it is failing${detail ? `: ${detail}` : ''}`,
      );
    }
    return fail('bad_response', `unexpected ${status} from ${where}${detail ? `: ${detail}` : ''}`);
  }
}

/** Retry overload and gateway errors, but not answers that say the query itself is at fault. */
function isRetryable(response: HttpResponse): boolean {
  if (!defaultRetryable(response)) return false;
  const envelope = parseEnvelope(response.body);
  return (
    !envelope?.errorType || !['timeout', 'canceled', 'bad_data', 'execution'].includes(envelope.errorType)
  );
}

interface Envelope {
  status: string;
  data: PromData | null;
  errorType: string | null;
  error: string | null;
  warnings: string[];
}

function parseEnvelope(body: string): Envelope | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isRecord(json) || typeof json.status !== 'string') return null;
  const data =
    isRecord(json.data) && typeof json.data.resultType === 'string'
      ? { resultType: json.data.resultType, result: json.data.result }
      : null;
  const warnings = [
    ...stringsOf(json.warnings),
    // Prometheus 3 "infos" are hints such as "metric might not be a counter".
    ...stringsOf(json.infos).map((info) => `info: ${info}`),
  ];
  return {
    status: json.status,
    data,
    errorType: typeof json.errorType === 'string' ? json.errorType : null,
    error: typeof json.error === 'string' ? json.error : null,
    warnings,
  };
}

/**
 * Prometheus encodes sample values as Go float strings. `Number("+Inf")` is NaN in JS, so the
 * special values are mapped explicitly.
 */
export function parsePrometheusValue(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isNaN(value) ? null : value;
}

function parsePair(pair: unknown): Sample | null {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number') return null;
  const value = parsePrometheusValue(pair[1]);
  if (value === null) return null;
  return { at: new Date(Math.round(pair[0] * 1000)), value };
}

/** Unix seconds with millisecond precision, as the Prometheus API documents it. */
function unixSeconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

function noDataMessage(shown: string, at: Date | null, range?: { start: Date; end: Date }): string {
  const when = at
    ? ` at ${at.toISOString()}`
    : range
      ? ` between ${range.start.toISOString()} and ${range.end.toISOString()}`
      : '';
  return `no data: query returned an empty result (query: ${shown})${when}: check the metric name and the label selectors; the service may also have had no traffic in the window`;
}

function multipleSeriesMessage(series: unknown[], shown: string): string {
  const listed = listSeries(
    series,
    (entry) => formatLabels(isRecord(entry) && isRecord(entry.metric) ? entry.metric : {}),
    ', ',
  );
  return `query returned ${series.length} series but exactly one is needed (query: ${shown}): aggregate them, e.g. wrap the query in sum(...) or max(...). Series: ${listed}`;
}

function formatLabels(metric: Record<string, unknown>): string {
  const name = typeof metric.__name__ === 'string' ? metric.__name__ : '';
  const pairs = Object.entries(metric)
    .filter(([key]) => key !== '__name__')
    .map(([key, value]) => `${key}=${JSON.stringify(String(value))}`);
  return `${name}{${pairs.join(', ')}}`;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
