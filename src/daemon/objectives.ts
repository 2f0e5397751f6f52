/**
 * The daemon's measured objectives (docs/slo.md#measured-objectives): burn rates in
 * every cycle, the whole window's error budget at most every BUDGET_REFRESH_MS, both from the backend
 * from the first cycle on (never from the daemon's own, possibly minutes-long, history).
 */
import pLimit from 'p-limit';
import type { PreparedCheck } from '../pipeline/index.js';
import { failFast, measureCheckObjective } from '../pipeline/objectives.js';
import type { Summary } from '../report/index.js';
import type { BudgetStatus } from '../server/types.js';
import type { Measurement, ObjectiveReport } from '../slo/index.js';

/** Days of an objective's window ending at the report's time: a calendar month counts its own days. */
function windowDaysOf(report: ObjectiveReport): number {
  const days = WINDOW_DAYS[report.window];
  if (days !== undefined) return days;
  const start = new Date(report.window_start);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).getUTCDate();
}

const WINDOW_DAYS: Partial<Record<ObjectiveReport['window'], number>> = {
  '7d': 7,
  '28d': 28,
  '30d': 30,
  week: 7,
};

/** One metric's `budgets[]` entry: null with the objective's reason when the budget is unknown. */
export function budgetOf(metric: string, report: ObjectiveReport): BudgetStatus {
  const remaining = report.error_budget.remaining;
  return {
    metric,
    windowDays: windowDaysOf(report),
    remaining,
    reason: remaining === null ? (report.reason ?? 'the error budget is not known yet') : null,
  };
}

/** The whole-window query (30 days of `increase()`, or 30 days of slices) is the costly one. */
export const BUDGET_REFRESH_MS = 5 * 60_000;
const CONCURRENCY = 8;

interface SpecObjectives {
  /** The cycle time the objectives were measured at. */
  at: number;
  /** When (on the daemon's clock) the whole window was last asked for. */
  budgetAt: number;
  measurements: Map<string, Measurement>;
  reports: Map<string, ObjectiveReport>;
}

export class ObjectiveTracker {
  private bySpec = new Map<string, SpecObjectives>();
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly onChange: () => void,
    private readonly onError: (message: string) => void,
  ) {}

  /**
   * Starts a refresh for `at` unless one is still running (a slow backend skips cycles rather than
   * piling requests up). Resolves when this refresh, or the one already running, ends.
   */
  refresh(specs: readonly PreparedCheck[], at: Date, signal?: AbortSignal): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.measureAll(specs, at, signal)
      .catch((error: unknown) => this.onError(error instanceof Error ? error.message : String(error)))
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private async measureAll(specs: readonly PreparedCheck[], at: Date, signal?: AbortSignal): Promise<void> {
    const limit = pLimit(CONCURRENCY);
    await Promise.all(
      specs.map(async (prepared) => {
        const specId = prepared.spec.specId;
        const known = this.bySpec.get(specId);
        const elapsed = known ? at.getTime() - known.budgetAt : Number.POSITIVE_INFINITY;
        // A clock that went back (a replay restarted) also asks for the window again.
        const budget = elapsed >= BUDGET_REFRESH_MS || elapsed < 0;
        const providers = new Map([...prepared.providers].map(([name, p]) => [name, failFast(p)]));
        const measurements = new Map<string, Measurement>();
        const reports = new Map<string, ObjectiveReport>();
        await Promise.all(
          prepared.plan.checks.map(async (check) => {
            const measured = await measureCheckObjective({ config: prepared.config, providers }, check, {
              at,
              limit,
              parts: { budget, burnRates: true },
              previous: known?.measurements.get(check.nfr.metric),
              ...(signal ? { signal } : {}),
            });
            measurements.set(check.nfr.metric, measured.measurement);
            reports.set(check.nfr.metric, prepared.redactor.redactDeep(measured.report));
          }),
        );
        if (signal?.aborted) return;
        this.bySpec.set(specId, {
          at: at.getTime(),
          budgetAt: budget ? at.getTime() : (known?.budgetAt ?? at.getTime()),
          measurements,
          reports,
        });
      }),
    );
    this.onChange();
  }

  /** A spec's objectives by metric as measured at `at` exactly (the cycle's), else undefined. */
  reportsAt(specId: string, at: Date): ReadonlyMap<string, ObjectiveReport> | undefined {
    const known = this.bySpec.get(specId);
    return known && known.at === at.getTime() ? known.reports : undefined;
  }

  /**
   * A spec's error budgets as /api/status `budgets[]` has always given them, now from the measured
   * objectives (the backend's whole window), never from the daemon's own history; empty before the
   * first measurement.
   */
  budgets(specId: string): BudgetStatus[] {
    const reports = this.bySpec.get(specId)?.reports;
    if (!reports) return [];
    return [...reports].map(([metric, report]) => budgetOf(metric, report));
  }

  /** A spec's summary with each metric's latest objective (unchanged before the first refresh). */
  withObjectives(summary: Summary): Summary {
    const reports = this.bySpec.get(summary.spec_id)?.reports;
    if (!reports) return summary;
    return {
      ...summary,
      metrics: summary.metrics.map((m) => {
        const objective = reports.get(m.name);
        return objective ? { ...m, objective } : m;
      }),
    };
  }

  /** After a reload the objectives may have changed: measure everything again. */
  clear(): void {
    this.bySpec.clear();
  }
}
