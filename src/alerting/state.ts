import { createHash } from 'node:crypto';
import type { AlertPolicy, HoldSpec, Severity } from '../config/types.js';
import { isWorse, moreSevere } from '../evaluate/severity.js';
import type { Verdict } from '../evaluate/types.js';
import type { Comparator } from '../units/types.js';
import type { AlertEventType, AlertKind, AlertState } from './types.js';

export function initialAlertState(specId: string, metric: string, kind: AlertKind): AlertState {
  return {
    specId,
    metric,
    kind,
    phase: 'inactive',
    since: null,
    badCycles: 0,
    goodCycles: 0,
    goodSince: null,
    episodeId: null,
    firedAt: null,
    lastNotifiedAt: null,
    severity: null,
    worstValue: null,
  };
}

/** One cycle's observation for one machine. */
export interface AlertInput {
  bad: boolean;
  at: Date;
  /** The daemon's cycle length; a hold in seconds tolerates a little timer jitter relative to it. */
  intervalSeconds: number;
  /** Severity of this observation (null: none, e.g. a no-data machine fed by a verdict without value). */
  severity: Severity | null;
  /** Measured value in the NFR's unit (null when unknown). */
  value: number | null;
  /**
   * Direction of "worse" for `worstValue`. Without it a higher value counts as worse
   * (right for latency and error rates, wrong for availability: pass it).
   */
  objective?: { comparator: Comparator; slo: number };
}

export interface AlertTiming {
  for: HoldSpec;
  resolveAfter: HoldSpec;
  repeatIntervalSeconds: number | null;
}

export interface AlertStep {
  state: AlertState;
  event: AlertEventType | null;
}

/** Short deterministic id: a cycle replayed after a crash rebuilds the same episode id. */
export function episodeIdFor(specId: string, metric: string, kind: AlertKind, since: Date): string {
  const digest = createHash('sha256')
    .update(`${specId}\u0000${metric}\u0000${kind}\u0000${since.toISOString()}`)
    .digest('hex');
  return digest.slice(0, 16);
}

/** Cycles scheduled on a timer may land a few ms early; that must not cost a whole extra cycle. */
function jitterToleranceMs(intervalSeconds: number): number {
  return Math.min(1000, Math.max(0, intervalSeconds) * 1000 * 0.05);
}

function holdMet(hold: HoldSpec, cycles: number, start: Date, at: Date, intervalSeconds: number): boolean {
  if ('cycles' in hold) return cycles >= hold.cycles;
  return at.getTime() - start.getTime() + jitterToleranceMs(intervalSeconds) >= hold.seconds * 1000;
}

function worstOf(current: number | null, input: AlertInput): number | null {
  if (input.value === null || !Number.isFinite(input.value)) return current;
  if (current === null) return input.value;
  const { comparator, slo } = input.objective ?? { comparator: '<' as const, slo: 0 };
  return isWorse(input.value, current, comparator, slo) ? input.value : current;
}

function startStreak(state: AlertState, input: AlertInput): AlertState {
  return {
    ...initialAlertState(state.specId, state.metric, state.kind),
    phase: 'pending',
    since: input.at,
    badCycles: 1,
    severity: input.severity,
    worstValue: worstOf(null, input),
  };
}

/**
 * Advances one alert machine by one observation. Pure: same inputs, same output.
 *
 * inactive ─bad→ pending ─(bad held for `for`)→ firing [trigger]
 * pending ─good→ inactive (no event)
 * firing ─good held for `resolveAfter`→ inactive [resolve]; a bad observation restarts the good streak,
 *   so flapping inside the hold gives no events
 * firing ─bad, `repeatIntervalSeconds` since the last notification, or a more severe severity
 *   than notified so far→ firing [reminder]
 *
 * The state returned with a `resolve` event still carries the closed episode (episodeId, since,
 * firedAt, severity, worstValue) so the resolve notification can describe it; the next observation
 * clears it.
 */
