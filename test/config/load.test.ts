import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEVERITY_RULES,
  loadObservabilityConfig,
  type ObservabilityConfig,
  parseDurationSeconds,
  parseObservabilityConfig,
} from '../../src/config/index.js';
import { diagnosticFor, errorsOf, fixture, PROMETHEUS_HEAD, tempDir, useTempDirs } from './support.js';

useTempDirs();

const FULL_ENV = {
  PROM_TOKEN: 'prom-token-value-1',
  DATADOG_API_KEY: 'dd-api-key-0123456789abcdef',
  DATADOG_APP_KEY: 'dd-app-key-fedcba9876543210',
  GRAFANA_TOKEN: 'glc_grafana_token_value',
  CLOUD_API_KEY: 'cloud-api-key-value',
  HOOK_SECRET: 'hook-hmac-secret',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
  PD_ROUTING_KEY: 'pd-routing-key-32chars',
  MONITOR_TOKEN: 'monitor-token-value',
};

function loaded(text: string, env: NodeJS.ProcessEnv = {}): ObservabilityConfig {
  const result = parseObservabilityConfig(text, 'observability.yaml', env);
  expect(errorsOf(result)).toEqual([]);
  expect(result.config).not.toBeNull();
  return result.config as ObservabilityConfig;
}

describe('the guide’s observability.yaml', () => {
  it('loads exactly as written, from a real file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'observability.yaml');
    fs.copyFileSync(fixture('seed-observability.yaml'), file);

    const result = loadObservabilityConfig(file, { DATADOG_API_KEY: 'seed-api-key-0001' });

    expect(errorsOf(result)).toEqual([]);
    const config = result.config as ObservabilityConfig;
    expect(config.file).toBe(file);
    expect(config.defaultProvider).toBe('default');
    expect(config.providers.default).toEqual({
      type: 'datadog',
      name: 'default',
      http: {
        url: 'https://api.datadoghq.com',
        headers: {},
        timeoutMs: 10_000,
        tls: { caFile: null, insecureSkipVerify: false },
        followRedirects: false,
        maxResponseBytes: 8 * 1024 * 1024,
      },
      apiKey: 'seed-api-key-0001',
      appKey: null,
      site: 'datadoghq.com',
      lookbackSeconds: 300,
      reduce: 'last',
    });
    // `env:prod` inside a Datadog query is a tag, not an environment reference.
    expect(
      config.metrics.map(({ name, query, provider, line }) => ({ name, query, provider, line })),
    ).toEqual([
      {
        name: 'api_latency_p99',
        query: 'avg:trace.rack.request.duration{service:my-api,env:prod}.p99',
        provider: 'default',
        line: 4,
      },
      {
        name: 'api_error_rate',
        query: 'sum:trace.rack.request.errors{service:my-api,env:prod}.as_rate()',
        provider: 'default',
        line: 6,
      },
    ]);
    expect(config.secretValues).toEqual(['seed-api-key-0001']);
    // The guide has no application key, which Datadog queries need: a warning, not an error.
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', field: 'provider', line: 1, column: 11 }),
    ]);
    expect(result.diagnostics[0]?.message).toContain('app_key');
  });

  it('reports the missing API key variable instead of loading', () => {
    const result = loadObservabilityConfig(fixture('seed-observability.yaml'), {});
    expect(result.config).toBeNull();
    const missing = diagnosticFor(result, 'api_key');
    expect(missing).toMatchObject({
      severity: 'error',
      line: 2,
      column: 10,
      hint: 'export DATADOG_API_KEY=...',
    });
  });
});

