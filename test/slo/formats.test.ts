import { describe, expect, it } from 'vitest';
import {
  type OpenSloSource,
  openSloDocuments,
  prometheusGroup,
  ruleProblem,
  slothSpecs,
} from '../../src/slo/index.js';
import { objectivesOf, specOf } from './support.js';

const spec = specOf([
  ['error_rate', '< 0.1%'],
  ['latency_mean', '< 100ms'],
]);

function sourcesOf(yaml: string): OpenSloSource[] {
  return [...objectivesOf(spec, yaml).values()].map((objective) => ({
    specId: 'spec-shop',
    requirement: objective.metric,
    targetText: objective.metric === 'error_rate' ? '< 0.1%' : '< 100ms',
    objective,
    query: 'q',
    providerType: 'prometheus',
    threshold: { comparator: '<', value: objective.metric === 'error_rate' ? 0.001 : 0.1 },
  }));
}

const PROMETHEUS = `provider: prometheus
url: http://127.0.0.1:9090
metrics:
  - name: error_rate
    query: 'sum(rate(e_total[5m])) / sum(rate(r_total[5m]))'
  - name: latency_mean
    query: 'sum(rate(d_sum[5m])) / sum(rate(d_count[5m]))'
    objective: { target: 0.99, slice: 5m }
`;

describe('rule formats', () => {
  it('leave out a metric whose alerting mode is threshold, saying why', () => {
    const [errors] = sourcesOf(`${PROMETHEUS}alerting: { mode: threshold }\n`);
    expect(errors && ruleProblem(errors)).toMatch(/alerting.mode is threshold/);
  });

  it('leave out a timeslice objective from Prometheus rules, with the reason', () => {
    const latency = sourcesOf(PROMETHEUS)[1];
    expect(latency && ruleProblem(latency)).toMatch(/judged per time slice/);
  });

  it('compare each window with factor × allowed and label the alert', () => {
    const [errors] = sourcesOf(PROMETHEUS);
    if (!errors) throw new Error('no objective');
    const group = prometheusGroup(errors);
    expect(group.rules.filter((rule) => rule.record).map((rule) => rule.record)).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => `smartspec_slo:sli_error:ratio_rate${w}`),
    );
    const ticket = group.rules.find((rule) => rule.labels?.long_window === '3d');
    expect(ticket?.expr).toBe(
      'smartspec_slo:sli_error:ratio_rate3d{spec_id="spec-shop",metric="error_rate",slo_window="30d"} > (1 * 0.001)\n' +
        'and\nsmartspec_slo:sli_error:ratio_rate6h{spec_id="spec-shop",metric="error_rate",slo_window="30d"} > (1 * 0.001)',
    );
    expect(ticket?.labels).toMatchObject({ severity: 'ticket', short_window: '6h' });
    expect(ticket?.annotations?.runbook_url).toBeUndefined();
  });

  it('quote a metric name with any character as a PromQL string', () => {
    const [errors] = sourcesOf(PROMETHEUS);
    if (!errors) throw new Error('no objective');
    const odd = { ...errors, objective: { ...errors.objective, metric: 'rate "a\\b"' } };
    const alert = prometheusGroup(odd).rules.find((rule) => rule.alert);
    expect(alert?.expr).toContain('metric="rate \\"a\\\\b\\""');
  });

  it('write Sloth objectives in percent with error and total queries', () => {
    const [slo] = slothSpecs(sourcesOf(PROMETHEUS).slice(0, 1));
    expect(slo).toMatchObject({
      version: 'prometheus/v1',
      service: 'spec-shop',
      slos: [
        {
          name: 'error-rate',
          objective: 99.9,
          sli: {
            events: {
              error_query: 'sum(rate(e_total[{{.window}}]))',
              total_query: 'sum(rate(r_total[{{.window}}]))',
            },
          },
        },
      ],
    });
  });

  it('write OpenSLO ratio and threshold SLOs with their budgeting methods', () => {
    const [ratio, threshold] = openSloDocuments(sourcesOf(`${PROMETHEUS}objective: { window: month }\n`));
    expect(ratio).toMatchObject({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      spec: {
        budgetingMethod: 'Occurrences',
        timeWindow: [{ duration: '1M', isRolling: false }],
        indicator: {
          spec: { ratioMetric: { bad: { metricSource: { spec: { query: 'sum(rate(e_total[5m]))' } } } } },
        },
        objectives: [{ target: 0.999 }],
      },
    });
    expect(threshold).toMatchObject({
      spec: {
        budgetingMethod: 'Timeslices',
        indicator: {
          spec: { thresholdMetric: { metricSource: { type: 'Prometheus', spec: { query: 'q' } } } },
        },
        objectives: [{ target: 0.99, op: 'lt', value: 0.1, timeSliceWindow: '5m' }],
      },
    });
  });
});
