import type { AlertState } from '../alerting/types.js';
import type { Summary } from '../report/index.js';
import type { BudgetStatus, CycleInfo, MonitorStatusSource, SpecStatus } from './types.js';

/** `last_cycle` of /api/status: the CycleInfo with ISO dates and snake_case keys like summary.json. */
export interface CycleJson {
  started_at: string;
  finished_at: string;
  duration_ms: number;
  slow: boolean;
  /** Cycles in a row, up to this one, that could not be recorded; 0 when this one was. */
  consecutive_failures: number;
  /** Why this cycle failed (redacted), or null. */
  error: string | null;
}

export interface AlertJson {
  metric: string;
  kind: AlertState['kind'];
  phase: AlertState['phase'];
  severity: AlertState['severity'];
  since: string | null;
  fired_at: string | null;
  bad_cycles: number;
  worst_value: number | null;
  episode_id: string | null;
}

export interface BudgetJson {
  metric: string;
  window_days: number;
  remaining: number | null;
  reason: string | null;
}

/** One spec of /api/status: the run-once summary.json shape plus what the daemon knows. */
export type SpecStatusJson = Summary & {
  alerts: AlertJson[];
  budgets: BudgetJson[];
  reports: { daily: string[]; weekly: string[] };
};

export interface StatusJson {
  version: string;
  started_at: string;
  /** Server time of this answer, so a client can judge staleness without trusting its own clock. */
  generated_at: string;
  interval_seconds: number;
  last_cycle: CycleJson | null;
  specs: SpecStatusJson[];
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function cycleToJson(cycle: CycleInfo | null): CycleJson | null {
  if (!cycle) return null;
  return {
    started_at: cycle.startedAt.toISOString(),
    finished_at: cycle.finishedAt.toISOString(),
    duration_ms: cycle.durationMs,
    slow: cycle.slow,
    consecutive_failures: cycle.consecutiveFailures ?? 0,
    error: cycle.error ?? null,
  };
}

function alertToJson(alert: AlertState): AlertJson {
  return {
    metric: alert.metric,
    kind: alert.kind,
    phase: alert.phase,
    severity: alert.severity,
    since: iso(alert.since),
    fired_at: iso(alert.firedAt),
    bad_cycles: alert.badCycles,
    worst_value: alert.worstValue,
    episode_id: alert.episodeId,
  };
}

function budgetToJson(budget: BudgetStatus): BudgetJson {
  return {
    metric: budget.metric,
    window_days: budget.windowDays,
    remaining: budget.remaining,
    reason: budget.reason,
  };
}

function specStatusToJson(spec: SpecStatus): SpecStatusJson {
  return {
    ...spec.summary,
    // Only open (firing) and pending states belong on the page, whatever the source hands over.
    alerts: spec.alerts.filter((alert) => alert.phase !== 'inactive').map(alertToJson),
    budgets: spec.budgets.map(budgetToJson),
    reports: { daily: [...spec.reports.daily], weekly: [...spec.reports.weekly] },
  };
}

/** `specs`: the source's specs when the caller already has them (they can be costly to gather). */
export function buildStatusJson(
  source: MonitorStatusSource,
  now: Date,
  specs: readonly SpecStatus[] = source.specs(),
): StatusJson {
  return {
    version: source.version,
    started_at: source.startedAt.toISOString(),
    generated_at: now.toISOString(),
    interval_seconds: source.intervalSeconds,
    last_cycle: cycleToJson(source.lastCycle()),
    specs: specs.map(specStatusToJson),
  };
}

export type Readiness =
  | { ready: true; lastCycle: CycleJson; ageSeconds: number; maxAgeSeconds: number }
  | {
      ready: false;
      reason: string;
      lastCycle: CycleJson | null;
      ageSeconds: number | null;
      maxAgeSeconds: number;
    };

/** Slack added to 2.5 intervals so a short interval does not flap on a slow cycle. */
const READINESS_SLACK_SECONDS = 10;
/**
 * One failed cycle may be a passing hiccup; this many in a row means the monitor is not working
 * (/readyz answers 503 and the status page says so).
 */
export const FAILED_CYCLES_NOT_READY = 2;

/**
 * Ready when the last cycle finished within 2.5 intervals (+10 s): the loop is turning; and when
 * the last FAILED_CYCLES_NOT_READY cycles were not all failures: it is turning to some effect.
 */
export function readiness(lastCycle: CycleInfo | null, intervalSeconds: number, now: Date): Readiness {
  const maxAgeSeconds = 2.5 * intervalSeconds + READINESS_SLACK_SECONDS;
  if (!lastCycle) {
    return {
      ready: false,
      reason: 'no cycle has finished yet',
      lastCycle: null,
      ageSeconds: null,
      maxAgeSeconds,
    };
  }
  const ageSeconds = Math.max(0, (now.getTime() - lastCycle.finishedAt.getTime()) / 1000);
  const cycle = cycleToJson(lastCycle)!;
  if (ageSeconds > maxAgeSeconds) {
    return {
      ready: false,
      reason: `the last cycle finished ${Math.round(ageSeconds)} s ago, more than ${maxAgeSeconds} s (2.5 intervals + ${READINESS_SLACK_SECONDS} s)`,
      lastCycle: cycle,
      ageSeconds,
      maxAgeSeconds,
    };
  }
  const failures = lastCycle.consecutiveFailures ?? 0;
  if (failures >= FAILED_CYCLES_NOT_READY) {
    return {
      ready: false,
      reason: `the last ${failures} cycles failed, nothing is recorded and no alert can be raised or resolved: ${lastCycle.error ?? 'unknown error'}`,
      lastCycle: cycle,
      ageSeconds,
      maxAgeSeconds,
    };
  }
  return { ready: true, lastCycle: cycle, ageSeconds, maxAgeSeconds };
}
