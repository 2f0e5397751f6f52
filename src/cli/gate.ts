/**
 * `--gate instant|budget|both`: what run-once's exit code follows (docs/cli.md#gates). `instant` is the
 * verdict on the values at one instant; `budget` the objectives over their windows.
 */
import { UserError } from '../common/errors.js';
import type { OverallStatus } from '../evaluate/types.js';
import type { Summary, SummaryMetric } from '../report/index.js';

export const GATES = ['instant', 'budget', 'both'] as const;
export type Gate = (typeof GATES)[number];
export const DEFAULT_GATE: Gate = 'instant';

export interface GateFlags {
  gate?: string;
}

/** The outcome recorded in summary.json's `gate` and turned into the exit code. */
export interface GateResult {
  mode: Gate;
  status: OverallStatus;
  /** Why the gate is not healthy, one line per metric. */
  reasons: string[];
}

export function gateOf(flags: GateFlags & { daemon?: boolean }): Gate {
  if (flags.gate === undefined) return DEFAULT_GATE;
  if (flags.daemon) {
    throw new UserError('usage', '--gate belongs to run-once', {
      hint: 'the daemon alerts instead of exiting; drop --gate or use --run-once',
    });
  }
  if ((GATES as readonly string[]).includes(flags.gate)) return flags.gate as Gate;
  throw new UserError('usage', `unknown gate "${flags.gate}"`, {
    field: '--gate',
    hint: `one of ${GATES.join(', ')} (default ${DEFAULT_GATE})`,
  });
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))} %`;
}

/** Budget verdict of one metric: failing reasons, or unknown reasons when nothing fails. */
function judgeObjective(metric: SummaryMetric): { failures: string[]; unknowns: string[] } {
  const objective = metric.objective;
  if (!objective) return { failures: [], unknowns: [`${metric.name}: no objective was measured`] };
  const failures: string[] = [];
  const unknowns: string[] = [];
  const { remaining } = objective.error_budget;
  if (remaining !== null && remaining <= 0) {
    failures.push(
      `${metric.name}: the ${objective.window} error budget is exhausted (${percent(remaining)} left)`,
    );
  }
  for (const alert of objective.alerts.filter((a) => a.severity === 'page')) {
    if (alert.firing === true) {
      const long = objective.burn_rates[alert.long];
      const short = objective.burn_rates[alert.short];
      failures.push(
        `${metric.name}: page burn-rate rule ${alert.name} fires (${alert.long} ${long}×, ${alert.short} ${short}× > ${alert.factor}×)`,
      );
    } else if (alert.firing === null) {
      unknowns.push(
        `${metric.name}: page burn-rate rule ${alert.name} unknown: ${objective.reason ?? 'no data'}`,
      );
    }
  }
  if (remaining === null) {
    unknowns.push(`${metric.name}: error budget unknown: ${objective.reason ?? 'no data'}`);
  }
  return { failures, unknowns: [...new Set(unknowns)] };
}

/** `budget`: unhealthy when a budget is spent or a page rule fires; degraded when either is unknown. */
export function budgetGate(summary: Summary): GateResult {
  const failures: string[] = [];
  const unknowns: string[] = [];
  for (const metric of summary.metrics) {
    const judged = judgeObjective(metric);
    failures.push(...judged.failures);
    unknowns.push(...judged.unknowns);
  }
  if (summary.metrics.length === 0) unknowns.push('no NFR is measured');
  // As for the instant verdict, an NFR promised but not measured is not a pass.
  if (summary.counts.unmapped > 0) unknowns.push(`${summary.counts.unmapped} NFR(s) unmapped (not measured)`);
  if (failures.length > 0) return { mode: 'budget', status: 'unhealthy', reasons: failures };
  if (unknowns.length > 0) return { mode: 'budget', status: 'degraded', reasons: unknowns };
  return { mode: 'budget', status: 'healthy', reasons: [] };
}

const RANK: Record<OverallStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The gate's outcome for a run's summary. */
export function gateResult(summary: Summary, mode: Gate): GateResult {
  const instant: GateResult = {
    mode: 'instant',
    status: summary.status,
    reasons: summary.status === 'healthy' ? [] : [`instant verdict: ${summary.status}`],
  };
  if (mode === 'instant') return { ...instant, reasons: [] };
  const budget = budgetGate(summary);
  if (mode === 'budget') return budget;
  const worst = RANK[budget.status] >= RANK[instant.status] ? budget.status : instant.status;
  return {
    mode: 'both',
    status: worst,
    reasons: [...instant.reasons, ...budget.reasons],
  };
}
