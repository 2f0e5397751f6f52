import type { Severity, SeverityRule } from '../config/types.js';
import type { Comparator, Unit } from '../units/types.js';
import type { Verdict } from './types.js';

/** SEV-1 is the most severe; a higher rank is more severe. */
const severityRank: Record<Severity, number> = { 'SEV-1': 4, 'SEV-2': 3, 'SEV-3': 2, 'SEV-4': 1 };

export const FALLBACK_SEVERITY: Severity = 'SEV-4';

/** The more severe of two severities (null counts as none). */
export function moreSevere(a: Severity | null, b: Severity | null): Severity | null {
  if (a === null) return b;
  if (b === null) return a;
  return severityRank[b] > severityRank[a] ? b : a;
}

/** `a` and the severities less severe than it, most severe first (SEV-2 → SEV-2, SEV-3, SEV-4). */
export function severitiesUpTo(a: Severity): Severity[] {
  return (['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'] as const).filter((s) => severityRank[s] <= severityRank[a]);
}

function isUpperBound(comparator: Comparator): boolean {
  return comparator === '<' || comparator === '<=';
}

/**
 * Ratio objectives close to 1 (availability, success rate): a plain relative distance would call
 * 99.0% vs 99.9% a 0.9% miss, while it burns the error budget ten times over. These are compared
 * through their complements instead.
 */
function asNearOneFraction(value: number, slo: number, unit: Unit): { v: number; s: number } | null {
  if (unit === '%' && slo > 50) return { v: value / 100, s: slo / 100 };
  if (unit === 'ratio' && slo > 0.5) return { v: value, s: slo };
  return null;
}

/**
 * Relative distance past the target; <= 0 when the value is within it.
 * - upper bounds (`<`, `<=`): `(value - slo) / slo` — 350 ms vs < 200 ms = 0.75;
 * - lower bounds on ratios near 1: error-budget multiples `(1 - v) / (1 - s) - 1` — 99.0% vs > 99.9% = 9;
 * - other lower bounds: `(slo - value) / slo`;
 * - `=`: `|value - slo| / |slo|`.
 * A zero threshold has no scale: any miss is infinitely far.
 */
export function overshoot(value: number, slo: number, comparator: Comparator, unit: Unit): number {
  if (comparator === '=') return relative(Math.abs(value - slo), slo);
  if (isUpperBound(comparator)) return relative(value - slo, slo);
  const nearOne = asNearOneFraction(value, slo, unit);
  if (nearOne) {
    const budget = 1 - nearOne.s;
    const spent = 1 - nearOne.v;
    if (budget <= 0) return spent > 0 ? Number.POSITIVE_INFINITY : 0;
    return spent / budget - 1;
  }
  return relative(slo - value, slo);
}

function relative(distance: number, slo: number): number {
  if (slo === 0) return distance > 0 ? Number.POSITIVE_INFINITY : distance < 0 ? -1 : 0;
  return distance / Math.abs(slo);
}

/** Whether `candidate` is further on the bad side of the objective than `current`. */
export function isWorse(candidate: number, current: number, comparator: Comparator, slo: number): boolean {
  if (comparator === '=') return Math.abs(candidate - slo) > Math.abs(current - slo);
  return isUpperBound(comparator) ? candidate > current : candidate < current;
}

export type SeverityInput = Pick<Verdict, 'value' | 'slo' | 'comparator' | 'unit' | 'category' | 'status'>;

/**
 * The first rule whose `minOvershoot` is reached and whose categories (if any) include the verdict's
 * category wins; otherwise SEV-4.
 * A verdict without a value (no data) is scored as overshoot 0: with the usual rules (all above 0) it is
 * SEV-4, and a rule with `minOvershoot: 0` (for instance limited to `categories: [availability]`)
 * raises blind monitoring of that category.
 */
export function severityFor(verdict: SeverityInput, rules: readonly SeverityRule[]): Severity {
  const score =
    verdict.value === null || verdict.status === 'unknown' || !Number.isFinite(verdict.value)
      ? 0
      : overshoot(verdict.value, verdict.slo, verdict.comparator, verdict.unit);
  if (Number.isNaN(score)) return FALLBACK_SEVERITY;
  const category = verdict.category?.toLowerCase() ?? null;
  for (const rule of rules) {
    if (score < rule.minOvershoot) continue;
    if (rule.categories.length > 0) {
      if (category === null) continue;
      if (!rule.categories.some((c) => c.toLowerCase() === category)) continue;
    }
    return rule.severity;
  }
  return FALLBACK_SEVERITY;
}
