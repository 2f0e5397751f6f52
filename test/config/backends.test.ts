import { describe, expect, it } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';
import { errorsOf } from './support.js';

function parse(text: string, env: NodeJS.ProcessEnv = {}) {
  return parseObservabilityConfig(text, 'obs.yaml', env, { resolveSecrets: true });
}

const INFLUX = `providers:
  influx:
    type: influxdb
    url: http://127.0.0.1:8086/
    database: app
    retention_policy: week
    lookback: 2m
    timeout: 3s
    auth:
      basic:
        username: monitor
        password: "{{env.INFLUX_PASSWORD}}"
metrics:
  - name: a
    query: SELECT mean("v") FROM "m" WHERE $timeFilter
`;

describe('influxdb and graphite providers in observability.yaml', () => {
  it('reads an InfluxDB provider: database, retention policy, lookback, Basic auth whose password is a secret', () => {
    const result = parse(INFLUX, { INFLUX_PASSWORD: 'influx-password-1' });
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.providers.influx).toMatchObject({
      type: 'influxdb',
      name: 'influx',
      database: 'app',
      retentionPolicy: 'week',
      lookbackSeconds: 120,
      auth: { kind: 'basic', username: 'monitor', password: 'influx-password-1' },
      http: { url: 'http://127.0.0.1:8086', timeoutMs: 3000 },
    });
    expect(result.config?.defaultProvider).toBe('influx');
    expect(result.config?.secretValues).toEqual(
      expect.arrayContaining([
        'influx-password-1',
        Buffer.from('monitor:influx-password-1').toString('base64'),
      ]),
    );
  });

  it('refuses a literal password without echoing it', () => {
    const result = parse(INFLUX.replace('"{{env.INFLUX_PASSWORD}}"', 'hunter2-literal'));
    const errors = errorsOf(result);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ field: 'providers.influx.auth.basic.password', line: 12 });
    expect(errors[0]!.message).toContain('literal secret refused');
    expect(JSON.stringify(result.diagnostics)).not.toContain('hunter2-literal');
  });

  it('a missing database and a misspelt key are placed on their lines with a fix', () => {
    const result = parse(
      INFLUX.replace('    database: app\n', '').replace('retention_policy', 'retention_polcy'),
      { INFLUX_PASSWORD: 'influx-password-1' },
    );
    const errors = errorsOf(result);
    expect(errors.map((e) => e.field).sort()).toEqual([
      'providers.influx.database',
      'providers.influx.retention_polcy',
    ]);
    const typo = errors.find((e) => e.field === 'providers.influx.retention_polcy')!;
    expect(typo.hint).toContain('retention_policy');
  });

  it('reads a Graphite provider with its default lookback (5m)', () => {
    const result = parse(`providers:
  graphite:
    type: graphite
    url: https://graphite.example.test/graphite
metrics:
  - name: a
    query: sumSeries(app.*.requests)
`);
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.providers.graphite).toMatchObject({
      type: 'graphite',
      lookbackSeconds: 300,
      auth: { kind: 'none' },
      http: { url: 'https://graphite.example.test/graphite' },
    });
  });

  it('an unknown provider type lists every type', () => {
    const result = parse('providers:\n  x:\n    type: influx\n    url: http://127.0.0.1:8086\n');
    expect(errorsOf(result)[0]!.message).toBe(
      'unknown provider type; expected prometheus, datadog, influxdb, graphite, scrape, newrelic, cloudwatch or dynatrace, got `influx`',
    );
    expect(errorsOf(result)[0]!.hint).toBe('did you mean `influxdb`?');
  });
});

describe('per-metric lookback and reduce', () => {
  it('InfluxDB and Graphite metrics take `lookback`; `reduce` is Datadog-only and warned about', () => {
    const result = parse(
      `providers:
  graphite:
    type: graphite
    url: http://127.0.0.1:8080
  prom:
    type: prometheus
    url: http://127.0.0.1:9090
metrics:
  - name: a
    provider: graphite
    query: app.p99
    lookback: 90s
    reduce: max
  - name: b
    provider: prom
    query: up
    lookback: 1m
`,
    );
    expect(result.config?.metrics[0]).toMatchObject({ lookbackSeconds: 90 });
    expect(result.diagnostics.map((d) => [d.field, d.message])).toEqual([
      ['metrics[0].reduce', '`reduce` applies to datadog providers only; ignored'],
      ['metrics[1].lookback', '`lookback` applies to datadog, influxdb and graphite providers only; ignored'],
    ]);
  });
});

describe('a top-level `provider: influxdb`', () => {
  it('is refused with the hint to declare it under providers:', () => {
    const result = parse('provider: influxdb\nurl: http://127.0.0.1:8086\n');
    const errors = errorsOf(result);
    expect(errors[0]).toMatchObject({
      field: 'provider',
      line: 1,
      hint: 'influxdb providers are declared under `providers:`, e.g. `providers: { influx: { type: influxdb, url: ..., database: ... } }`',
    });
  });
});
