import { HttpHeaders } from './http-headers.js';
import { decodeContent, type HttpTransport, type TransportResponse } from './http-transport.js';

/**
 * One HTTP exchange under the monitor's network rules, shared by the backend clients and the alert
 * receivers: redirects are not followed unless asked for; when they are, every hop passes the network
 * policy again and credentials never travel to another origin; a reply is read only up to a size limit.
 */

/** Default bound on a reply body (after decompression): far above any real query answer. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Hops followed before giving up, when redirects are followed at all. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** The only headers that may go to another origin than the configured one: none of them identifies us. */
const CROSS_ORIGIN_SAFE_HEADERS = new Set(['accept', 'user-agent', 'content-type']);

export type HostDecision = { allowed: true } | { allowed: false; message: string };

export interface GuardOptions {
  transport: HttpTransport;
  followRedirects: boolean;
  /**
   * The network policy, asked before every request is sent: for the configured host (already checked
   * when the client was made, so a refusal there means the policy changed) and for every redirect hop.
   */
  allowHost: ((host: string) => HostDecision) | undefined;
  maxBytes: number;
  /** `fail`: a longer body is an error (a backend answer cut short is useless); `truncate`: keep the start. */
  oversize: 'fail' | 'truncate';
}

export interface GuardedRequest {
  method: string;
  headers: HttpHeaders;
  body?: string;
  signal: AbortSignal;
}

export type GuardedResult =
  | {
      kind: 'response';
      status: number;
      statusText: string;
      headers: HttpHeaders;
      body: string;
      /** Only with `oversize: 'truncate'`: the body is the first `maxBytes` bytes. */
      truncated: boolean;
    }
  /** A redirect that was not followed; `location` is safe to show (no credentials, no query). */
  | { kind: 'redirect'; status: number; location: string }
  /** Following a redirect was refused: `reason` says why (policy, scheme, too many hops). */
  | { kind: 'redirect_refused'; status: number; location: string; reason: string }
  | { kind: 'too_large'; maxBytes: number }
  /** The network policy refused the configured host itself: nothing was sent. */
  | { kind: 'denied'; reason: string };

/**
 * Sends the request and reads the reply. Network failures throw the transport's errors (the callers
 * already know how to describe them); every other outcome is a value.
 */
export async function guardedFetch(
  url: URL,
  request: GuardedRequest,
  options: GuardOptions,
): Promise<GuardedResult> {
  let current = new URL(url.href);
  let headers = new HttpHeaders(request.headers);
  const origin = url.origin;
  const first = options.allowHost?.(url.hostname) ?? { allowed: true };
  if (!first.allowed) return { kind: 'denied', reason: first.message };
  for (let hop = 0; ; hop++) {
    const response = await options.transport.send(current, {
      method: request.method,
      headers,
      signal: request.signal,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });

    const locationHeader = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || locationHeader === null) {
      return readBody(response, options);
    }
    response.discard();
    let next: URL;
    try {
      next = new URL(locationHeader, current);
    } catch {
      return {
        kind: 'redirect_refused',
        status: response.status,
        location: 'an invalid address',
        reason: 'the Location header is not a URL',
      };
    }
    const location = describeUrl(next);
    if (!options.followRedirects) return { kind: 'redirect', status: response.status, location };
    const refused = (reason: string): GuardedResult => ({
      kind: 'redirect_refused',
      status: response.status,
      location,
      reason,
    });
    if (hop + 1 > MAX_REDIRECTS) return refused(`more than ${MAX_REDIRECTS} redirects in a row`);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      return refused(`${next.protocol} is not http or https`);
    }
    const decision = options.allowHost?.(next.hostname) ?? { allowed: true };
    if (!decision.allowed) return refused(decision.message);
    if (next.origin !== origin) headers = withoutCredentials(headers);
    // Credentials written into a Location (`https://user:pass@host`) are never sent either.
    next.username = '';
    next.password = '';
    // The same request is repeated at the new address (method and body too): a query or an alert
    // means the same thing there, and turning a POST into a bodiless GET would lose it.
    current = next;
  }
}

