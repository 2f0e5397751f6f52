import {
  DEFAULT_MAX_RESPONSE_BYTES,
  describeNetworkError,
  guardedFetch,
  type HostDecision,
  networkErrorOf,
} from '../../common/guarded-fetch.js';
import { HttpHeaders } from '../../common/http-headers.js';
import { defaultTransport, type HttpTransport } from '../../common/http-transport.js';
import type { DeliveryResult } from '../types.js';

/** Options every HTTP receiver accepts. */
export interface HttpReceiverOptions {
  /** Sends the bytes; node:http(s) by default. */
  transport?: HttpTransport;
  /** Masks secrets in anything a server echoes back. */
  redact?: (text: string) => string;
  /** Per-request timeout; the caller's signal can still cut it short. */
  timeoutMs?: number;
  /** The receiver's `follow_redirects`; off by default. */
  followRedirects?: boolean;
  /** The network policy, asked for every host a followed redirect leads to. */
  allowHost?: (host: string) => HostDecision;
  /** Only this much of a reply is read; the rest is not even received. */
  maxResponseBytes?: number;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Keep error texts short: they end up in logs and the outbox. */
const MAX_ERROR_BODY_CHARS = 300;
/** A hostile Retry-After must not park an alert for days. */
const MAX_RETRY_AFTER_MS = 6 * 60 * 60 * 1000;

export interface HttpAnswer {
  status: number;
  headers: HttpHeaders;
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
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, permanent: true, error: 'the receiver url is not a URL' };
  }
  const clean = (text: string) => shorten(text, options.redact);
  try {
    const result = await guardedFetch(
      target,
      { method: 'POST', headers: new HttpHeaders(headers), body, signal: combined },
      {
        transport: options.transport ?? defaultTransport(),
        followRedirects: options.followRedirects ?? false,
        allowHost: options.allowHost,
        maxBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        // Only the status and an excerpt of the reply matter: a long reply is cut, not an error.
        oversize: 'truncate',
      },
    );
    switch (result.kind) {
      case 'response':
        return { status: result.status, headers: result.headers, body: result.body };
      case 'redirect':
        return {
          ok: false,
          permanent: true,
          error: clean(
            `HTTP ${result.status}: redirected to ${result.location}, which is not followed: configure the final URL, or set follow_redirects: true`,
          ),
        };
      case 'redirect_refused':
        return {
          ok: false,
          permanent: true,
          error: clean(
            `HTTP ${result.status}: redirect to ${result.location} not followed: ${result.reason}`,
          ),
        };
      case 'too_large':
        return { ok: false, permanent: false, error: 'the reply was too large' };
      case 'denied':
        return { ok: false, permanent: true, error: clean(`not sent: ${result.reason}`) };
    }
  } catch (error) {
    if (timeout.aborted) return { ok: false, permanent: false, error: `no answer within ${timeoutMs} ms` };
    if (signal?.aborted) return { ok: false, permanent: false, error: 'delivery cancelled' };
    const { code, detail } = networkErrorOf(error);
    const sentence = describeNetworkError(code, detail, target, {
      tls: 'the receiver must present a certificate signed by a CA this machine trusts (NODE_EXTRA_CA_CERTS)',
      url: "the receiver url's",
    });
    return { ok: false, permanent: false, error: clean(`network error: ${sentence}`) };
  }
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
