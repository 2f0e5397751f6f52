import { describe, expect, it } from 'vitest';
import { formatUserError } from '../../src/common/errors.js';
import {
  configErrorFromDiagnostics,
  loadObservabilityConfig,
  type ObservabilityConfig,
  parseObservabilityConfig,
} from '../../src/config/index.js';
import { diagnosticFor, errorsOf, fixture, PROMETHEUS_HEAD } from './support.js';

function parse(text: string, env: NodeJS.ProcessEnv = {}, resolveSecrets = true) {
  return parseObservabilityConfig(text, 'obs.yaml', env, { resolveSecrets });
}

describe('environment references', () => {
  it('accepts both spellings, with spaces inside the braces', () => {
    const result = parse(
      'provider: datadog\napi_key: "{{  env.DD_API_KEY }}"\napp_key: env:DD_APP_KEY\nmetrics: [{ name: a, query: b }]\n',
      { DD_API_KEY: 'api-key-value', DD_APP_KEY: 'app-key-value' },
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.providers.default).toMatchObject({
      apiKey: 'api-key-value',
      appKey: 'app-key-value',
    });
    expect(result.config?.secretValues.sort()).toEqual(['api-key-value', 'app-key-value']);
  });

  it('replaces references inside a longer string', () => {
    const result = parse(`${PROMETHEUS_HEAD}headers:\n  Authorization: "Bearer {{env.PROM_TOKEN}}"\n`, {
      PROM_TOKEN: 'token-value-9',
    });
    const config = result.config as ObservabilityConfig;
    expect(config.providers.default?.http.headers).toEqual({ Authorization: 'Bearer token-value-9' });
    expect(config.secretValues).toContain('token-value-9');
  });

  it('resolves any other string too, without calling it a secret', () => {
    const result = parse(
      'provider: prometheus\nurl: http://127.0.0.1:9090\ntenant: "{{env.TENANT}}"\ntimeout: env:TIMEOUT\n',
      {
        TENANT: 'team-a',
        TIMEOUT: '3s',
      },
    );
    const config = result.config as ObservabilityConfig;
    expect(config.providers.default).toMatchObject({ tenant: 'team-a', http: { timeoutMs: 3000 } });
    expect(config.secretValues).toEqual([]);
  });

  it('reports a missing or empty variable by name and field, with the export to run', () => {
    const result = parse('provider: datadog\napi_key: "{{env.DD_API_KEY}}"\napp_key: env:DD_APP_KEY\n', {
      DD_APP_KEY: '',
    });
    expect(result.config).toBeNull();
    expect(diagnosticFor(result, 'api_key')).toEqual({
      severity: 'error',
      file: 'obs.yaml',
      line: 2,
      column: 10,
      field: 'api_key',
      message: 'environment variable DD_API_KEY is not set (needed by api_key)',
      hint: 'export DD_API_KEY=...',
    });
    expect(diagnosticFor(result, 'app_key')).toMatchObject({
      line: 3,
      column: 10,
      message: 'environment variable DD_APP_KEY is empty (needed by app_key)',
      hint: 'export DD_APP_KEY=...',
    });
  });

  it('reports a malformed reference', () => {
    const result = parse(`${PROMETHEUS_HEAD}headers:\n  X-Team: "{{env.team-name}}"\n`);
    expect(diagnosticFor(result, 'headers.X-Team')).toMatchObject({
      line: 4,
      column: 11,
      message: 'malformed environment reference',
    });
  });

  it('leaves Datadog tags such as env:prod alone', () => {
    const result = parse(`${PROMETHEUS_HEAD}metrics:\n  - { name: a, query: "avg:x{env:prod}" }\n`);
    expect(result.config?.metrics[0]?.query).toBe('avg:x{env:prod}');
  });
});

