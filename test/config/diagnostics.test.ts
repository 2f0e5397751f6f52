import { describe, expect, it } from 'vitest';
import { formatUserError, UserError } from '../../src/common/errors.js';
import {
  type ConfigDiagnostic,
  configErrorFromDiagnostics,
  loadObservabilityConfig,
  parseObservabilityConfig,
} from '../../src/config/index.js';
import { diagnosticFor, errorsOf, PROMETHEUS_HEAD } from './support.js';

function parse(text: string, env: NodeJS.ProcessEnv = {}) {
  return parseObservabilityConfig(text, 'obs.yaml', env);
}

/** The one error of a file, checked to be the only one. */
function onlyError(text: string, env: NodeJS.ProcessEnv = {}): ConfigDiagnostic {
  const result = parse(text, env);
  expect(result.config).toBeNull();
  const errors = errorsOf(result);
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  return errors[0] as ConfigDiagnostic;
}

describe('YAML syntax', () => {
  it('reports the parser’s line and column', () => {
    const error = onlyError(`${PROMETHEUS_HEAD}timeout: "10s\n`);
    expect(error).toMatchObject({ file: 'obs.yaml', line: 4, column: 1, field: '' });
    expect(error.message).toBe('YAML: Missing closing "quote');
    expect(error.hint).toContain('close the quote');
  });

  it('refuses duplicate keys at the second one', () => {
    const error = onlyError(`${PROMETHEUS_HEAD}url: http://127.0.0.1:9091\n`);
    expect(error).toMatchObject({ line: 3, column: 1, message: 'YAML: Map keys must be unique' });
  });

  it('wants a mapping at the top', () => {
    expect(onlyError('- provider: prometheus\n')).toMatchObject({ line: 1, column: 1, field: '' });
  });

  it('does not quote the source line, which may hold a secret', () => {
    const result = parse('provider: datadog\napi_key: "literal-key-0042\n');
    expect(JSON.stringify(result.diagnostics)).not.toContain('literal-key-0042');
  });
});

