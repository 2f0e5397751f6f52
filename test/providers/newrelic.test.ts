import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NewRelicProviderConfig } from '../../src/config/types-saas.js';
import type { InstantResult, RangeResult } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';
import type { FakeNewRelic } from '../fakes/newrelic.js';
import { nrReplies, startFakeNewRelic } from '../fakes/newrelic.js';

const API_KEY = 'NRAK-7Q2XK9C4M1B8V5N3T6R0W1Y2Z3A';
const ACCOUNT = 3_141_592;
const NRQL = "SELECT percentile(duration, 99) FROM Transaction WHERE appName = 'checkout'";
/** 2026-01-01T00:00:00Z */
const T = 1_767_225_600_000;
const AT = new Date(T);

function nrConfig(url: string, overrides: Partial<NewRelicProviderConfig> = {}): NewRelicProviderConfig {
  return {
    type: 'newrelic',
    name: 'nr',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    apiKey: API_KEY,
    accountId: ACCOUNT,
    region: 'us',
    lookbackSeconds: 300,
    ...overrides,
  };
}

function failureOf(result: InstantResult | RangeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  expect(result.message).not.toContain(API_KEY);
  return result;
}

describe('New Relic provider against a fake NerdGraph', () => {
  let nr: FakeNewRelic;
  beforeAll(async () => {
    nr = await startFakeNewRelic({ apiKey: API_KEY, accountId: ACCOUNT });
  });
  afterAll(async () => {
    await nr?.close();
  });
  beforeEach(() => nr.reset());

  it('posts the NRQL as a GraphQL variable with SINCE/UNTIL in epoch ms and reads a percentile', async () => {
    // Points at T-400 s (outside the 5 min lookback), T-200 s and T-30 s; `latest` in the window: 0.35.
    nr.respond(
      NRQL,
      nrReplies.points(
        'percentile.duration',
        [
          [T - 400_000, 9],
          [T - 200_000, 0.12],
          [T - 30_000, 0.35],
        ],
        { aggregate: 'latest', nested: '99' },
      ),
    );
    const result = await createProvider(nrConfig(nr.url)).queryInstant(NRQL, AT);
    expect(result).toEqual({ ok: true, value: 0.35, at: AT, warnings: [] });
    const [request] = nr.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/graphql');
    expect(request!.headers['api-key']).toBe(API_KEY);
    expect(request!.headers['content-type']).toBe('application/json');
    const body = request!.body as { query: string; variables: Record<string, unknown> };
    expect(body.variables).toEqual({
      accountId: ACCOUNT,
      nrql: `${NRQL} SINCE ${T - 300_000} UNTIL ${T}`,
      timeout: 5,
    });
    expect(body.query).not.toContain('checkout');
  });

  it('backfills a range with TIMESERIES buckets of the step, stamped at each bucket start', async () => {
    nr.respond(
      NRQL,
      nrReplies.points('average.duration', [
        [T - 3_500_000, 1],
        [T - 3_400_000, 3],
        [T - 100_000, 5],
      ]),
    );
    const result = await createProvider(nrConfig(nr.url)).queryRange(NRQL, new Date(T - 3_600_000), AT, 1800);
    if (!result.ok) throw new Error(result.message);
    expect(result.samples.map((s) => [s.at.getTime(), s.value])).toEqual([
      [T - 3_600_000, 2],
      [T - 1_800_000, 5],
    ]);
    const nrql = (nr.requests[0]!.body as { variables: { nrql: string } }).variables.nrql;
    expect(nrql).toBe(`${NRQL} SINCE ${T - 3_600_000} UNTIL ${T} TIMESERIES 30 minutes`);
  });

  it('keeps a week-long range within NRQL’s 366 buckets', async () => {
    nr.respond('*', nrReplies.points('count', [[T - 1000, 1]], { aggregate: 'count' }));
    const week = 7 * 86_400_000;
    const result = await createProvider(nrConfig(nr.url)).queryRange(NRQL, new Date(T - week), AT, 60);
    expect(result.ok).toBe(true);
    const nrql = (nr.requests[0]!.body as { variables: { nrql: string } }).variables.nrql;
    expect(nrql).toMatch(/TIMESERIES 1653 seconds$/);
  });

  it('maps an NRQL syntax error in the GraphQL errors array (HTTP 200) to query_error', async () => {
    nr.respond(NRQL, nrReplies.syntaxError('Unknown function percentle'));
    const failure = failureOf(await createProvider(nrConfig(nr.url)).queryInstant(NRQL, AT));
    expect(failure.failure).toBe('query_error');
    expect(failure.message).toContain('NRQL Syntax Error: Unknown function percentle');
    expect(failure.message).toContain(NRQL);
  });

  it('maps a wrong key to auth without echoing it, and a missing one (HTTP 401) too', async () => {
    const wrong = 'NRAK-WRONGWRONGWRONGWRONGWRONG00';
    const failure = await createProvider(nrConfig(nr.url, { apiKey: wrong })).queryInstant(NRQL, AT);
    if (failure.ok) throw new Error('expected a failure');
    expect(failure.failure).toBe('auth');
    expect(failure.message).toContain('api_key');
    expect(failure.message).not.toContain(wrong);
  });

  it('maps an account the key cannot read to auth naming the account', async () => {
    const failure = failureOf(
      await createProvider(nrConfig(nr.url, { accountId: 42 })).queryInstant(NRQL, AT),
    );
    expect(failure.failure).toBe('auth');
    expect(failure.message).toContain('account 42');
  });

  it('maps NRQL timeouts, TOO_MANY_REQUESTS and HTTP 429 / 503', async () => {
    const provider = createProvider(nrConfig(nr.url));
    nr.respond(NRQL, nrReplies.nrqlTimeout());
    expect(failureOf(await provider.queryInstant(NRQL, AT)).failure).toBe('timeout');
    nr.respond(NRQL, nrReplies.tooManyRequests());
    expect(failureOf(await provider.queryInstant(NRQL, AT)).failure).toBe('rate_limited');
    nr.reset();
    nr.respond(
      NRQL,
      nrReplies.http(429, { errors: [{ message: 'Too Many Requests' }] }, { 'Retry-After': '30' }),
    );
    const limited = failureOf(await provider.queryInstant(NRQL, AT));
    expect(limited.failure).toBe('rate_limited');
    expect(limited.message).toContain('not retried: waiting 30 s would exceed the 5000 ms timeout');
    expect(nr.requests).toHaveLength(1);
    nr.respond(NRQL, nrReplies.http(503, 'Service Unavailable'));
    expect(failureOf(await provider.queryInstant(NRQL, AT)).failure).toBe('unreachable');
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    nr.respond(
      NRQL,
      nrReplies.http(429, { errors: [{ message: 'Too Many Requests' }] }, { 'Retry-After': '0.2' }),
      nrReplies.points('p', [[T - 1000, 4]]),
    );
    const result = await createProvider(nrConfig(nr.url)).queryInstant(NRQL, AT);
    expect(result.ok && result.value).toBe(4);
    expect(nr.requests).toHaveLength(2);
    expect(nr.requests[1]!.receivedAt - nr.requests[0]!.receivedAt).toBeGreaterThanOrEqual(190);
  });

  it('reports a FACET answer as multiple_series and a null aggregate as no_data', async () => {
    nr.respond(NRQL, nrReplies.faceted('average.duration', { a: [[T - 1000, 1]], b: [[T - 1000, 2]] }));
    const provider = createProvider(nrConfig(nr.url));
    expect(failureOf(await provider.queryInstant(NRQL, AT)).failure).toBe('multiple_series');
    nr.respond(NRQL, nrReplies.points('average.duration', []));
    expect(failureOf(await provider.queryInstant(NRQL, AT)).failure).toBe('no_data');
  });

  it('refuses a query with its own SINCE before sending it, and several numbers after', async () => {
    const provider = createProvider(nrConfig(nr.url));
    const own = failureOf(await provider.queryInstant(`${NRQL} SINCE 1 hour ago`, AT));
    expect(own.failure).toBe('query_error');
    expect(own.message).toContain('SINCE');
    expect(nr.requests).toHaveLength(0);
    nr.respond('*', nrReplies.results([{ count: 3, 'average.duration': 0.2 }]));
    const two = failureOf(
      await provider.queryInstant('SELECT count(*), average(duration) FROM Transaction', AT),
    );
    expect(two.failure).toBe('query_error');
    expect(two.message).toContain('count, average.duration');
  });

  it('times out a slow answer within the configured timeout', async () => {
    nr.respond(NRQL, nrReplies.delay(5_000));
    const provider = createProvider(nrConfig(nr.url, { http: { ...nrConfig(nr.url).http, timeoutMs: 300 } }));
    const failure = failureOf(await provider.queryInstant(NRQL, AT));
    expect(failure.failure).toBe('timeout');
    expect(failure.message).toContain('300 ms');
  });
});

describe('New Relic behind a redirect', () => {
  it('follows a redirect to another origin only when asked, and never takes the API key there', async () => {
    const nr = await startFakeNewRelic({ apiKey: API_KEY, accountId: ACCOUNT });
    const front = createServer((_req, res) => {
      res.writeHead(307, { Location: `${nr.url}/graphql` });
      res.end();
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    try {
      const notFollowed = failureOf(await createProvider(nrConfig(frontUrl)).queryInstant(NRQL, AT));
      expect(notFollowed.failure).toBe('bad_response');
      expect(notFollowed.message).toContain('follow_redirects: true');
      expect(nr.requests).toHaveLength(0);

      const followed = nrConfig(frontUrl, { http: { ...nrConfig(frontUrl).http, followRedirects: true } });
      const failure = failureOf(await createProvider(followed).queryInstant(NRQL, AT));
      // The other origin got the query (POST body kept) but not the key, and said so.
      expect(failure.failure).toBe('auth');
      expect(nr.requests).toHaveLength(1);
      expect(nr.requests[0]!.headers['api-key']).toBeUndefined();
      expect((nr.requests[0]!.body as { variables: { nrql: string } }).variables.nrql).toContain(NRQL);
    } finally {
      front.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
      await nr.close();
    }
  });
});
