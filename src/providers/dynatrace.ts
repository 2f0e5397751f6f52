import { HttpHeaders } from '../common/http-headers.js';
import type { DynatraceProviderConfig } from '../config/types-saas.js';
import { reducePoints } from './datadog.js';
import type { Failure } from './failures.js';
import { fail, listSeries, quoteQuery, transportFailure } from './failures.js';
import type { HttpDeps } from './http.js';
import { HttpClient } from './http.js';
import { isRecord, parseJson } from './json.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

const QUERY_PATH = '/api/v2/metrics/query';

/** Dynatrace metrics API v2: `GET /api/v2/metrics/query` with `Authorization: Api-Token <token>`. */
export function createDynatraceProvider(config: DynatraceProviderConfig, deps: HttpDeps = {}): Provider {
  const headers = new HttpHeaders(config.http.headers);
  headers.set('accept', 'application/json');
  headers.set('authorization', `Api-Token ${config.apiToken}`);
  return new DynatraceProvider(config, new HttpClient(config.http, headers, [config.apiToken], deps));
}

interface DynatraceSeries {
  /** `metricId` and the dimension values, for messages. */
  label: string;
  points: Sample[];
}

type SeriesResult = { ok: true; series: DynatraceSeries[]; warnings: string[] } | Failure;

class DynatraceProvider implements Provider {
  readonly type = 'dynatrace' as const;
  readonly name: string;
  readonly host: string;

  constructor(
    private readonly config: DynatraceProviderConfig,
    private readonly client: HttpClient,
  ) {
    this.name = config.name;
    this.host = client.baseUrl.hostname;
  }

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const lookback = options.lookbackSeconds ?? this.config.lookbackSeconds;
    const to = at.getTime();
    // The finest resolution Dynatrace keeps is one minute; more than 120 points per query are not needed.
    const resolution = `${Math.max(1, Math.ceil(lookback / 60 / 120))}m`;
    const fetched = await this.fetchSeries(query, to - lookback * 1000, to, resolution, options.signal);
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
    const resolution = `${Math.max(1, Math.round(stepSeconds / 60))}m`;
    const fetched = await this.fetchSeries(query, start.getTime(), end.getTime(), resolution, options.signal);
    if (!fetched.ok) return fetched;
    const window = `${start.toISOString()} – ${end.toISOString()}`;
    const single = this.single(fetched.series, query, window, fetched.warnings);
    if (!single.ok) return single;
    if (single.points.length === 0) return fail('no_data', nullMessage(query, window), fetched.warnings);
    return { ok: true, samples: single.points, warnings: fetched.warnings };
  }

  private single(
    series: DynatraceSeries[],
    query: string,
    window: string,
    warnings: string[],
  ): { ok: true; points: Sample[] } | Failure {
    const shown = quoteQuery(query);
    if (series.length === 0) {
      return fail(
        'no_data',
        `no data: Dynatrace returned no series for ${window} (metricSelector: ${shown}): check the metric key and the :filter(); the entity may also have had no traffic`,
        warnings,
      );
    }
    if (series.length > 1) {
      return fail(
        'multiple_series',
        `Dynatrace returned ${series.length} series but exactly one is needed (metricSelector: ${shown}): aggregate them with :splitBy() or :filter() to one entity. Series: ${listSeries(series, (entry) => entry.label, '; ')}`,
        warnings,
      );
    }
    return { ok: true, points: series[0]!.points };
  }

  private async fetchSeries(
    query: string,
    fromMs: number,
    toMs: number,
    resolution: string,
    signal: AbortSignal | undefined,
  ): Promise<SeriesResult> {
    const params = { metricSelector: query, from: String(fromMs), to: String(toMs), resolution };
    const outcome = await this.client.request({ method: 'GET', path: QUERY_PATH, params, signal });
    if (outcome.kind !== 'response') return transportFailure(outcome, this.client, 'Dynatrace');
    const { response, retryNote } = outcome;
    const shown = quoteQuery(query);
    const json = parseJson(response.body);
    const error = errorText(json);
    const detail = error ? this.client.redact(error) : this.client.snippet(response);
    const said = detail ? ` (Dynatrace said: ${detail})` : '';
    const retried = retryNote ? ` (${retryNote})` : '';
    const status = response.status;

    if (status === 401) {
      return fail(
        'auth',
        `Dynatrace rejected the API token (Authorization: Api-Token, HTTP 401): check api_token / its env var, and that the token has not expired${said}`,
      );
    }
    if (status === 403) {
      return fail(
        'auth',
        `Dynatrace refused the API token (HTTP 403): give the token the metrics.read scope${said}`,
      );
    }
    if (status === 400) {
      return fail(
        'query_error',
        `Dynatrace rejected the metric selector (HTTP 400)${said} (metricSelector: ${shown})`,
      );
    }
    if (status === 404) {
      return fail(
        'bad_response',
        `HTTP 404 for ${this.client.describe(QUERY_PATH)}: check the provider's url is the environment URL (https://<id>.live.dynatrace.com, or https://<host>/e/<environment id> for Managed)${said}`,
      );
    }
    if (status === 429) {
      return fail('rate_limited', `Dynatrace is throttling API requests (HTTP 429)${retried}${said}`);
    }
    if (status >= 500) {
      return fail(
        'unreachable',
        `Dynatrace at ${this.client.hostPort} failed with HTTP ${status}${retried}: try again later${said}`,
      );
    }
    if (status < 200 || status >= 300) {
      return fail(
        'bad_response',
        `unexpected HTTP ${status} from ${this.client.describe(QUERY_PATH)}${said}`,
      );
    }
    if (!isRecord(json) || !Array.isArray(json.result)) {
      return fail(
        'bad_response',
        `Dynatrace at ${this.client.hostPort} did not answer with a metric data object (content-type "${response.contentType || 'none'}"): check the provider's url${said}`,
      );
    }
    const warnings: string[] = [];
    const series: DynatraceSeries[] = [];
    for (const collection of json.result as unknown[]) {
      if (!isRecord(collection) || !Array.isArray(collection.data)) {
        return fail('bad_response', `Dynatrace at ${this.client.hostPort} sent a result without a data list`);
      }
      if (Array.isArray(collection.warnings)) {
        for (const text of collection.warnings)
          if (typeof text === 'string') warnings.push(this.client.redact(text));
      }
      const metricId = typeof collection.metricId === 'string' ? collection.metricId : '?';
      for (const entry of collection.data as unknown[]) {
        const parsed = parseSeries(entry, metricId);
        if (!parsed) {
          return fail(
            'bad_response',
            `Dynatrace at ${this.client.hostPort} sent a series whose timestamps and values do not pair up`,
            warnings,
          );
        }
        series.push(parsed);
      }
    }
    if (typeof json.nextPageKey === 'string' && json.nextPageKey !== '' && series.length === 1) {
      // More pages mean more series, which is never one.
      series.push({ label: 'more on the next page', points: [] });
    }
    return { ok: true, series, warnings };
  }
}

