import type { MetricMapping, ObjectiveConfig, SloAlertingConfig } from '../config/types.js';
import type { Check } from '../evaluate/plan.js';
import type { Objective } from '../spec/types.js';
import { baseUnitOf, convert, dimensionOf } from '../units/index.js';
import { tidy } from './budget.js';
import { configuredSli, histogramQuantileOf, ratioOfRates } from './sli.js';
import type { EventSli, SloObjective } from './types.js';
import { DEFAULT_SLICE_SECONDS, defaultBurnRateRules, sloWindow } from './window.js';

/** What the SLO of one metric is derived from: the planned check and the file-wide defaults. */
export interface ObjectiveInput {
  check: Pick<Check, 'nfr' | 'objective' | 'mapping' | 'valueUnit'>;
  /** Type of the provider that answers the mapping's query. */
  providerType: string;
  defaults?: { objective?: ObjectiveConfig; sloAlerting?: SloAlertingConfig; runbookUrl?: string };
}

const LOWER_IS_BETTER = new Set(['<', '<=']);

/** `p99` → 0.99, `p99.9` → 0.999, `p50` → 0.5; null for anything else. */
export function percentileFraction(percentile: string | null): number | null {
  const match = /^p(\d{1,2}(?:\.\d+)?)$/i.exec(percentile ?? '');
  if (!match) return null;
  const value = Number(match[1]);
  return value > 0 && value < 100 ? tidy(value / 100) : null;
}

/**
 * The fraction of good the NFR promises: `error rate < 0.1%` → 0.999, `uptime > 99.9%` → 0.999,
 * `p99 < 200ms` → 0.99 (of requests under 200 ms). Null with a reason for anything else.
 */
export function targetOf(objective: Objective): { target: number | null; reason: string | null } {
  const lowerIsBetter = LOWER_IS_BETTER.has(objective.comparator);
  if (dimensionOf(objective.unit) === 'ratio') {
    const share = convert(objective.threshold, objective.unit, 'ratio');
    const target = tidy(lowerIsBetter ? 1 - share : share);
    if (target > 0 && target < 1) return { target, reason: null };
    return { target: null, reason: `a target of ${target * 100} % good leaves no error budget` };
  }
  const percentile = percentileFraction(objective.percentile);
  if (dimensionOf(objective.unit) === 'duration' && percentile !== null && lowerIsBetter) {
    return { target: percentile, reason: null };
  }
  return {
    target: null,
    reason: 'the NFR names no share of good (a ratio or a percentile): set `objective.target`',
  };
}

function histogramSli(
  check: ObjectiveInput['check'],
  le: string | null,
): { sli: EventSli | null; reason: string | null } {
  const { objective, mapping } = check;
  const parts = histogramQuantileOf(mapping.query);
  if (!parts) {
    return {
      sli: null,
      reason:
        'a latency NFR needs a `histogram_quantile(q, … rate(X_bucket[…]) …)` query, or `sli:` counters',
    };
  }
  const percentile = percentileFraction(objective.percentile);
  if (percentile !== null && Math.abs(parts.quantile - percentile) > 1e-9) {
    return {
      sli: null,
      reason: `the query asks histogram_quantile(${parts.quantile}) but the NFR is ${objective.percentile}`,
    };
  }
  // The bucket bound is in the histogram's unit: the query's declared unit, else seconds.
  const histogramUnit = mapping.unit ?? baseUnitOf('duration');
  const derivedLe = String(convert(objective.threshold, objective.unit, histogramUnit));
  const bucket = le ?? derivedLe;
  const selector = (suffix: string, extra: string[]) => {
    const matchers = [parts.matchers, ...extra].filter((text) => text !== '').join(',');
    return `${parts.base}${suffix}${matchers === '' ? '' : `{${matchers}}`}`;
  };
  const good = `sum(rate(${selector('_bucket', [`le="${bucket}"`])}[{{.window}}]))`;
  const total = `sum(rate(${selector('_count', [])}[{{.window}}]))`;
  const assumption =
    le === null
      ? `assumes the histogram has a bucket le="${derivedLe}" (the ${objective.percentile ?? ''} threshold in ${histogramUnit}); buckets cannot be seen offline, so if none equals it set \`sli: {le: "<bucket>"}\` to the nearest bucket at or below the threshold`
      : derivedLe === le
        ? null
        : `uses the configured bucket le="${le}", while the threshold is ${derivedLe} ${histogramUnit}: the SLI counts requests faster than ${le} ${histogramUnit}`;
  return {
    sli: { source: 'histogram', good, bad: `(${total}) - (${good})`, total, assumption },
    reason: null,
  };
}

