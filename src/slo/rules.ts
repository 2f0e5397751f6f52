import type { Comparator } from '../units/index.js';
import { allowedBadShare } from './budget.js';
import { atWindow } from './sli.js';
import type { BurnRateRule, SloObjective } from './types.js';
import { BURN_WINDOWS_SECONDS, promDuration } from './window.js';

/** One objective to turn into rules, with what names it in the spec. */
export interface RuleSource {
  specId: string;
  /** Requirement text and target as written in spec.md, for the alert description. */
  requirement: string;
  targetText: string;
  objective: SloObjective;
}

export interface PrometheusRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PrometheusRuleGroup {
  name: string;
  rules: PrometheusRule[];
}

/** A PromQL string literal: a metric name from spec.md may hold any character. */
function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Name of the recording rule holding the SLI error ratio over `window` (Sloth's naming pattern). */
export function errorRatioRecord(windowSeconds: number): string {
  return `smartspec_slo:sli_error:ratio_rate${promDuration(windowSeconds)}`;
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(10))}%`;
}

/** The objectives that can run as Prometheus rules, or why one cannot. */
export function ruleProblem(source: RuleSource): string | null {
  const { objective } = source;
  if (objective.target === null) return objective.targetReason ?? 'no target fraction';
  if (objective.sli === null) return objective.sliReason ?? 'no event SLI';
  if (objective.alertingMode === 'threshold') {
    return 'alerting.mode is threshold: the monitor alerts on the target itself, no burn-rate rules';
  }
  return null;
}

function burnWindows(rules: readonly BurnRateRule[]): number[] {
  const windows = new Set(BURN_WINDOWS_SECONDS);
  for (const rule of rules) {
    windows.add(rule.longWindowSeconds);
    windows.add(rule.shortWindowSeconds);
  }
  return [...windows].sort((a, b) => a - b);
}

function severityRank(rule: BurnRateRule): number {
  return rule.severity === 'page' ? 0 : 1;
}

/**
 * Recording rules for the SLI error ratio at every burn window, and one multi-window burn-rate alert
 * per rule, in one group per metric. The source must have no `ruleProblem`.
 */
export function prometheusGroup(source: RuleSource): PrometheusRuleGroup {
  const { objective, specId } = source;
  const sli = objective.sli;
  const target = objective.target;
  if (sli === null || target === null)
    throw new Error(`no rules for ${objective.metric}: ${ruleProblem(source)}`);
  const identity = { spec_id: specId, metric: objective.metric, slo_window: objective.window.name };
  const selector = `{spec_id=${promString(specId)},metric=${promString(objective.metric)},slo_window="${objective.window.name}"}`;
  const allowed = allowedBadShare(target);
  const recording: PrometheusRule[] = burnWindows(objective.burnRateRules).map((seconds) => {
    const window = promDuration(seconds);
    return {
      record: errorRatioRecord(seconds),
      expr: `(${atWindow(sli.bad, window)})\n/\n(${atWindow(sli.total, window)})`,
      labels: { ...identity },
    };
  });
  const alerts: PrometheusRule[] = [...objective.burnRateRules]
    .sort((a, b) => severityRank(a) - severityRank(b) || a.longWindowSeconds - b.longWindowSeconds)
    .map((rule) => {
      const long = promDuration(rule.longWindowSeconds);
      const short = promDuration(rule.shortWindowSeconds);
      const threshold = `(${rule.factor} * ${allowed})`;
      const annotations: Record<string, string> = {
        summary: `${specId} ${objective.metric}: error budget burning ${rule.factor}× too fast (${long} and ${short})`,
        description:
          `NFR "${source.requirement}: ${source.targetText}" of ${specId}, objective ${percent(target)} good over ${objective.window.name}. ` +
          `The SLI error ratio is above ${rule.factor} × ${allowed} over both ${long} and ${short}: ` +
          `at this pace the ${objective.window.name} budget lasts ${promDuration(objective.window.seconds / rule.factor)}.`,
      };
      if (objective.runbookUrl) annotations.runbook_url = objective.runbookUrl;
      return {
        alert: 'SmartSpecErrorBudgetBurn',
        expr:
          `${errorRatioRecord(rule.longWindowSeconds)}${selector} > ${threshold}\n` +
          `and\n${errorRatioRecord(rule.shortWindowSeconds)}${selector} > ${threshold}`,
        labels: {
          ...identity,
          severity: rule.severity,
          long_window: long,
          short_window: short,
          burn_rate_factor: String(rule.factor),
        },
        annotations,
      };
    });
  return { name: `smartspec-slo:${specId}:${objective.metric}`, rules: [...recording, ...alerts] };
}

/** A Prometheus rule file (`promtool check rules`, `rule_files:`) for the given objectives. */
export function prometheusRuleFile(sources: readonly RuleSource[]): { groups: PrometheusRuleGroup[] } {
  return { groups: sources.map(prometheusGroup) };
}

/** A prometheus-operator `PrometheusRule` resource per spec. */
export function prometheusOperatorResources(sources: readonly RuleSource[]): Record<string, unknown>[] {
  const bySpec = new Map<string, RuleSource[]>();
  for (const source of sources) bySpec.set(source.specId, [...(bySpec.get(source.specId) ?? []), source]);
  return [...bySpec].map(([specId, specSources]) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: kubernetesName(`smartspec-slo-${specId}`),
      labels: {
        'app.kubernetes.io/managed-by': 'smartspec-production-monitor',
        'smartspec.io/spec-id': specId,
      },
    },
    spec: prometheusRuleFile(specSources),
  }));
}

/** A DNS-1123 name: lower case letters, digits and `-`, at most 253 characters. */
function kubernetesName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 253);
}

/** Sloth's `prometheus/v1` spec, one document per spec; Sloth's own burn-rate defaults apply. */
export function slothSpecs(sources: readonly RuleSource[]): Record<string, unknown>[] {
  const bySpec = new Map<string, RuleSource[]>();
  for (const source of sources) bySpec.set(source.specId, [...(bySpec.get(source.specId) ?? []), source]);
  return [...bySpec].map(([specId, specSources]) => ({
    version: 'prometheus/v1',
    service: specId,
    labels: { spec_id: specId },
    slos: specSources.map(({ objective, requirement, targetText }) => {
      const sli = objective.sli;
      if (sli === null || objective.target === null) throw new Error(`no SLI for ${objective.metric}`);
      return {
        name: kubernetesName(objective.metric),
        objective: Number((objective.target * 100).toPrecision(10)),
        description: `${requirement}: ${targetText} (${objective.window.name})`,
        labels: { metric: objective.metric },
        sli: { events: { error_query: sli.bad, total_query: sli.total } },
        alerting: {
          name: 'SmartSpecErrorBudgetBurn',
          labels: { spec_id: specId, metric: objective.metric },
          annotations: {
            summary: `${specId} ${objective.metric}: error budget burning too fast`,
            ...(objective.runbookUrl ? { runbook_url: objective.runbookUrl } : {}),
          },
          page_alert: { labels: { severity: 'page' } },
          ticket_alert: { labels: { severity: 'ticket' } },
        },
      };
    }),
  }));
}

/** OpenSLO duration shorthand for a window: `30d`, `28d`, `7d`, or calendar `1M` / `1w`. */
function openSloTimeWindow(objective: SloObjective): Record<string, unknown> {
  if (objective.window.rolling) return { duration: objective.window.name, isRolling: true };
  return {
    duration: objective.window.name === 'month' ? '1M' : '1w',
    isRolling: false,
    calendar: { startTime: '2020-01-01 00:00:00', timeZone: 'UTC' },
  };
}

/**
 * OpenSLO v1 `SLO` documents with the SLI inline: a ratioMetric (occurrences) over rates at a 5m step,
 * or a thresholdMetric (timeslices) on the monitored query itself. `query` is the mapping's query.
 */
export interface OpenSloSource extends RuleSource {
  query: string;
  providerType: string;
  /** The NFR's comparison, in the unit the query returns, for a thresholdMetric. */
  threshold: { comparator: Comparator; value: number };
}

const OPENSLO_OPS: Readonly<Record<Comparator, string>> = {
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
  '=': 'lte',
};

/** OpenSLO `metricSource.type` of each provider type. */
const OPENSLO_SOURCE_TYPES: Readonly<Record<string, string>> = {
  prometheus: 'Prometheus',
  datadog: 'Datadog',
  newrelic: 'NewRelic',
  cloudwatch: 'CloudWatch',
  dynatrace: 'Dynatrace',
  influxdb: 'InfluxDB',
  graphite: 'Graphite',
};

export function openSloDocuments(sources: readonly OpenSloSource[]): Record<string, unknown>[] {
  return sources.map(({ specId, requirement, targetText, objective, query, providerType, threshold }) => {
    const sourceType = OPENSLO_SOURCE_TYPES[providerType] ?? 'Prometheus';
    const metricSource = (text: string) => ({ metricSource: { type: sourceType, spec: { query: text } } });
    const indicatorSpec =
      objective.sli !== null
        ? {
            ratioMetric: {
              counter: false,
              ...(objective.sli.good !== null
                ? { good: metricSource(atWindow(objective.sli.good, '5m')) }
                : { bad: metricSource(atWindow(objective.sli.bad, '5m')) }),
              total: metricSource(atWindow(objective.sli.total, '5m')),
            },
          }
        : { thresholdMetric: metricSource(query) };
    const objectiveEntry: Record<string, unknown> = {
      displayName: `${requirement}: ${targetText}`,
      target: objective.target,
    };
    if (objective.sli === null) {
      // A slice is good when the query meets the NFR's comparison.
      objectiveEntry.op = OPENSLO_OPS[threshold.comparator];
      objectiveEntry.value = threshold.value;
      objectiveEntry.timeSliceWindow = promDuration(objective.sliceSeconds ?? 60);
    }
    return {
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: {
        name: kubernetesName(`${specId}-${objective.metric}`),
        displayName: `${specId} ${requirement}`,
        labels: { spec_id: [specId], metric: [objective.metric] },
      },
      spec: {
        description: `${requirement}: ${targetText}${objective.sli?.assumption ? ` (${objective.sli.assumption})` : ''}`,
        service: specId,
        indicator: {
          metadata: { name: kubernetesName(`${specId}-${objective.metric}-sli`) },
          spec: indicatorSpec,
        },
        timeWindow: [openSloTimeWindow(objective)],
        budgetingMethod: objective.budgeting === 'occurrences' ? 'Occurrences' : 'Timeslices',
        objectives: [objectiveEntry],
      },
    };
  });
}
