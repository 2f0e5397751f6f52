import type { Evaluation, UnmonitoredKind, Verdict } from '../evaluate/index.js';
import type { ObjectiveReport } from '../slo/measure.js';
import type { Unit } from '../units/types.js';

/** Bumped only on a breaking change of summary.json; additions keep the version. */
export const SUMMARY_SCHEMA_VERSION = 1;

export interface SummaryMetric {
  name: string;
  nfr_id: string | null;
  requirement: string;
  category: string | null;
  target: string;
  comparator: string;
  comparator_inferred: boolean;
  slo: number;
  unit: Unit;
  value: number | null;
  status: string;
  provider: string;
  provider_type: string;
  query: string;
  reason: string;
  spec_line: number;
  /** The NFR's SLO measured over its window (docs/slo.md); present when objectives were measured. */
  objective?: ObjectiveReport;
}

export interface Summary {
  workflow: 'smartspec_production_monitor';
  version: string;
  schema_version: number;
  run_id: string;
  spec_id: string;
  status: Evaluation['status'];
  checked_at: string;
  generated_at: string;
  mode: 'run-once' | 'daemon';
  spec_file: string;
  observability_config: string;
  counts: { healthy: number; breached: number; unknown: number; unmonitored: number; unmapped: number };
  metrics: SummaryMetric[];
  unmonitored: {
    name: string;
    requirement: string;
    target: string;
    spec_line: number;
    /** `unmapped` degrades the status; `unmapped_ignored` and `no_numeric_target` do not. */
    kind: UnmonitoredKind;
    reason: string;
  }[];
  flags: { apply: { given: boolean; note: string | null }; lang: string; platform: string };
  warnings: string[];
  writes: { reports: string[] };
  next_steps: { cmd: string; why: string }[];
  /** run-once: what the exit code followed (`--gate`, docs/cli.md#gates). */
  gate?: { mode: 'instant' | 'budget' | 'both'; status: Evaluation['status']; reasons: string[] };
}

export interface SummaryContext {
  version: string;
  runId: string;
  generatedAt: Date;
  mode: Summary['mode'];
  specFile: string;
  observabilityConfig: string;
  apply: boolean;
  lang: string;
  platform: string;
  warnings: string[];
  writes: string[];
  /** Measured objectives by metric name. */
  objectives?: ReadonlyMap<string, ObjectiveReport>;
}

export const APPLY_NOTE =
  '--apply was ignored: this workflow only writes reports under .spec/reports/production-monitoring/ and never changes governed files';

export function metricToSummary(v: Verdict): SummaryMetric {
  return {
    name: v.metric,
    nfr_id: v.nfrId,
    requirement: v.requirement,
    category: v.category,
    target: v.target,
    comparator: v.comparator,
    comparator_inferred: v.comparatorInferred,
    slo: v.slo,
    unit: v.unit,
    value: v.value === null || Number.isFinite(v.value) ? v.value : null,
    status: v.status,
    provider: v.provider,
    provider_type: v.providerType,
    query: v.query,
    reason: v.reason,
    spec_line: v.line,
  };
}

function withObjective(
  metric: SummaryMetric,
  objectives: ReadonlyMap<string, ObjectiveReport> | undefined,
): SummaryMetric {
  const objective = objectives?.get(metric.name);
  return objective ? { ...metric, objective } : metric;
}

/** The stable, documented summary.json (docs/summary-json.md). */
export function buildSummary(evaluation: Evaluation, context: SummaryContext): Summary {
  const count = (status: string) => evaluation.verdicts.filter((v) => v.status === status).length;
  const nextSteps: Summary['next_steps'] = [];
  if (evaluation.verdicts.some((v) => v.status === 'breached')) {
    nextSteps.push({
      cmd: `smartspec_incident_response --alert-payload <payload>`,
      why: 'an SLO is breached; the daemon (--daemon) opens incidents automatically',
    });
  }
  if (evaluation.verdicts.some((v) => v.status === 'unknown')) {
    nextSteps.push({
      cmd: `smartspec-production-monitor validate ${evaluation.specId}`,
      why: 'some metrics could not be measured; validate checks the queries and configuration offline',
    });
  }
  const unmapped = evaluation.unmonitored.filter((u) => u.kind === 'unmapped').length;
  if (unmapped > 0) {
    nextSteps.push({
      cmd: 'edit observability.yaml',
      why: `${unmapped} NFR(s) with a numeric target have no query; map their metrics (or excuse them with \`unmapped: ignore\`)`,
    });
  }
  return {
    workflow: 'smartspec_production_monitor',
    version: context.version,
    schema_version: SUMMARY_SCHEMA_VERSION,
    run_id: context.runId,
    spec_id: evaluation.specId,
    status: evaluation.status,
    checked_at: evaluation.checkedAt.toISOString(),
    generated_at: context.generatedAt.toISOString(),
    mode: context.mode,
    spec_file: context.specFile,
    observability_config: context.observabilityConfig,
    counts: {
      healthy: count('healthy'),
      breached: count('breached'),
      unknown: count('unknown'),
      unmonitored: evaluation.unmonitored.length,
      unmapped,
    },
    metrics: evaluation.verdicts.map((v) => withObjective(metricToSummary(v), context.objectives)),
    unmonitored: evaluation.unmonitored.map((u) => ({
      name: u.metric,
      requirement: u.requirement,
      target: u.target,
      spec_line: u.line,
      kind: u.kind,
      reason: u.reason,
    })),
    flags: {
      apply: { given: context.apply, note: context.apply ? APPLY_NOTE : null },
      lang: context.lang,
      platform: context.platform,
    },
    warnings: context.warnings,
    writes: { reports: context.writes },
    next_steps: nextSteps,
  };
}

/** `YYYYMMDD-HHMMSSZ`, sortable, in UTC. */
export function runIdFor(at: Date): string {
  const iso = at.toISOString(); // 2026-11-27T05:15:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}
