/**
 * OpenSLO v1 and Sloth prometheus/v1 files as mapping sources (`slo_sources:`): hand-written documents in
 * the shapes of the two projects' public docs, read from a real workspace folder, joined to the NFRs of a
 * real spec.md, and turned into objectives by the SLO model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySloSources } from '../../src/config/import/index.js';
import {
  type LoadResult,
  loadObservabilityConfig,
  parseObservabilityConfig,
} from '../../src/config/index.js';
import type { ConfigDiagnostic } from '../../src/config/types.js';
import { planChecks } from '../../src/evaluate/plan.js';
import { deriveObjective, type SloObjective } from '../../src/slo/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import { specOf } from '../slo/support.js';
import { tempDir, useTempDirs, writeTree } from './support.js';

useTempDirs();

const SPEC = specOf([
  ['api_error_rate', '< 0.1%'],
  ['checkout_success', '> 99.5%'],
  ['api_latency_p99', '< 250ms'],
  ['queue_lag', '< 30s'],
]);
const NFRS = parseNfrs(SPEC).nfrs;
const HEAD = 'provider: prometheus\nurl: http://127.0.0.1:9090\n';

/** Writes the files under a fresh workspace, loads observability.yaml and applies its slo_sources. */
function loadWith(files: Record<string, string>, nfrs = NFRS): LoadResult & { root: string } {
  const root = tempDir();
  writeTree(root, files);
  const loaded = loadObservabilityConfig(path.join(root, 'observability.yaml'), {});
  return { ...applySloSources(loaded, { root, specId: 'spec-shop-001', nfrs }), root };
}

function objectivesOf(result: LoadResult): Map<string, { objective: SloObjective; query: string }> {
  const config = result.config;
  if (!config) throw new Error(`no config: ${JSON.stringify(result.diagnostics)}`);
  const plan = planChecks(NFRS, config.metrics, config.unmapped);
  return new Map(
    plan.checks.map((check) => [
      check.mapping.name,
      {
        query: check.mapping.query,
        objective: deriveObjective({
          check,
          providerType: config.providers[check.mapping.provider]?.type ?? 'unknown',
          defaults: config.objective ? { objective: config.objective } : {},
        }),
      },
    ]),
  );
}

function shown(diagnostics: readonly ConfigDiagnostic[], root: string): string[] {
  return diagnostics.map(
    (d) =>
      `${d.severity} ${path.relative(root, d.file)}:${d.line}:${d.column} ${d.message} | ${d.hint ?? ''}`,
  );
}

// The shapes of openslo.com's v1 examples: an SLI document referenced by name, an SLO with it inline.
const OPENSLO = `apiVersion: openslo/v1
kind: Service
metadata:
  name: shop
spec:
  description: The shop
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-success
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: checkout_completed_total{service="shop"}
    total:
      metricSource:
        type: Prometheus
        spec:
          query: checkout_started_total{service="shop"}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-success
  labels:
    metric: [checkout_success]
spec:
  service: shop
  indicatorRef: checkout-success
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: checkouts that complete
      targetPercent: 99.5
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: queue_lag
spec:
  service: shop
  indicator:
    metadata:
      name: queue-lag
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: max(kafka_consumergroup_lag_seconds{group="orders"})
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: 2022-01-01 00:00:00
        timeZone: UTC
  budgetingMethod: Timeslices
  objectives:
    - displayName: lag under 30 s
      op: lt
      value: 30
      target: 0.99
      timeSliceWindow: 5m
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: errors
  labels:
    metric: api_error_rate
spec:
  service: shop
  indicator:
    metadata:
      name: errors
    spec:
      ratioMetric:
        counter: false
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{code=~"5.."}[5m]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total[5m]))
  timeWindow:
    - duration: 7d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
`;

