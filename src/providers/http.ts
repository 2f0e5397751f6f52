import { readFile } from 'node:fs/promises';
import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  describeNetworkError,
  type GuardedResult,
  guardedFetch,
  type HostDecision,
  hostPortOf,
  networkErrorOf,
} from '../common/guarded-fetch.js';
import { HttpHeaders } from '../common/http-headers.js';
import { createTransport, defaultTransport, type HttpTransport } from '../common/http-transport.js';
import { Redactor } from '../config/redact.js';
import type { HttpSettings } from '../config/types.js';

/** What the providers need from the outside world; everything has a real default. */
export interface HttpDeps {
  /** Sends the bytes; by default node:http(s) with TLS settings from the provider's `tls`. */
  transport?: HttpTransport;
  userAgent?: string;
  /** Milliseconds since the epoch; only for measuring the timeout budget and rate-limit windows. */
  now?: () => number;
  /** 0 ≤ x < 1, for backoff jitter. */
  random?: () => number;
  /** The network policy, asked again for every host a followed redirect leads to. */
  allowHost?: (host: string) => HostDecision;
}

export const DEFAULT_USER_AGENT = 'smartspec-production-monitor';
export const MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 250;
/** A retry is pointless when less than this would be left for the attempt itself. */
const MIN_ATTEMPT_MS = 50;
const SNIPPET_CHARS = 200;

export interface HttpRequest {
  /** POST sends `params` as an `application/x-www-form-urlencoded` body instead of the query string. */
  method: 'GET' | 'POST';
  /** Appended to the base URL's path, e.g. `/api/v1/query`. */
  path: string;
  params: Record<string, string>;
  /** A JSON body (NerdGraph, Datadog v2): sent instead of the form body; `params` then stay in the URL. */
  json?: unknown;
  signal?: AbortSignal;
  /** Whether a non-2xx answer deserves another attempt. Default: 429 and 5xx. */
  retryable?: (response: HttpResponse) => boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: HttpHeaders;
  /** Lower-cased media type without parameters, '' when absent. */
  contentType: string;
  body: string;
}

export type HttpOutcome =
  | { kind: 'response'; response: HttpResponse; attempts: number; retryNote: string | null }
  | { kind: 'network'; code: string; detail: string; attempts: number }
  | { kind: 'timeout'; attempts: number }
  | { kind: 'canceled' }
  /** Not sent: an earlier answer said the rate limit is used up until after the budget ends. */
  | { kind: 'throttled'; waitMs: number }
  | { kind: 'setup'; message: string }
  /** A redirect answer, not followed (`follow_redirects` is off); `location` is safe to show. */
  | { kind: 'redirect'; status: number; location: string }
  /** A redirect that `follow_redirects` could not follow, and why. */
  | { kind: 'redirect_refused'; status: number; location: string; reason: string }
  /** The body was longer than `max_response_size`; reading stopped there. */
  | { kind: 'too_large'; maxBytes: number }
  /** The network policy refused the host: nothing was sent. */
  | { kind: 'denied'; reason: string };

/**
 * One backend's HTTP client: fixed base URL and headers, a timeout budget per request that
 * covers every attempt and wait, bounded retries honouring Retry-After and X-RateLimit-* headers.
 */
export class HttpClient {
  readonly baseUrl: URL;
  readonly timeoutMs: number;
  private readonly headers: HttpHeaders;
  private readonly redactor: Redactor;
  private readonly injectedTransport: HttpTransport | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly tls: HttpSettings['tls'];
  private readonly followRedirects: boolean;
  readonly maxResponseBytes: number;
  private readonly allowHost: ((host: string) => HostDecision) | undefined;
  private transport: Promise<HttpTransport | { error: string }> | null = null;
  /** Set when an answer says no requests remain in the current rate-limit period. */
  private rateLimitedUntil = 0;

  constructor(
    settings: HttpSettings,
    headers: Record<string, string> | HttpHeaders,
    secrets: string[],
    deps: HttpDeps = {},
  ) {
    this.baseUrl = new URL(settings.url);
    this.timeoutMs = settings.timeoutMs;
    this.tls = settings.tls;
    this.headers = new HttpHeaders(headers);
    this.redactor = new Redactor(collectSecrets(secrets, this.headers), [], { replacement: '[redacted]' });
    if (!this.headers.has('user-agent')) this.headers.set('user-agent', deps.userAgent ?? DEFAULT_USER_AGENT);
    this.injectedTransport = deps.transport;
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.followRedirects = settings.followRedirects ?? false;
    this.maxResponseBytes = settings.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.allowHost = deps.allowHost;
  }