function derivedSli(check: ObjectiveInput['check']): { sli: EventSli | null; reason: string | null } {
  const { objective, mapping } = check;
  const dimension = dimensionOf(objective.unit);
  if (dimension === 'duration' && percentileFraction(objective.percentile) === null) {
    return {
      sli: null,
      reason: 'a latency without a percentile is no share of requests: it is judged per time slice',
    };
  }
  if (dimension === 'duration') {
    const le = mapping.sli && 'le' in mapping.sli ? mapping.sli.le : null;
    return histogramSli(check, le);
  }
  if (dimension !== 'ratio') {
    return { sli: null, reason: `a ${dimension} NFR is not a share of events: it is judged per time slice` };
  }
  const ratio = ratioOfRates(mapping.query);
  if (!ratio) {
    return {
      sli: null,
      reason:
        'the query is not a ratio of two sums of rate()/increase(): give `sli: {good|bad: <query>, total: <query>}`',
    };
  }
  // The query's value is the bad share for `error rate < x`, the good share for `uptime > x`;
  // `1 - (a / b)` measures the complement of a / b.
  const queryIsBad = LOWER_IS_BETTER.has(objective.comparator);
  const numeratorIsBad = queryIsBad !== ratio.complement;
  const total = ratio.denominator;
  if (numeratorIsBad) {
    return {
      sli: { source: 'ratio_query', good: null, bad: ratio.numerator, total, assumption: null },
      reason: null,
    };
  }
  const good = ratio.numerator;
  return {
    sli: { source: 'ratio_query', good, bad: `(${total}) - (${good})`, total, assumption: null },
    reason: null,
  };
}

function eventSliOf(input: ObjectiveInput): { sli: EventSli | null; reason: string | null } {
  const { mapping } = input.check;
  if (input.providerType !== 'prometheus') {
    return {
      sli: null,
      reason: `the metric is measured by a ${input.providerType} query, and only PromQL becomes an event SLI`,
    };
  }
  if (mapping.sli && 'le' in mapping.sli && dimensionOf(input.check.objective.unit) !== 'duration') {
    return { sli: null, reason: '`sli.le` picks a histogram bucket, so it applies to latency NFRs only' };
  }
  if (mapping.sli && !('le' in mapping.sli)) {
    const sli = configuredSli(mapping.sli);
    return typeof sli === 'string' ? { sli: null, reason: sli } : { sli, reason: null };
  }
  return derivedSli(input.check);
}

function merged<T extends object>(base: T | undefined, override: T | undefined): Partial<T> {
  return { ...(base ?? {}), ...(override ?? {}) };
}

/** The SLO of one mapped NFR (pure): window, budgeting, target, SLI and burn-rate rules. */
export function deriveObjective(input: ObjectiveInput): SloObjective {
  const { check, defaults } = input;
  const mapping: MetricMapping = check.mapping;
  const config = merged(defaults?.objective, mapping.objective);
  const alerting = merged(defaults?.sloAlerting, mapping.sloAlerting);
  const window = sloWindow(config.window);
  const event = eventSliOf(input);
  const derivedTarget = targetOf(check.objective);
  const target = config.target ?? derivedTarget.target;
  let budgeting = config.budgeting ?? (event.sli ? 'occurrences' : 'timeslices');
  let sliReason = event.reason;
  if (budgeting === 'occurrences' && !event.sli) {
    // Asked for, but impossible: say so and fall back rather than invent events.
    sliReason = `budgeting: occurrences needs an event SLI, and ${event.reason ?? 'there is none'}; judged per time slice`;
    budgeting = 'timeslices';
  }
  const sli = budgeting === 'occurrences' ? event.sli : null;
  if (budgeting === 'timeslices' && event.sli && sliReason === null) {
    sliReason = 'budgeting: timeslices was chosen in observability.yaml';
  }
  return {
    metric: mapping.name,
    window,
    budgeting,
    sliceSeconds: budgeting === 'timeslices' ? (config.sliceSeconds ?? DEFAULT_SLICE_SECONDS) : null,
    target,
    targetReason: target === null ? derivedTarget.reason : null,
    sli,
    sliReason: sli ? null : sliReason,
    alertingMode: alerting.mode ?? 'both',
    burnRateRules: alerting.burnRateRules?.map((rule) => ({ ...rule })) ?? defaultBurnRateRules(window),
    runbookUrl: mapping.runbookUrl ?? defaults?.runbookUrl ?? null,
  };
}
