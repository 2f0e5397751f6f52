import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PrometheusProviderConfig } from '../../src/config/types.js';
import type { InstantResult, Provider, RangeResult } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';
import type { RunningPrometheus, StandardHistory } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import type { RecordingProxy } from '../support/proxy.js';
import { startRecordingProxy } from '../support/proxy.js';

const skipReason = prometheusSkipReason();
if (skipReason) console.warn(`test/providers/prometheus.test.ts ${skipReason}`);

const TOKEN = 'tok-3a9f7c1e55b2d8';
const PASSWORD = 'pw-8e1d0c7b6a';
const TENANT = 'team-a';

function promConfig(
  url: string,
  overrides: Partial<PrometheusProviderConfig> = {},
): PrometheusProviderConfig {
  return {
    type: 'prometheus',
    name: 'prom',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    tenant: null,
    auth: { kind: 'none' },
    ...overrides,
  };
}

function expectValue(result: InstantResult): number {
  if (!result.ok) throw new Error(`expected a value, got ${result.failure}: ${result.message}`);
  return result.value;
}

function expectFailure(result: InstantResult | RangeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

describe.skipIf(skipReason !== null)('Prometheus provider against a real Prometheus', () => {
  let prom: RunningPrometheus;
  let history: StandardHistory;
  let provider: Provider;
  let END: Date;

  beforeAll(async () => {
    history = standardHistory();
    prom = await startPrometheus(history);
    provider = createProvider(promConfig(prom.url));
    END = new Date(history.END * 1000);
  });

  afterAll(async () => {
    await prom?.stop();
  });

  it('describes itself', () => {
    expect(provider.type).toBe('prometheus');
    expect(provider.name).toBe('prom');
    expect(provider.host).toBe('127.0.0.1');
  });

  it('reads the healthy error ratio, with the sample time', async () => {
    const result = await provider.queryInstant(history.queries.errorRatio5m, END);
    expect(expectValue(result)).toBeCloseTo(history.expected.errorRatioHealthy, 9);
    expect(result.ok && result.at.getTime()).toBe(END.getTime());
    expect(result.warnings).toEqual([]);
  });

  it('reads incident values: error ratio 0.10 and p99 0.41666', async () => {
    const inc1 = new Date(history.INC1 * 1000);
    const ratio = await provider.queryInstant(history.queries.errorRatio5m, inc1);
    expect(expectValue(ratio)).toBeCloseTo(history.expected.errorRatioIncident, 9);
    const p99 = await provider.queryInstant(history.queries.p99Latency5m, inc1);
    expect(expectValue(p99)).toBeCloseTo(0.4166666667, 9);
    const burn = await provider.queryInstant(history.queries.burnRate1h, inc1);
    expect(expectValue(burn)).toBeCloseTo(history.expected.burnRate1hIncident, 6);
    const availability = await provider.queryInstant(history.queries.availability1h, END);
    expect(expectValue(availability)).toBeCloseTo(history.expected.availability1hHealthy, 9);
  });

  it('reads scalar results and one-series vectors without labels', async () => {
    expect(expectValue(await provider.queryInstant('scalar(sum(up{service="checkout"}))', END))).toBe(1);
    expect(expectValue(await provider.queryInstant('vector(1)', END))).toBe(1);
    const time = await provider.queryInstant('time()', END);
    expect(expectValue(time)).toBe(history.END);
  });

  it('maps NaN, +Inf and -Inf explicitly', async () => {
    expect(expectValue(await provider.queryInstant('0/0', END))).toBeNaN();
    expect(expectValue(await provider.queryInstant('1/0', END))).toBe(Number.POSITIVE_INFINITY);
    expect(expectValue(await provider.queryInstant('-1/0', END))).toBe(Number.NEGATIVE_INFINITY);
    expect(expectValue(await provider.queryInstant('vector(-1/0)', END))).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reports an empty result as no_data with the query and hints', async () => {
    const failure = expectFailure(await provider.queryInstant('nonexistent_metric', END));
    expect(failure.failure).toBe('no_data');
    expect(failure.message).toContain('no data: query returned an empty result (query: nonexistent_metric)');
    expect(failure.message).toContain('label selectors');
    expect(failure.message).toContain('no traffic');
  });

  it('reports several series as multiple_series with advice and label sets', async () => {
    const failure = expectFailure(await provider.queryInstant('http_requests_total', END));
    expect(failure.failure).toBe('multiple_series');
    expect(failure.message).toContain('query returned 2 series');
    expect(failure.message).toContain('sum(...)');
    expect(failure.message).toContain('code="200"');
    expect(failure.message).toContain('code="500"');
    expect(failure.message).toContain('http_requests_total{');
  });

  it('lists at most three label sets', async () => {
    const failure = expectFailure(await provider.queryInstant('http_request_duration_seconds_bucket', END));
    expect(failure.failure).toBe('multiple_series');
    expect(failure.message).toContain('query returned 5 series');
    expect(failure.message).toContain('and 2 more');
    expect(failure.message.match(/le=/g)).toHaveLength(3);
  });

  it("passes Prometheus' own parse error on as query_error", async () => {
    const failure = expectFailure(await provider.queryInstant('sum(rate(http_requests_total[5m])', END));
    expect(failure.failure).toBe('query_error');
    expect(failure.message).toContain('bad_data');
    expect(failure.message).toContain('parse error');
    expect(failure.message).toContain('(query: sum(rate(http_requests_total[5m]))');
  });

  it('explains range-vector and string results of an instant query', async () => {
    const matrix = expectFailure(await provider.queryInstant('up{service="checkout"}[5m]', END));
    expect(matrix.failure).toBe('query_error');
    expect(matrix.message).toContain('range vector');
    expect(matrix.message).toContain('rate(...)');
    const text = expectFailure(await provider.queryInstant('"hello"', END));
    expect(text.failure).toBe('query_error');
    expect(text.message).toContain('returned a string');
  });

  it('returns range samples across the incident start', async () => {
    const start = new Date((history.INC0 - 600) * 1000);
    const end = new Date((history.INC0 + 1800) * 1000);
    const result = await provider.queryRange(history.queries.errorRatio5m, start, end, 300);
    if (!result.ok) throw new Error(result.message);
    expect(result.samples.map((sample) => sample.at.getTime() / 1000)).toEqual([
      history.INC0 - 600,
      history.INC0 - 300,
      history.INC0,
      history.INC0 + 300,
      history.INC0 + 600,
      history.INC0 + 900,
      history.INC0 + 1200,
      history.INC0 + 1500,
      history.INC0 + 1800,
    ]);
    const values = result.samples.map((sample) => sample.value);
    for (const value of values.slice(0, 3)) expect(value).toBeCloseTo(0.02, 9);
    for (const value of values.slice(4)) expect(value).toBeCloseTo(0.1, 9);
  });

  it('reports range queries with several or no series', async () => {
    const start = new Date((history.END - 600) * 1000);
    const several = expectFailure(await provider.queryRange('http_requests_total', start, END, 60));
    expect(several.failure).toBe('multiple_series');
    const none = expectFailure(await provider.queryRange('nonexistent_metric', start, END, 60));
    expect(none.failure).toBe('no_data');
    expect(none.message).toContain('nonexistent_metric');
  });

  it('reports a backend that is down as unreachable, naming host:port', async () => {
    const port = await freePort();
    const down = createProvider(promConfig(`http://127.0.0.1:${port}`));
    const failure = expectFailure(await down.queryInstant('up', END));
    expect(failure.failure).toBe('unreachable');
    expect(failure.message).toContain(`127.0.0.1:${port}`);
    expect(failure.message).toContain('connection refused');
  });

  describe('behind a Mimir-like gateway under /prometheus', () => {
    let proxy: RecordingProxy;

    beforeAll(async () => {
      proxy = await startRecordingProxy({
        target: prom.url,
        prefix: '/prometheus',
        authorize: (headers) => {
          if (headers['x-scope-orgid'] !== TENANT) return { status: 401, body: 'no org id\n' };
          const expected = [
            `Bearer ${TOKEN}`,
            `Basic ${Buffer.from(`reader:${PASSWORD}`).toString('base64')}`,
          ];
          if (!expected.includes(headers.authorization ?? '')) return { status: 401, body: 'Unauthorized\n' };
          return null;
        },
      });
    });

    afterAll(async () => {
      await proxy?.close();
    });

    beforeEach(() => {
      proxy.requests.length = 0;
      proxy.override = null;
      proxy.rewriteJson = null;
    });

    const gateway = (overrides: Partial<PrometheusProviderConfig> = {}, path = '/prometheus') =>
      createProvider(
        promConfig(`${proxy.url}${path}`, {
          tenant: TENANT,
          auth: { kind: 'bearer', token: TOKEN },
          ...overrides,
        }),
      );

    it('sends the tenant, bearer token, user headers and time in seconds with ms', async () => {
      const provider = createProvider(
        promConfig(`${proxy.url}/prometheus/`, {
          tenant: TENANT,
          auth: { kind: 'bearer', token: TOKEN },
          http: {
            url: `${proxy.url}/prometheus/`,
            headers: { 'X-Extra': 'yes' },
            timeoutMs: 5_000,
            tls: { caFile: null, insecureSkipVerify: false },
          },
        }),
        { userAgent: 'ssm-test/1' },
      );
      const at = new Date(history.END * 1000 - 250);
      expect(expectValue(await provider.queryInstant(history.queries.up, at))).toBe(1);
      expect(proxy.requests).toHaveLength(1);
      const [request] = proxy.requests;
      expect(request!.method).toBe('GET');
      expect(request!.path).toBe('/prometheus/api/v1/query');
      expect(request!.params).toEqual({ query: history.queries.up, time: `${history.END - 1}.750` });
      expect(request!.headers['x-scope-orgid']).toBe(TENANT);
      expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request!.headers['x-extra']).toBe('yes');
      expect(request!.headers['user-agent']).toBe('ssm-test/1');
      expect(request!.headers.accept).toBe('application/json');
    });

    it('sends basic auth', async () => {
      const provider = gateway({ auth: { kind: 'basic', username: 'reader', password: PASSWORD } });
      expect(expectValue(await provider.queryInstant(history.queries.up, END))).toBe(1);
      const decoded = Buffer.from(
        proxy.requests[0]!.headers.authorization!.replace('Basic ', ''),
        'base64',
      ).toString();
      expect(decoded).toBe(`reader:${PASSWORD}`);
    });

    it('uses a POST form body for long queries', async () => {
      const query = `${history.queries.up}${' + 0'.repeat(600)}`;
      expect(query.length).toBeGreaterThan(2000);
      expect(expectValue(await gateway().queryInstant(query, END))).toBe(1);
      const [request] = proxy.requests;
      expect(request!.method).toBe('POST');
      expect(request!.contentType).toBe('application/x-www-form-urlencoded');
      expect(request!.params.query).toBe(query);
      expect(request!.params.time).toBe(`${history.END}.000`);
    });

    it('sends start, end and step for range queries', async () => {
      const start = new Date((history.END - 300) * 1000);
      const result = await gateway().queryRange(history.queries.up, start, END, 60);
      if (!result.ok) throw new Error(result.message);
      expect(result.samples).toHaveLength(6);
      expect(result.samples.every((sample) => sample.value === 1)).toBe(true);
      expect(proxy.requests[0]!.path).toBe('/prometheus/api/v1/query_range');
      expect(proxy.requests[0]!.params).toMatchObject({
        start: `${history.END - 300}.000`,
        end: `${history.END}.000`,
        step: '60',
      });
    });

    it('reports a missing tenant as auth, without secrets', async () => {
      const failure = expectFailure(await gateway({ tenant: null }).queryInstant(history.queries.up, END));
      expect(failure.failure).toBe('auth');
      expect(failure.message).toContain('HTTP 401');
      expect(failure.message).toContain('bearer/basic');
      expect(failure.message).toContain('X-Scope-OrgID');
      expect(failure.message).toContain('no org id');
      expect(failure.message).not.toContain(TOKEN);
    });

    it('reports a wrong token as auth, without secrets', async () => {
      const failure = expectFailure(
        await gateway({
          auth: { kind: 'basic', username: 'reader', password: 'wrong-password-1' },
        }).queryInstant(history.queries.up, END),
      );
      expect(failure.failure).toBe('auth');
      expect(failure.message).not.toContain('wrong-password-1');
      expect(failure.message).not.toContain(Buffer.from('reader:wrong-password-1').toString('base64'));
    });

    it('redacts secrets a gateway echoes back', async () => {
      proxy.override = (request) => ({ status: 403, body: `denied for ${request.headers.authorization}` });
      const failure = expectFailure(await gateway().queryInstant(history.queries.up, END));
      expect(failure.failure).toBe('auth');
      expect(failure.message).toContain('[redacted]');
      expect(failure.message).not.toContain(TOKEN);
    });

    it('reports a missing path prefix (404 HTML) as bad_response that names the prefix', async () => {
      const failure = expectFailure(await gateway({}, '').queryInstant(history.queries.up, END));
      expect(failure.failure).toBe('bad_response');
      expect(failure.message).toContain('HTTP 404');
      expect(failure.message).toContain(`${proxy.url}/api/v1/query`);
      expect(failure.message).toContain('/prometheus');
      expect(proxy.requests).toHaveLength(1);
    });

    it('passes warnings through', async () => {
      proxy.rewriteJson = (json) => ({ ...json, warnings: ['partial response: store 2 unavailable'] });
      const result = await gateway().queryInstant(history.queries.up, END);
      expect(expectValue(result)).toBe(1);
      expect(result.warnings).toEqual(['partial response: store 2 unavailable']);
    });

    it('maps an errorType timeout envelope to timeout and does not retry it', async () => {
      proxy.override = () => ({
        status: 503,
        body: '{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}',
        headers: { 'content-type': 'application/json' },
      });
      const failure = expectFailure(await gateway().queryInstant(history.queries.up, END));
      expect(failure.failure).toBe('timeout');
      expect(failure.message).toContain('timeout: query timed out in expression evaluation');
      expect(proxy.requests).toHaveLength(1);
    });

    it('retries a 502 HTML page, then succeeds', async () => {
      let calls = 0;
      proxy.override = () => {
        calls++;
        return calls === 1 ? { status: 502, body: '<html><body>Bad Gateway</body></html>' } : null;
      };
      expect(expectValue(await gateway().queryInstant(history.queries.up, END))).toBe(1);
      expect(proxy.requests).toHaveLength(2);
    });

    it('reports a persistent 502 as unreachable after 3 attempts', async () => {
      proxy.override = () => ({
        status: 502,
        body: '<html><body><h1>502 Bad Gateway</h1>upstream down</body></html>',
        headers: { 'content-type': 'text/html' },
      });
      const failure = expectFailure(await gateway().queryInstant(history.queries.up, END));
      expect(failure.failure).toBe('unreachable');
      expect(failure.message).toContain('HTTP 502');
      expect(failure.message).toContain('gave up after 3 attempts');
      expect(failure.message).toContain('502 Bad Gateway upstream down');
      expect(failure.message).not.toContain('<h1>');
      expect(proxy.requests).toHaveLength(3);
    });

    it('reports a 200 that is not the Prometheus API as bad_response', async () => {
      proxy.override = () => ({
        status: 200,
        body: '<html>Grafana login</html>',
        headers: { 'content-type': 'text/html' },
      });
      const failure = expectFailure(await gateway().queryInstant(history.queries.up, END));
      expect(failure.failure).toBe('bad_response');
      expect(failure.message).toContain('text/html');
      expect(failure.message).toContain('path prefix');
    });
  });

  describe('timeouts', () => {
    let silent: Server;
    let silentUrl: string;

    beforeAll(async () => {
      silent = createServer(() => {
        // never answers
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('reports no answer within the timeout as timeout, naming it', async () => {
      const config = promConfig(silentUrl);
      config.http.timeoutMs = 300;
      const failure = expectFailure(await createProvider(config).queryInstant('up', END));
      expect(failure.failure).toBe('timeout');
      expect(failure.message).toContain('300 ms');
      expect(failure.message).toContain('127.0.0.1:');
    });

    it("stops when the caller's signal aborts", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const failure = expectFailure(
        await createProvider(promConfig(silentUrl)).queryInstant('up', END, { signal: controller.signal }),
      );
      expect(failure.failure).toBe('timeout');
      expect(failure.message).toContain('canceled');
    });
  });
});
