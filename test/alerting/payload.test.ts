import { describe, expect, it } from 'vitest';
import { alertSummary, buildAlertPayload, dedupKeyFor } from '../../src/alerting/payload.js';
import type { Unit } from '../../src/units/index.js';
import { CHECKED, firingState, latencyVerdict, samplePayload } from './fixtures.js';

describe('buildAlertPayload', () => {
  it("leads with SmartSpec's incident contract fields, exactly as the incident guide names them", () => {
    const payload = samplePayload('trigger');
    expect(Object.keys(payload).slice(0, 6)).toEqual([
      'source',
      'spec_id',
      'metric',
      'value',
      'slo',
      'severity',
    ]);
    expect({
      source: payload.source,
      spec_id: payload.spec_id,
      metric: payload.metric,
      value: payload.value,
      slo: payload.slo,
      severity: payload.severity,
    }).toEqual({
      source: 'production_monitor',
      spec_id: 'spec-core-001-authentication',
      metric: 'api_latency_p99',
      value: 350,
      slo: 200,
      severity: 'SEV-2',
    });
  });

  it('fills the rest of the payload for a trigger', () => {
    expect(samplePayload('trigger')).toEqual({
      source: 'production_monitor',
      spec_id: 'spec-core-001-authentication',
      metric: 'api_latency_p99',
      value: 350,
      slo: 200,
      severity: 'SEV-2',
      status: 'firing',
      event: 'trigger',
      kind: 'slo',
      service: 'auth-api',
      unit: 'ms',
      comparator: '<',
      target: '< 200ms',
      requirement: 'p99 latency',
      category: 'Performance',
      started_at: '2026-11-27T04:00:00.000Z',
      ended_at: null,
      dedup_key: 'smartspec-production-monitor/spec-core-001-authentication/api_latency_p99/slo',
      query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
      provider: 'prom',
      reason: 'p99 latency = 350 ms, target < 200ms: breached (query on prom)',
      links: {
        report: 'http://127.0.0.1:9999/reports/spec-core-001-authentication/latest',
        status_page: 'http://127.0.0.1:9999/status',
      },
      monitor: { name: 'smartspec-production-monitor', version: '0.1.0', host: 'monitor-1' },
      trigger: 'threshold',
      burn_rates: null,
      budget_remaining: null,
      window: null,
      firing_rules: [],
    });
  });

  it('marks a resolve as resolved with its end time, from the closed episode the state machine returns', () => {
    const payload = samplePayload('resolve', { verdict: { value: 150, status: 'healthy' } });
    expect(payload).toMatchObject({
      status: 'resolved',
      event: 'resolve',
      value: 150,
      severity: 'SEV-2',
      started_at: '2026-11-27T04:00:00.000Z',
      ended_at: CHECKED.toISOString(),
    });
  });

  it('gives a no-data alert a null value and its own dedup key', () => {
    const payload = samplePayload('trigger', {
      kind: 'no_data',
      verdict: { value: null, status: 'unknown' },
      state: { severity: 'SEV-4' },
    });
    expect(payload).toMatchObject({ kind: 'no_data', value: null, severity: 'SEV-4' });
    expect(payload.dedup_key).toBe(
      'smartspec-production-monitor/spec-core-001-authentication/api_latency_p99/no_data',
    );
  });

  it('keeps the dedup key the same across episodes and caps it at 255 characters', () => {
    const first = samplePayload('trigger', { state: { episodeId: 'one', since: new Date(0) } });
    const second = samplePayload('trigger', { state: { episodeId: 'two' } });
    expect(first.dedup_key).toBe(second.dedup_key);
    const long = dedupKeyFor('s'.repeat(300), 'm', 'slo');
    expect(long).toHaveLength(255);
    expect(dedupKeyFor('s'.repeat(300), 'm', 'no_data')).not.toBe(long);
  });

  it('carries no secret: free text is redacted and nothing from the configuration is included', () => {
    const secret = 'sk_live_0123456789abcdef';
    const payload = buildAlertPayload({
      verdict: latencyVerdict({
        query: `sum(rate(x{token="${secret}"}[5m]))`,
        reason: `request failed: 401 for key ${secret}`,
      }),
      state: firingState(),
      event: 'trigger',
      kind: 'slo',
      service: 'auth-api',
      links: { report: null, status_page: null },
      version: '0.1.0',
      host: 'monitor-1',
      redact: (text) => text.split(secret).join('***'),
    });
    const json = JSON.stringify(payload);
    expect(json).not.toContain(secret);
    expect(payload.query).toBe('sum(rate(x{token="***"}[5m]))');
  });

  it('writes non-finite values as null rather than letting JSON do it silently', () => {
    expect(samplePayload('trigger', { verdict: { value: Number.NaN } }).value).toBeNull();
  });
});

describe('alertSummary', () => {
  it('reads as one line', () => {
    expect(alertSummary(samplePayload('trigger'))).toBe(
      '[SEV-2] spec-core-001-authentication api_latency_p99 = 350 ms breaches < 200ms (p99 latency)',
    );
    expect(alertSummary(samplePayload('reminder'))).toBe(
      '[SEV-2] spec-core-001-authentication api_latency_p99 = 350 ms still breaches < 200ms (p99 latency)',
    );
    expect(alertSummary(samplePayload('resolve', { verdict: { value: 150 } }))).toBe(
      '[RESOLVED] spec-core-001-authentication api_latency_p99 = 150 ms meets < 200ms again (p99 latency)',
    );
    expect(alertSummary(samplePayload('trigger', { kind: 'no_data', state: { severity: 'SEV-4' } }))).toBe(
      '[SEV-4] no data for spec-core-001-authentication api_latency_p99: monitoring is blind (target < 200ms) (p99 latency)',
    );
  });

  it('writes measured values as reports and the status page do (one formatQuantity)', () => {
    const summary = (value: number, unit: Unit) =>
      alertSummary(samplePayload('resolve', { verdict: { value, unit } }));
    expect(summary(1234.56789, 'ms')).toContain(' = 1235 ms meets ');
    expect(summary(99.0, '%')).toContain(' = 99 % meets ');
    // Nines are never rounded up to a full 100 %.
    expect(summary(99.99996, '%')).toContain(' = 99.99996 % meets ');
    expect(summary(250, 'us')).toContain(' = 250 µs meets ');
  });
});
