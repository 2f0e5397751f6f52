import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxdbProviderConfig } from '../../src/config/providers/influxdb.js';
import { createProvider } from '../../src/providers/index.js';
import { withGroupByTime } from '../../src/providers/influxdb.js';
import { influxdbSkipReason, startInfluxdb } from '../support/influxdb.js';
import { startRecordingProxy } from '../support/proxy.js';
import type { RunningServer } from '../support/server-process.js';
import { findOpenssl, type HttpsProxy, makeTestPki, startHttpsProxy, type TestPki } from '../support/tls.js';

describe('GROUP BY time(step) for range queries', () => {
  it.each([
    ['SELECT mean(v) FROM m WHERE $timeFilter', 'SELECT mean(v) FROM m WHERE $timeFilter GROUP BY time(60s)'],
    [
      'SELECT mean(v) FROM m WHERE $timeFilter;',
      'SELECT mean(v) FROM m WHERE $timeFilter GROUP BY time(60s)',
    ],
    [
      'SELECT mean(v) FROM m WHERE $timeFilter group by "host"',
      'SELECT mean(v) FROM m WHERE $timeFilter GROUP BY time(60s), "host"',
    ],
    [
      'SELECT mean(v) FROM m WHERE $timeFilter fill(0) LIMIT 10',
      'SELECT mean(v) FROM m WHERE $timeFilter GROUP BY time(60s) fill(0) LIMIT 10',
    ],
  ])('%s', (query, expected) => {
    expect(withGroupByTime(query, 60)).toEqual({ ok: true, text: expected });
  });

  it('refuses a query that already groups by time', () => {
    const result = withGroupByTime('SELECT mean(v) FROM m WHERE $timeFilter GROUP BY time(5m)', 60);
    expect(result).toMatchObject({ ok: false, failure: 'query_error' });
  });
});

const skip = influxdbSkipReason();
// One point a minute at :30, value = minutes since START.
const START = 1_767_139_200;
const lines = Array.from({ length: 120 }, (_, i) => `m,host=a v=${i} ${START + i * 60 + 30}`);

function config(url: string, extra: Partial<InfluxdbProviderConfig> = {}): InfluxdbProviderConfig {
  return {
    type: 'influxdb',
    name: 'influx',
    database: 'app',
    retentionPolicy: null,
    auth: { kind: 'none' },
    lookbackSeconds: 300,
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    ...extra,
  };
}

