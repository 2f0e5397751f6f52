import { createHmac } from 'node:crypto';
import type { ReceiverConfig } from '../../config/types.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../types.js';
import { failureFor, type HttpReceiverOptions, isAnswer, postBody, shorten } from './http.js';

type WebhookConfig = Extract<ReceiverConfig, { type: 'webhook' }>;

export interface WebhookReceiverOptions extends HttpReceiverOptions {
  /** Source of `X-Signature-Timestamp`; defaults to the system clock. */
  now?: () => Date;
}

/** `sha256=<hex HMAC-SHA256 of the exact body>`, the form GitHub uses. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * Identifies one notification for receivers that deduplicate retries. Reminders of one episode share
 * it (the payload has no per-notification field).
 */
export function idempotencyKeyFor(payload: AlertPayload): string {
  return `${payload.dedup_key}:${payload.event}:${payload.started_at}`;
}

/** POSTs the alert payload as JSON; signs it when a secret is configured. */
export function createWebhookReceiver(cfg: WebhookConfig, options: WebhookReceiverOptions = {}): Receiver {
  const now = options.now ?? (() => new Date());
  return {
    name: cfg.name,
    type: 'webhook',
    async deliver(payload: AlertPayload, signal?: AbortSignal): Promise<DeliveryResult> {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        ...cfg.headers,
        'content-type': 'application/json',
        'user-agent': `${payload.monitor.name}/${payload.monitor.version}`,
        'idempotency-key': idempotencyKeyFor(payload),
      };
      if (cfg.hmacSecret) {
        headers['x-signature-256'] = signBody(cfg.hmacSecret, body);
        headers['x-signature-timestamp'] = String(Math.floor(now().getTime() / 1000));
      }
      const answer = await postBody(cfg.url, body, headers, options, signal);
      if (!isAnswer(answer)) return answer;
      if (answer.status >= 200 && answer.status < 300) return { ok: true, detail: `HTTP ${answer.status}` };
      return failureFor(answer, shorten(answer.body, options.redact) || 'no body');
    },
  };
}
