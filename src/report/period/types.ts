import type { Severity } from '../../config/types.js';
import type { OverallStatus } from '../../evaluate/types.js';
import type { Comparator, Unit } from '../../units/types.js';
import type { PeriodObjective } from './objective.js';

export type PeriodKind = 'daily' | 'weekly' | 'custom';

/** A reporting period: `from` inclusive, `to` exclusive. */
export interface Period {
  kind: PeriodKind;
  /** `2026-11-26` (daily), `2026-W48` (weekly, ISO week), `20261101T000000Z-20261108T000000Z` (custom). */
  label: string;
  from: Date;
  to: Date;
  /** IANA zone whose calendar defines the day or week (`UTC` for custom periods). */
  timeZone: string;
}

/** Where a metric's figures came from. */
export type FigureSource = 'history' | 'backfill' | 'mixed' | 'none';

export type Trend = 'worse' | 'better' | 'stable' | 'unknown';

/** min/mean/p50/p95/max of the known values, in the target's unit (null without known samples). */
export interface ValueStats {
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** Consecutive out-of-target samples. */
export interface BreachEpisode {
  /** Time of the first breached sample. */
  start: Date;
  /** Time of the last breached sample plus its spacing (capped at the period's end). */
  end: Date;
  durationSeconds: number;
  samples: number;
  /** The value furthest on the bad side of the target. */
  worstValue: number;
  severity: Severity;
  /** The episode begins with the period's first sample: it may have started earlier. */
  touchesPeriodStart: boolean;
  /** The episode ends with the period's last sample: it may go on after it. */
  touchesPeriodEnd: boolean;
}

/** Error budget of a ratio objective (unit `%` or `ratio`) over the period; fractions are 0-1. */
export interface ErrorBudget {
  /** Upper bound: the SLO; lower bound: 1 − SLO. */
  allowedBadFraction: number;
  /** Mean over known samples of the bad fraction (the value, or 1 − value for lower bounds). */
  meanBadFraction: number;
  /** meanBadFraction / allowedBadFraction; may exceed 1; null when nothing is allowed (SLO 100 %). */
  spent: number | null;
  /** 1 − spent (negative when overspent); null with `spent`. */
  remaining: number | null;
}

/** The figures of one metric over one period, before comparison with another period. */
export interface MetricFigures {
  source: FigureSource;
  sources: { history: number; backfill: number };
  /** Backend errors met while backfilling (and "no data" answers), as text. */
  backfillErrors: string[];
  /** All samples, known and unknown. */
  samples: number;
  unknownSamples: number;
  stats: ValueStats;
  /** Share of known samples within the target (0-1); null without known samples. */
  compliance: number | null;
  breachedSamples: number;
  timeOutOfTargetSeconds: number;
  episodes: BreachEpisode[];
  errorBudget: ErrorBudget | null;
}

/** The same metric over the previous period, for the trend. */
export interface PreviousFigures {
  period: Period;
  source: FigureSource;
  samples: number;
  unknownSamples: number;
  mean: number | null;
  p95: number | null;
  compliance: number | null;
}

export interface MetricChange {
  /** (mean − previous mean) / |previous mean|; null when either is missing or the previous is 0. */
  mean: number | null;
  p95: number | null;
  trend: Trend;
}

/** A point of the chart series (downsampled); `value` null = unknown. */
export interface ChartPoint {
  at: number;
  value: number | null;
}

export interface MetricTarget {
  /** As written in the spec (`< 200ms`). */
  text: string;
  comparator: Comparator;
  slo: number;
  unit: Unit;
}

export interface PeriodMetric extends MetricFigures {
  metric: string;
  nfrId: string | null;
  requirement: string;
  category: string | null;
  target: MetricTarget;
  provider: string;
  query: string;
  previous: PreviousFigures;
  change: MetricChange;
  /** Up to ~1000 points (min and max per bucket, so spikes survive) for charts; not in the JSON. */
  chart: ChartPoint[];
  /** The objective measured from the backend at the period's end; null when not measured. */
  objective: PeriodObjective | null;
}

/** A metric whose trend is `worse`, with a sentence in the feedback aggregator's style. */
export interface TrendNote {
  metric: string;
  requirement: string;
  direction: 'increased' | 'decreased';
  /** Relative change of the mean; null when the previous mean was 0. */
  change: number | null;
  previousMean: number | null;
  mean: number | null;
  unit: Unit;
  sentence: string;
}

export interface PeriodSummary {
  /** Mean of the metrics' compliance (each metric weighs the same); null when no metric has data. */
  compliance: number | null;
  metrics: number;
  /** Metrics with every known sample within target. */
  metricsWithinTarget: number;
  metricsWithoutData: number;
  /** Lowest compliance below 1 (ties: more time out of target); null when none missed its target. */
  worstMetric: string | null;
  worsened: number;
}

export interface PeriodReport {
  specId: string;
  period: Period;
  previousPeriod: Period;
  generatedAt: Date;
  version: string;
  intervalSeconds: number;
  stepSeconds: number;
  trendThreshold: number;
  /** healthy: every metric with data fully within target; unhealthy: any breached sample; degraded: otherwise. */
  status: OverallStatus;
  summary: PeriodSummary;
  metrics: PeriodMetric[];
  trends: TrendNote[];
  warnings: string[];
}
