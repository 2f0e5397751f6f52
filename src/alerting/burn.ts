/**
 * The burn-rate side of a metric's one `slo` alert (docs/daemon.md#alerts): what the objective measured
 * in a cycle says, and how it combines with the threshold condition under `alerting.mode`.
 */
import type { AlertingMode, Severity } from '../config/types.js';
import { moreSevere } from '../evaluate/severity.js';
import type { BurnRateAlertState, ObjectiveReport } from '../slo/index.js';
import { BURN_WINDOWS_SECONDS, promDuration } from '../slo/index.js';

export type { AlertingMode };

/** What fired an alert: the payload's `trigger`. */
export type AlertTrigger = 'threshold' | 'burn_rate' | 'both';

export interface FiringRule {
  severity: 'page' | 'ticket';
  long: string;
  short: string;
  factor: number;
}

/** The burn-rate condition of one metric in one cycle. */
export interface BurnObservation {
  /** Any rule firing: true; every rule known not to fire: false; otherwise unknown (null). */
  firing: boolean | null;
  /** The most severe firing rule's severity, null when none fires. */
  severity: Severity | null;
  firingRules: FiringRule[];
  /** The standard seven windows (`5m` … `3d`). */
  burnRates: Record<string, number | null>;
  budgetRemaining: number | null;
  window: string;
}

const DURATION_UNITS: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 };

/** Seconds of a duration written by promDuration (`1h`, `1h30m`, `3d`). */
function secondsOf(duration: string): number {
  let total = 0;
  for (const [, count, unit] of duration.matchAll(/(\d+)([dhms])/g)) {
    total += Number(count) * (DURATION_UNITS[unit as string] ?? 0);
  }
  return total;
}

/**
 * page → SEV-1 for the fast rule (the page rule with the shortest long window, the workbook's 14.4×
 * over 1h) and SEV-2 for the other page rules; ticket → SEV-3 for the fastest ticket rule, SEV-4 for
 * the others.
 */
export function burnRuleSeverity(rule: BurnRateAlertState, rules: readonly BurnRateAlertState[]): Severity {
  const sameClass = rules.filter((r) => r.severity === rule.severity);
  const fastest = Math.min(...sameClass.map((r) => secondsOf(r.long)));
  const fast = secondsOf(rule.long) <= fastest;
  if (rule.severity === 'page') return fast ? 'SEV-1' : 'SEV-2';
  return fast ? 'SEV-3' : 'SEV-4';
}

/**
 * The burn-rate condition an objective report gives, or null when the metric has no budget to burn
 * (no target). Without burn-rate rules (`mode: threshold`) nothing fires; the numbers still inform.
 */
export function burnObservationOf(report: ObjectiveReport): BurnObservation | null {
  if (report.target === null) return null;
  const firing = report.alerts.filter((a) => a.firing === true);
  let severity: Severity | null = null;
  for (const rule of firing) severity = moreSevere(severity, burnRuleSeverity(rule, report.alerts));
  const burnRates: Record<string, number | null> = {};
  for (const w of BURN_WINDOWS_SECONDS)
    burnRates[promDuration(w)] = report.burn_rates[promDuration(w)] ?? null;
  return {
    firing: firing.length > 0 ? true : report.alerts.every((a) => a.firing === false) ? false : null,
    severity,
    firingRules: firing.map(({ severity, long, short, factor }) => ({ severity, long, short, factor })),
    burnRates,
    budgetRemaining: report.error_budget.remaining,
    window: report.window,
  };
}

/** The burn side when the objective was not measured this cycle (e.g. the backend is down). */
export function unknownBurn(window: string | null): BurnObservation {
  const burnRates: Record<string, number | null> = {};
  for (const w of BURN_WINDOWS_SECONDS) burnRates[promDuration(w)] = null;
  return {
    firing: null,
    severity: null,
    firingRules: [],
    burnRates,
    budgetRemaining: null,
    window: window ?? '',
  };
}

export interface CombinedCondition {
  /** The machine's observation; null = do not advance it this cycle. */
  bad: boolean | null;
  /** A burn-rate rule fires this cycle: the alert opens at once (the rule's windows are its hold). */
  burnFiring: boolean;
  trigger: AlertTrigger | null;
}

/**
 * One alert per metric: bad when either used source says bad, good when every used source says good.
 * An unknown source never resolves a firing alert by itself; it never opens one either, so before
 * firing a known-good other source counts as good (a pending threshold streak ends as today).
 */
export function combineConditions(
  mode: AlertingMode,
  threshold: boolean | null,
  burn: BurnObservation | null,
  phase: 'inactive' | 'pending' | 'firing',
): CombinedCondition {
  const useThreshold = mode !== 'burn_rate';
  const useBurn = mode !== 'threshold' && burn !== null;
  const sources: (boolean | null)[] = [];
  if (useThreshold) sources.push(threshold);
  if (useBurn) sources.push(burn.firing);
  const thresholdBad = useThreshold && threshold === true;
  const burnFiring = useBurn && burn.firing === true;
  const trigger: AlertTrigger | null =
    thresholdBad && burnFiring ? 'both' : thresholdBad ? 'threshold' : burnFiring ? 'burn_rate' : null;
  if (sources.length === 0) return { bad: null, burnFiring, trigger };
  if (sources.some((s) => s === true)) return { bad: true, burnFiring, trigger };
  if (sources.every((s) => s === false)) return { bad: false, burnFiring, trigger };
  const someGood = sources.some((s) => s === false);
  return { bad: phase !== 'firing' && someGood ? false : null, burnFiring, trigger };
}