export function advanceAlert(state: AlertState, input: AlertInput, policy: AlertTiming): AlertStep {
  if (state.phase === 'inactive') {
    if (!input.bad) {
      const cleared = state.since === null && state.episodeId === null;
      return {
        state: cleared ? { ...state } : initialAlertState(state.specId, state.metric, state.kind),
        event: null,
      };
    }
    return maybeFire(startStreak(state, input), input, policy);
  }

  if (state.phase === 'pending') {
    if (!input.bad) return { state: initialAlertState(state.specId, state.metric, state.kind), event: null };
    const next: AlertState = {
      ...state,
      badCycles: state.badCycles + 1,
      severity: moreSevere(state.severity, input.severity),
      worstValue: worstOf(state.worstValue, input),
    };
    return maybeFire(next, input, policy);
  }

  // firing
  if (input.bad) {
    const next: AlertState = {
      ...state,
      badCycles: state.badCycles + 1,
      goodCycles: 0,
      goodSince: null,
      severity: moreSevere(state.severity, input.severity),
      worstValue: worstOf(state.worstValue, input),
    };
    const lastNotified = state.lastNotifiedAt ?? state.firedAt ?? state.since ?? input.at;
    const repeat = policy.repeatIntervalSeconds;
    // An escalation (e.g. SEV-2 → SEV-1) is news for the responder: say it at once, as a reminder.
    const escalated = state.severity !== null && next.severity !== state.severity;
    if (
      escalated ||
      (repeat !== null &&
        repeat > 0 &&
        input.at.getTime() - lastNotified.getTime() + jitterToleranceMs(input.intervalSeconds) >=
          repeat * 1000)
    ) {
      return { state: { ...next, lastNotifiedAt: input.at }, event: 'reminder' };
    }
    return { state: next, event: null };
  }

  const goodSince = state.goodSince ?? input.at;
  const goodCycles = state.goodCycles + 1;
  if (holdMet(policy.resolveAfter, goodCycles, goodSince, input.at, input.intervalSeconds)) {
    return {
      state: {
        ...state,
        phase: 'inactive',
        badCycles: 0,
        goodCycles: 0,
        goodSince: null,
        lastNotifiedAt: input.at,
      },
      event: 'resolve',
    };
  }
  return { state: { ...state, goodCycles, goodSince }, event: null };
}

function maybeFire(pending: AlertState, input: AlertInput, policy: AlertTiming): AlertStep {
  const since = pending.since ?? input.at;
  if (!holdMet(policy.for, pending.badCycles, since, input.at, input.intervalSeconds)) {
    return { state: pending, event: null };
  }
  return {
    state: {
      ...pending,
      phase: 'firing',
      episodeId: episodeIdFor(pending.specId, pending.metric, pending.kind, since),
      firedAt: input.at,
      lastNotifiedAt: input.at,
    },
    event: 'trigger',
  };
}

/**
 * What one verdict means for the two machines of a metric; null = do not advance that machine this
 * cycle (it is not in use, or the observation says nothing about it).
 * - `slo`: bad when breached; an unknown value is bad under `noData: breach`, otherwise it neither
 *   starts nor resolves a breach (no data is no evidence of recovery).
 * - `noData`: used only under `noData: alert`; bad when the value is unknown. Its `for` is
 *   `{ seconds: noDataForSeconds }` (see `noDataTiming`).
 */
export function observationsFor(
  verdict: Pick<Verdict, 'status'>,
  policy: Pick<AlertPolicy, 'noData'>,
): { slo: boolean | null; noData: boolean | null } {
  const unknown = verdict.status === 'unknown';
  const slo = unknown ? (policy.noData === 'breach' ? true : null) : verdict.status === 'breached';
  const noData = policy.noData === 'alert' ? unknown : null;
  return { slo, noData };
}

/** The timing each machine runs with under an alert policy. */
export function timingFor(kind: AlertKind, policy: AlertPolicy): AlertTiming {
  if (kind === 'no_data') {
    return {
      for: { seconds: policy.noDataForSeconds },
      resolveAfter: policy.resolveAfter,
      repeatIntervalSeconds: policy.repeatIntervalSeconds,
    };
  }
  return {
    for: policy.for,
    resolveAfter: policy.resolveAfter,
    repeatIntervalSeconds: policy.repeatIntervalSeconds,
  };
}
