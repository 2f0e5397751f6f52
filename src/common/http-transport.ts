/**
 * The wire under every backend client and receiver: one HTTP/1.1 exchange over node:http(s).
 * Node's global fetch would do the same, but its first use loads undici (≈ 260 ms and 44 MB for a
 * run that sends three queries), so the monitor speaks HTTP through Node's own modules: keep-alive
 * agents, TLS options per client, content codings undone once the body is in.
 */
import type { IncomingMessage, RequestOptions } from 'node:http';
import { globalAgent, request as httpRequest } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { HttpHeaders } from './http-headers.js';

export interface TransportRequest {
  method: string;
  headers: HttpHeaders;
  body?: string;
  /** Aborting it ends the exchange, the body read included. */
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  statusText: string;
  headers: HttpHeaders;
  /** The body as sent, still in its content coding (see `decodeContent`), read once. */
  body: AsyncIterable<Uint8Array>;
  /** Drops the rest of the body and the connection it arrives on. */
  discard(): void;
}

export interface HttpTransport {
  /** Network failures reject with Node's errors (`code` ECONNREFUSED, a TLS code, ...). */
  send(url: URL, request: TransportRequest): Promise<TransportResponse>;
}

/** How to trust the server's certificate; only for https. */
export interface TlsOptions {
  /** PEM of the CA(s) to trust instead of the system's. */
  ca?: string;
  rejectUnauthorized: boolean;
}

const DEFAULT_HEADERS: Array<[string, string]> = [
  ['accept', '*/*'],
  ['accept-encoding', 'gzip, deflate, br'],
];

/** The transport without TLS settings, shared so that its connections are reused by every client. */
let sharedTransport: HttpTransport | null = null;

export function defaultTransport(): HttpTransport {
  sharedTransport ??= createTransport();
  return sharedTransport;
}

/**
 * A transport with its own connection pool when TLS options are given; without them it uses Node's
 * global agents (keep-alive, idle sockets closed after 5 s and never holding the process open).
 */
export function createTransport(tls?: TlsOptions): HttpTransport {
  let httpsAgent: Promise<HttpsAgent> | null = null;
  const agentForHttps = (): Promise<HttpsAgent> => {
    // node:https pulls in tls and crypto: loaded only when an https URL is used.
    httpsAgent ??= import('node:https').then((https) =>
      tls
        ? new https.Agent({
            keepAlive: true,
            scheduling: 'lifo',
            timeout: 5_000,
            ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
            rejectUnauthorized: tls.rejectUnauthorized,
          })
        : https.globalAgent,
    );
    return httpsAgent;
  };

  return {
    async send(url, request) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw Object.assign(new Error(`${url.protocol} is not http or https`), {
          code: 'ERR_INVALID_PROTOCOL',
        });
      }
      request.signal.throwIfAborted();
      const headers = new HttpHeaders(request.headers);
      for (const [name, value] of DEFAULT_HEADERS) if (!headers.has(name)) headers.set(name, value);
      const options: RequestOptions = {
        method: request.method,
        headers: headers.toObject(),
        signal: request.signal,
        agent: url.protocol === 'https:' ? await agentForHttps() : globalAgent,
      };
      // https.request and http.request take the same options; the agent decides the protocol.
      const send = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const outgoing = send(url, options, resolve);
        outgoing.on('error', reject);
        outgoing.end(request.body !== undefined ? Buffer.from(request.body, 'utf8') : undefined);
      });
      return {
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: new HttpHeaders(response.headers),
        body: response,
        discard: () => response.destroy(),
      };
    },
  };
}

export type DecodeResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'unknown_coding' };

/**
 * Undoes each content coding in reverse order of application, in one synchronous step: answers
 * are small and already in memory, and a zlib stream per answer costs ten times more CPU.
 * The decoded size is bounded by `maxBytes` (a small gzip bomb stays small).
 */
export async function decodeContent(
  raw: Buffer,
  encoding: string | null,
  maxBytes: number,
): Promise<DecodeResult> {
  const codings = (encoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0) return { ok: true, body: raw };
  const zlib = await import('node:zlib');
  let body = raw;
  for (const coding of codings.reverse()) {
    const options = { maxOutputLength: maxBytes };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') body = zlib.gunzipSync(body, options);
      else if (coding === 'deflate') body = zlib.inflateSync(body, options);
      else if (coding === 'br') body = zlib.brotliDecompressSync(body, options);
      else return { ok: false, reason: 'unknown_coding' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        return { ok: false, reason: 'too_large' };
      throw error;
    }
  }
  return { ok: true, body };
}
