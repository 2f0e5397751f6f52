/**
 * The objective of one NFR as a period report shows it (docs/performance-report.md): the error budget
 * over the objective's window that ends with the period, measured from the backend (not from the
 * period's own samples), and the highest 1h burn rate in the period.
 */
import type { ObservabilityConfig } from '../../config/types.js';
import type { Check } from '../../evaluate/index.js';
import { measureCheckObjective } from '../../pipeline/objectives.js';
import type { Provider } from '../../providers/types.js';
import { allowedBadShare, atWindow, type ObjectiveReport } from '../../slo/index.js';

/** Step of the range query of the 1h burn rate. */
const PEAK_STEP_SECONDS = 300;

export interface PeriodObjective {
  /** The objective block (docs/summary-json.md) measured at the period's end. */
  atEnd: ObjectiveReport;
  /** When it was measured: the period's end, or the report time for a period that has not ended. */
  measuredAt: Date;
  /** Highest 1h burn rate in the period, from a range query of the SLI over 1h; null when unknown. */
  peakBurnRate1h: { value: number; at: Date } | null;
  /** Why `peakBurnRate1h` is null. */
  peakReason: string | null;
}

export async function periodObjectiveOf(
  source: { config: ObservabilityConfig; providers: ReadonlyMap<string, Provider> },
  check: Check,
  range: { from: Date; to: Date },
): Promise<PeriodObjective> {
  const measured = await measureCheckObjective(
    { config: source.config, providers: new Map(source.providers) },
    check,
    { at: range.to },
  );
  const { objective, report } = measured;
  const provider = source.providers.get(check.mapping.provider);
  let peakBurnRate1h: PeriodObjective['peakBurnRate1h'] = null;
  let peakReason: string | null = null;
  if (objective.target === null) peakReason = report.reason ?? 'no target';
  else if (!objective.sli) peakReason = 'timeslices: the 1h burn rate is only measured at the period end';
  else if (!provider) peakReason = `provider "${check.mapping.provider}" is not available`;
  else {
    const allowed = allowedBadShare(objective.target);
    const query = `(${atWindow(objective.sli.bad, '1h')}) / (${atWindow(objective.sli.total, '1h')})`;
    const result = await provider.queryRange(query, range.from, range.to, PEAK_STEP_SECONDS);
    if (!result.ok) peakReason = result.message;
    else {
      for (const sample of result.samples) {
        if (!Number.isFinite(sample.value)) continue;
        const rate = sample.value / allowed;
        if (!peakBurnRate1h || rate > peakBurnRate1h.value) peakBurnRate1h = { value: rate, at: sample.at };
      }
      if (!peakBurnRate1h) peakReason = 'no events in the period';
    }
  }
  if (peakBurnRate1h)
    peakBurnRate1h = { ...peakBurnRate1h, value: Number(peakBurnRate1h.value.toPrecision(12)) };
  return { atEnd: report, measuredAt: range.to, peakBurnRate1h, peakReason };
}
