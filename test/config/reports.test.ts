import { describe, expect, it } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';

const BASE = 'provider: prometheus\nurl: http://127.0.0.1:9090\nmetrics:\n  - name: m\n    query: up\n';

describe('reports block', () => {
  it('defaults: UTC, 20% trend threshold, all formats, daily and weekly, aggregator decided at run time', () => {
    const { config } = parseObservabilityConfig(BASE, '/w/observability.yaml', {});
    expect(config!.reports).toEqual({
      timeZone: 'UTC',
      trendThreshold: 0.2,
      formats: ['json', 'md', 'html'],
      daily: true,
      weekly: true,
      aggregatorCommand: null,
    });
  });

  it('reads every key; `aggregator_command: false` turns the command off', () => {
    const text = `${BASE}reports:\n  time_zone: Europe/Berlin\n  trend_threshold: 0.1\n  formats: [json]\n  weekly: false\n  aggregator_command: false\n`;
    const { config, diagnostics } = parseObservabilityConfig(text, '/w/observability.yaml', {});
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(config!.reports).toMatchObject({
      timeZone: 'Europe/Berlin',
      trendThreshold: 0.1,
      formats: ['json'],
      weekly: false,
    });
    expect(config!.reports.aggregatorCommand!.argv).toEqual([]);
  });

  it('an unknown time zone is an error at its line', () => {
    const text = `${BASE}reports:\n  time_zone: Mars/Olympus\n`;
    const { config, diagnostics } = parseObservabilityConfig(text, '/w/observability.yaml', {});
    expect(config).toBeNull();
    expect(diagnostics[0]).toMatchObject({ line: 7, field: 'reports.time_zone' });
    expect(diagnostics[0]!.message).toContain('Mars/Olympus');
  });
});
