import type { AlertPolicy, MetricMapping } from '../config/types.js';
import type { Evaluation, Verdict } from '../evaluate/index.js';
import { moreSevere, severityFor } from '../evaluate/severity.js';
import type { ObjectiveReport } from '../slo/index.js';
import type { NewNotification } from '../store/types.js';
import {
  type AlertingMode,
  type BurnObservation,
  burnObservationOf,
  combineConditions,
  unknownBurn,
} from './burn.js';
import { buildAlertPayload } from './payload.js';
import { advanceAlert, initialAlertState, observationsFor, timingFor } from './state.js';
import type { AlertEventType, AlertKind, AlertPayload, AlertState } from './types.js';

export function alertKey(specId: string, metric: string, kind: AlertKind): string {
  return `${specId}\u0000${metric}\u0000${kind}`;
}

/** The alert policy of one metric: the file's `alerting` block with the metric's own overrides. */
export function policyFor(base: AlertPolicy, mapping: MetricMapping | undefined): AlertPolicy {
  return { ...base, ...(mapping?.alerting ?? {}) };
}

export interface AlertContext {
  policy: (metric: string) => AlertPolicy;
  receivers: readonly string[];
  intervalSeconds: number;
  links: (verdict: Verdict) => { report: string | null; status_page: string | null };
  service: string;
  version: string;
  host: string;
  redact: (text: string) => string;
  /** `alerting.mode` of a metric (default `both`). */
  alertingMode?: (metric: string) => AlertingMode;
}

export interface AlertOutcome {
  /** States that differ from the ones given (to persist). */
  changed: AlertState[];
  notifications: NewNotification[];
  events: { event: AlertEventType; payload: AlertPayload }[];
}

/**
 * Feeds one cycle's verdicts to the alert state machines (one for the objective, one for "monitoring
 * is blind" per metric) and turns their events into outbox notifications, one per receiver.
 * `objectives` are the objectives measured this cycle, by metric: the `slo` machine is then bad when
 * the threshold condition or a burn-rate rule holds (per `alerting.mode`); without them (a caller that
 * measures no objectives) the threshold alone drives it.
 * Pure: the same states and verdicts always give the same result, so a cycle replayed after a crash
 * enqueues nothing twice (the idempotency keys repeat).
 */
export function advanceAlerts(
  evaluation: Evaluation,
  states: ReadonlyMap<string, AlertState>,
  ctx: AlertContext,
  objectives?: ReadonlyMap<string, ObjectiveReport>,
): AlertOutcome {
  const outcome: AlertOutcome = { changed: [], notifications: [], events: [] };
  for (const verdict of evaluation.verdicts) {
    const policy = ctx.policy(verdict.metric);
    const observed = observationsFor(verdict, policy);
    const report = objectives?.get(verdict.metric);
    const burn: BurnObservation | null = objectives
      ? report
        ? burnObservationOf(report)
        : unknownBurn(null)
      : null;
    const mode: AlertingMode = ctx.alertingMode?.(verdict.metric) ?? 'both';
    const sloKey = alertKey(evaluation.specId, verdict.metric, 'slo');
    const sloPhase = states.get(sloKey)?.phase ?? 'inactive';
    const slo = combineConditions(mode, observed.slo, burn, sloPhase);
    const machines: [AlertKind, boolean | null][] = [
      ['slo', slo.bad],
      ['no_data', observed.noData],
    ];
    for (const [kind, bad] of machines) {
      const key = alertKey(evaluation.specId, verdict.metric, kind);
      const before = states.get(key) ?? initialAlertState(evaluation.specId, verdict.metric, kind);
      if (bad === null) continue; // this machine is not fed (e.g. unknown is not evidence either way)
      // The higher of the two sources' severities; each only while its condition holds.
      const severity =
        kind === 'slo'
          ? moreSevere(
              slo.trigger === 'threshold' || slo.trigger === 'both'
                ? severityFor(verdict, policy.severityRules)
                : null,
              slo.burnFiring ? (burn?.severity ?? null) : null,
            )
          : severityFor({ ...verdict, value: null }, policy.severityRules);
      const timing = timingFor(kind, policy);
      const step = advanceAlert(
        before,
        {
          bad,
          at: evaluation.checkedAt,
          intervalSeconds: ctx.intervalSeconds,
          severity: bad ? severity : null,
          value: verdict.value,
          objective: { comparator: verdict.comparator, slo: verdict.slo },
        },
        // A firing burn-rate rule has held over its own long and short windows: it opens at once.
        kind === 'slo' && slo.burnFiring ? { ...timing, for: { cycles: 1 } } : timing,
      );
      if (JSON.stringify(step.state) !== JSON.stringify(before)) outcome.changed.push(step.state);
      if (!step.event) continue;
      const payload = buildAlertPayload({
        verdict,
        state: step.state,
        event: step.event,
        kind,
        service: ctx.service,
        links: ctx.links(verdict),
        version: ctx.version,
        host: ctx.host,
        redact: ctx.redact,
        ...(kind === 'slo' ? { burn: { observation: burn, trigger: slo.trigger } } : {}),
      });
      outcome.events.push({ event: step.event, payload });
      // Reminders repeat within an episode, so their key carries the cycle time.
      const occurrence =
        step.event === 'reminder' ? `reminder@${evaluation.checkedAt.getTime()}` : step.event;
      for (const receiver of ctx.receivers) {
        outcome.notifications.push({
          receiver,
          dedupKey: payload.dedup_key,
          event: step.event,
          payload,
          idempotencyKey: `${receiver}/${step.state.episodeId}/${occurrence}`,
        });
      }
    }
  }
  return outcome;
}
