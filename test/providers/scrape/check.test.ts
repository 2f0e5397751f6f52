import { describe, expect, it } from 'vitest';
import { type ObservabilityConfig, parseObservabilityConfig } from '../../../src/config/index.js';
import { scrapeQueryDiagnostics } from '../../../src/providers/scrape/check.js';

function configOf(text: string): ObservabilityConfig {
  const result = parseObservabilityConfig(text, 'observability.yaml', {});
  if (!result.config) throw new Error(JSON.stringify(result.diagnostics));
  return result.config;
}

describe('scrapeQueryDiagnostics', () => {
  it('names the unsupported construct and the line of each scrape mapping; other providers are not its business', async () => {
    const config = configOf(`providers:
  app:
    type: scrape
    url: http://127.0.0.1:8080/metrics
  prom:
    type: prometheus
    url: http://127.0.0.1:9090
metrics:
  - name: ok_rate
    provider: app
    query: sum(rate(requests_total[1m]))
  - name: bad_quantile
    provider: app
    query: quantile(0.9, rate(requests_total[1m]))
  - name: prom_only
    provider: prom
    query: predict_linear(x[5m], 60)
  - name: windowed
    provider: app
    query: sum(requests_total) > 3
    lookback: 10m
`);
    const diagnostics = await scrapeQueryDiagnostics(config);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: expect.stringMatching(/observability\.yaml$/),
        line: 12,
        field: 'metrics[1].query',
        message: expect.stringContaining(
          'metric "bad_quantile": the aggregation `quantile` is not supported by the scrape provider',
        ),
        hint: expect.stringContaining('docs/observability-yaml.md'),
      }),
      expect.objectContaining({
        severity: 'warning',
        line: 18,
        field: 'metrics[3].lookback',
        message: expect.stringContaining('`lookback` applies to datadog providers only; ignored'),
      }),
      expect.objectContaining({
        severity: 'error',
        line: 18,
        field: 'metrics[3].query',
        message: expect.stringContaining('the operator `>` is not supported'),
      }),
    ]);
  });

  it('gives nothing when no metric uses a scrape provider', async () => {
    const config = configOf(
      'provider: prometheus\nurl: http://127.0.0.1:9090\nmetrics:\n  - name: x\n    query: topk(1, y)\n',
    );
    expect(await scrapeQueryDiagnostics(config)).toEqual([]);
  });
});