describe('defaults', () => {
  it('fills every optional setting for a minimal Prometheus file', () => {
    const config = loaded(`${PROMETHEUS_HEAD}metrics:\n  - { name: api_latency_p99, query: up }\n`);
    expect(config.providers.default).toEqual({
      type: 'prometheus',
      name: 'default',
      http: {
        url: 'http://127.0.0.1:9090',
        headers: {},
        timeoutMs: 10_000,
        tls: { caFile: null, insecureSkipVerify: false },
        followRedirects: false,
        maxResponseBytes: 8 * 1024 * 1024,
      },
      tenant: null,
      auth: { kind: 'none' },
    });
    expect(config.metrics[0]).toEqual({
      name: 'api_latency_p99',
      query: 'up',
      provider: 'default',
      unit: null,
      reduce: null,
      lookbackSeconds: null,
      alerting: {},
      line: 4,
    });
    expect(config.alerting).toEqual({
      for: { cycles: 2 },
      resolveAfter: { cycles: 2 },
      repeatIntervalSeconds: null,
      noData: 'alert',
      noDataForSeconds: 300,
      severityRules: [
        { minOvershoot: 1, categories: [], severity: 'SEV-1' },
        { minOvershoot: 0.5, categories: [], severity: 'SEV-2' },
        { minOvershoot: 0.1, categories: [], severity: 'SEV-3' },
      ],
    });
    expect(config.incidentCommand).toBeNull();
    expect(config.receivers).toEqual([]);
    expect(config.server).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9464,
      token: null,
      allowUnauthenticated: false,
      allowedHosts: [],
    });
    expect(config.storage).toEqual({
      path: '.spec/reports/production-monitoring/.state/monitor.db',
      retentionDays: 90,
    });
    expect(config.secretValues).toEqual([]);
  });

  it('rates the guide’s example (p99 350 ms against < 200 ms, +75%) SEV-2 with the default rules', () => {
    const overshoot = (350 - 200) / 200;
    const severityOf = (value: number) =>
      DEFAULT_SEVERITY_RULES.find((rule) => value >= rule.minOvershoot)?.severity ?? 'SEV-4';
    expect(severityOf(overshoot)).toBe('SEV-2');
    expect(severityOf(1.0)).toBe('SEV-1');
    expect(severityOf(0.1)).toBe('SEV-3');
    expect(severityOf(0.05)).toBe('SEV-4');
  });

  it('hands out a fresh copy of the default rules', () => {
    const first = loaded(PROMETHEUS_HEAD);
    first.alerting.severityRules[0]?.categories.push('mutated');
    expect(loaded(PROMETHEUS_HEAD).alerting.severityRules[0]?.categories).toEqual([]);
  });
});