// The shapes of sloth.dev's getting-started example: events with {{.window}}, raw, alerting.
const SLOTH = `version: "prometheus/v1"
service: "shop"
labels:
  owner: "team-shop"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    labels:
      metric: api_error_rate
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="shop",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="shop"}[{{.window}}]))
    alerting:
      name: ShopHighErrorRate
      annotations:
        runbook_url: https://runbooks.example/shop-errors
      page_alert:
        disable: true
      ticket_alert:
        labels:
          severity: "slack"
  - name: "checkout_success"
    objective: 99.5
    sli:
      raw:
        error_ratio_query: |
          sum(rate(checkout_failed_total[{{.window}}]))
          /
          sum(rate(checkout_started_total[{{.window}}]))
    alerting:
      name: CheckoutFailures
      page_alert:
        disable: true
      ticket_alert:
        disable: true
`;

describe('slo_sources: OpenSLO v1', () => {
  it('maps NFRs from SLO documents with inline or referenced SLIs, windows, budgeting and targets', () => {
    const result = loadWith({
      'observability.yaml': `${HEAD}slo_sources: [slos/openslo.yaml]\n`,
      'slos/openslo.yaml': OPENSLO,
    });
    expect(shown(result.diagnostics, result.root)).toEqual([
      'warning slos/openslo.yaml:2:7 OpenSLO kind `Service` is not used here; skipped | the provider connection comes from observability.yaml; only SLO and SLI documents map NFRs',
      // The latency NFR has no SLO: measured by nothing, which the plan reports as unmapped.
    ]);
    const objectives = objectivesOf(result);
    const checkout = objectives.get('checkout_success');
    expect(checkout?.objective).toMatchObject({
      window: { name: '28d' },
      budgeting: 'occurrences',
      target: 0.995,
      sli: {
        good: 'sum(rate(checkout_completed_total{service="shop"}[{{.window}}]))',
        total: 'sum(rate(checkout_started_total{service="shop"}[{{.window}}]))',
      },
    });
    // The NFR is a good share (> 99.5 %): its instant value is good ÷ total at 5m.
    expect(checkout?.query).toBe(
      '(sum(rate(checkout_completed_total{service="shop"}[5m]))) / (sum(rate(checkout_started_total{service="shop"}[5m])))',
    );
    const lag = objectives.get('queue_lag');
    expect(lag?.query).toBe('max(kafka_consumergroup_lag_seconds{group="orders"})');
    expect(lag?.objective).toMatchObject({
      window: { name: 'month', rolling: false },
      budgeting: 'timeslices',
      sliceSeconds: 300,
      target: 0.99,
      sli: null,
    });
    const errors = objectives.get('api_error_rate');
    // The fixed 5m range of OpenSLO's rates becomes the window again.
    expect(errors?.objective).toMatchObject({
      window: { name: '7d' },
      budgeting: 'occurrences',
      target: 0.999,
      sli: {
        good: null,
        bad: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
        total: 'sum(rate(http_requests_total[{{.window}}]))',
      },
    });
    expect(errors?.query).toBe(
      '(sum(rate(http_requests_total{code=~"5.."}[5m]))) / (sum(rate(http_requests_total[5m])))',
    );
    expect(objectives.has('api_latency_p99')).toBe(false);
  });

  it('says what is wrong, where, and how to fix it', () => {
    const result = loadWith({
      'observability.yaml': `${HEAD}slo_sources: [bad.yaml]\n`,
      'bad.yaml': `apiVersion: openslo/v1
kind: SLOs
metadata: { name: x }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: lag, labels: { metric: [queue_lag] } }
spec:
  indicator:
    metadata: { name: lag }
    spec:
      thresholdMetric:
        metricSource: { type: CloudWatch, spec: { query: x } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives: [{ target: 0.99 }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: errs, labels: { metric: [api_error_rate] } }
spec:
  indicatorRef: nowhere
  timeWindow: [{ duration: 90d, isRolling: true }]
  budgetingMethod: RatioTimeslices
  objectives: [{ target: 99.9 }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: api_eror_rate }
spec:
  indicator:
    metadata: { name: e }
    spec:
      thresholdMetric:
        metricSource: { type: Prometheus, spec: { query: up } }
  objectives: [{ target: 0.9 }]
`,
    });
    expect(shown(result.diagnostics, result.root)).toEqual([
      'error bad.yaml:2:7 unknown OpenSLO kind `SLOs` | the kinds read are SLO and SLI; others of OpenSLO v1 (Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget) are skipped',
      'error bad.yaml:13:31 metric source `CloudWatch` is not supported for a thresholdMetric | supported here: Prometheus, Datadog (the monitor queries Prometheus-compatible backends and Datadog)',
      'error bad.yaml:21:17 no SLI named `nowhere` in the SLO sources | add a `kind: SLI` document, or put the SLI inline under `indicator:`',
      'warning bad.yaml:26:1 OpenSLO SLO `api_eror_rate` joins no NFR of spec-shop-001: no NFR has the metric `api_eror_rate` (its name) | did you mean `api_error_rate`? Set `labels.metric` to the Metric column of spec.md',
    ]);
  });

  it('reports a window, budgeting method or target it cannot use', () => {
    const result = loadWith({
      'observability.yaml': `${HEAD}slo_sources: [bad.yaml]\n`,
      'bad.yaml': `apiVersion: openslo/v1
kind: SLO
metadata: { name: errs, labels: { metric: [api_error_rate] } }
spec:
  indicator:
    metadata: { name: e }
    spec:
      thresholdMetric:
        metricSource: { type: Prometheus, spec: { query: up } }
  timeWindow: [{ duration: 90d, isRolling: true }]
  budgetingMethod: RatioTimeslices
  objectives: [{ target: 99.9 }]
`,
    });
    expect(shown(result.diagnostics, result.root)).toEqual([
      'error bad.yaml:10:28 window `90d` rolling is not supported | supported: rolling 7d, 28d or 30d (also 1w, 4w), or calendar 1M (month) or 1w (week)',
      'error bad.yaml:11:20 budgetingMethod "RatioTimeslices" is not supported | use Occurrences (good/total events) or Timeslices (share of good time slices)',
      'error bad.yaml:12:26 target 99.9 is not a share of good | `target` is a fraction between 0 and 1 (0.999), `targetPercent` a percentage (99.9)',
    ]);
  });
});