describe('schema', () => {
  it('points a wrong type at the value', () => {
    const error = onlyError(`${PROMETHEUS_HEAD}metrics:\n  - name: api_latency_p99\n    query: 5\n`);
    expect(error).toEqual({
      severity: 'error',
      file: 'obs.yaml',
      line: 5,
      column: 12,
      field: 'metrics[0].query',
      message: 'expected text, got an integer',
      hint: 'quote the value',
    });
  });

  it('points an unknown key at the key and guesses the intended one', () => {
    const result = parse(`${PROMETHEUS_HEAD}timout: 5s\nmetrics:\n  - name: a\n    quer: up\n`);
    expect(result.config).toBeNull();
    expect(diagnosticFor(result, 'timout')).toMatchObject({
      line: 3,
      column: 1,
      message: 'unknown key `timout`',
      hint: 'did you mean `timeout`?',
    });
    expect(diagnosticFor(result, 'metrics[0].quer')).toMatchObject({
      line: 6,
      column: 5,
      hint: 'did you mean `query`?',
    });
    // `quer` stands in for the required `query`, reported at the metric.
    expect(diagnosticFor(result, 'metrics[0].query')).toMatchObject({ line: 5, column: 5 });
  });

  it('suggests spelling variants and synonyms', () => {
    const unguessable = onlyError(`${PROMETHEUS_HEAD}noData: 1\n`).hint ?? '';
    expect(unguessable.startsWith('known keys here: $schema, provider, api_key')).toBe(true);
    expect(onlyError(`${PROMETHEUS_HEAD}alerting:\n  noData: ignore\n`).hint).toBe('did you mean `no_data`?');
    expect(onlyError(`${PROMETHEUS_HEAD}incident_command:\n  command: [x]\n  argv: [x]\n`).hint).toBe(
      'did you mean `argv`?',
    );
  });

  it('says which provider type a misplaced key belongs to', () => {
    const error = onlyError(
      `${PROMETHEUS_HEAD}providers:\n  p: { type: prometheus, url: "http://h", api_key: env:K }\n`,
      {
        K: 'value',
      },
    );
    expect(error).toMatchObject({
      field: 'providers.p.api_key',
      line: 4,
      column: 43,
      hint: '`api_key` belongs to datadog providers; this one is `type: prometheus`',
    });
  });

  it('names a missing required key at the object that lacks it', () => {
    const error = onlyError(`${PROMETHEUS_HEAD}providers:\n  prom:\n    type: prometheus\n`);
    expect(error).toMatchObject({
      field: 'providers.prom.url',
      line: 4,
      column: 3,
      message: 'missing required key `url`',
    });
  });

  it('refuses an unknown provider type and an unknown enum value with a guess', () => {
    expect(onlyError(`providers:\n  p: { type: promethus, url: "http://h" }\n`)).toMatchObject({
      field: 'providers.p.type',
      line: 2,
      column: 14,
    });
    const error = onlyError(`${PROMETHEUS_HEAD}alerting:\n  no_data: alrt\n`);
    expect(error).toMatchObject({
      field: 'alerting.no_data',
      line: 4,
      column: 12,
      message: 'unknown no_data policy `alrt`',
      hint: 'did you mean `alert`?',
    });
  });

  it('refuses a top-level provider setting without `provider`, and one of the other type', () => {
    const result = parse('url: http://127.0.0.1:9090\nmetrics: []\n');
    expect(diagnosticFor(result, 'url')).toMatchObject({ line: 1, column: 1 });
    expect(diagnosticFor(result, '').message).toBe('no provider configured');
    expect(onlyError(`${PROMETHEUS_HEAD}site: eu\n`)).toMatchObject({
      field: 'site',
      line: 3,
      column: 1,
      message: '`site` is a datadog setting, but `provider` is prometheus',
    });
  });

  it('refuses a top-level scrape `interval` with another provider, or with none', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}interval: 30s\n`)).toMatchObject({
      field: 'interval',
      line: 3,
      column: 1,
      message:
        '`interval` is a scrape setting (the time between its two scrapes), but `provider` is prometheus',
      hint: 'remove it (how often the daemon measures is its `--interval` flag), or declare a scrape provider under `providers:`',
    });
    const result = parse('interval: 30s\nmetrics: []\n');
    expect(diagnosticFor(result, 'interval')).toMatchObject({
      line: 1,
      column: 1,
      message: 'top-level `interval` needs a top-level `provider`',
      hint: 'add `provider: scrape`',
    });
  });
});

describe('values', () => {
  it('refuses a bad duration', () => {
    const error = onlyError(`${PROMETHEUS_HEAD}timeout: 10x\n`);
    expect(error).toMatchObject({ field: 'timeout', line: 3, column: 10 });
    expect(error.message).toBe(
      'expected a duration such as 30s, 5m, 1h30m, 2d, or a number of seconds, not `10x`',
    );
  });

  it('refuses a bad duration read from the environment', () => {
    expect(
      onlyError(`${PROMETHEUS_HEAD}timeout: env:QUERY_TIMEOUT\n`, { QUERY_TIMEOUT: 'soon' }),
    ).toMatchObject({
      field: 'timeout',
      line: 3,
      column: 10,
      message: 'not a duration',
    });
  });

  it('refuses zero cycles and zero timeouts', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}alerting: { for: 0 }\n`)).toMatchObject({
      field: 'alerting.for',
      message: 'must be at least 1 cycle',
    });
    expect(onlyError(`${PROMETHEUS_HEAD}timeout: 0s\n`)).toMatchObject({
      field: 'timeout',
      message: 'must be greater than 0',
    });
  });

  it('refuses a bad unit with a guess', () => {
    const error = onlyError(`${PROMETHEUS_HEAD}metrics:\n  - name: a\n    query: up\n    unit: mss\n`);
    expect(error).toEqual({
      severity: 'error',
      file: 'obs.yaml',
      line: 6,
      column: 11,
      field: 'metrics[0].unit',
      message: 'unknown unit `mss`',
      hint: 'did you mean `ms`?',
    });
  });

  it('accepts the unit spellings units/ knows', () => {
    const result = parse(
      `${PROMETHEUS_HEAD}metrics:\n  - { name: a, query: up, unit: requests per second }\n`,
    );
    expect(result.config?.metrics[0]?.unit).toBe('rps');
  });

  it('refuses a Datadog site it does not know, with a guess', () => {
    expect(
      onlyError('provider: datadog\napi_key: env:K\napp_key: env:K\nsite: datadoghq.eux\n', {
        K: 'key-value',
      }),
    ).toMatchObject({
      field: 'site',
      line: 4,
      column: 7,
      message: 'unknown Datadog site `datadoghq.eux`',
      hint: 'did you mean `datadoghq.eu`?',
    });
  });

  it('refuses URLs that are not http(s) or that include the API path', () => {
    expect(onlyError('provider: prometheus\nurl: ftp://127.0.0.1\n')).toMatchObject({
      field: 'url',
      line: 2,
      column: 6,
    });
    expect(onlyError('provider: prometheus\nurl: http://127.0.0.1:9090/api/v1/query\n').hint).toContain(
      '/api/v1',
    );
  });

  it('refuses a metric that names an unknown provider, listing the known ones', () => {
    const error = onlyError(
      `${PROMETHEUS_HEAD}providers:\n  prom2: { type: prometheus, url: "http://h" }\nmetrics:\n  - name: a\n    query: up\n    provider: prom3\n`,
    );
    expect(error).toEqual({
      severity: 'error',
      file: 'obs.yaml',
      line: 8,
      column: 15,
      field: 'metrics[0].provider',
      message: 'unknown provider `prom3`; known providers: default, prom2',
      hint: 'did you mean `prom2`?',
    });
  });

  it('refuses a duplicate metric at its second definition', () => {
    const error = onlyError(
      `${PROMETHEUS_HEAD}metrics:\n  - name: a\n    query: up\n  - name: a\n    query: down\n`,
    );
    expect(error).toMatchObject({
      field: 'metrics[1].name',
      line: 6,
      column: 11,
      message: 'duplicate metric `a` (first defined on line 4)',
    });
  });

  it('refuses duplicate receiver names and `default` as a named provider beside the top level', () => {
    expect(
      onlyError(
        `${PROMETHEUS_HEAD}receivers:\n  - { type: webhook, name: x, url: "http://h" }\n  - { type: alertmanager, name: x, url: "http://h" }\n`,
      ),
    ).toMatchObject({ field: 'receivers[1].name', line: 5, message: 'duplicate receiver name `x`' });
    expect(
      onlyError(`${PROMETHEUS_HEAD}providers:\n  default: { type: prometheus, url: "http://h" }\n`),
    ).toMatchObject({
      field: 'providers.default',
      line: 4,
      column: 3,
    });
  });

  it('reports every problem of a file at once, in file order', () => {
    const result = parse(
      `provider: prometheus\nurl: ftp://h\ntimeout: 10x\nmetrics:\n  - { name: a, query: up, unit: mss }\n`,
    );
    // Schema errors stop before value checks: the unit and URL are not checked yet.
    expect(errorsOf(result).map((d) => d.field)).toEqual(['timeout']);
    const later = parse(
      `provider: prometheus\nurl: ftp://h\nmetrics:\n  - { name: a, query: up, unit: mss }\n  - { name: a, query: up }\n`,
    );
    expect(errorsOf(later).map((d) => `${d.line}:${d.field}`)).toEqual([
      '2:url',
      '4:metrics[0].unit',
      '5:metrics[1].name',
    ]);
  });
});

