import pLimit from 'p-limit';
import { UserError } from '../../common/errors.js';
import type { ObservabilityConfig, SeverityRule } from '../../config/types.js';
import type { Check } from '../../evaluate/index.js';
import type { OverallStatus } from '../../evaluate/types.js';
import type { Provider } from '../../providers/types.js';
import { formatQuantity } from '../../units/index.js';
import type { HistorySource } from './collect.js';
import { collectColumns } from './collect.js';
import { periodObjectiveOf } from './objective.js';
import { previousPeriod } from './periods.js';
import { chartPoints, computeFigures, trendOf } from './stats.js';
import type {
  MetricTarget,
  Period,
  PeriodMetric,
  PeriodReport,
  PeriodSummary,
  PreviousFigures,
  TrendNote,
} from './types.js';

/** Prometheus refuses range queries of more than 11,000 points per series. */
const MAX_POINTS_PER_QUERY = 11_000;
export const DEFAULT_TREND_THRESHOLD = 0.2;
/** Metrics processed at once (each may wait on backfill queries). */
const CONCURRENCY = 4;

export interface BuildPeriodReportInput {
  specId: string;
  period: Period;
  /** The planned checks (`plan.checks` of the pipeline). */
  checks: readonly Check[];
  /** The daemon's recorded measurements; return null when there is no store. */
  history: HistorySource;
  /** Providers by name, for backfill (`PreparedCheck.providers`). */
  providers: ReadonlyMap<string, Provider>;
  /** Expected spacing of the history (the daemon's interval), e.g. 60. */
  intervalSeconds: number;
  /** Backfill resolution; default the interval, and at least period / 11000. */
  stepSeconds?: number;
  /** Relative change of the mean beyond which a trend is worse or better; default 0.2. */
  trendThreshold?: number;
  severityRules: readonly SeverityRule[];
  /** The report time: figures of a period that has not ended stop here. */
  generatedAt: Date;
  version: string;
  /** The observability.yaml: with it, each metric's objective is measured at the period's end. */
  config?: ObservabilityConfig;
}

function requirePositive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new UserError('usage', `${name} must be a positive number of seconds, not ${value}`);
  }
}

function targetOf(check: Check): MetricTarget {
  return {
    text: check.nfr.target,
    comparator: check.objective.comparator,
    slo: check.objective.threshold,
    unit: check.objective.unit,
  };
}