describe('slo_sources: Sloth prometheus/v1', () => {
  it("maps NFRs from slos[] with events or raw SLIs; the window is observability.yaml's", () => {
    const result = loadWith({
      'observability.yaml': `${HEAD}objective: { window: 28d }\nslo_sources: [sloth.yaml]\n`,
      'sloth.yaml': SLOTH,
    });
    expect(result.diagnostics).toEqual([]);
    const objectives = objectivesOf(result);
    expect(objectives.get('api_error_rate')?.objective).toMatchObject({
      window: { name: '28d' },
      budgeting: 'occurrences',
      target: 0.999,
      sli: {
        bad: 'sum(rate(http_request_duration_seconds_count{job="shop",code=~"(5..|429)"}[{{.window}}]))',
        total: 'sum(rate(http_request_duration_seconds_count{job="shop"}[{{.window}}]))',
      },
      runbookUrl: 'https://runbooks.example/shop-errors',
      // page_alert disabled: only the ticket rules, scaled for 28 days.
      burnRateRules: [
        { severity: 'ticket', longWindowSeconds: 86400, factor: 2.8 },
        { severity: 'ticket', longWindowSeconds: 259200, factor: 0.933333333333 },
      ],
    });
    const checkout = objectives.get('checkout_success');
    // A raw error ratio of two rates: the model derives the counters from it; both alerts off.
    expect(checkout?.query).toBe(
      '1 - (sum(rate(checkout_failed_total[5m]))\n/\nsum(rate(checkout_started_total[5m])))',
    );
    expect(checkout?.objective).toMatchObject({
      target: 0.995,
      budgeting: 'occurrences',
      alertingMode: 'threshold',
      sli: { source: 'ratio_query', total: 'sum(rate(checkout_started_total[{{.window}}]))' },
    });
  });

  it('refuses SLI plugins and objectives that are no percentage, naming what is supported', () => {
    const result = loadWith({
      'observability.yaml': `${HEAD}slo_sources: [sloth.yaml]\n`,
      'sloth.yaml': `version: prometheus/v1
service: shop
slos:
  - name: api_error_rate
    objective: 0.999
    sli: { events: { error_query: 'e', total_query: 't' } }
  - name: checkout_success
    objective: 99
    sli:
      plugin:
        id: sloth-common/kubernetes/apiserver/availability
`,
    });
    expect(shown(result.diagnostics, result.root)).toEqual([
      'error sloth.yaml:6:35 the query has no `{{.window}}`: Sloth and the monitor put each burn window there | e.g. `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`',
      'error sloth.yaml:11:9 Sloth SLI plugins are not supported: their queries are made inside Sloth | supported: `sli.events` (error_query and total_query) and `sli.raw` (error_ratio_query)',
    ]);
  });
});

