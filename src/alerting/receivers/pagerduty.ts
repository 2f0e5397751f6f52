import type { ReceiverConfig, Severity } from '../../config/types.js';
import { alertSummary, MONITOR_NAME } from '../payload.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../types.js';
import { failureFor, type HttpReceiverOptions, isAnswer, postBody, shorten } from './http.js';

type PagerDutyConfig = Extract<ReceiverConfig, { type: 'pagerduty' }>;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export const pagerDutySeverity: Record<Severity, PagerDutySeverity> = {
  'SEV-1': 'critical',
  'SEV-2': 'error',
  'SEV-3': 'warning',
  'SEV-4': 'info',
};

const MAX_SUMMARY = 1024;

/**
 * An Events API v2 event. Reminders go out as `trigger` with the same dedup_key: PagerDuty folds them
 * into the open alert. A resolve needs only the key and the action.
 */
export function pagerDutyEvent(payload: AlertPayload, routingKey: string): Record<string, unknown> {
  if (payload.event === 'resolve') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: payload.dedup_key };
  }
  const summary = alertSummary(payload);
  const links = [
    payload.links.status_page ? { href: payload.links.status_page, text: 'Status page' } : null,
    payload.links.report ? { href: payload.links.report, text: 'Report' } : null,
  ].filter((link) => link !== null);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: payload.dedup_key,
    payload: {
      summary: summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 1)}…` : summary,
      // The affected system, which PagerDuty shows as the alert's source.
      source: payload.service,
      severity: pagerDutySeverity[payload.severity],
      timestamp: payload.started_at,
      component: payload.metric,
      group: payload.spec_id,
      class: payload.kind === 'no_data' ? 'no_data' : 'slo_breach',
      custom_details: payload,
    },
    client: MONITOR_NAME,
    ...(payload.links.status_page ? { client_url: payload.links.status_page } : {}),
    links,
  };
}

/** PagerDuty Events API v2: 202 = accepted; 400 = invalid event (never retried); 429/5xx retried. */
export function createPagerDutyReceiver(cfg: PagerDutyConfig, options: HttpReceiverOptions = {}): Receiver {
  // The routing key is the credential: whatever else is redacted, it must never show in an error.
  const redact = (text: string) => {
    const masked = cfg.routingKey ? text.split(cfg.routingKey).join('***') : text;
    return options.redact ? options.redact(masked) : masked;
  };
  return {
    name: cfg.name,
    type: 'pagerduty',
    async deliver(payload: AlertPayload, signal?: AbortSignal): Promise<DeliveryResult> {
      const body = JSON.stringify(pagerDutyEvent(payload, cfg.routingKey));
      const answer = await postBody(cfg.url, body, { 'content-type': 'application/json' }, options, signal);
      if (!isAnswer(answer)) return answer;
      if (answer.status === 202 || (answer.status >= 200 && answer.status < 300)) {
        return { ok: true, detail: `HTTP ${answer.status}` };
      }
      return failureFor(answer, pagerDutyError(answer.body, redact));
    },
  };
}

/** `{status, message, errors[]}` → `message: error; error`. */
function pagerDutyError(body: string, redact: (text: string) => string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const parts: string[] = [];
    if (typeof parsed.message === 'string') parts.push(parsed.message);
    if (Array.isArray(parsed.errors)) parts.push(parsed.errors.map(String).join('; '));
    if (parts.length > 0) return shorten(parts.join(': '), redact);
  } catch {
    // not JSON: use the raw text
  }
  return shorten(body, redact) || 'no body';
}