describe('every key, mixed providers', () => {
  it('reads the full example', () => {
    const file = fixture('full-observability.yaml');
    const result = loadObservabilityConfig(file, FULL_ENV);
    expect(result.diagnostics).toEqual([]);
    const config = result.config as ObservabilityConfig;

    expect(config.defaultProvider).toBe('default');
    expect(Object.keys(config.providers)).toEqual(['default', 'dd', 'cloud']);
    expect(config.providers.default).toEqual({
      type: 'prometheus',
      name: 'default',
      http: {
        url: 'http://127.0.0.1:9090/prometheus',
        headers: { 'X-Custom': 'team-a-dashboards' },
        timeoutMs: 15_000,
        tls: { caFile: path.join(path.dirname(file), 'certs', 'ca.pem'), insecureSkipVerify: false },
        followRedirects: false,
        maxResponseBytes: 8 * 1024 * 1024,
      },
      tenant: 'team-a',
      auth: { kind: 'bearer', token: 'prom-token-value-1' },
    });
    expect(config.providers.dd).toEqual({
      type: 'datadog',
      name: 'dd',
      http: {
        url: 'https://api.datadoghq.eu',
        headers: {},
        timeoutMs: 10_000,
        tls: { caFile: null, insecureSkipVerify: false },
        followRedirects: false,
        maxResponseBytes: 8 * 1024 * 1024,
      },
      apiKey: FULL_ENV.DATADOG_API_KEY,
      appKey: FULL_ENV.DATADOG_APP_KEY,
      site: 'datadoghq.eu',
      lookbackSeconds: 600,
      reduce: 'avg',
    });
    expect(config.providers.cloud).toMatchObject({
      type: 'prometheus',
      http: {
        url: 'https://prometheus-prod-01.grafana.net/api/prom',
        headers: { 'X-Api-Key': 'cloud-api-key-value' },
      },
      auth: { kind: 'basic', username: '123456', password: 'glc_grafana_token_value' },
    });

    expect(config.metrics).toEqual([
      {
        name: 'api_latency_p99',
        query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
        provider: 'default',
        unit: 's',
        reduce: null,
        lookbackSeconds: null,
        alerting: { for: { cycles: 3 }, noData: 'ignore' },
        line: 24,
      },
      {
        name: 'api_error_rate',
        query: 'sum:trace.rack.request.errors{service:my-api,env:prod}.as_rate()',
        provider: 'dd',
        unit: '%',
        reduce: 'max',
        lookbackSeconds: 120,
        alerting: {},
        line: 28,
      },
      {
        name: 'api_uptime',
        query: 'avg_over_time(up{job="api"}[1h])',
        provider: 'cloud',
        unit: 'ratio',
        reduce: null,
        lookbackSeconds: null,
        alerting: {},
        line: 34,
      },
    ]);

    expect(config.alerting).toEqual({
      for: { seconds: 180 },
      resolveAfter: { cycles: 2 },
      repeatIntervalSeconds: 14_400,
      noData: 'breach',
      noDataForSeconds: 600,
      severityRules: [
        { minOvershoot: 0, categories: ['Availability'], severity: 'SEV-1' },
        { minOvershoot: 1, categories: [], severity: 'SEV-1' },
        { minOvershoot: 0.25, categories: [], severity: 'SEV-2' },
      ],
    });
    expect(config.incidentCommand).toEqual({
      argv: ['smartspec_incident_response', '--alert-payload', '{payload}'],
      timeoutMs: 45_000,
    });
    expect(config.receivers).toEqual([
      {
        type: 'webhook',
        name: 'hook',
        url: 'http://127.0.0.1:8080/alerts',
        headers: { 'X-Team': 'sre' },
        hmacSecret: 'hook-hmac-secret',
        followRedirects: false,
      },
      {
        type: 'alertmanager',
        name: 'alertmanager',
        url: 'http://127.0.0.1:9093',
        headers: {},
        followRedirects: false,
      },
      { type: 'slack', name: 'slack', url: FULL_ENV.SLACK_WEBHOOK_URL, followRedirects: false },
      {
        type: 'pagerduty',
        name: 'pagerduty',
        url: 'https://events.pagerduty.com/v2/enqueue',
        routingKey: 'pd-routing-key-32chars',
        followRedirects: false,
      },
    ]);
    expect(config.server).toEqual({
      enabled: true,
      host: '0.0.0.0',
      port: 9464,
      token: 'monitor-token-value',
      allowUnauthenticated: false,
      allowedHosts: [],
    });
    expect(config.storage).toEqual({ path: '.state/monitor.db', retentionDays: 30 });

    // Every secret read, and the Basic credentials as they travel; no ordinary setting.
    expect(new Set(config.secretValues)).toEqual(
      new Set([...Object.values(FULL_ENV), Buffer.from('123456:glc_grafana_token_value').toString('base64')]),
    );
  });

  it('lets the only named provider serve metrics that name none', () => {
    const config = loaded(
      'providers:\n  prom: { type: prometheus, url: "http://127.0.0.1:9090" }\nmetrics:\n  - { name: a, query: up }\n',
    );
    expect(config.defaultProvider).toBe('prom');
    expect(config.metrics[0]?.provider).toBe('prom');
  });

  it('requires a provider on each metric when several named providers and no top level exist', () => {
    const result = parseObservabilityConfig(
      [
        'providers:',
        '  a: { type: prometheus, url: "http://127.0.0.1:9090" }',
        '  b: { type: prometheus, url: "http://127.0.0.1:9091" }',
        'metrics:',
        '  - { name: m, query: up }',
        '  - { name: n, query: up, provider: b }',
      ].join('\n'),
      'o.yaml',
      {},
    );
    expect(result.config).toBeNull();
    expect(errorsOf(result)).toEqual([
      expect.objectContaining({
        field: 'metrics[0]',
        line: 5,
        column: 5,
        hint: expect.stringContaining('a, b'),
      }),
    ]);
  });

  it('takes a Datadog URL override without its trailing slash, and a full site name', () => {
    const config = loaded(
      'provider: datadog\napi_key: env:K\napp_key: env:A\nsite: us5.datadoghq.com\nurl: http://127.0.0.1:8126/\n',
      { K: 'key-1234', A: 'app-1234' },
    );
    expect(config.providers.default).toMatchObject({
      site: 'us5.datadoghq.com',
      http: { url: 'http://127.0.0.1:8126' },
    });
  });

  it('turns the incident command off with `false`', () => {
    expect(loaded(`${PROMETHEUS_HEAD}incident_command: false\n`).incidentCommand).toEqual({
      argv: [],
      timeoutMs: 30_000,
    });
  });

  it('reads the listen address in its usual forms', () => {
    const listen = (value: string) => loaded(`${PROMETHEUS_HEAD}server: { listen: ${value} }\n`).server;
    expect(listen('":9000"')).toMatchObject({ enabled: true, host: '127.0.0.1', port: 9000 });
    expect(listen('"[::1]:9001"')).toMatchObject({ host: '::1', port: 9001 });
    expect(listen('9002')).toMatchObject({ host: '127.0.0.1', port: 9002 });
    expect(listen('"localhost:0"')).toMatchObject({ host: 'localhost', port: 0 });
  });

  it('warns when the server listens beyond this machine without a token', () => {
    const result = parseObservabilityConfig(
      `${PROMETHEUS_HEAD}server: { listen: "0.0.0.0:9464" }\n`,
      'o.yaml',
      {},
    );
    expect(result.config).not.toBeNull();
    expect(diagnosticFor(result, 'server.listen')).toMatchObject({
      severity: 'warning',
      line: 3,
      column: 19,
      message: 'the daemon refuses to listen beyond this machine without a token',
    });
  });

  it('reads allow_unauthenticated and allowed_hosts', () => {
    const result = parseObservabilityConfig(
      `${PROMETHEUS_HEAD}server: { listen: "0.0.0.0:9464", allow_unauthenticated: true, allowed_hosts: [monitor.internal] }\n`,
      'o.yaml',
      {},
    );
    expect(result.config?.server).toMatchObject({
      host: '0.0.0.0',
      allowUnauthenticated: true,
      allowedHosts: ['monitor.internal'],
    });
    expect(diagnosticFor(result, 'server.listen').message).toBe(
      'the server listens beyond this machine without a token (allow_unauthenticated: true)',
    );
  });

  it('keeps anchors and merge keys working', () => {
    const config = loaded(
      [
        'providers:',
        '  a: &base { type: prometheus, url: "http://127.0.0.1:9090", timeout: 3s }',
        '  b: { <<: *base, url: "http://127.0.0.1:9091" }',
      ].join('\n'),
    );
    expect(config.providers.b).toMatchObject({ http: { url: 'http://127.0.0.1:9091', timeoutMs: 3000 } });
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['2d', 172_800],
    ['500ms', 0.5],
    ['1.5h', 5400],
    ['1w', 604_800],
    ['45', 45],
    [12, 12],
  ] as const)('%s is %d seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '5x', '5 m', 'm5', '-3s', '1h 30m'])('refuses %j', (text) => {
    expect(parseDurationSeconds(text)).toBeNull();
  });

  it('reads integers as cycles and other values as time for for/resolve_after', () => {
    const config = loaded(
      `${PROMETHEUS_HEAD}alerting: { for: 4, resolve_after: 90s }\nmetrics:\n  - { name: a, query: up, alerting: { for: 2.5 } }\n`,
    );
    expect(config.alerting.for).toEqual({ cycles: 4 });
    expect(config.alerting.resolveAfter).toEqual({ seconds: 90 });
    expect(config.metrics[0]?.alerting).toEqual({ for: { seconds: 2.5 } });
  });
});
