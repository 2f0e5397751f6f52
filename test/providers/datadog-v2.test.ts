import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatadogProviderConfig } from '../../src/config/types.js';
import { parseDatadogV2Query } from '../../src/providers/datadog-v2.js';
import { createProvider } from '../../src/providers/index.js';
import type { FakeDatadog } from '../fakes/datadog.js';
import { ddReplies, ddSeries, startFakeDatadog } from '../fakes/datadog.js';

const API_KEY = 'ddapi-5e1c0b9a7d3f4e21';
const APP_KEY = 'ddapp-2c8f6a1d9b0e7354';
const T = 1_767_225_600;
const AT = new Date(T * 1000 + 500);
const FORMULA_QUERY = `100 * errors / hits
errors = sum:trace.http.request.errors{service:api}.as_count()
hits = sum:trace.http.request.hits{service:api}.as_count()`;

function v2Config(url: string): DatadogProviderConfig {
  return {
    type: 'datadog',
    name: 'dd2',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    apiKey: API_KEY,
    appKey: APP_KEY,
    site: 'datadoghq.eu',
    api: 'v2',
    lookbackSeconds: 300,
    reduce: 'last',
  };
}

describe('Datadog v2 timeseries provider against the fake Datadog API', () => {
  let dd: FakeDatadog;
  beforeAll(async () => {
    dd = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  });
  afterAll(async () => {
    await dd?.close();
  });
  beforeEach(() => dd.reset());

  it('posts a timeseries_request with named queries and the formula, from/to in ms, both keys', async () => {
    dd.respond(
      '100 * errors / hits',
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [(T - 120) * 1000, 0.5],
            [T * 1000, 0.04],
          ],
        }),
      ]),
    );
    const result = await createProvider(v2Config(dd.url)).queryInstant(FORMULA_QUERY, AT);
    expect(result).toEqual({ ok: true, value: 0.04, at: new Date(T * 1000), warnings: [] });
    const [request] = dd.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/api/v2/query/timeseries');
    expect(request!.headers['dd-api-key']).toBe(API_KEY);
    expect(request!.headers['dd-application-key']).toBe(APP_KEY);
    expect(request!.body).toEqual({
      data: {
        type: 'timeseries_request',
        attributes: {
          from: (T - 300) * 1000,
          to: T * 1000 + 1,
          queries: [
            {
              data_source: 'metrics',
              name: 'errors',
              query: 'sum:trace.http.request.errors{service:api}.as_count()',
            },
            {
              data_source: 'metrics',
              name: 'hits',
              query: 'sum:trace.http.request.hits{service:api}.as_count()',
            },
          ],
          formulas: [{ formula: '100 * errors / hits' }],
        },
      },
    });
  });

  it('sends a one-line query without formulas and backfills a range at the step interval', async () => {
    const query = 'avg:trace.http.request.duration{service:api}';
    dd.respond(
      query,
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [(T - 3600) * 1000, 0.1],
            [(T - 1800) * 1000, null],
            [T * 1000, 0.3],
          ],
        }),
      ]),
    );
    const result = await createProvider(v2Config(dd.url)).queryRange(
      query,
      new Date((T - 3600) * 1000),
      new Date(T * 1000),
      1800,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.samples.map((s) => [s.at.getTime() / 1000, s.value])).toEqual([
      [T - 3600, 0.1],
      [T, 0.3],
    ]);
    const attributes = (dd.requests[0]!.body as { data: { attributes: Record<string, unknown> } }).data
      .attributes;
    expect(attributes.interval).toBe(1_800_000);
    expect(attributes.formulas).toBeUndefined();
    expect(attributes.queries).toEqual([{ data_source: 'metrics', name: 'query1', query }]);
  });

  it('maps 403, 400, 429 and grouped answers as v1 does', async () => {
    const provider = createProvider(v2Config(dd.url));
    dd.respond('*', ddReplies.forbidden());
    const forbidden = await provider.queryInstant(FORMULA_QUERY, AT);
    expect(!forbidden.ok && forbidden.failure).toBe('auth');
    dd.respond('*', ddReplies.badRequest('Error parsing query: unknown metric aggregator'));
    const bad = await provider.queryInstant(FORMULA_QUERY, AT);
    expect(!bad.ok && bad.message).toContain('unknown metric aggregator');
    dd.respond('*', ddReplies.rateLimited({ resetSeconds: 60 }));
    const limited = await provider.queryInstant(FORMULA_QUERY, AT);
    expect(!limited.ok && limited.failure).toBe('rate_limited');
    dd.respond(
      '*',
      ddReplies.ok([
        ddSeries({ pointlist: [[T * 1000, 1]], scope: 'env:prod' }),
        ddSeries({ pointlist: [[T * 1000, 2]], scope: 'env:staging' }),
      ]),
    );
    // A fresh client: the 429 above said no request remains for 60 s, and the first one honours that.
    const grouped = await createProvider(v2Config(dd.url)).queryInstant(FORMULA_QUERY, AT);
    expect(!grouped.ok && grouped.failure).toBe('multiple_series');
    expect(!grouped.ok && grouped.message).toContain('env:staging');
  });

  it('refuses a formula over an undefined name before sending anything', async () => {
    const result = await createProvider(v2Config(dd.url)).queryInstant(
      'errors / total\nerrors = sum:a{*}',
      AT,
    );
    expect(!result.ok && result.failure).toBe('query_error');
    expect(!result.ok && result.message).toContain('total = <metric query>');
    expect(dd.requests).toHaveLength(0);
  });
});

describe('parseDatadogV2Query', () => {
  it('reads one line as one query, and a formula with named queries', () => {
    expect(parseDatadogV2Query('sum:a{*}')).toEqual({
      ok: true,
      value: { queries: [{ name: 'query1', query: 'sum:a{*}' }], formulas: [] },
    });
    expect(parseDatadogV2Query('a / b\na = sum:x{*}\nb = sum:y{*}')).toMatchObject({
      ok: true,
      value: { formulas: ['a / b'] },
    });
    expect(parseDatadogV2Query('a / b\na: sum:x{*}')).toMatchObject({ ok: false });
    expect(parseDatadogV2Query('abs(a)\na = sum:x{*}\na = sum:y{*}')).toMatchObject({
      ok: false,
      problem: 'the query name a is defined twice',
    });
  });
});
