import { HttpHeaders } from '../common/http-headers.js';
import type { HttpSettings } from '../config/types.js';
import type { Failure } from './failures.js';
import { fail, transportFailure } from './failures.js';
import type { HttpDeps, HttpRequest, HttpResponse } from './http.js';
import { HttpClient } from './http.js';

/**
 * The client of a backend that answers JSON: the configured headers plus `Accept: application/json`, then
 * whatever `authorize` sets; `authorize` returns the secret values to scrub from what the backend echoes.
 */
export function jsonClient(
  http: HttpSettings,
  deps: HttpDeps,
  authorize: (headers: HttpHeaders) => string[],
): HttpClient {
  const headers = new HttpHeaders(http.headers);
  headers.set('accept', 'application/json');
  return new HttpClient(http, headers, authorize(headers), deps);
}

/** An answer that arrived, whatever its status; `retried` is ` (<retry note>)` or ''. */
export interface Sent {
  ok: true;
  response: HttpResponse;
  retried: string;
}

/**
 * What every provider of an HTTP backend has: its name, its host for the network policy, its client, and
 * the backend's name as its messages spell it. Each backend adds its requests, its parsing, its wording.
 */
export abstract class HttpProvider<Config extends { name: string }> {
  readonly name: string;
  readonly host: string;
  /** The backend as messages name it, e.g. `Datadog`. */
  protected abstract readonly backend: string;

  constructor(
    protected readonly config: Config,
    protected readonly client: HttpClient,
  ) {
    this.name = config.name;
    this.host = client.baseUrl.hostname;
  }

  /** The answer, or the failure that getting none means (unreachable, timeout, redirect, policy, …). */
  protected async send(request: HttpRequest): Promise<Sent | Failure> {
    const outcome = await this.client.request(request);
    if (outcome.kind !== 'response') return transportFailure(outcome, this.client, this.backend);
    const { response, retryNote } = outcome;
    return { ok: true, response, retried: retryNote ? ` (${retryNote})` : '' };
  }

  /** An answer not of the documented shape: `<backend> at <host:port> sent <what>`. */
  protected malformed(what: string, warnings: string[] = []): Failure {
    return fail('bad_response', `${this.backend} at ${this.client.hostPort} sent ${what}`, warnings);
  }
}

/** A backend's message for each kind of unsuccessful HTTP status. */
export interface StatusMessages {
  /** HTTP 401, and 403 unless `forbidden` says otherwise. */
  unauthorized: string;
  forbidden?: string;
  /** HTTP 400 as the backend's verdict on the query; without it a 400 is `unexpected`. */
  badRequest?: string | null;
  notFound: string;
  /** HTTP 429. */
  rateLimited: string;
  /** HTTP 5xx. */
  serverError: string;
  /** Any other status outside 2xx. */
  unexpected: string;
}

/**
 * The failure an HTTP status means, the same for every backend (401/403 auth, 400 query_error, 429
 * rate_limited, 5xx unreachable, the rest bad_response); null for 2xx. The messages are built only then.
 */
export function statusFailure(status: number, messages: () => StatusMessages): Failure | null {
  if (status >= 200 && status < 300) return null;
  const words = messages();
  if (status === 401) return fail('auth', words.unauthorized);
  if (status === 403) return fail('auth', words.forbidden ?? words.unauthorized);
  if (status === 400 && words.badRequest) return fail('query_error', words.badRequest);
  if (status === 404) return fail('bad_response', words.notFound);
  if (status === 429) return fail('rate_limited', words.rateLimited);
  if (status >= 500) return fail('unreachable', words.serverError);
  return fail('bad_response', words.unexpected);
}

/** `HTTP 503 Service Unavailable`, or `HTTP 503` when the reason phrase is missing. */
export function statusLine(response: HttpResponse): string {
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}
