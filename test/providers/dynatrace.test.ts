import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynatraceProviderConfig } from '../../src/config/types-saas.js';
import type { InstantResult, RangeResult } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';
import type { FakeDynatrace } from '../fakes/dynatrace.js';
import { dtReplies, startFakeDynatrace } from '../fakes/dynatrace.js';

const TOKEN =
  'dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const SELECTOR =
  'builtin:service.response.time:filter(eq("dt.entity.service","SERVICE-1234567890ABCDEF")):percentile(99)';
const T = 1_767_225_600_000;
const AT = new Date(T);
const MIN = 60_000;

function dtConfig(url: string, overrides: Partial<DynatraceProviderConfig> = {}): DynatraceProviderConfig {
  return {
    type: 'dynatrace',
    name: 'dt',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    apiToken: TOKEN,
    lookbackSeconds: 300,
    reduce: 'last',
    ...overrides,
  };
}

function failureOf(result: InstantResult | RangeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  expect(result.message).not.toContain(TOKEN);
  return result;
}

describe('Dynatrace provider against a fake metrics API v2', () => {
  let dt: FakeDynatrace;
  beforeAll(async () => {
    dt = await startFakeDynatrace({ apiToken: TOKEN });
  });
  afterAll(async () => {
    await dt?.close();
  });
  beforeEach(() => dt.reset());

  it('sends the selector, from/to in ms and Api-Token, and reduces the last non-null minute', async () => {
    // Microseconds, as builtin:service.response.time reports them; the minute ending at T has no value.
    dt.respond(
      SELECTOR,
      dtReplies.service(SELECTOR, [
        [T - 4 * MIN, 120_000],
        [T - 2 * MIN, 180_000],
        [T - MIN, 350_000],
        [T, null],
      ]),
    );
    const result = await createProvider(dtConfig(dt.url)).queryInstant(SELECTOR, AT);
    expect(result).toEqual({ ok: true, value: 350_000, at: new Date(T - MIN), warnings: [] });
    const [request] = dt.requests;
    expect(request!.path).toBe('/api/v2/metrics/query');
    expect(request!.headers.authorization).toBe(`Api-Token ${TOKEN}`);
    expect(request!.query).toEqual({
      metricSelector: SELECTOR,
      from: String(T - 300_000),
      to: String(T),
      resolution: '1m',
    });
  });

  it('averages with reduce avg and backfills a range at the step as resolution', async () => {
    const points: Array<[number, number]> = [
      [T - 9 * MIN, 1],
      [T - 6 * MIN, 3],
      [T - 2 * MIN, 5],
    ];
    dt.respond(SELECTOR, dtReplies.service(SELECTOR, points));
    const provider = createProvider(dtConfig(dt.url, { reduce: 'avg', lookbackSeconds: 600 }));
    const instant = await provider.queryInstant(SELECTOR, AT);
    expect(instant.ok && instant.value).toBe(3);
    const range = await provider.queryRange(SELECTOR, new Date(T - 10 * MIN), AT, 300);
    if (!range.ok) throw new Error(range.message);
    expect(range.samples.map((s) => [s.at.getTime(), s.value])).toEqual([
      [T - 5 * MIN, 2],
      [T, 5],
    ]);
    expect(dt.requests[1]!.query.resolution).toBe('5m');
  });

  it('maps 401, 403 (missing scope), 400 (constraint violations), 404, 429 and 5xx', async () => {
    const wrong =
      'dt0c01.WRONGWRONGWRONGWRONGWRONG.0000000000000000000000000000000000000000000000000000000000000000';
    const bad = await createProvider(dtConfig(dt.url, { apiToken: wrong })).queryInstant(SELECTOR, AT);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.failure).toBe('auth');
      expect(bad.message).toContain('api_token');
      expect(bad.message).not.toContain(wrong);
    }
    const provider = createProvider(dtConfig(dt.url));
    dt.respond(
      SELECTOR,
      dtReplies.error(403, 'Token is missing required scope. Use one of: metrics.read (Read metrics)'),
    );
    expect(failureOf(await provider.queryInstant(SELECTOR, AT)).message).toContain('metrics.read');
    dt.respond(
      SELECTOR,
      dtReplies.error(400, 'The metric selector is invalid: unknown transformation percentil'),
    );
    const query = failureOf(await provider.queryInstant(SELECTOR, AT));
    expect(query.failure).toBe('query_error');
    expect(query.message).toContain('unknown transformation percentil');
    const missing = failureOf(await createProvider(dtConfig(`${dt.url}/e/wrong`)).queryInstant(SELECTOR, AT));
    expect(missing.failure).toBe('bad_response');
    expect(missing.message).toContain('environment URL');
    dt.respond(SELECTOR, dtReplies.error(429, 'Too many requests', { 'Retry-After': '60' }));
    expect(failureOf(await provider.queryInstant(SELECTOR, AT)).failure).toBe('rate_limited');
    dt.respond(SELECTOR, dtReplies.error(503, 'Service unavailable'));
    expect(failureOf(await provider.queryInstant(SELECTOR, AT)).failure).toBe('unreachable');
  });

  it('reports several entities as multiple_series and no series as no_data', async () => {
    const series = (entity: string) => ({
      dimensions: [entity],
      dimensionMap: { 'dt.entity.service': entity },
      points: [[T - MIN, 1]] as Array<[number, number]>,
    });
    dt.respond(SELECTOR, dtReplies.series(SELECTOR, [series('SERVICE-A'), series('SERVICE-B')]));
    const provider = createProvider(dtConfig(dt.url));
    const many = failureOf(await provider.queryInstant(SELECTOR, AT));
    expect(many.failure).toBe('multiple_series');
    expect(many.message).toContain('SERVICE-B');
    dt.respond(SELECTOR, dtReplies.series(SELECTOR, []));
    expect(failureOf(await provider.queryInstant(SELECTOR, AT)).failure).toBe('no_data');
  });
});
