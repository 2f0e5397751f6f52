import type { ReceiverConfig, Severity } from '../../config/types.js';
import { severitiesUpTo } from '../../evaluate/severity.js';
import { formatQuantity } from '../../units/index.js';
import { alertSummary, MONITOR_NAME } from '../payload.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../types.js';
import { failureFor, type HttpReceiverOptions, isAnswer, postBody, shorten } from './http.js';

type AlertmanagerConfig = Extract<ReceiverConfig, { type: 'alertmanager' }>;

export interface AlertmanagerReceiverOptions extends HttpReceiverOptions {
  now?: () => Date;
  /**
   * How long Alertmanager keeps a firing alert without hearing from us again. We only re-send on
   * reminders, so this must outlast the repeat interval, or Alertmanager would resolve an alert that
   * is still firing. Default 24 h.
   */
  firingTtlSeconds?: number;
}

export const DEFAULT_FIRING_TTL_SECONDS = 24 * 60 * 60;

/** Severities sent for an open episode; `complete` when this process also sent its trigger. */
export interface PostedSeverities {
  severities: ReadonlySet<Severity>;
  complete: boolean;
}

/** One alert in Alertmanager's `POST /api/v2/alerts` body. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/**
 * Labels identify the alert and stay the same for the whole episode, except `severity`: Alertmanager
 * routes and inhibits on labels only, so severity has to be one. An episode's severity only ever rises,
 * so an escalation (seen at a reminder) adds a more severe alert next to the earlier one, as Prometheus
 * rules for warning and critical do, and the resolve closes every severity the episode posted.
 */
export function alertmanagerLabels(
  payload: AlertPayload,
  severity = payload.severity,
): Record<string, string> {
  return {
    alertname: payload.kind === 'no_data' ? 'SmartSpecMonitoringBlind' : 'SmartSpecSLOBreach',
    spec_id: payload.spec_id,
    metric: payload.metric,
    kind: payload.kind,
    severity: severity.toLowerCase(),
    service: payload.service,
    source: MONITOR_NAME,
  };
}

function annotationsFor(payload: AlertPayload): Record<string, string> {
  const value = payload.value === null ? 'no data' : formatQuantity(payload.value, payload.unit);
  const slo = formatQuantity(payload.slo, payload.unit);
  const description = [
    `${payload.requirement || payload.metric}: ${value} against target ${payload.target}.`,
    payload.reason,
    `Query (${payload.provider}): ${payload.query}`,
  ]
    .filter((line) => line.length > 0)
    .join('\n');
  const annotations: Record<string, string> = {
    summary: alertSummary(payload),
    description,
    value,
    slo,
    target: payload.target,
    query: payload.query,
    provider: payload.provider,
    reason: payload.reason,
  };
  if (payload.links.report) annotations.report = payload.links.report;
  if (payload.links.status_page) annotations.status_page = payload.links.status_page;
  return annotations;
}

/**
 * The JSON array to POST; pure, so it can be checked without a server. A resolve closes the severities
 * in `posted` when they are the episode's full history (this process sent its trigger); otherwise (e.g.
 * after a restart) it closes the episode's severity and every less severe one, the only ones the
 * episode can have posted.
 */
export function alertmanagerAlerts(
  payload: AlertPayload,
  now: Date,
  firingTtlSeconds: number,
  posted: PostedSeverities | undefined = undefined,
): AlertmanagerAlert[] {
  const annotations = annotationsFor(payload);
  const startsAt = payload.started_at;
  const generator = payload.links.status_page ? { generatorURL: payload.links.status_page } : {};
  if (payload.status === 'resolved') {
    // Alertmanager rejects endsAt <= startsAt; a same-instant resolve still has to close the alert.
    const ended = Math.max(Date.parse(payload.ended_at ?? now.toISOString()), Date.parse(startsAt) + 1);
    const endsAt = new Date(ended).toISOString();
    const severities = new Set(posted?.complete ? [payload.severity] : severitiesUpTo(payload.severity));
    for (const severity of posted?.severities ?? []) severities.add(severity);
    const ordered = severitiesUpTo('SEV-1').filter((severity) => severities.has(severity));
    return ordered.map((severity) => ({
      labels: alertmanagerLabels(payload, severity),
      annotations,
      startsAt,
      endsAt,
      ...generator,
    }));
  }
  const endsAt = new Date(now.getTime() + firingTtlSeconds * 1000).toISOString();
  return [{ labels: alertmanagerLabels(payload), annotations, startsAt, endsAt, ...generator }];
}

/** POSTs to `<url>/api/v2/alerts`. */
export function createAlertmanagerReceiver(
  cfg: AlertmanagerConfig,
  options: AlertmanagerReceiverOptions = {},
): Receiver {
  const now = options.now ?? (() => new Date());
  const ttl = options.firingTtlSeconds ?? DEFAULT_FIRING_TTL_SECONDS;
  const endpoint = `${cfg.url.replace(/\/+$/, '')}/api/v2/alerts`;
  // Severities posted per open episode, so a resolve closes exactly those.
  const posted = new Map<string, PostedSeverities>();
  return {
    name: cfg.name,
    type: 'alertmanager',
    async deliver(payload: AlertPayload, signal?: AbortSignal): Promise<DeliveryResult> {
      const known = posted.get(payload.dedup_key);
      const body = JSON.stringify(alertmanagerAlerts(payload, now(), ttl, known));
      const headers = { ...cfg.headers, 'content-type': 'application/json' };
      const answer = await postBody(endpoint, body, headers, options, signal);
      if (!isAnswer(answer)) return answer;
      if (answer.status >= 200 && answer.status < 300) {
        if (payload.status === 'resolved') posted.delete(payload.dedup_key);
        else {
          posted.set(payload.dedup_key, {
            severities: new Set([...(known?.severities ?? []), payload.severity]),
            complete: payload.event === 'trigger' || (known?.complete ?? false),
          });
        }
        return { ok: true, detail: `HTTP ${answer.status}` };
      }
      return failureFor(answer, alertmanagerError(answer.body, options.redact));
    },
  };
}

/** Alertmanager answers 400/500 with a JSON string and 422 with `{code, message}`. */
function alertmanagerError(body: string, redact: ((text: string) => string) | undefined): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'string') return shorten(parsed, redact);
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof (parsed as { message?: unknown }).message === 'string'
    ) {
      return shorten((parsed as { message: string }).message, redact);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return shorten(body, redact) || 'no body';
}