describe('slo_sources: what cannot be measured from an SLO alone', () => {
  it('reads the Kubernetes form of Sloth, and names the NFRs it cannot measure or the provider it lacks', () => {
    const result = loadWith({
      'observability.yaml': `${HEAD}slo_sources: [crd.yaml, datadog.yaml]\n`,
      'crd.yaml': `apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: { name: shop }
spec:
  service: shop
  slos:
    - name: api_latency_p99
      objective: 99
      sli:
        events:
          error_query: sum(rate(slow_requests_total[{{.window}}]))
          total_query: sum(rate(requests_total[{{.window}}]))
    - name: api_error_rate
      objective: 99.9
      sli:
        events:
          error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
          total_query: sum(rate(http_requests_total[{{.window}}]))
`,
      'datadog.yaml': `apiVersion: openslo/v1
kind: SLO
metadata: { name: queue_lag }
spec:
  indicator:
    metadata: { name: lag }
    spec:
      thresholdMetric:
        metricSource: { type: Datadog, spec: { query: 'max:kafka.consumer_lag{group:orders}' } }
  objectives: [{ target: 0.99 }]
`,
    });
    expect(shown(result.diagnostics, result.root)).toEqual([
      "warning crd.yaml:7:7 Sloth SLO `api_latency_p99`: the SLO counts events, but the NFR's value (a duration) cannot be read from its queries: add a `metrics:` entry named `api_latency_p99` with the query that measures it | ",
      'error datadog.yaml:8:7 OpenSLO SLO `queue_lag` is measured by datadog, and observability.yaml has no datadog provider | add a datadog provider to observability.yaml (top-level `provider: datadog`, or under `providers:`); the SLO source carries no connection',
    ]);
    expect([...objectivesOf(result).keys()]).toEqual(['api_error_rate']);
  });

  it('asks the provider metricSourceRef names; reads raw ratios; judges per slice a ratio it cannot count', () => {
    const metricSource = (query: string, ref = '') =>
      `{ metricSource: { ${ref}type: Prometheus, spec: { query: '${query}' } } }`;
    const result = loadWith({
      'observability.yaml': `providers:
  main: { type: prometheus, url: http://127.0.0.1:9090 }
  edge: { type: prometheus, url: http://127.0.0.1:9091 }
slo_sources: [slos.yaml]
`,
      'slos.yaml': `apiVersion: openslo/v1
kind: SLO
metadata: { name: api_error_rate }
spec:
  indicator:
    metadata: { name: e }
    spec:
      ratioMetric:
        rawType: failure
        raw: ${metricSource('sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))', 'metricSourceRef: edge, ')}
  objectives: [{ target: 0.999 }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout_success }
spec:
  indicator:
    metadata: { name: c }
    spec:
      ratioMetric:
        good: ${metricSource('checkout:completed:rate5m', 'metricSourceRef: main, ')}
        total: ${metricSource('checkout:started:rate5m')}
  objectives: [{ target: 0.995 }]
`,
    });
    expect(shown(result.diagnostics, result.root)).toEqual([
      'warning slos.yaml:21:89 the query is not a sum of rate()/increase() with a range, so it cannot be counted over the SLO window; the ratio is judged per time slice | write the counters as `sum(rate(<counter>[5m]))`, or with `{{.window}}` as the range, or set `counter: true` with bare counter selectors',
    ]);
    const objectives = objectivesOf(result);
    const errors = result.config?.metrics.find((mapping) => mapping.name === 'api_error_rate');
    expect(errors).toMatchObject({
      provider: 'edge',
      query: 'sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))',
    });
    // The raw error ratio is a ratio of rates: the model derives its counters.
    expect(objectives.get('api_error_rate')?.objective).toMatchObject({
      budgeting: 'occurrences',
      sli: { source: 'ratio_query', bad: 'sum(rate(errors_total[{{.window}}]))' },
    });
    expect(result.config?.metrics.find((mapping) => mapping.name === 'checkout_success')).toMatchObject({
      provider: 'main',
      query: '(checkout:completed:rate5m) / (checkout:started:rate5m)',
    });
    expect(objectives.get('checkout_success')?.objective).toMatchObject({
      budgeting: 'timeslices',
      sli: null,
    });
  });

  it('refuses an empty slo_sources list', () => {
    const result = parseObservabilityConfig(`${HEAD}slo_sources: []\n`, 'observability.yaml', {});
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 3,
        field: 'slo_sources',
        message: 'list at least one OpenSLO or Sloth file, or remove the key',
      }),
    ]);
  });
});