/** `day`, `7 days`, `36 hours`...: the span named in trend sentences. */
function spanText(period: Period): string {
  if (period.kind === 'daily') return 'day';
  if (period.kind === 'weekly') return '7 days';
  const seconds = (period.to.getTime() - period.from.getTime()) / 1000;
  const plural = (n: number, unit: string) => (n === 1 ? unit : `${n} ${unit}s`);
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

function subjectOf(metric: PeriodMetric): string {
  return metric.requirement && metric.requirement !== metric.metric
    ? `${metric.requirement} (${metric.metric})`
    : metric.metric;
}

/** "p99 Latency (api_latency_p99) for spec-core-001 has increased by 23% over the last 7 days". */
function trendNote(metric: PeriodMetric, specId: string, period: Period): TrendNote | null {
  if (metric.change.trend !== 'worse') return null;
  const mean = metric.stats.mean;
  const previousMean = metric.previous.mean;
  if (mean === null || previousMean === null) return null;
  const direction = mean >= previousMean ? 'increased' : 'decreased';
  const change = metric.change.mean;
  const by =
    change === null
      ? `from ${formatQuantity(previousMean, metric.target.unit)} to ${formatQuantity(mean, metric.target.unit)}`
      : `by ${Math.round(Math.abs(change) * 100)}%`;
  return {
    metric: metric.metric,
    requirement: metric.requirement,
    direction,
    change,
    previousMean,
    mean,
    unit: metric.target.unit,
    sentence: `${subjectOf(metric)} for ${specId} has ${direction} ${by} over the last ${spanText(period)}`,
  };
}

function summarize(metrics: readonly PeriodMetric[], worsened: number): PeriodSummary {
  const measured = metrics.filter((m) => m.compliance !== null);
  const compliance =
    measured.length === 0 ? null : measured.reduce((sum, m) => sum + m.compliance!, 0) / measured.length;
  let worst: PeriodMetric | null = null;
  for (const m of measured) {
    if (m.compliance! >= 1) continue;
    if (
      worst === null ||
      m.compliance! < worst.compliance! ||
      (m.compliance === worst.compliance && m.timeOutOfTargetSeconds > worst.timeOutOfTargetSeconds)
    ) {
      worst = m;
    }
  }
  return {
    compliance,
    metrics: metrics.length,
    metricsWithinTarget: measured.filter((m) => m.compliance === 1).length,
    metricsWithoutData: metrics.length - measured.length,
    worstMetric: worst?.metric ?? null,
    worsened,
  };
}

function statusOf(metrics: readonly PeriodMetric[]): OverallStatus {
  if (metrics.some((m) => m.breachedSamples > 0)) return 'unhealthy';
  if (metrics.length === 0 || metrics.some((m) => m.compliance === null)) return 'degraded';
  return 'healthy';
}

/**
 * The performance report of one spec over one period: per NFR, samples from the daemon's history
 * with gaps backfilled from the backend, figures, breach episodes, error budget and the trend
 * against the previous period (computed the same way). Backend failures never throw: they are
 * listed in `backfillErrors`.
 */
export async function buildPeriodReport(input: BuildPeriodReportInput): Promise<PeriodReport> {
  const { period, specId } = input;
  requirePositive(input.intervalSeconds, 'the interval');
  if (input.stepSeconds !== undefined) requirePositive(input.stepSeconds, 'the backfill step');
  const trendThreshold = input.trendThreshold ?? DEFAULT_TREND_THRESHOLD;
  if (!(Number.isFinite(trendThreshold) && trendThreshold >= 0)) {
    throw new UserError('usage', `the trend threshold must be a number >= 0, not ${trendThreshold}`);
  }
  const previous = previousPeriod(period);
  const longest = Math.max(
    period.to.getTime() - period.from.getTime(),
    previous.to.getTime() - previous.from.getTime(),
  );
  const stepSeconds = Math.max(
    input.stepSeconds ?? input.intervalSeconds,
    Math.ceil(longest / 1000 / MAX_POINTS_PER_QUERY),
  );
  const now = input.generatedAt.getTime();
  const coveredEnd = (p: Period): number => Math.max(p.from.getTime(), Math.min(p.to.getTime(), now));

  const warnings: string[] = [];
  if (period.to.getTime() > now) {
    warnings.push(
      `the period has not ended: figures cover ${period.from.toISOString()} to ${input.generatedAt.toISOString()}`,
    );
  }

  const limit = pLimit(CONCURRENCY);
  const metrics = await Promise.all(
    input.checks.map((check) =>
      limit(async (): Promise<PeriodMetric> => {
        const target = targetOf(check);
        const provider = input.providers.get(check.mapping.provider);
        const common = {
          specId,
          check,
          history: input.history,
          provider,
          intervalSeconds: input.intervalSeconds,
          stepSeconds,
        };
        const context = {
          target,
          category: check.nfr.category,
          severityRules: input.severityRules,
        };

        const currentEnd = coveredEnd(period);
        const current = await collectColumns({
          ...common,
          from: period.from.getTime(),
          to: currentEnd,
          origin: period.from.getTime(),
        });
        const figures = computeFigures(current.samples, {
          ...context,
          from: period.from.getTime(),
          to: currentEnd,
          backfillErrors: current.backfillErrors,
        });

        const previousEnd = coveredEnd(previous);
        const before = await collectColumns({
          ...common,
          from: previous.from.getTime(),
          to: previousEnd,
          origin: previous.from.getTime(),
        });
        const previousFigures = computeFigures(before.samples, {
          ...context,
          from: previous.from.getTime(),
          to: previousEnd,
        });
        const previousSummary: PreviousFigures = {
          period: previous,
          source: previousFigures.source,
          samples: previousFigures.samples,
          unknownSamples: previousFigures.unknownSamples,
          mean: previousFigures.stats.mean,
          p95: previousFigures.stats.p95,
          compliance: previousFigures.compliance,
        };
        return {
          metric: check.nfr.metric,
          nfrId: check.nfr.id,
          requirement: check.nfr.requirement,
          category: check.nfr.category,
          target,
          provider: check.mapping.provider,
          query: check.mapping.query,
          ...figures,
          previous: previousSummary,
          change: trendOf(figures.stats, previousFigures.stats, target, trendThreshold),
          chart: chartPoints(current.samples),
          objective: input.config
            ? await periodObjectiveOf({ config: input.config, providers: input.providers }, check, {
                from: period.from,
                to: new Date(currentEnd),
              })
            : null,
        };
      }),
    ),
  );

  const trends = metrics
    .map((m) => trendNote(m, specId, period))
    .filter((note): note is TrendNote => note !== null);
  return {
    specId,
    period,
    previousPeriod: previous,
    generatedAt: input.generatedAt,
    version: input.version,
    intervalSeconds: input.intervalSeconds,
    stepSeconds,
    trendThreshold,
    status: statusOf(metrics),
    summary: summarize(metrics, trends.length),
    metrics,
    trends,
    warnings,
  };
}