describe('reading the file', () => {
  it('turns an unreadable file into a diagnostic instead of throwing', () => {
    const result = loadObservabilityConfig('does-not-exist/observability.yaml', {});
    expect(result.config).toBeNull();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'does-not-exist/observability.yaml',
        line: 1,
        column: 1,
      }),
    ]);
    expect(result.diagnostics[0]?.message).toContain('ENOENT');
  });
});

describe('configErrorFromDiagnostics', () => {
  it('leads with the first error and lists the others as details', () => {
    const result = parse(
      `${PROMETHEUS_HEAD}timout: 5s\nalerting:\n  no_data: alrt\nserver: { lisen: ":1" }\n`,
    );
    const error = configErrorFromDiagnostics(result.diagnostics);
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('config');
    expect(error.message).toBe('unknown key `timout`');
    expect(error.location).toEqual({ file: 'obs.yaml', line: 3, column: 1 });
    expect(error.field).toBe('timout');
    expect(error.hint).toBe('did you mean `timeout`?');
    expect(error.details).toEqual([
      'obs.yaml:5:12: alerting.no_data: unknown no_data policy `alrt`',
      'obs.yaml:6:11: server.lisen: unknown key `lisen`',
    ]);
    expect(formatUserError(error)).toContain('obs.yaml:3:1: timout: unknown key `timout`');
  });

  it('leaves warnings out', () => {
    const result = parse(
      'provider: datadog\napi_key: env:K\nmetrics: [{ name: a, query: b }]\nsite: mars\n',
      { K: 'key-value' },
    );
    const error = configErrorFromDiagnostics(result.diagnostics);
    expect(error.field).toBe('site');
    expect(error.details).toEqual([]);
  });
});