  /** `host:port` as written in messages (the default port is spelled out too). */
  get hostPort(): string {
    return hostPortOf(this.baseUrl);
  }

  /** Scheme, host and path of an endpoint, never credentials or query strings: safe for messages. */
  describe(path: string): string {
    return `${this.baseUrl.protocol}//${this.baseUrl.host}${this.joinPath(path)}`;
  }

  /** Removes every known secret value from text that came from a backend (bodies can echo headers). */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** A short, redacted, tag-free excerpt of a response body for messages. */
  snippet(response: HttpResponse): string {
    let text = response.body;
    if (response.contentType.includes('html')) text = text.replace(/<[^>]*>/g, ' ');
    text = this.redact(text.replace(/\s+/g, ' ').trim());
    return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
  }

  async request(request: HttpRequest): Promise<HttpOutcome> {
    const deadline = this.now() + this.timeoutMs;
    const transport = await this.getTransport();
    if ('error' in transport) return { kind: 'setup', message: transport.error };
    const retryable = request.retryable ?? defaultRetryable;

    const throttleWait = this.rateLimitedUntil - this.now();
    if (throttleWait > 0) {
      if (this.now() + throttleWait >= deadline - MIN_ATTEMPT_MS)
        return { kind: 'throttled', waitMs: throttleWait };
      if (!(await this.pause(throttleWait, request.signal))) return { kind: 'canceled' };
    }

    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - this.now();
      if (remaining <= 0) return { kind: 'timeout', attempts: attempt - 1 };
      const timeoutSignal = AbortSignal.timeout(remaining);
      const signal = request.signal ? AbortSignal.any([timeoutSignal, request.signal]) : timeoutSignal;

      let response: HttpResponse;
      try {
        const sent = await this.send(request, signal, transport);
        if ('kind' in sent) return sent;
        response = sent;
      } catch (error) {
        if (request.signal?.aborted) return { kind: 'canceled' };
        if (timeoutSignal.aborted) return { kind: 'timeout', attempts: attempt };
        const { code, detail } = networkErrorOf(error);
        const wait = this.backoff(attempt);
        if (!TRANSIENT_NETWORK_CODES.has(code) || attempt >= MAX_ATTEMPTS || !this.fits(wait, deadline)) {
          return { kind: 'network', code, detail: this.redact(detail), attempts: attempt };
        }
        if (!(await this.pause(wait, request.signal))) return { kind: 'canceled' };
        continue;
      }

      this.noteRateLimit(response.headers);
      const ok = response.status >= 200 && response.status < 300;
      if (ok || !retryable(response))
        return { kind: 'response', response, attempts: attempt, retryNote: null };
      if (attempt >= MAX_ATTEMPTS) {
        return {
          kind: 'response',
          response,
          attempts: attempt,
          retryNote: `gave up after ${attempt} attempts`,
        };
      }
      const wait = this.retryWait(response, attempt);
      if (!this.fits(wait, deadline)) {
        const note =
          attempt === 1
            ? `not retried: waiting ${formatSeconds(wait)} would exceed the ${this.timeoutMs} ms timeout`
            : `gave up after ${attempt} attempts: waiting ${formatSeconds(wait)} more would exceed the ${this.timeoutMs} ms timeout`;
        return { kind: 'response', response, attempts: attempt, retryNote: note };
      }
      if (!(await this.pause(wait, request.signal))) return { kind: 'canceled' };
    }
  }

  private async send(
    request: HttpRequest,
    signal: AbortSignal,
    transport: HttpTransport,
  ): Promise<HttpResponse | Exclude<GuardedResult, { kind: 'response' }>> {
    const url = new URL(this.baseUrl.href);
    url.pathname = this.joinPath(request.path);
    url.search = '';
    const form = new URLSearchParams(request.params);
    const headers = new HttpHeaders(this.headers);
    let body: string | undefined;
    if (request.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(request.json);
      url.search = form.toString();
    } else if (request.method === 'POST') {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = form.toString();
    } else {
      url.search = form.toString();
    }
    const result = await guardedFetch(
      url,
      { method: request.method, headers, signal, ...(body !== undefined ? { body } : {}) },
      {
        transport,
        followRedirects: this.followRedirects,
        allowHost: this.allowHost,
        maxBytes: this.maxResponseBytes,
        oversize: 'fail',
      },
    );
    if (result.kind !== 'response') return result;
    const contentType = (result.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    return {
      status: result.status,
      statusText: result.statusText,
      headers: result.headers,
      contentType,
      body: result.body,
    };
  }

  private joinPath(path: string): string {
    return this.baseUrl.pathname.replace(/\/+$/, '') + path;
  }

  /** The shared transport, or one of this client's own when TLS options are set (read once). */
  private getTransport(): Promise<HttpTransport | { error: string }> {
    this.transport ??= (async () => {
      if (this.injectedTransport) return this.injectedTransport;
      const { caFile, insecureSkipVerify } = this.tls;
      if (!caFile && !insecureSkipVerify) return defaultTransport();
      const ca = caFile ? await readCaFile(caFile) : { ca: undefined };
      if ('error' in ca) return ca;
      return createTransport({ ...(ca.ca ? { ca: ca.ca } : {}), rejectUnauthorized: !insecureSkipVerify });
    })();
    return this.transport;
  }

  /** Exponential backoff with equal jitter: attempt 1 → 125–250 ms, 2 → 250–500 ms. */
  private backoff(attempt: number): number {
    const ceiling = BACKOFF_BASE_MS * 2 ** (attempt - 1);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private retryWait(response: HttpResponse, attempt: number): number {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.now());
    if (retryAfter !== null) return retryAfter;
    const reset = parseResetSeconds(response.headers.get('x-ratelimit-reset'));
    if (
      reset !== null &&
      (response.status === 429 || response.headers.get('x-ratelimit-remaining') === '0')
    ) {
      // The reset is rounded to whole seconds: a little jitter keeps clients from arriving together.
      return reset * 1000 + Math.round(this.random() * 50);
    }
    return this.backoff(attempt);
  }

  private noteRateLimit(headers: HttpHeaders): void {
    const remaining = headers.get('x-ratelimit-remaining');
    const reset = parseResetSeconds(headers.get('x-ratelimit-reset'));
    if (remaining !== null && Number(remaining) <= 0 && reset !== null) {
      this.rateLimitedUntil = this.now() + reset * 1000;
    } else if (remaining !== null && Number(remaining) > 0) {
      this.rateLimitedUntil = 0;
    }
  }

  private fits(waitMs: number, deadline: number): boolean {
    return this.now() + waitMs < deadline - MIN_ATTEMPT_MS;
  }

  /** Resolves false when the caller canceled meanwhile. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await sleepFor(ms, undefined, signal ? { signal } : undefined);
      return true;
    } catch {
      return false;
    }
  }
}

/** The PEM of a provider's `tls.ca_file`, read when it is used; or why it cannot be read. */
export async function readCaFile(caFile: string): Promise<{ ca: string } | { error: string }> {
  try {
    return { ca: await readFile(caFile, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { error: `cannot read the TLS CA file ${caFile} (${code}): check tls ca_file` };
  }
}

export function defaultRetryable(response: HttpResponse): boolean {
  return response.status === 429 || response.status >= 500;
}

/** `Retry-After` is either delay-seconds or an HTTP date; returns milliseconds, never negative. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

/** Datadog's `X-RateLimit-Reset`: seconds until the period resets. */
export function parseResetSeconds(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 && value.trim() !== '' ? seconds : null;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

/** A kept-alive connection the server closed just as it was reused: the next attempt opens a new one. */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** One sentence that says what went wrong on the network and what to check. */
export function describeNetworkFailure(code: string, detail: string, client: HttpClient): string {
  return describeNetworkError(code, detail, client.baseUrl, {
    tls: "set the provider's tls ca_file to the CA that signed it (insecure_skip_verify only for testing)",
    url: "the url's",
  });
}

/** Secret values to scrub from anything echoed back by a backend (the Redactor decides how). */
function collectSecrets(explicit: string[], headers: HttpHeaders): string[] {
  const values = new Set<string>(explicit);
  headers.forEach((value, name) => {
    if (name === 'accept' || name === 'user-agent' || name === 'content-type') return;
    values.add(value);
    // `Basic <base64>` and `Bearer <token>`: also the bare credential.
    const parts = value.split(' ');
    if (parts.length === 2) values.add(parts[1]!);
  });
  return [...values];
}
