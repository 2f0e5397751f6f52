import { createHash } from 'node:crypto';
import { FALLBACK_SEVERITY } from '../evaluate/severity.js';
import type { Verdict } from '../evaluate/types.js';
import { formatQuantity } from '../units/index.js';
import type { AlertTrigger, BurnObservation } from './burn.js';
import type { AlertEventType, AlertKind, AlertPayload, AlertState } from './types.js';

export const MONITOR_NAME = 'smartspec-production-monitor';

/** PagerDuty caps dedup_key at 255 characters. */
const MAX_DEDUP_KEY = 255;

/**
 * One key per (spec, metric, kind), the same across episodes, so PagerDuty and Alertmanager correlate
 * a trigger, its reminders and its resolve. Over-long keys keep a readable head and a hash tail.
 */
export function dedupKeyFor(specId: string, metric: string, kind: AlertKind): string {
  const key = `${MONITOR_NAME}/${specId}/${metric}/${kind}`;
  if (key.length <= MAX_DEDUP_KEY) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${key.slice(0, MAX_DEDUP_KEY - hash.length - 1)}~${hash}`;
}

export interface AlertPayloadInput {
  verdict: Verdict;
  /** The machine's state returned with the event (for a resolve it still carries the closed episode). */
  state: AlertState;
  event: AlertEventType;
  kind: AlertKind;
  service: string;
  links: { report: string | null; status_page: string | null };
  version: string;
  host: string;
  /** Applied to free text that comes from the user's files (query, reason). */
  redact?: (text: string) => string;
  /** The burn-rate side measured this cycle (`slo` alerts only) and what holds now. */
  burn?: { observation: BurnObservation | null; trigger: AlertTrigger | null };
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** The structured alert: SmartSpec's incident contract fields first, then what a responder needs. */
export function buildAlertPayload(input: AlertPayloadInput): AlertPayload {
  const { verdict, state, event, kind } = input;
  const redact = input.redact ?? ((text: string) => text);
  const startedAt = state.since ?? state.firedAt ?? verdict.checkedAt;
  return {
    source: 'production_monitor',
    spec_id: state.specId,
    metric: verdict.metric,
    value: kind === 'no_data' ? null : finiteOrNull(verdict.value),
    slo: verdict.slo,
    severity: state.severity ?? FALLBACK_SEVERITY,
    status: event === 'resolve' ? 'resolved' : 'firing',
    event,
    kind,
    service: input.service,
    unit: verdict.unit,
    comparator: verdict.comparator,
    target: verdict.target,
    requirement: verdict.requirement,
    category: verdict.category,
    started_at: startedAt.toISOString(),
    ended_at: event === 'resolve' ? verdict.checkedAt.toISOString() : null,
    dedup_key: dedupKeyFor(state.specId, verdict.metric, kind),
    query: redact(verdict.query),
    provider: verdict.provider,
    reason: redact(verdict.reason),
    links: { report: input.links.report, status_page: input.links.status_page },
    monitor: { name: MONITOR_NAME, version: input.version, host: input.host },
    trigger: event === 'resolve' || kind === 'no_data' ? null : (input.burn?.trigger ?? 'threshold'),
    burn_rates: input.burn?.observation?.burnRates ?? null,
    budget_remaining: input.burn?.observation?.budgetRemaining ?? null,
    window: input.burn?.observation?.window || null,
    firing_rules: event === 'resolve' ? [] : (input.burn?.observation?.firingRules ?? []),
  };
}

/** One line for chat, pager titles and logs, e.g. `[SEV-2] spec-x api_latency_p99 = 350 ms breaches < 200ms (p99 latency)`. */
export function alertSummary(payload: AlertPayload): string {
  const subject = `${payload.spec_id} ${payload.metric}`;
  const about = payload.requirement ? ` (${payload.requirement})` : '';
  if (payload.kind === 'no_data') {
    if (payload.event === 'resolve') {
      return `[RESOLVED] ${subject} has data again (target ${payload.target})${about}`;
    }
    const prefix = payload.event === 'reminder' ? `[${payload.severity}] still` : `[${payload.severity}]`;
    return `${prefix} no data for ${subject}: monitoring is blind (target ${payload.target})${about}`;
  }
  const measured = payload.value === null ? 'no data' : formatQuantity(payload.value, payload.unit);
  if (payload.event === 'resolve') {
    return `[RESOLVED] ${subject} = ${measured} meets ${payload.target} again${about}`;
  }
  const fastest = payload.firing_rules[0];
  if (payload.trigger === 'burn_rate' && fastest) {
    const rate = payload.burn_rates?.[fastest.long];
    const burning = rate === null || rate === undefined ? `over ${fastest.factor}×` : `${rate}×`;
    const verb = payload.event === 'reminder' ? 'still burns' : 'burns';
    return `[${payload.severity}] ${subject} ${verb} its error budget at ${burning} over ${fastest.long} (target ${payload.target})${about}`;
  }
  const verb = payload.event === 'reminder' ? 'still breaches' : 'breaches';
  return `[${payload.severity}] ${subject} = ${measured} ${verb} ${payload.target}${about}`;
}
