import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InstantResult, Provider, RangeResult } from '../../../src/providers/index.js';
import { createProvider } from '../../../src/providers/index.js';
import type { ScrapeProviderConfig } from '../../../src/providers/scrape/config.js';
import { createScrapeProvider } from '../../../src/providers/scrape/provider.js';
import type { RunningExporter } from '../../support/exporter.js';
import {
  KNOWN_TRAFFIC,
  OPENMETRICS_FORMAT,
  serviceExposition,
  startExporter,
} from '../../support/exporter.js';
import { freePort } from '../../support/prometheus.js';

const INTERVAL_SECONDS = 10;
const START_MS = Date.UTC(2026, 0, 5, 12, 0, 0);
const SECRET = 'exporter-token-4b9e1c77';
const { queries } = KNOWN_TRAFFIC;

function scrapeConfig(url: string, overrides: Partial<ScrapeProviderConfig> = {}): ScrapeProviderConfig {
  return {
    type: 'scrape',
    name: 'app',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    intervalSeconds: INTERVAL_SECONDS,
    ...overrides,
  };
}

/** A clock that only moves when the provider waits between its scrapes: no test ever sleeps. */
function steppedClock() {
  let now = START_MS;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    waits,
  };
}

function value(result: InstantResult): number {
  if (!result.ok) throw new Error(`expected a value, got ${result.failure}: ${result.message}`);
  return result.value;
}