/** Scheme, host and path: never credentials or a query string, which may carry tokens. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** `8388608` → `8 MiB`; used in messages and docs alike. */
export function formatBytes(bytes: number): string {
  const units: Array<[string, number]> = [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ];
  for (const [name, size] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${name}`;
    }
  }
  return `${bytes} bytes`;
}

function withoutCredentials(headers: HttpHeaders): HttpHeaders {
  const kept = new HttpHeaders();
  headers.forEach((value, name) => {
    if (CROSS_ORIGIN_SAFE_HEADERS.has(name)) kept.set(name, value);
  });
  return kept;
}

/**
 * Reads at most `maxBytes` and stops the transfer there: a huge reply never sits in memory. The limit
 * holds for the body as sent and again once its content coding is undone.
 */
async function readBody(response: TransportResponse, options: GuardOptions): Promise<GuardedResult> {
  const { maxBytes } = options;
  const base = { status: response.status, statusText: response.statusText, headers: response.headers };
  const encoding = response.headers.get('content-encoding');
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (options.oversize === 'fail' && declared > maxBytes) {
    response.discard();
    return { kind: 'too_large', maxBytes };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for await (const value of response.body) {
    if (total + value.byteLength > maxBytes) {
      response.discard();
      if (options.oversize === 'fail') return { kind: 'too_large', maxBytes };
      chunks.push(value.subarray(0, maxBytes - total));
      truncated = true;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  let raw: Buffer = Buffer.concat(chunks);
  if (encoding !== null) {
    // A cut compressed body cannot be decoded: with `truncate` nothing of it is kept.
    const decoded = truncated ? null : await decodeContent(raw, encoding, maxBytes);
    if (decoded === null || (!decoded.ok && decoded.reason === 'too_large')) {
      if (options.oversize === 'fail') return { kind: 'too_large', maxBytes };
      raw = Buffer.alloc(0);
      truncated = true;
    } else if (decoded.ok) {
      raw = decoded.body;
    }
    // An unknown coding is passed on as it came, as browsers do.
  }
  return { kind: 'response', ...base, body: raw.toString('utf8'), truncated };
}

/**
 * The code and the most telling message of a network failure. Some libraries wrap socket errors
 * (`TypeError('fetch failed', { cause })`, the AWS SDK): the details are further down the chain.
 */
export function networkErrorOf(error: unknown): { code: string; detail: string } {
  let code: string | null = null;
  let detail: string | null = null;
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === null && typeof candidate.code === 'string') code = candidate.code;
    if (typeof candidate.message === 'string' && candidate.message !== '') detail = candidate.message;
    current = candidate.cause;
  }
  return { code: code ?? 'UNKNOWN', detail: detail ?? String(error) };
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** `host:port` as written in messages (the default port is spelled out too). */
export function hostPortOf(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/**
 * One sentence, in plain words, that says what went wrong on the network and what to check.
 * `hints.tls` says how to trust a certificate; `hints.url` names the setting that holds the address.
 */
export function describeNetworkError(
  code: string,
  detail: string,
  url: URL,
  hints: { tls: string; url: string },
): string {
  const where = hostPortOf(url);
  const host = url.hostname;
  if (code === 'ECONNREFUSED') {
    return `connection refused to ${where}: nothing is listening there; is the server running and are ${hints.url} host and port right?`;
  }
  if (code === 'ENOTFOUND')
    return `cannot resolve host "${host}" (DNS lookup failed): check ${hints.url} host`;
  if (code === 'EAI_AGAIN')
    return `DNS lookup for "${host}" failed temporarily (EAI_AGAIN): check DNS and ${hints.url} host`;
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return `${where} closed the connection unexpectedly (${code}): the server or a proxy in front of it dropped the request`;
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `no network route to ${where} (${code})`;
  if (code === 'ETIMEDOUT')
    return `connecting to ${where} timed out (${code}): is a firewall dropping the traffic?`;
  if (TLS_CODES.has(code)) return `the TLS certificate of ${where} is not trusted (${code}): ${hints.tls}`;
  if (code.startsWith('Z_')) {
    return `${where} sent a compressed body that does not decompress (${code}): ${detail}`;
  }
  if (code.startsWith('HPE_')) {
    return `${where} did not answer in HTTP (${code}): is it an HTTP server, and is the scheme (http/https) of ${hints.url.replace(/'s$/, '')} right?`;
  }
  if (
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    /^ERR_.*(?:SSL|TLS)/.test(code)
  ) {
    return `TLS handshake with ${where} failed (${code}): is the scheme (http/https) of ${hints.url.replace(/'s$/, '')} right? ${detail}`;
  }
  return `cannot reach ${where} (${code}): ${detail}`;
}
