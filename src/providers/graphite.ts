import type { GraphiteProviderConfig } from '../config/providers/graphite.js';
import { applyAuth } from './auth.js';
import type { Failure } from './failures.js';
import { fail, quoteQuery } from './failures.js';
import type { HttpDeps } from './http.js';
import { HttpProvider, jsonClient, statusFailure, statusLine } from './http-provider.js';
import { parseJson } from './json.js';
import { POST_QUERY_THRESHOLD } from './prometheus.js';
import { onlySeries } from './series.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

/** graphite-web's render API with `format=json` (also hosted Graphite). */
export function createGraphiteProvider(config: GraphiteProviderConfig, deps: HttpDeps = {}): Provider {
  return new GraphiteProvider(
    config,
    jsonClient(config.http, deps, (headers) => applyAuth(config.auth, headers)),
  );
}

interface RenderedSeries {
  target: string;
  /** `[value, unix seconds]`; a null value is a point with no data. */
  points: { at: Date; value: number | null }[];
}

type RenderResult = { ok: true; series: RenderedSeries[] } | Failure;

class GraphiteProvider extends HttpProvider<GraphiteProviderConfig> implements Provider {
  readonly type = 'graphite' as const;
  protected readonly backend = 'Graphite';

  /** The last non-null point in (at − lookback, at]: Graphite's null means "no value", never zero. */
  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const lookbackSeconds = options.lookbackSeconds ?? this.config.lookbackSeconds;
    const until = Math.floor(at.getTime() / 1000);
    const from = until - Math.max(1, Math.round(lookbackSeconds));
    const rendered = await this.render(query, from, until, options.signal);
    if (!rendered.ok) return rendered;
    const shown = quoteQuery(query);
    const window = `between ${isoOf(from)} and ${isoOf(until)} (lookback ${lookbackSeconds} s)`;
    const one = singleSeries(rendered.series, shown, window);
    if (!one.ok) return one;
    const only = one.series;
    const known = only.points.filter((point) => point.value !== null && point.at.getTime() <= at.getTime());
    const last = known[known.length - 1];
    if (!last) {
      return fail(
        'no_data',
        `no data: every point of ${only.target} ${window} is null (query: ${shown}): Graphite writes null where nothing was recorded; check that the metric is still being sent, or widen the provider's lookback`,
        [],
      );
    }
    return { ok: true, value: last.value as number, at: last.at, warnings: [] };
  }

  /** Every non-null point in [start, end] at Graphite's own resolution (summarize(...) makes it coarser). */
  async queryRange(
    query: string,
    start: Date,
    end: Date,
    _stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    const from = Math.ceil(start.getTime() / 1000) - 1;
    const until = Math.floor(end.getTime() / 1000);
    const rendered = await this.render(query, from, until, options.signal);
    if (!rendered.ok) return rendered;
    const shown = quoteQuery(query);
    const one = singleSeries(rendered.series, shown, `between ${isoOf(from + 1)} and ${isoOf(until)}`);
    if (!one.ok) return one;
    const samples: Sample[] = [];
    for (const point of one.series.points) {
      const time = point.at.getTime();
      if (point.value === null || time < start.getTime() || time > end.getTime()) continue;
      samples.push({ at: point.at, value: point.value });
    }
    return { ok: true, samples, warnings: [] };
  }

  private async render(
    query: string,
    from: number,
    until: number,
    signal: AbortSignal | undefined,
  ): Promise<RenderResult> {
    const params = { target: query, format: 'json', from: String(from), until: String(until) };
    const method = encodeURIComponent(query).length > POST_QUERY_THRESHOLD ? 'POST' : 'GET';
    const sent = await this.send({ method, path: '/render', params, signal });
    if (!sent.ok) return sent;
    const { response, retried } = sent;
    const where = this.client.describe('/render');
    const status = statusLine(response);
    const detail = this.client.snippet(response);
    const told = detail ? `: ${detail}` : '';
    const failure = statusFailure(response.status, () => ({
      unauthorized: `${status} from ${where}: check the provider's auth (hosted Graphite: basic with the instance id and an API token)${told}`,
      // graphite-web answers a target it cannot evaluate (unknown function, bad arguments) with 400 and plain text.
      badRequest: `Graphite rejected the target${detail ? ` (${detail})` : ''} (query: ${quoteQuery(query)})`,
      notFound: `${status} for ${where}: is the url graphite-web (the render API), with the right path prefix?`,
      rateLimited: `${status} from ${where}: Graphite is rate limiting queries${retried}`,
      serverError: `${status} from ${where}${retried}: graphite-web or a proxy in front of it is failing (an invalid target can also fail like this)${told}`,
      unexpected: `unexpected ${status} from ${where}${told}`,
    }));
    if (failure) return failure;
    const series = parseRender(response.body);
    if (!series) {
      return fail(
        'bad_response',
        `${status} from ${where} is not a Graphite render answer (content-type "${response.contentType || 'none'}"): does the url point at graphite-web?${detail ? ` Body: ${detail}` : ''}`,
      );
    }
    return { ok: true, series };
  }
}

/** `[{"target": ..., "datapoints": [[value|null, seconds], ...]}]`, or null when the body is not that. */
export function parseRender(body: string): RenderedSeries[] | null {
  const json = parseJson(body);
  if (!Array.isArray(json)) return null;
  const series: RenderedSeries[] = [];
  for (const entry of json) {
    if (typeof entry !== 'object' || entry === null) return null;
    const { target, datapoints } = entry as { target?: unknown; datapoints?: unknown };
    if (typeof target !== 'string' || !Array.isArray(datapoints)) return null;
    const points: RenderedSeries['points'] = [];
    for (const pair of datapoints) {
      if (!Array.isArray(pair) || typeof pair[1] !== 'number') return null;
      const value = pair[0];
      if (value !== null && typeof value !== 'number') return null;
      points.push({ at: new Date(pair[1] * 1000), value });
    }
    series.push({ target, points });
  }
  return series;
}

/** The one series a target must match. */
function singleSeries(
  series: RenderedSeries[],
  shown: string,
  window: string,
): { ok: true; series: RenderedSeries } | Failure {
  return onlySeries(series, {
    none: () =>
      `no data: the target matched no series ${window} (query: ${shown}): check the metric path and wildcards; graphite-web also answers an empty list for a target it cannot parse`,
    several: (count, listed) =>
      `the target returned ${count} series but exactly one is needed (query: ${shown}): combine them, e.g. sumSeries(...) or averageSeries(...). Series: ${listed}`,
    label: (entry) => JSON.stringify(entry.target),
    separator: ', ',
  });
}

function isoOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
