import type { DeliveryResult } from '../types.js';

export type FetchLike = typeof fetch;

/** Options every HTTP receiver accepts. */
export interface HttpReceiverOptions {
  fetch?: FetchLike;
  /** Masks secrets in anything a server echoes back. */
  redact?: (text: string) => string;
  /** Per-request timeout; the caller's signal can still cut it short. */
  timeoutMs?: number;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Keep error texts short: they end up in logs and the outbox. */
const MAX_ERROR_BODY_CHARS = 300;
/** A hostile Retry-After must not park an alert for days. */
const MAX_RETRY_AFTER_MS = 6 * 60 * 60 * 1000;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * POSTs a body and reads the answer. Never throws: a network failure or timeout comes back as a
 * retryable DeliveryResult. The URL is never put into error texts (Slack URLs carry their token).
 */
export async function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: HttpReceiverOptions,
  signal: AbortSignal | undefined,
): Promise<HttpAnswer | Extract<DeliveryResult, { ok: false }>> {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body,
      signal: combined,
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text };
  } catch (error) {
    if (timeout.aborted) return { ok: false, permanent: false, error: `no answer within ${timeoutMs} ms` };
    if (signal?.aborted) return { ok: false, permanent: false, error: 'delivery cancelled' };
    return { ok: false, permanent: false, error: `network error: ${describeNetworkError(error)}` };
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause && typeof cause === 'object') {
      const code = (cause as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      if (cause instanceof Error) return cause.message;
    }
    return error.message;
  }
  return String(error);
}

/**
 * `Retry-After` as delay-seconds, or as an HTTP date measured against the server's own `Date` header
 * (so neither our clock nor clock skew matters); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, serverDate: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(trimmed) * 1000));
  const until = Date.parse(trimmed);
  const reference = serverDate === null ? Number.NaN : Date.parse(serverDate);
  if (Number.isNaN(until) || Number.isNaN(reference)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, until - reference));
}

export function shorten(text: string, redact: ((text: string) => string) | undefined): string {
  const cleaned = (redact ? redact(text) : text).replace(/\s+/g, ' ').trim();
  return cleaned.length > MAX_ERROR_BODY_CHARS ? `${cleaned.slice(0, MAX_ERROR_BODY_CHARS)}…` : cleaned;
}

/**
 * The shared retry rule: 429 → retry after Retry-After; 408 and 5xx → retry; other 4xx and redirects →
 * permanent (the request or the URL is wrong, sending it again cannot help).
 */
export function failureFor(answer: HttpAnswer, explanation: string): Extract<DeliveryResult, { ok: false }> {
  const { status } = answer;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), answer.headers.get('date'));
    return retryAfterMs === undefined
      ? { ok: false, permanent: false, error: `rate limited (429): ${explanation}` }
      : { ok: false, permanent: false, error: `rate limited (429): ${explanation}`, retryAfterMs };
  }
  if (status >= 300 && status < 400) {
    return { ok: false, permanent: true, error: `HTTP ${status}: redirected; configure the final URL` };
  }
  const permanent = status >= 400 && status < 500 && status !== 408;
  return { ok: false, permanent, error: `HTTP ${status}: ${explanation}` };
}

export function isAnswer(value: HttpAnswer | DeliveryResult): value is HttpAnswer {
  return 'status' in value;
}
