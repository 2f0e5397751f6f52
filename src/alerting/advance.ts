import type { AlertPolicy, MetricMapping } from '../config/types.js';
import type { Evaluation, Verdict } from '../evaluate/index.js';
import { severityFor } from '../evaluate/severity.js';
import type { NewNotification } from '../store/types.js';
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
 * Pure: the same states and verdicts always give the same result, so a cycle replayed after a crash
 * enqueues nothing twice (the idempotency keys repeat).
 */
export function advanceAlerts(
  evaluation: Evaluation,
  states: ReadonlyMap<string, AlertState>,
  ctx: AlertContext,
): AlertOutcome {
  const outcome: AlertOutcome = { changed: [], notifications: [], events: [] };
  for (const verdict of evaluation.verdicts) {
    const policy = ctx.policy(verdict.metric);
    const observed = observationsFor(verdict, policy);
    const machines: [AlertKind, boolean | null][] = [
      ['slo', observed.slo],
      ['no_data', observed.noData],
    ];
    for (const [kind, bad] of machines) {
      const key = alertKey(evaluation.specId, verdict.metric, kind);
      const before = states.get(key) ?? initialAlertState(evaluation.specId, verdict.metric, kind);
      if (bad === null) continue; // this machine is not fed (e.g. unknown is not evidence either way)
      const severity =
        kind === 'slo'
          ? severityFor(verdict, policy.severityRules)
          : severityFor({ ...verdict, value: null }, policy.severityRules);
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
        timingFor(kind, policy),
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
