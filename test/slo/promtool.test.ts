import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type PrometheusRule, prometheusRuleFile, type RuleSource } from '../../src/slo/index.js';
import { tempDir, useTempDirs } from '../support/temp.js';
import { objectivesOf, specOf } from './support.js';

useTempDirs();

const SPEC_ID = 'spec-checkout';
const HEAD = 'provider: prometheus\nurl: http://127.0.0.1:9090\n';

function promtool(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

/** The generated rule file for one error-rate NFR and one p99 latency NFR, from real spec and config text. */
function generatedRules(): { file: { groups: { name: string; rules: PrometheusRule[] }[] } } {
  const spec = specOf([
    ['error_rate', '< 0.1%'],
    ['latency_p99', 'p99 < 200ms'],
  ]);
  const yaml = `${HEAD}runbook_url: https://runbooks.example/checkout
metrics:
  - name: error_rate
    query: 'sum(rate(http_requests_total{code="500"}[5m])) / sum(rate(http_requests_total[5m]))'
  - name: latency_p99
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
`;
  const sources: RuleSource[] = [...objectivesOf(spec, yaml).values()].map((objective) => ({
    specId: SPEC_ID,
    requirement: objective.metric,
    targetText: objective.metric === 'error_rate' ? '< 0.1%' : 'p99 < 200ms',
    objective,
  }));
  return { file: prometheusRuleFile(sources) };
}

type Burn = { name: string; good: number; bad: number };

/** Expected labels of a firing burn-rate alert of the error-rate objective. */
function alertLabels(severity: string, long: string, short: string, factor: number) {
  return {
    spec_id: SPEC_ID,
    metric: 'error_rate',
    slo_window: '30d',
    severity,
    long_window: long,
    short_window: short,
    burn_rate_factor: String(factor),
  };
}

const PAGE_1H = alertLabels('page', '1h', '5m', 14.4);
const PAGE_6H = alertLabels('page', '6h', '30m', 6);
const TICKET_1D = alertLabels('ticket', '1d', '2h', 3);
const TICKET_3D = alertLabels('ticket', '3d', '6h', 1);

describe('generated Prometheus rules, checked by promtool', () => {
  it('pass `promtool check rules`', async () => {
    const dir = tempDir('rules-');
    const file = path.join(dir, 'rules.yaml');
    fs.writeFileSync(file, stringify(generatedRules().file, { lineWidth: 0 }));
    const result = await promtool(['check', 'rules', file]);
    expect(result.output).toMatch(/SUCCESS: 22 rules found/);
    expect(result.code).toBe(0);
  });

  it('page on a fast burn, ticket only on a slow one, stay silent without burn (`promtool test rules`)', async () => {
    const dir = tempDir('rules-');
    const { file } = generatedRules();
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify(file, { lineWidth: 0 }));
    const annotationsOf = (labels: Record<string, string>) => {
      const rule = file.groups
        .flatMap((group) => group.rules)
        .find(
          (r) =>
            r.alert !== undefined &&
            r.labels?.metric === labels.metric &&
            r.labels?.long_window === labels.long_window,
        );
      return rule?.annotations ?? {};
    };
    // 1000 requests a minute for 100 minutes; `bad` of them fail. 0.1 % may fail.
    const burns: (Burn & { firing: Record<string, string>[] })[] = [
      // 2 % errors: a 20× burn, above every factor.
      { name: 'fast', good: 980, bad: 20, firing: [PAGE_1H, PAGE_6H, TICKET_1D, TICKET_3D] },
      // 0.4 %: 4×, above the tickets' 3× and 1×, below the pages' 6× and 14.4×.
      { name: 'slow', good: 996, bad: 4, firing: [TICKET_1D, TICKET_3D] },
      // 0.05 %: half the sustainable pace.
      { name: 'none', good: 1999, bad: 1, firing: [] },
    ];
    const tests = burns.map((burn) => ({
      name: `${burn.name} burn`,
      interval: '1m',
      input_series: [
        { series: 'http_requests_total{code="200"}', values: `0+${burn.good}x100` },
        { series: 'http_requests_total{code="500"}', values: `0+${burn.bad}x100` },
      ],
      alert_rule_test: [
        {
          eval_time: '90m',
          alertname: 'SmartSpecErrorBudgetBurn',
          exp_alerts: burn.firing.map((labels) => ({
            exp_labels: labels,
            exp_annotations: annotationsOf(labels),
          })),
        },
      ],
      promql_expr_test: [
        {
          expr: `smartspec_slo:sli_error:ratio_rate1h{metric="error_rate"}`,
          eval_time: '90m',
          exp_samples: [
            {
              labels: `smartspec_slo:sli_error:ratio_rate1h{spec_id="${SPEC_ID}",metric="error_rate",slo_window="30d"}`,
              value: burn.bad / (burn.good + burn.bad),
            },
          ],
        },
      ],
    }));
    fs.writeFileSync(
      path.join(dir, 'tests.yaml'),
      stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }, { lineWidth: 0 }),
    );
    const result = await promtool(['test', 'rules', path.join(dir, 'tests.yaml')]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.code).toBe(0);
  });

  it('count slow requests from the bucket at the threshold for a latency SLO', async () => {
    const dir = tempDir('rules-');
    const { file } = generatedRules();
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify(file, { lineWidth: 0 }));
    // 1000 requests a minute, 950 under 0.2 s: 5 % slow against 1 % allowed, a 5× burn.
    const tests = [
      {
        interval: '1m',
        input_series: [
          { series: 'http_request_duration_seconds_bucket{le="0.1"}', values: '0+800x100' },
          { series: 'http_request_duration_seconds_bucket{le="0.2"}', values: '0+950x100' },
          { series: 'http_request_duration_seconds_bucket{le="+Inf"}', values: '0+1000x100' },
          { series: 'http_request_duration_seconds_count', values: '0+1000x100' },
        ],
        promql_expr_test: [
          {
            expr: 'round(smartspec_slo:sli_error:ratio_rate1h{metric="latency_p99"} / 0.01, 0.001)',
            eval_time: '90m',
            exp_samples: [
              { labels: `{spec_id="${SPEC_ID}",metric="latency_p99",slo_window="30d"}`, value: 5 },
            ],
          },
        ],
      },
    ];
    fs.writeFileSync(
      path.join(dir, 'tests.yaml'),
      stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }, { lineWidth: 0 }),
    );
    const result = await promtool(['test', 'rules', path.join(dir, 'tests.yaml')]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.code).toBe(0);
  });
});
