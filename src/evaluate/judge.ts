import type { InstantResult } from '../providers/types.js';
import { COMPARATOR_TEXT, compare, convert, formatQuantity } from '../units/index.js';
import type { Check } from './plan.js';
import type { NfrStatus, OverallStatus, Unmonitored, Verdict } from './types.js';

export interface ProviderIdentity {
  name: string;
  type: string;
}

/** Turns one query result into a verdict with a one-line reason. Pure. */
export function judge(check: Check, result: InstantResult, provider: ProviderIdentity, at: Date): Verdict {
  const { nfr, objective, mapping } = check;
  const base: Omit<Verdict, 'value' | 'status' | 'reason'> = {
    metric: nfr.metric,
    nfrId: nfr.id,
    requirement: nfr.requirement,
    category: nfr.category,
    target: nfr.target,
    comparator: objective.comparator,
    comparatorInferred: objective.comparatorInferred,
    slo: objective.threshold,
    unit: objective.unit,
    provider: provider.name,
    providerType: provider.type,
    query: mapping.query,
    line: nfr.line,
    checkedAt: at,
  };
  const source = `${provider.type} "${provider.name}"`;
  const objectiveText = `${COMPARATOR_TEXT[objective.comparator]} ${formatQuantity(objective.threshold, objective.unit)}`;
  const inferred = objective.comparatorInferred
    ? ` (direction ${COMPARATOR_TEXT[objective.comparator]} inferred from the requirement's meaning)`
    : '';

  if (!result.ok) {
    return { ...base, value: null, status: 'unknown', reason: `${result.message} [${source}]` };
  }
  if (Number.isNaN(result.value)) {
    return {
      ...base,
      value: null,
      status: 'unknown',
      reason: `the query returned NaN (typically 0/0 when there was no traffic in the window) [${source}]`,
    };
  }
  const value = convert(result.value, check.valueUnit, objective.unit);
  const met = compare(value, objective.comparator, objective.threshold);
  const status: NfrStatus = met ? 'healthy' : 'breached';
  const valueText = formatQuantity(value, objective.unit);
  const reason = met
    ? `${valueText} meets ${objectiveText}${inferred} [${source}]`
    : `${valueText} breaches ${objectiveText}${describeOvershoot(value, objective.threshold)}${inferred} [${source}]`;
  return { ...base, value, status, reason };
}

function describeOvershoot(value: number, threshold: number): string {
  if (!Number.isFinite(value) || threshold === 0) return '';
  const percent = (Math.abs(value - threshold) / Math.abs(threshold)) * 100;
  return percent < 0.05 ? '' : ` (${formatQuantity(percent, '%')} off target)`;
}

/**
 * SmartSpec's summary rule: any breach → unhealthy; else any unknown, or any NFR promised but not measured
 * (`unmapped`, not excused), or nothing measured at all → degraded; else healthy. Unknown is never healthy.
 */
export function overallStatus(
  verdicts: readonly Pick<Verdict, 'status'>[],
  unmonitored: readonly Pick<Unmonitored, 'kind'>[] = [],
): OverallStatus {
  if (verdicts.some((v) => v.status === 'breached')) return 'unhealthy';
  if (verdicts.length === 0) return 'degraded';
  if (verdicts.some((v) => v.status === 'unknown')) return 'degraded';
  if (unmonitored.some((u) => u.kind === 'unmapped')) return 'degraded';
  return 'healthy';
}