describe('literal secrets', () => {
  const literals = {
    apiKey: 'dd0123456789abcdef0123456789abcd',
    bearer: 'glsa_bearer_literal_value',
    password: 'hunter2-password-literal',
    authHeader: 'Basic dXNlcjpwYXNz',
    slack: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    urlPassword: 'pw-in-url-literal',
    routing: 'R0UT1NGKEY0000000000000000000000',
    serverToken: 'server-token-literal',
    hmac: 'hmac-literal-secret',
  };
  const text = [
    'provider: datadog',
    `api_key: ${literals.apiKey}`,
    'providers:',
    '  prom:',
    '    type: prometheus',
    `    url: "http://user:${literals.urlPassword}@127.0.0.1:9090"`,
    `    auth: { bearer: "${literals.bearer}" }`,
    '    headers:',
    `      Authorization: "${literals.authHeader}"`,
    '      X-Team: sre',
    '  cloud:',
    '    type: prometheus',
    '    url: http://127.0.0.1:9091',
    `    auth: { basic: { username: u, password: "${literals.password}" } }`,
    'receivers:',
    `  - { type: slack, url: "${literals.slack}" }`,
    `  - { type: pagerduty, routing_key: ${literals.routing} }`,
    `  - { type: webhook, url: "http://127.0.0.1:8080/hook", hmac_secret: ${literals.hmac} }`,
    `server: { token: ${literals.serverToken} }`,
  ].join('\n');

  it('refuses each one at its value', () => {
    const result = parse(text);
    expect(result.config).toBeNull();
    const refused = errorsOf(result)
      .filter((d) => d.message.startsWith('literal secret refused'))
      .map((d) => `${d.line}:${d.column} ${d.field}`);
    expect(refused).toEqual([
      '2:10 api_key',
      '6:10 providers.prom.url',
      '7:21 providers.prom.auth.bearer',
      '9:22 providers.prom.headers.Authorization',
      '14:45 providers.cloud.auth.basic.password',
      '16:25 receivers[0].url',
      '17:37 receivers[1].routing_key',
      '18:70 receivers[2].hmac_secret',
      '19:18 server.token',
    ]);
    expect(diagnosticFor(result, 'api_key').hint).toContain('{{env.NAME}}');
    expect(diagnosticFor(result, 'api_key').hint).toContain('env:NAME');
  });

  it('never echoes a literal secret in any diagnostic or in the rendered error', () => {
    for (const resolveSecrets of [true, false]) {
      const result = parse(text, {}, resolveSecrets);
      const rendered = [
        JSON.stringify(result.diagnostics),
        formatUserError(configErrorFromDiagnostics(result.diagnostics)),
      ].join('\n');
      for (const literal of Object.values(literals)) expect(rendered).not.toContain(literal);
      expect(rendered).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX');
    }
  });

  it('does not suggest quoting a number written where a secret goes', () => {
    const result = parse('provider: datadog\napi_key: 1234567890123456\n');
    expect(diagnosticFor(result, 'api_key')).toMatchObject({
      message: 'expected text, got an integer',
      hint: 'write `{{env.NAME}}` or `env:NAME` and export NAME',
    });
    expect(JSON.stringify(result.diagnostics)).not.toContain('1234567890123456');
  });

  it('refuses an empty secret', () => {
    const result = parse('provider: datadog\napi_key: ""\n');
    expect(diagnosticFor(result, 'api_key')).toMatchObject({ line: 2, column: 10, message: 'empty secret' });
  });

  it('allows literal values of ordinary headers and ordinary URLs', () => {
    const result = parse(
      `${PROMETHEUS_HEAD}headers: { X-Team: sre }\nreceivers:\n  - { type: slack, url: "http://127.0.0.1:8080/slack" }\n`,
    );
    expect(errorsOf(result)).toEqual([]);
  });
});

describe('offline validation (resolveSecrets: false)', () => {
  it('builds the config with placeholders and reads no secret', () => {
    const env = { DATADOG_API_KEY: 'present-api-key' };
    const result = loadObservabilityConfig(fixture('full-observability.yaml'), env, {
      resolveSecrets: false,
    });
    const config = result.config as ObservabilityConfig;
    expect(config).not.toBeNull();
    expect(config.secretValues).toEqual([]);
    expect(config.providers.dd).toMatchObject({
      apiKey: '<env:DATADOG_API_KEY>',
      appKey: '<env:DATADOG_APP_KEY>',
    });
    expect(config.providers.default).toMatchObject({ auth: { kind: 'bearer', token: '<env:PROM_TOKEN>' } });
    expect(config.receivers[2]).toEqual({
      type: 'slack',
      name: 'slack',
      url: '<env:SLACK_WEBHOOK_URL>',
      followRedirects: false,
    });
    expect(JSON.stringify(config)).not.toContain('present-api-key');

    // Variables that are missing are still reported, as errors; the present one is not.
    const missing = errorsOf(result).map((d) => d.hint);
    expect(missing).toContain('export DATADOG_APP_KEY=...');
    expect(missing).toContain('export MONITOR_TOKEN=...');
    expect(missing).not.toContain('export DATADOG_API_KEY=...');
  });

  it('still returns no config for other errors', () => {
    const result = parse('provider: datadog\napi_key: env:K\ntimeout: 10x\n', {}, false);
    expect(result.config).toBeNull();
  });

  it('uses defaults for typed fields whose value is only known at run time', () => {
    const result = parse(
      `${PROMETHEUS_HEAD}timeout: env:QUERY_TIMEOUT\n`,
      { QUERY_TIMEOUT: 'not-checked' },
      false,
    );
    expect(result.config?.providers.default?.http.timeoutMs).toBe(10_000);
  });
});
