import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ObservabilityConfig, parseObservabilityConfig } from '../../src/config/index.js';
import { compileScrapeQuery } from '../../src/providers/scrape/query.js';
import { diagnosticFor, errorsOf } from './support.js';

function loaded(text: string, env: NodeJS.ProcessEnv = {}): ObservabilityConfig {
  const result = parseObservabilityConfig(text, 'observability.yaml', env);
  expect(errorsOf(result)).toEqual([]);
  return result.config as ObservabilityConfig;
}

describe('scrape providers in observability.yaml', () => {
  it('reads a named scrape provider with its interval and the shared HTTP settings', () => {
    const config = loaded(
      `providers:
  app:
    type: scrape
    url: http://127.0.0.1:8080/metrics?format=prometheus
    interval: 200ms
    timeout: 3s
    headers:
      Authorization: "{{env.APP_METRICS_TOKEN}}"
    max_response_size: 2MiB
metrics:
  - name: api_error_rate
    query: sum(rate(errors_total[1m])) / sum(rate(requests_total[1m]))
`,
      { APP_METRICS_TOKEN: 'Bearer app-metrics-token-1' },
    );
    expect(config.providers.app).toEqual({
      type: 'scrape',
      name: 'app',
      http: {
        url: 'http://127.0.0.1:8080/metrics?format=prometheus',
        headers: { Authorization: 'Bearer app-metrics-token-1' },
        timeoutMs: 3000,
        tls: { caFile: null, insecureSkipVerify: false },
        followRedirects: false,
        maxResponseBytes: 2 * 1024 * 1024,
      },
      intervalSeconds: 0.2,
    });
    expect(config.defaultProvider).toBe('app');
    expect(config.metrics[0]!.provider).toBe('app');
  });

  it('reads `provider: scrape` at the top level, with a 15 s interval by default', () => {
    const config = loaded('provider: scrape\nurl: http://127.0.0.1:8080/metrics\n');
    expect(config.providers.default).toMatchObject({ type: 'scrape', name: 'default', intervalSeconds: 15 });
    expect(
      loaded('provider: scrape\nurl: http://127.0.0.1:8080/metrics\ninterval: 30s\n').providers.default,
    ).toMatchObject({
      intervalSeconds: 30,
    });
  });

  it('names the line and field of a missing url, a bad interval and another type’s key', () => {
    const missing = parseObservabilityConfig(
      'providers:\n  app:\n    type: scrape\n',
      'observability.yaml',
      {},
    );
    const url = diagnosticFor(missing, 'providers.app.url');
    expect(url).toMatchObject({ line: 2, message: expect.stringContaining('missing required key `url`') });

    const zero = parseObservabilityConfig(
      'providers:\n  app:\n    type: scrape\n    url: http://127.0.0.1:8080/metrics\n    interval: 0s\n',
      'observability.yaml',
      {},
    );
    expect(diagnosticFor(zero, 'providers.app.interval')).toMatchObject({
      line: 5,
      message: 'must be greater than 0',
    });

    const foreign = parseObservabilityConfig(
      'provider: scrape\nurl: http://127.0.0.1:8080/metrics\ntenant: team-a\n',
      'observability.yaml',
      {},
    );
    expect(diagnosticFor(foreign, 'tenant')).toMatchObject({
      line: 3,
      message: '`tenant` is not a scrape setting, but `provider` is scrape',
    });

    const unknownKey = parseObservabilityConfig(
      'providers:\n  app:\n    type: scrape\n    url: http://127.0.0.1:8080/metrics\n    lookback: 5m\n',
      'observability.yaml',
      {},
    );
    expect(diagnosticFor(unknownKey, 'providers.app.lookback').message).toContain('unknown key `lookback`');
  });

  it('lists scrape among the provider types in the error for an unknown one', () => {
    const result = parseObservabilityConfig(
      'providers:\n  app:\n    type: scraper\n',
      'observability.yaml',
      {},
    );
    expect(errorsOf(result)[0]!.message).toContain(
      'expected prometheus, datadog, influxdb, graphite, scrape, newrelic, cloudwatch or dynatrace',
    );
  });

  it('loads the copy-paste example of docs/observability-yaml.md, every query inside the subset', () => {
    const doc = readFileSync(
      fileURLToPath(new URL('../../docs/observability-yaml.md', import.meta.url)),
      'utf8',
    );
    const example = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? '')
      .find((text) => text.includes('type: scrape'));
    expect(example).toBeDefined();
    const config = loaded(example!);
    expect(config.providers.app).toMatchObject({ type: 'scrape', intervalSeconds: 15 });
    expect(config.metrics).toHaveLength(3);
    for (const metric of config.metrics) expect(() => compileScrapeQuery(metric.query)).not.toThrow();
  });
});