function failure(result: InstantResult | RangeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

describe('scrape provider against a loopback exporter', () => {
  let exporter: RunningExporter;
  let clock: ReturnType<typeof steppedClock>;
  let provider: Provider;
  const at = () => new Date(clock.now());

  beforeAll(async () => {
    exporter = await startExporter();
  });
  afterAll(async () => {
    await exporter?.stop();
  });
  beforeEach(() => {
    clock = steppedClock();
    provider = createScrapeProvider(scrapeConfig(exporter.url), { now: clock.now, sleep: clock.sleep });
    exporter.serve([serviceExposition(KNOWN_TRAFFIC.first), serviceExposition(KNOWN_TRAFFIC.second)]);
  });

  it('is created by createProvider for type scrape', () => {
    const created = createProvider(scrapeConfig(exporter.url));
    expect(created).toMatchObject({ type: 'scrape', name: 'app', host: '127.0.0.1' });
  });

  it('computes rates, ratios and p99 over the increases between two scrapes `interval` apart', async () => {
    const [p99, errorRatio, requestRate, gauge] = await Promise.all([
      provider.queryInstant(queries.p99, at()),
      provider.queryInstant(queries.errorRatio, at()),
      provider.queryInstant(queries.requestRate, at()),
      provider.queryInstant('room_temperature_celsius', at()),
    ]);
    expect(value(p99)).toBeCloseTo(KNOWN_TRAFFIC.p99Seconds, 12);
    expect(value(errorRatio)).toBeCloseTo(KNOWN_TRAFFIC.errorRatio, 12);
    expect(value(requestRate)).toBeCloseTo(KNOWN_TRAFFIC.requests / INTERVAL_SECONDS, 12);
    expect(value(gauge)).toBe(21.5);
    // One pair of scrapes for all four queries of the instant, the configured interval apart.
    expect(exporter.requests).toHaveLength(2);
    expect(clock.waits).toEqual([INTERVAL_SECONDS * 1000]);
    if (p99.ok) expect(p99.at.getTime()).toBe(START_MS + INTERVAL_SECONDS * 1000);
  });

  it('asks for OpenMetrics first and reads it', async () => {
    exporter.serve(
      [KNOWN_TRAFFIC.first, KNOWN_TRAFFIC.second].map((counters) => ({
        body: serviceExposition(counters, { openMetrics: true }),
        contentType: OPENMETRICS_FORMAT,
      })),
    );
    expect(value(await provider.queryInstant(queries.p99, at()))).toBeCloseTo(KNOWN_TRAFFIC.p99Seconds, 12);
    expect(exporter.requests[0]!.accept).toMatch(/^application\/openmetrics-text;version=1\.0\.0/);
    expect(exporter.requests[0]!.accept).toContain('text/plain;version=0.0.4');
  });

  it('takes a new pair of scrapes for a new instant', async () => {
    await provider.queryInstant(queries.requestRate, at());
    exporter.serve([serviceExposition(KNOWN_TRAFFIC.first), serviceExposition(KNOWN_TRAFFIC.second)]);
    await provider.queryInstant(queries.requestRate, at());
    expect(exporter.requests).toHaveLength(2);
  });

  it('uses the timestamps the exposition gives over the scrape times', async () => {
    exporter.serve([
      serviceExposition(KNOWN_TRAFFIC.first, { timestampMs: START_MS - 40_000 }),
      serviceExposition(KNOWN_TRAFFIC.second, { timestampMs: START_MS }),
    ]);
    expect(value(await provider.queryInstant(queries.requestRate, at()))).toBeCloseTo(
      KNOWN_TRAFFIC.requests / 40,
      12,
    );
  });

  it('counts a counter reset between the scrapes as a restart from zero', async () => {
    exporter.serve([
      serviceExposition(KNOWN_TRAFFIC.first),
      serviceExposition(KNOWN_TRAFFIC.secondAfterReset),
    ]);
    const [requests, errors, p99] = await Promise.all([
      provider.queryInstant('sum(increase(http_requests_total[1m]))', at()),
      provider.queryInstant(queries.errorRatio, at()),
      provider.queryInstant(queries.p99, at()),
    ]);
    expect(value(requests)).toBe(KNOWN_TRAFFIC.requests);
    expect(value(errors)).toBeCloseTo(KNOWN_TRAFFIC.errorRatio, 12);
    expect(value(p99)).toBeCloseTo(KNOWN_TRAFFIC.p99Seconds, 12);
  });

  it('supports by/without, on/ignoring, scalar arithmetic and the other aggregations', async () => {
    // One instant: every query below shares the first pair of scrapes.
    const when = at();
    const ask = async (query: string) => value(await provider.queryInstant(query, when));
    expect(await ask('sum without (code, instance) (increase(http_requests_total[5m]))')).toBe(2000);
    expect(
      await ask('100 * sum(rate(http_requests_total{code="500"}[1m])) / sum(rate(http_requests_total[1m]))'),
    ).toBeCloseTo(3, 12);
    expect(
      await ask(
        'sum by (instance) (increase(http_requests_total{code="500",instance="a"}[1m])) / on(instance) sum by (instance) (increase(http_requests_total{instance="a"}[1m]))',
      ),
    ).toBeCloseTo(30 / 800, 12);
    expect(
      await ask(
        'increase(http_request_duration_seconds_count{instance="b"}[1m]) / ignoring(code) increase(http_requests_total{instance="b",code="200"}[1m])',
      ),
    ).toBeCloseTo(1200 / 1170, 12);
    expect(await ask('max(increase(http_requests_total[1m]))')).toBe(1170);
    expect(await ask('min(increase(http_requests_total[1m]))')).toBe(30);
    expect(await ask('count(http_requests_total)')).toBe(4);
    expect(await ask('avg(increase(http_requests_total{code="500"}[1m]))')).toBe(30);
    expect(await ask('-(2 + 3) * 2')).toBe(-10);
    expect(await ask('room_temperature_celsius - 1.5')).toBe(20);
  });

  it('fails with query_error naming what is not supported, before any scrape', async () => {
    for (const [query, named] of [
      ['topk(1, http_requests_total)', '`topk`'],
      ['abs(room_temperature_celsius)', '`abs`'],
      ['avg_over_time(room_temperature_celsius[5m])', '`avg_over_time`'],
      ['room_temperature_celsius offset 5m', '`offset`'],
      ['room_temperature_celsius > 3', '`>`'],
      ['http_requests_total[5m]', 'range selector'],
      ['a / on(x) group_left b', '`group_left`'],
      ['sum(rate(x[5m:1m]))', '`rate` of anything but one range selector'],
      ['{code=~".*"}', 'matches every series'],
    ] as const) {
      const result = failure(await provider.queryInstant(query, at()));
      expect(result.failure, query).toBe('query_error');
      expect(result.message, query).toContain(named);
      expect(result.message, query).toContain('not supported by the scrape provider');
    }
    expect(failure(await provider.queryInstant('sum(', at())).message).toContain(
      'syntax error at character 5',
    );
    expect(exporter.requests).toHaveLength(0);
  });

  it('answers missing series, new series and several series with the existing failure kinds', async () => {
    const missing = failure(await provider.queryInstant('sum(rate(http_requests_totl[1m]))', at()));
    expect(missing.failure).toBe('no_data');
    expect(missing.message).toContain('`http_requests_totl` matched no series in the exposition');
    expect(missing.message).toContain(exporter.url);

    exporter.serve([
      serviceExposition({ a: KNOWN_TRAFFIC.first.a! }),
      serviceExposition(KNOWN_TRAFFIC.second),
    ]);
    const appeared = failure(
      await provider.queryInstant(
        'rate(http_requests_total{instance="b",code="200"}[1m])',
        new Date(clock.now() + 1),
      ),
    );
    expect(appeared.failure).toBe('no_data');
    expect(appeared.message).toContain('appeared only in the second scrape');

    const several = failure(
      await provider.queryInstant('rate(http_requests_total[1m])', new Date(clock.now() + 2)),
    );
    expect(several.failure).toBe('multiple_series');
    expect(several.message).toContain('4 series');
  });

  it('reads labels named like Object methods as ordinary labels', async () => {
    exporter.serve(['jobs{constructor="x"} 4\njobs{toString="y"} 5\n']);
    const when = at();
    expect(value(await provider.queryInstant('jobs{constructor="x"}', when))).toBe(4);
    // A series without the label has it empty, as in Prometheus.
    expect(value(await provider.queryInstant('jobs{toString="y",constructor=""}', when))).toBe(5);
  });

  it('refuses many-to-many matching as a query error', async () => {
    const result = failure(
      await provider.queryInstant(
        'rate(http_requests_total[1m]) / on(instance) rate(http_requests_total[1m])',
        at(),
      ),
    );
    expect(result.failure).toBe('query_error');
    expect(result.message).toContain('many-to-many matching not allowed');
  });

  it('makes a broken exposition a bad response naming the line', async () => {
    exporter.serve([serviceExposition(KNOWN_TRAFFIC.first), 'up 1\nhttp_requests_total{code="200" 5\n']);
    const result = failure(await provider.queryInstant(queries.requestRate, at()));
    expect(result.failure).toBe('bad_response');
    expect(result.message).toContain('not a valid Prometheus text exposition: line 2');
  });

  it('refuses a truncated OpenMetrics exposition', async () => {
    const whole = serviceExposition(KNOWN_TRAFFIC.second, { openMetrics: true });
    exporter.serve([
      {
        body: serviceExposition(KNOWN_TRAFFIC.first, { openMetrics: true }),
        contentType: OPENMETRICS_FORMAT,
      },
      { body: whole.slice(0, whole.indexOf('# EOF')), contentType: OPENMETRICS_FORMAT },
    ]);
    const result = failure(await provider.queryInstant(queries.requestRate, at()));
    expect(result.failure).toBe('bad_response');
    expect(result.message).toContain('missing `# EOF`');
  });

  it('says a login page, a 404 and a 5xx are no exposition, and never echoes a header secret', async () => {
    const withSecret = createScrapeProvider(
      scrapeConfig(exporter.url, {
        http: {
          url: exporter.url,
          headers: { authorization: `Bearer ${SECRET}` },
          timeoutMs: 5_000,
          tls: { caFile: null, insecureSkipVerify: false },
        },
      }),
      { now: clock.now, sleep: clock.sleep, random: () => 0 },
    );
    exporter.serve([{ body: `<html>Sign in (token ${SECRET})</html>`, contentType: 'text/html' }]);
    const html = failure(await withSecret.queryInstant(queries.requestRate, at()));
    expect(html).toMatchObject({ failure: 'bad_response' });
    expect(html.message).toContain('content-type "text/html"');
    expect(exporter.requests[0]!.authorization).toBe(`Bearer ${SECRET}`);

    exporter.serve([{ body: `denied for ${SECRET}`, status: 401 }]);
    const denied = failure(await withSecret.queryInstant(queries.requestRate, new Date(clock.now() + 1)));
    expect(denied.failure).toBe('auth');
    expect(denied.message).not.toContain(SECRET);
    expect(denied.message).toContain('[redacted]');

    exporter.serve([{ body: 'overloaded', status: 503 }]);
    const failing = failure(await withSecret.queryInstant(queries.requestRate, new Date(clock.now() + 3)));
    expect(failing.failure).toBe('unreachable');
    expect(failing.message).toContain('HTTP 503');

    exporter.serve([{ body: 'not here', status: 404 }]);
    expect(
      failure(await withSecret.queryInstant(queries.requestRate, new Date(clock.now() + 2))),
    ).toMatchObject({
      failure: 'bad_response',
      message: expect.stringContaining('/metrics'),
    });
  });

  it('is unreachable when nothing listens', async () => {
    const port = await freePort();
    const closed = createScrapeProvider(scrapeConfig(`http://127.0.0.1:${port}/metrics`), {
      now: clock.now,
      sleep: clock.sleep,
    });
    const result = failure(await closed.queryInstant(queries.requestRate, at()));
    expect(result.failure).toBe('unreachable');
    expect(result.message).toContain(`127.0.0.1:${port}`);
  });

  it('cannot answer for the past or over a range: that needs a TSDB', async () => {
    const past = failure(await provider.queryInstant(queries.requestRate, new Date(START_MS - 3_600_000)));
    expect(past.failure).toBe('query_error');
    expect(past.message).toContain('needs a TSDB');
    const range = failure(
      await provider.queryRange(queries.requestRate, new Date(START_MS - 86_400_000), at(), 60),
    );
    expect(range.failure).toBe('no_data');
    expect(range.message).toContain('keeps no history');
    expect(range.message).toContain('needs a TSDB');
    expect(exporter.requests).toHaveLength(0);
  });
});