describe('slo_sources beside metrics:', () => {
  const MAPPED = `${HEAD}slo_sources: [openslo.yaml]
metrics:
  - name: api_error_rate
    query: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'
`;

  it("keeps observability.yaml's query and takes the window from the SLO when both agree", () => {
    const result = loadWith({ 'observability.yaml': MAPPED, 'openslo.yaml': OPENSLO });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const errors = objectivesOf(result).get('api_error_rate');
    expect(errors?.query).toBe(
      'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    );
    expect(errors?.objective).toMatchObject({ window: { name: '7d' }, target: 0.999 });
  });

  it('refuses an NFR mapped in both with another target or other queries', () => {
    const conflicting = OPENSLO.replace('target: 0.999', 'target: 0.99').replace(
      'sum(rate(http_requests_total[5m]))',
      'sum(rate(http_requests_total{job="api"}[5m]))',
    );
    const result = loadWith({ 'observability.yaml': MAPPED, 'openslo.yaml': conflicting });
    const errors = shown(
      result.diagnostics.filter((d) => d.severity === 'error'),
      result.root,
    );
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      /^error openslo.yaml:84:7 OpenSLO SLO `errors`: `api_error_rate` is also mapped in observability.yaml \(line 5\) with other SLI queries: .*\| map `api_error_rate` in one place: remove the SLO or the `metrics:` entry at observability.yaml:5, or make them agree$/,
    );
    expect(errors[1]).toMatch(
      /^error openslo.yaml:101:7 OpenSLO SLO `errors`: `api_error_rate` is also mapped in observability.yaml \(line 5\) with another target: 0.999 there, 0.99 here/,
    );
  });
});

describe('where SLO sources are read', () => {
  it('refuses a source that leads out of the workspace, and one that does not exist, at the slo_sources entry', () => {
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'slo.yaml'), SLOTH);
    const root = tempDir();
    writeTree(root, { 'observability.yaml': `${HEAD}slo_sources:\n  - linked/slo.yaml\n  - missing.yaml\n` });
    fs.symlinkSync(outside, path.join(root, 'linked'));
    const loaded = loadObservabilityConfig(path.join(root, 'observability.yaml'), {});
    const result = applySloSources(loaded, { root, specId: 'spec-shop-001', nfrs: NFRS });
    expect(shown(result.diagnostics, root)).toEqual([
      'error observability.yaml:4:5 `linked/slo.yaml` leads outside the workspace root through a symbolic link; it is not read | SLO sources are read from inside the workspace only; copy the file into it',
      'error observability.yaml:5:5 `missing.yaml` does not exist | the path is relative to the folder of observability.yaml',
    ]);
  });

  it('refuses an OpenSLO or Sloth file given as observability.yaml, saying how to use it', () => {
    const result = parseObservabilityConfig(OPENSLO, 'slo.yaml', {});
    expect(result.config).toBeNull();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 1,
        message:
          'this is an OpenSLO file, not an observability.yaml: it says what to measure but not which backend to ask',
        hint: expect.stringContaining('`slo_sources: [<this file>]`'),
      }),
    ]);
  });

  it('does not warn that nothing is measured when the mappings come from slo_sources', () => {
    const result = parseObservabilityConfig(`${HEAD}slo_sources: [slo.yaml]\n`, 'observability.yaml', {});
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.sloSources).toEqual([
      expect.objectContaining({ written: 'slo.yaml', line: 3, column: 15 }),
    ]);
  });
});
