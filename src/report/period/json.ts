/**
 * The performance report as JSON (docs/performance-report.md): the input contract of
 * smartspec_feedback_aggregator. Stable snake_case keys; fields are only ever added within a
 * `schema_version`, a rename or removal bumps it.
 */
import type { Severity } from '../../config/types.js';
import type { OverallStatus } from '../../evaluate/types.js';
import type { BurnDownPoint } from '../../slo/index.js';
import type { FigureSource, Period, PeriodKind, PeriodMetric, PeriodReport, Trend } from './types.js';

export const PERIOD_REPORT_SCHEMA_VERSION = 1;

export interface PeriodJson {
  kind: PeriodKind;
  label: string;
  from: string;
  to: string;
  time_zone: string;
  duration_seconds: number;
}

export interface StatsJson {
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface EpisodeJson {
  start: string;
  end: string;
  duration_seconds: number;
  samples: number;
  worst_value: number | null;
  severity: Severity;
  touches_period_start: boolean;
  touches_period_end: boolean;
}

export interface PeriodObjectiveJson {
  measured_at: string;
  window: string;
  window_start: string;
  budgeting: string;
  target: number | null;
  error_budget: { allowed: number | null; consumed: number | null; remaining: number | null };
  burn_rates: Record<string, number | null>;
  peak_burn_rate_1h: { value: number; at: string } | null;
  peak_reason: string | null;
  /** Budget left from the window's start to `measured_at`, step by step; null when unknown. */
  burn_down: BurnDownPoint[] | null;
  reason: string | null;
}

export interface MetricJson {
  name: string;
  nfr_id: string | null;
  requirement: string;
  category: string | null;
  target: { text: string; comparator: string; slo: number | null; unit: string };
  provider: string;
  query: string;
  source: FigureSource;
  sources: { history: number; backfill: number };
  backfill_errors: string[];
  samples: number;
  unknown_samples: number;
  stats: StatsJson;
  compliance: number | null;
  breached_samples: number;
  time_out_of_target_seconds: number;
  episodes: EpisodeJson[];
  error_budget: {
    allowed_bad_fraction: number | null;
    mean_bad_fraction: number | null;
    spent: number | null;
    remaining: number | null;
  } | null;
  previous: {
    label: string;
    from: string;
    to: string;
    source: FigureSource;
    samples: number;
    unknown_samples: number;
    mean: number | null;
    p95: number | null;
    compliance: number | null;
  };
  change: { mean: number | null; p95: number | null; trend: Trend };
  /** The objective over the window that ends with the period, from the backend; null when not measured. */
  objective: PeriodObjectiveJson | null;
}

export interface PeriodReportJson {
  workflow: 'smartspec_production_monitor';
  report_type: 'performance';
  schema_version: number;
  version: string;
  spec_id: string;
  generated_at: string;
  period: PeriodJson;
  previous_period: PeriodJson;
  settings: {
    interval_seconds: number;
    step_seconds: number;
    trend_threshold: number;
    percentile_method: 'nearest-rank';
  };
  status: OverallStatus;
  summary: {
    compliance: number | null;
    metrics: number;
    metrics_within_target: number;
    metrics_without_data: number;
    worst_metric: string | null;
    worsened: number;
  };
  metrics: MetricJson[];
  trends: {
    metric: string;
    requirement: string;
    trend: 'worse';
    direction: 'increased' | 'decreased';
    change: number | null;
    previous_mean: number | null;
    mean: number | null;
    unit: string;
    sentence: string;
  }[];
  warnings: string[];
}

/** 12 significant digits: drops binary noise (0.023333333333333334) and keeps JSON finite (no NaN/Inf). */
export function jsonNumber(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return value === 0 ? 0 : Number(value.toPrecision(12));
}

function periodJson(period: Period): PeriodJson {
  return {
    kind: period.kind,
    label: period.label,
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    time_zone: period.timeZone,
    duration_seconds: (period.to.getTime() - period.from.getTime()) / 1000,
  };
}

function metricJson(m: PeriodMetric): MetricJson {
  const n = jsonNumber;
  return {
    name: m.metric,
    nfr_id: m.nfrId,
    requirement: m.requirement,
    category: m.category,
    target: {
      text: m.target.text,
      comparator: m.target.comparator,
      slo: n(m.target.slo),
      unit: m.target.unit,
    },
    provider: m.provider,
    query: m.query,
    source: m.source,
    sources: { ...m.sources },
    backfill_errors: [...m.backfillErrors],
    samples: m.samples,
    unknown_samples: m.unknownSamples,
    stats: {
      min: n(m.stats.min),
      mean: n(m.stats.mean),
      p50: n(m.stats.p50),
      p95: n(m.stats.p95),
      max: n(m.stats.max),
    },
    compliance: n(m.compliance),
    breached_samples: m.breachedSamples,
    time_out_of_target_seconds: n(m.timeOutOfTargetSeconds) ?? 0,
    episodes: m.episodes.map((e) => ({
      start: e.start.toISOString(),
      end: e.end.toISOString(),
      duration_seconds: n(e.durationSeconds) ?? 0,
      samples: e.samples,
      worst_value: n(e.worstValue),
      severity: e.severity,
      touches_period_start: e.touchesPeriodStart,
      touches_period_end: e.touchesPeriodEnd,
    })),
    error_budget: m.errorBudget
      ? {
          allowed_bad_fraction: n(m.errorBudget.allowedBadFraction),
          mean_bad_fraction: n(m.errorBudget.meanBadFraction),
          spent: n(m.errorBudget.spent),
          remaining: n(m.errorBudget.remaining),
        }
      : null,
    previous: {
      label: m.previous.period.label,
      from: m.previous.period.from.toISOString(),
      to: m.previous.period.to.toISOString(),
      source: m.previous.source,
      samples: m.previous.samples,
      unknown_samples: m.previous.unknownSamples,
      mean: n(m.previous.mean),
      p95: n(m.previous.p95),
      compliance: n(m.previous.compliance),
    },
    change: { mean: n(m.change.mean), p95: n(m.change.p95), trend: m.change.trend },
    objective: m.objective
      ? {
          measured_at: m.objective.measuredAt.toISOString(),
          window: m.objective.atEnd.window,
          window_start: m.objective.atEnd.window_start,
          budgeting: m.objective.atEnd.budgeting,
          target: m.objective.atEnd.target,
          error_budget: m.objective.atEnd.error_budget,
          burn_rates: m.objective.atEnd.burn_rates,
          peak_burn_rate_1h: m.objective.peakBurnRate1h
            ? { value: m.objective.peakBurnRate1h.value, at: m.objective.peakBurnRate1h.at.toISOString() }
            : null,
          peak_reason: m.objective.peakReason,
          burn_down: m.objective.atEnd.burn_down,
          reason: m.objective.atEnd.reason,
        }
      : null,
  };
}

/** The JSON document as an object (see `renderPeriodJson`). */
export function periodReportJson(report: PeriodReport): PeriodReportJson {
  const n = jsonNumber;
  return {
    workflow: 'smartspec_production_monitor',
    report_type: 'performance',
    schema_version: PERIOD_REPORT_SCHEMA_VERSION,
    version: report.version,
    spec_id: report.specId,
    generated_at: report.generatedAt.toISOString(),
    period: periodJson(report.period),
    previous_period: periodJson(report.previousPeriod),
    settings: {
      interval_seconds: report.intervalSeconds,
      step_seconds: report.stepSeconds,
      trend_threshold: report.trendThreshold,
      percentile_method: 'nearest-rank',
    },
    status: report.status,
    summary: {
      compliance: n(report.summary.compliance),
      metrics: report.summary.metrics,
      metrics_within_target: report.summary.metricsWithinTarget,
      metrics_without_data: report.summary.metricsWithoutData,
      worst_metric: report.summary.worstMetric,
      worsened: report.summary.worsened,
    },
    metrics: report.metrics.map(metricJson),
    trends: report.trends.map((t) => ({
      metric: t.metric,
      requirement: t.requirement,
      trend: 'worse',
      direction: t.direction,
      change: n(t.change),
      previous_mean: n(t.previousMean),
      mean: n(t.mean),
      unit: t.unit,
      sentence: t.sentence,
    })),
    warnings: [...report.warnings],
  };
}

/** The JSON report, pretty-printed, ending with a newline. */
export function renderPeriodJson(report: PeriodReport): string {
  return `${JSON.stringify(periodReportJson(report), null, 2)}\n`;
}