/** `timestamps` (ms) pair with `values` index by index; nulls are gaps. */
function parseSeries(entry: unknown, metricId: string): DynatraceSeries | null {
  if (!isRecord(entry) || !Array.isArray(entry.timestamps) || !Array.isArray(entry.values)) return null;
  if (entry.timestamps.length !== entry.values.length) return null;
  const points: Sample[] = [];
  for (let i = 0; i < entry.timestamps.length; i++) {
    const at: unknown = entry.timestamps[i];
    const value: unknown = entry.values[i];
    if (typeof at !== 'number') return null;
    if (value === null) continue;
    if (typeof value !== 'number') return null;
    points.push({ at: new Date(at), value });
  }
  points.sort((a, b) => a.at.getTime() - b.at.getTime());
  const dimensions = Array.isArray(entry.dimensions) ? entry.dimensions.join(',') : '';
  return { label: dimensions ? `${metricId} {${dimensions}}` : metricId, points };
}

/** `{"error": {"code", "message", "constraintViolations": [{"path", "message"}]}}` */
function errorText(json: unknown): string | null {
  if (!isRecord(json) || !isRecord(json.error)) return null;
  const { message, constraintViolations } = json.error;
  const parts = typeof message === 'string' ? [message] : [];
  if (Array.isArray(constraintViolations)) {
    for (const violation of constraintViolations) {
      if (isRecord(violation) && typeof violation.message === 'string') {
        parts.push(
          typeof violation.path === 'string' ? `${violation.path}: ${violation.message}` : violation.message,
        );
      }
    }
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

function nullMessage(query: string, window: string): string {
  return `no data: Dynatrace returned a series but every value in ${window} was null (metricSelector: ${quoteQuery(query)}): the metric may not be reported in that window; widen the lookback or check the entity's traffic`;
}
