import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatadogProviderConfig, Reduction } from '../../src/config/types.js';
import type { InstantResult, RangeResult } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';
import type { FakeDatadog } from '../fakes/datadog.js';
import { ddReplies, ddSeries, startFakeDatadog } from '../fakes/datadog.js';
import { freePort } from '../support/prometheus.js';

const API_KEY = 'ddapi-0f3c9a7e2b51d4c8';
const APP_KEY = 'ddapp-7b2e91c4d05a3f66';
const QUERY = 'sum:trace.http.request.errors{service:api,env:prod}.as_count()';
/** Evaluation instant: 2026-01-01T00:00:00.500Z (the half second must be dropped from `to`). */
const AT = new Date(1_767_225_600_500);
const T = 1_767_225_600;

function ddConfig(url: string, overrides: Partial<DatadogProviderConfig> = {}): DatadogProviderConfig {
  return {
    type: 'datadog',
    name: 'dd',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    apiKey: API_KEY,
    appKey: APP_KEY,
    site: 'datadoghq.com',
    lookbackSeconds: 300,
    reduce: 'last',
    ...overrides,
  };
}

function expectFailure(result: InstantResult | RangeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  expect(result.message).not.toContain(API_KEY);
  expect(result.message).not.toContain(APP_KEY);
  return result;
}

function expectInstant(result: InstantResult) {
  if (!result.ok) throw new Error(`expected a value, got ${result.failure}: ${result.message}`);
  return result;
}

/** Points every minute of the lookback, with nulls: non-null values 1, 4, 2 (last non-null at T-60). */
const POINTS_WITH_NULLS: Array<[number, number | null]> = [
  [(T - 240) * 1000, 1],
  [(T - 180) * 1000, null],
  [(T - 120) * 1000, 4],
  [(T - 60) * 1000, 2],
  [T * 1000, null],
];