describe.skipIf(skip !== null)('the InfluxDB provider against a real influxd', () => {
  let influx: RunningServer;
  beforeAll(async () => {
    influx = await startInfluxdb({ username: 'u', password: 'p', database: 'app', lines, auth: false });
  });
  afterAll(async () => {
    await influx?.stop();
  });

  it('instant: the last point of the lookback, at its own time; an aggregate at the evaluation time', async () => {
    const provider = createProvider(config(influx.url));
    const at = new Date((START + 10 * 60) * 1000);
    const last = await provider.queryInstant('SELECT "v" FROM "m" WHERE $timeFilter', at);
    expect(last).toEqual({ ok: true, value: 9, at: new Date((START + 9 * 60 + 30) * 1000), warnings: [] });
    // (at − 5 min, at] holds the points 5..9.
    const mean = await provider.queryInstant('SELECT mean("v") FROM "m" WHERE $timeFilter', at);
    expect(mean).toEqual({ ok: true, value: 7, at, warnings: [] });
    const shorter = await provider.queryInstant('SELECT mean("v") FROM "m" WHERE $timeFilter', at, {
      lookbackSeconds: 120,
    });
    expect(shorter).toMatchObject({ ok: true, value: 8.5 });
  });

  it('range: one aggregate per step, stamped with the end of its bucket', async () => {
    const provider = createProvider(config(influx.url));
    const start = new Date((START + 10 * 60) * 1000);
    const end = new Date((START + 30 * 60) * 1000);
    const result = await provider.queryRange('SELECT max("v") FROM "m" WHERE $timeFilter', start, end, 300);
    expect(result).toEqual({
      ok: true,
      warnings: [],
      // Bucket [t − 5 min, t) holds the points at minutes t−5 … t−1; max = minute t−1.
      samples: [10, 15, 20, 25, 30].map((minute) => ({
        at: new Date((START + minute * 60) * 1000),
        value: minute - 1,
      })),
    });
  });

  it('a query longer than 2000 URL-encoded characters is sent as a POST form, with the same answer', async () => {
    const provider = createProvider(config(influx.url));
    const many = Array.from({ length: 200 }, (_, i) => `"v" <> ${-1 - i}`).join(' AND ');
    const query = `SELECT mean("v") FROM "m" WHERE ${many} AND $timeFilter`;
    expect(encodeURIComponent(query).length).toBeGreaterThan(2000);
    const result = await provider.queryInstant(query, new Date((START + 10 * 60) * 1000));
    expect(result).toMatchObject({ ok: true, value: 7 });
    // influxd's access log shows the method of each request.
    expect(await readFile(influx.logFile, 'utf8')).toMatch(/"POST \/query HTTP\/1\.1" 200/);
  });

  it('a 503 is retried, and after three 503s the metric is unreachable, saying so', async () => {
    const proxy = await startRecordingProxy({ target: influx.url });
    try {
      let failures = 1;
      proxy.override = () => (failures-- > 0 ? { status: 503, body: 'overloaded' } : null);
      const provider = createProvider(config(proxy.url));
      const at = new Date((START + 10 * 60) * 1000);
      const query = 'SELECT mean("v") FROM "m" WHERE $timeFilter';
      expect(await provider.queryInstant(query, at)).toMatchObject({ ok: true, value: 7 });
      expect(proxy.requests).toHaveLength(2);

      proxy.override = () => ({ status: 503, body: 'overloaded' });
      const down = await provider.queryInstant(query, at);
      expect(down).toMatchObject({ ok: false, failure: 'unreachable' });
      expect(!down.ok && down.message).toContain('HTTP 503');
      expect(!down.ok && down.message).toContain('gave up after 3 attempts');
    } finally {
      await proxy.close();
    }
  });

  it('a reply larger than max_response_size is refused', async () => {
    const provider = createProvider(
      config(influx.url, {
        http: { ...config(influx.url).http, maxResponseBytes: 1024 },
      }),
    );
    const result = await provider.queryInstant(
      'SELECT "v" FROM "m" WHERE $timeFilter',
      new Date((START + 120 * 60) * 1000),
      { lookbackSeconds: 7200 },
    );
    expect(result).toMatchObject({ ok: false, failure: 'bad_response' });
    expect(!result.ok && result.message).toContain('larger than 1 KiB');
  });

  it('the network policy is asked first: a denied host gets no request', async () => {
    const provider = createProvider(config(influx.url), {
      allowHost: (host) => ({ allowed: false, message: `the network policy (test) denies host ${host}` }),
    });
    const result = await provider.queryInstant(
      'SELECT mean("v") FROM "m" WHERE $timeFilter',
      new Date((START + 10 * 60) * 1000),
    );
    expect(result).toMatchObject({ ok: false, failure: 'unreachable' });
    expect(!result.ok && result.message).toContain('the network policy (test) denies host 127.0.0.1');
  });

  describe.skipIf(findOpenssl() === null)('over HTTPS', () => {
    let pki: TestPki;
    let https: HttpsProxy;
    beforeAll(async () => {
      pki = await makeTestPki(findOpenssl()!);
      https = await startHttpsProxy(influx.url, { key: pki.serverKey, cert: pki.serverCert });
    });
    afterAll(async () => {
      await https?.close();
      await pki?.cleanup();
    });

    const tlsConfig = (tls: InfluxdbProviderConfig['http']['tls']) =>
      config(https.url, { http: { ...config(https.url).http, tls } });
    const query = 'SELECT mean("v") FROM "m" WHERE $timeFilter';
    const at = new Date((START + 10 * 60) * 1000);

    it('trusts the server through tls.ca_file, refuses it with another CA, naming the setting', async () => {
      const trusted = createProvider(tlsConfig({ caFile: pki.caFile, insecureSkipVerify: false }));
      expect(await trusted.queryInstant(query, at)).toMatchObject({ ok: true, value: 7 });
      const other = createProvider(tlsConfig({ caFile: pki.otherCaFile, insecureSkipVerify: false }));
      const refused = await other.queryInstant(query, at);
      expect(refused).toMatchObject({ ok: false, failure: 'unreachable' });
      expect(!refused.ok && refused.message).toContain('tls ca_file');
    });
  });
});
