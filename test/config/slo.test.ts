import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';
import { diagnosticFor, PROMETHEUS_HEAD } from './support.js';

function load(body: string) {
  return parseObservabilityConfig(`${PROMETHEUS_HEAD}${body}`, 'observability.yaml', {});
}

describe('observability.yaml SLO fields', () => {
  it('reads objective, sli, alerting mode, burn-rate rules and runbook_url, globally and per metric', () => {
    const result = load(`objective: { window: 28d, budgeting: timeslices, slice: 5m }
runbook_url: https://runbooks.example/slo
alerting: { mode: burn_rate }
metrics:
  - name: errors
    query: 'sum(rate(e[5m])) / sum(rate(t[5m]))'
    objective: { target: 0.995 }
    sli: { bad: 'e', total: 't' }
    alerting:
      mode: threshold
      burn_rate_rules: [{ severity: ticket, long_window: 2d, short_window: 4h, factor: 2 }]
`);
    expect(result.diagnostics).toEqual([]);
    expect(result.config).toMatchObject({
      objective: { window: '28d', budgeting: 'timeslices', sliceSeconds: 300 },
      runbookUrl: 'https://runbooks.example/slo',
      sloAlerting: { mode: 'burn_rate' },
      metrics: [
        {
          objective: { target: 0.995 },
          sli: { bad: 'e', total: 't' },
          sloAlerting: {
            mode: 'threshold',
            burnRateRules: [
              { severity: 'ticket', longWindowSeconds: 172800, shortWindowSeconds: 14400, factor: 2 },
            ],
          },
        },
      ],
    });
  });

  it('leaves every SLO field unset when none is written (the model applies its defaults)', () => {
    const result = load("metrics:\n  - name: errors\n    query: 'up'\n");
    expect(result.config?.objective).toBeUndefined();
    expect(result.config?.metrics[0]?.sli).toBeUndefined();
  });

  it('suggests the window meant by a typo, at its line', () => {
    const found = diagnosticFor(load('objective: { window: mnth }\n'), 'objective.window');
    expect(found).toMatchObject({ severity: 'error', line: 3 });
    expect(`${found.message} ${found.hint}`).toMatch(/unknown SLO window `mnth`.*did you mean `month`\?/);
  });

  it('refuses a target given as a percentage', () => {
    const found = diagnosticFor(
      load("metrics:\n  - name: e\n    query: 'up'\n    objective: { target: 99.9 }\n"),
      'metrics[0].objective.target',
    );
    expect(found).toMatchObject({ line: 6 });
    expect(found.message).toMatch(/fraction of good, between 0 and 1 \(0.999 = 99.9 %\)/);
  });

  it('refuses a short window that is not shorter than the long one', () => {
    const found = diagnosticFor(
      load(
        'alerting:\n  burn_rate_rules:\n    - { severity: page, long_window: 5m, short_window: 1h, factor: 14.4 }\n',
      ),
      'alerting.burn_rate_rules[0].short_window',
    );
    expect(found.message).toMatch(/shorter than the long window/);
    expect(found.hint).toMatch(/long 1h, short 5m/);
  });

  it('explains the shapes an sli may take', () => {
    const found = diagnosticFor(
      load("metrics:\n  - name: e\n    query: 'up'\n    sli: { good: 'a' }\n"),
      'metrics[0].sli',
    );
    expect(found.message).toMatch(/\{good: <query>, total: <query>\}/);
  });

  it('refuses an unknown severity for a burn-rate rule', () => {
    const result = load(
      'alerting:\n  burn_rate_rules:\n    - { severity: pager, long_window: 1h, short_window: 5m, factor: 14.4 }\n',
    );
    expect(result.diagnostics.some((d) => d.field === 'alerting.burn_rate_rules[0].severity')).toBe(true);
  });
});

describe('docs/slo.md', () => {
  it('shows an observability.yaml example that loads without a diagnostic', () => {
    const doc = fs.readFileSync(fileURLToPath(new URL('../../docs/slo.md', import.meta.url)), 'utf8');
    const example = /```yaml\n(objective:[\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const result = load(example ?? '');
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.metrics.map((metric) => metric.name)).toEqual([
      'api_error_rate',
      'api_latency_p99',
      'checkout_success',
    ]);
  });
});