describe('Datadog provider against a fake Datadog API', () => {
  let dd: FakeDatadog;

  beforeAll(async () => {
    dd = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  });

  afterAll(async () => {
    await dd?.close();
  });

  beforeEach(() => {
    dd.reset();
  });

  it('describes itself', () => {
    const provider = createProvider(ddConfig(dd.url));
    expect(provider.type).toBe('datadog');
    expect(provider.name).toBe('dd');
    expect(provider.host).toBe('127.0.0.1');
  });

  it('sends GET /api/v1/query with from/to in seconds, the query and both keys', async () => {
    dd.respond(QUERY, ddReplies.ok([ddSeries({ pointlist: [[T * 1000, 7]] })]));
    const result = expectInstant(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(result.value).toBe(7);
    expect(result.at.getTime()).toBe(T * 1000);
    expect(dd.requests).toHaveLength(1);
    const [request] = dd.requests;
    expect(request!.method).toBe('GET');
    expect(request!.path).toBe('/api/v1/query');
    expect(request!.query).toEqual({ from: String(T - 300), to: String(T), query: QUERY });
    expect(request!.headers['dd-api-key']).toBe(API_KEY);
    expect(request!.headers['dd-application-key']).toBe(APP_KEY);
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('smartspec-production-monitor');
  });

  it('uses per-query lookback and reduction overrides', async () => {
    dd.respond(
      QUERY,
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [(T - 500) * 1000, 100],
            [(T - 60) * 1000, 1],
          ],
        }),
      ]),
    );
    const provider = createProvider(ddConfig(dd.url));
    // The point at T-500 lies outside the default 300 s lookback: the fake drops it like Datadog.
    expect(expectInstant(await provider.queryInstant(QUERY, AT, { reduce: 'max' })).value).toBe(1);
    expect(
      expectInstant(await provider.queryInstant(QUERY, AT, { reduce: 'max', lookbackSeconds: 600 })).value,
    ).toBe(100);
    expect(dd.requests[1]!.query.from).toBe(String(T - 600));
  });

  const reductions: Array<[Reduction, number, number]> = [
    ['last', 2, T - 60],
    ['avg', 7 / 3, T - 60],
    ['min', 1, T - 60],
    ['max', 4, T - 60],
  ];
  for (const [reduce, expected, atSeconds] of reductions) {
    it(`skips null points and reduces with ${reduce}`, async () => {
      dd.respond(QUERY, ddReplies.ok([ddSeries({ pointlist: POINTS_WITH_NULLS })]));
      const result = expectInstant(
        await createProvider(ddConfig(dd.url, { reduce })).queryInstant(QUERY, AT),
      );
      expect(result.value).toBeCloseTo(expected, 12);
      expect(result.at.getTime()).toBe(atSeconds * 1000);
    });
  }

  it('reports no series as no_data', async () => {
    dd.respond(QUERY, ddReplies.empty());
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('no_data');
    expect(failure.message).toContain('no data');
    expect(failure.message).toContain(QUERY);
    expect(failure.message).toContain('the last 300 s');
  });

  it('reports a series whose points are all null as no_data', async () => {
    dd.respond(
      QUERY,
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [(T - 60) * 1000, null],
            [T * 1000, null],
          ],
        }),
      ]),
    );
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('no_data');
    expect(failure.message).toContain('every point');
  });

  it('reports several series as multiple_series with advice', async () => {
    dd.respond(
      '*',
      ddReplies.ok([
        ddSeries({ scope: 'service:api,host:a', pointlist: [[T * 1000, 1]] }),
        ddSeries({ scope: 'service:api,host:b', pointlist: [[T * 1000, 2]] }),
      ]),
    );
    const failure = expectFailure(
      await createProvider(ddConfig(dd.url)).queryInstant('avg:latency{service:api} by {host}', AT),
    );
    expect(failure.failure).toBe('multiple_series');
    expect(failure.message).toContain('2 series');
    expect(failure.message).toContain('sum:');
    expect(failure.message).toContain('by {…}');
    expect(failure.message).toContain('service:api,host:a');
  });

  it('passes the response message on as a warning', async () => {
    dd.respond(QUERY, ddReplies.ok([ddSeries({ pointlist: [[T * 1000, 3]] })], 'rollup interval raised'));
    const result = expectInstant(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(result.warnings).toEqual(['rollup interval raised']);
  });

  it('reports status "error" as query_error', async () => {
    dd.respond(QUERY, ddReplies.queryError('Error parsing query: unknown function foo'));
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('query_error');
    expect(failure.message).toContain('Error parsing query: unknown function foo');
  });

  it('reports a 400 as query_error with the errors[] text', async () => {
    dd.respond(QUERY, ddReplies.badRequest('Queries ending outside the retention date are invalid'));
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('query_error');
    expect(failure.message).toContain('Queries ending outside the retention date are invalid');
    expect(dd.requests).toHaveLength(1);
  });

  it('reports a 401 as auth about the API key, without key values', async () => {
    dd.respond(QUERY, ddReplies.unauthorized());
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('auth');
    expect(failure.message).toContain('Datadog rejected the API key (DD-API-KEY');
    expect(failure.message).toContain('check api_key');
    expect(dd.requests).toHaveLength(1);
  });

  it('reports a 403 for a wrong application key as auth about the app key, without key values', async () => {
    const failure = expectFailure(
      await createProvider(ddConfig(dd.url, { appKey: 'ddapp-wrong-55aa66bb' })).queryInstant(QUERY, AT),
    );
    expect(failure.failure).toBe('auth');
    expect(failure.message).toContain('DD-APPLICATION-KEY');
    expect(failure.message).toContain('timeseries_query');
    expect(failure.message).toContain('check app_key');
    expect(failure.message).toContain('Forbidden');
    expect(failure.message).not.toContain('ddapp-wrong-55aa66bb');
  });

  it('says so when no application key is configured', async () => {
    const failure = expectFailure(
      await createProvider(ddConfig(dd.url, { appKey: null })).queryInstant(QUERY, AT),
    );
    expect(failure.failure).toBe('auth');
    expect(failure.message).toContain('no application key is configured');
    expect(dd.requests[0]!.headers['dd-application-key']).toBeUndefined();
  });

  it('redacts keys that an error body echoes back', async () => {
    dd.respond(QUERY, ddReplies.errors(403, [`key ${APP_KEY} lacks permission`]));
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.message).toContain('key [redacted] lacks permission');
  });

  it('waits for X-RateLimit-Reset after a 429, then succeeds', async () => {
    dd.respond(
      QUERY,
      ddReplies.rateLimited({ resetSeconds: 1, limit: 10, periodSeconds: 10 }),
      ddReplies.ok([ddSeries({ pointlist: [[T * 1000, 5]] })]),
    );
    const result = expectInstant(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(result.value).toBe(5);
    expect(dd.requests).toHaveLength(2);
    // Honours the header: the retry came no earlier than the reset (1 s, minus clock granularity).
    expect(dd.requests[1]!.receivedAt - dd.requests[0]!.receivedAt).toBeGreaterThanOrEqual(990);
  });

  it('reports a persistent 429 as rate_limited with the limit, after bounded retries', async () => {
    dd.respond(QUERY, ddReplies.rateLimited({ resetSeconds: 0.2, limit: 10, periodSeconds: 10 }));
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('rate_limited');
    expect(failure.message).toContain('HTTP 429');
    expect(failure.message).toContain('limit 10 requests per 10 s');
    expect(failure.message).toContain('gave up after 3 attempts');
    expect(dd.requests).toHaveLength(3);
  });

  it('does not wait for a reset beyond the timeout budget', async () => {
    dd.respond(QUERY, ddReplies.rateLimited({ resetSeconds: 30 }));
    const config = ddConfig(dd.url);
    config.http.timeoutMs = 2_000;
    const failure = expectFailure(await createProvider(config).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('rate_limited');
    expect(failure.message).toContain('not retried');
    expect(failure.message).toContain('2000 ms timeout');
    expect(dd.requests).toHaveLength(1);
  });

  it('holds the next query while X-RateLimit-Remaining is 0', async () => {
    const okBody = (value: number) => ({
      status: 'ok',
      series: [ddSeries({ pointlist: [[T * 1000, value]] })],
    });
    dd.respond(
      QUERY,
      {
        kind: 'http',
        status: 200,
        body: okBody(1),
        headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1' },
      },
      {
        kind: 'http',
        status: 200,
        body: okBody(2),
        headers: { 'X-RateLimit-Remaining': '9', 'X-RateLimit-Reset': '5' },
      },
    );
    const provider = createProvider(ddConfig(dd.url));
    expect(expectInstant(await provider.queryInstant(QUERY, AT)).value).toBe(1);
    expect(expectInstant(await provider.queryInstant(QUERY, AT)).value).toBe(2);
    expect(dd.requests[1]!.receivedAt - dd.requests[0]!.receivedAt).toBeGreaterThanOrEqual(990);
  });

  it('does not send while the rate limit is used up beyond the budget', async () => {
    dd.respond(QUERY, {
      kind: 'http',
      status: 200,
      body: { status: 'ok', series: [ddSeries({ pointlist: [[T * 1000, 1]] })] },
      headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '60' },
    });
    const config = ddConfig(dd.url);
    config.http.timeoutMs = 1_000;
    const provider = createProvider(config);
    expectInstant(await provider.queryInstant(QUERY, AT));
    const failure = expectFailure(await provider.queryInstant(QUERY, AT));
    expect(failure.failure).toBe('rate_limited');
    expect(failure.message).toContain('not sent');
    expect(dd.requests).toHaveLength(1);
  });

  it('retries a 500, then succeeds', async () => {
    dd.respond(QUERY, ddReplies.serverError(), ddReplies.ok([ddSeries({ pointlist: [[T * 1000, 9]] })]));
    expect(expectInstant(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT)).value).toBe(9);
    expect(dd.requests).toHaveLength(2);
  });

  it('reports a persistent 5xx as unreachable after 3 attempts', async () => {
    dd.respond(QUERY, ddReplies.html(503, 'Service Unavailable'));
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('unreachable');
    expect(failure.message).toContain('HTTP 503');
    expect(failure.message).toContain('gave up after 3 attempts');
    expect(failure.message).toContain('Service Unavailable');
    expect(dd.requests).toHaveLength(3);
  });

  it('reports a non-JSON 200 as bad_response', async () => {
    dd.respond(QUERY, { kind: 'http', status: 200, body: 'hello' });
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('bad_response');
    expect(failure.message).toContain('did not answer with JSON');
  });

  it('reports no answer within the timeout as timeout', async () => {
    dd.respond(QUERY, ddReplies.delay(5_000));
    const config = ddConfig(dd.url);
    config.http.timeoutMs = 300;
    const failure = expectFailure(await createProvider(config).queryInstant(QUERY, AT));
    expect(failure.failure).toBe('timeout');
    expect(failure.message).toContain('timeout of 300 ms');
    expect(dd.requests).toHaveLength(1);
  });

  it('reports a closed port as unreachable, naming host:port', async () => {
    const port = await freePort();
    const failure = expectFailure(
      await createProvider(ddConfig(`http://127.0.0.1:${port}`)).queryInstant(QUERY, AT),
    );
    expect(failure.failure).toBe('unreachable');
    expect(failure.message).toContain(`127.0.0.1:${port}`);
  });

  it('returns every non-null point of a range in time order', async () => {
    const start = new Date((T - 3600) * 1000);
    dd.respond(
      QUERY,
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [(T - 3600) * 1000, 1],
            [(T - 1800) * 1000, null],
            [(T - 600) * 1000, 3],
            [T * 1000, 4],
          ],
        }),
      ]),
    );
    const result = await createProvider(ddConfig(dd.url)).queryRange(QUERY, start, AT, 60);
    if (!result.ok) throw new Error(result.message);
    expect(result.samples.map((sample) => [sample.at.getTime() / 1000, sample.value])).toEqual([
      [T - 3600, 1],
      [T - 600, 3],
      [T, 4],
    ]);
    expect(dd.requests[0]!.query).toMatchObject({ from: String(T - 3600), to: String(T) });
  });

  it('reports range queries with several series', async () => {
    dd.respond(
      QUERY,
      ddReplies.ok([
        ddSeries({ scope: 'host:a', pointlist: [[T * 1000, 1]] }),
        ddSeries({ scope: 'host:b', pointlist: [[T * 1000, 1]] }),
      ]),
    );
    const start = new Date((T - 3600) * 1000);
    const failure = expectFailure(await createProvider(ddConfig(dd.url)).queryRange(QUERY, start, AT, 60));
    expect(failure.failure).toBe('multiple_series');
  });
});
