import type { DynatraceProviderConfig } from '../config/types-saas.js';
import { fail, quoteQuery } from './failures.js';
import type { HttpDeps } from './http.js';
import { jsonClient, statusFailure } from './http-provider.js';
import { isRecord, parseJson } from './json.js';
import type {
  InstantSpan,
  PointSeries,
  PointSeriesAnswer,
  PointSeriesMessages,
  RangeSpan,
} from './series.js';
import { PointSeriesProvider, pointsFrom } from './series.js';
import type { Provider } from './types.js';

const QUERY_PATH = '/api/v2/metrics/query';

/** Dynatrace metrics API v2: `GET /api/v2/metrics/query` with `Authorization: Api-Token <token>`. */
export function createDynatraceProvider(config: DynatraceProviderConfig, deps: HttpDeps = {}): Provider {
  const client = jsonClient(config.http, deps, (headers) => {
    headers.set('authorization', `Api-Token ${config.apiToken}`);
    return [config.apiToken];
  });
  return new DynatraceProvider(config, client);
}

const MESSAGES: PointSeriesMessages = {
  noSeries: (window, shown) =>
    `no data: Dynatrace returned no series for ${window} (metricSelector: ${shown}): check the metric key and the :filter(); the entity may also have had no traffic`,
  severalSeries: (count, listed, shown) =>
    `Dynatrace returned ${count} series but exactly one is needed (metricSelector: ${shown}): aggregate them with :splitBy() or :filter() to one entity. Series: ${listed}`,
  allNull: (window, shown) =>
    `no data: Dynatrace returned a series but every value in ${window} was null (metricSelector: ${shown}): the metric may not be reported in that window; widen the lookback or check the entity's traffic`,
};

class DynatraceProvider extends PointSeriesProvider<DynatraceProviderConfig> implements Provider {
  readonly type = 'dynatrace' as const;
  protected readonly backend = 'Dynatrace';
  protected readonly messages = MESSAGES;

  protected fetchInstant(query: string, { at, lookbackSeconds }: InstantSpan, signal?: AbortSignal) {
    const to = at.getTime();
    // The finest resolution Dynatrace keeps is one minute; more than 120 points per query are not needed.
    const resolution = `${Math.max(1, Math.ceil(lookbackSeconds / 60 / 120))}m`;
    return this.fetchSeries(query, to - lookbackSeconds * 1000, to, resolution, signal);
  }

  protected fetchRange(query: string, { start, end, stepSeconds }: RangeSpan, signal?: AbortSignal) {
    const resolution = `${Math.max(1, Math.round(stepSeconds / 60))}m`;
    return this.fetchSeries(query, start.getTime(), end.getTime(), resolution, signal);
  }

  private async fetchSeries(
    query: string,
    fromMs: number,
    toMs: number,
    resolution: string,
    signal: AbortSignal | undefined,
  ): Promise<PointSeriesAnswer> {
    const params = { metricSelector: query, from: String(fromMs), to: String(toMs), resolution };
    const sent = await this.send({ method: 'GET', path: QUERY_PATH, params, signal });
    if (!sent.ok) return sent;
    const { response, retried } = sent;
    const json = parseJson(response.body);
    const error = errorText(json);
    const detail = error ? this.client.redact(error) : this.client.snippet(response);
    const said = detail ? ` (Dynatrace said: ${detail})` : '';
    const failure = statusFailure(response.status, () => ({
      unauthorized: `Dynatrace rejected the API token (Authorization: Api-Token, HTTP 401): check api_token / its env var, and that the token has not expired${said}`,
      forbidden: `Dynatrace refused the API token (HTTP 403): give the token the metrics.read scope${said}`,
      badRequest: `Dynatrace rejected the metric selector (HTTP 400)${said} (metricSelector: ${quoteQuery(query)})`,
      notFound: `HTTP 404 for ${this.client.describe(QUERY_PATH)}: check the provider's url is the environment URL (https://<id>.live.dynatrace.com, or https://<host>/e/<environment id> for Managed)${said}`,
      rateLimited: `Dynatrace is throttling API requests (HTTP 429)${retried}${said}`,
      serverError: `Dynatrace at ${this.client.hostPort} failed with HTTP ${response.status}${retried}: try again later${said}`,
      unexpected: `unexpected HTTP ${response.status} from ${this.client.describe(QUERY_PATH)}${said}`,
    }));
    if (failure) return failure;
    if (!isRecord(json) || !Array.isArray(json.result)) {
      return fail(
        'bad_response',
        `Dynatrace at ${this.client.hostPort} did not answer with a metric data object (content-type "${response.contentType || 'none'}"): check the provider's url${said}`,
      );
    }
    const warnings: string[] = [];
    const series: PointSeries[] = [];
    for (const collection of json.result as unknown[]) {
      if (!isRecord(collection) || !Array.isArray(collection.data)) {
        return this.malformed('a result without a data list');
      }
      if (Array.isArray(collection.warnings)) {
        for (const text of collection.warnings)
          if (typeof text === 'string') warnings.push(this.client.redact(text));
      }
      const metricId = typeof collection.metricId === 'string' ? collection.metricId : '?';
      for (const entry of collection.data as unknown[]) {
        const parsed = parseSeries(entry, metricId);
        if (!parsed) return this.malformed('a series whose timestamps and values do not pair up', warnings);
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
function parseSeries(entry: unknown, metricId: string): PointSeries | null {
  if (!isRecord(entry) || !Array.isArray(entry.timestamps) || !Array.isArray(entry.values)) return null;
  if (entry.timestamps.length !== entry.values.length) return null;
  const points = pointsFrom(entry.timestamps, entry.values);
  if (!points.ok) return null;
  const dimensions = Array.isArray(entry.dimensions) ? entry.dimensions.join(',') : '';
  return { label: dimensions ? `${metricId} {${dimensions}}` : metricId, points: points.points };
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
