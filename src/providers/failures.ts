import { formatBytes } from '../common/guarded-fetch.js';
import type { HttpClient, HttpOutcome } from './http.js';
import { describeNetworkFailure } from './http.js';
import type { QueryFailure } from './types.js';

export interface Failure {
  ok: false;
  failure: QueryFailure;
  message: string;
  warnings: string[];
}

export function fail(failure: QueryFailure, message: string, warnings: string[] = []): Failure {
  return { ok: false, failure, message, warnings };
}

const QUERY_DISPLAY_CHARS = 300;

/** Series named in a multiple-series message; the rest are counted. */
const MAX_LISTED_SERIES = 3;

/** The first few series of an answer that should have had one, for the message: `a, b, c, and 4 more`. */
export function listSeries<T>(
  series: readonly T[],
  labelOf: (entry: T) => string,
  separator: string,
): string {
  const listed = series.slice(0, MAX_LISTED_SERIES).map(labelOf).join(separator);
  const rest = series.length - MAX_LISTED_SERIES;
  return rest > 0 ? `${listed}, and ${rest} more` : listed;
}

/** The query as quoted in messages: long queries are shortened. */
export function quoteQuery(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > QUERY_DISPLAY_CHARS ? `${flat.slice(0, QUERY_DISPLAY_CHARS)}…` : flat;
}

/** Failures that happen before any answer could be read: the same for every backend. */
export function transportFailure(
  outcome: Exclude<HttpOutcome, { kind: 'response' }>,
  client: HttpClient,
  backend: string,
): Failure {
  switch (outcome.kind) {
    case 'network':
      return fail(
        'unreachable',
        `${backend} unreachable: ${describeNetworkFailure(outcome.code, outcome.detail, client)}`,
      );
    case 'timeout': {
      const attempts = outcome.attempts > 1 ? ` (${outcome.attempts} attempts)` : '';
      return fail(
        'timeout',
        `${backend} at ${client.hostPort} did not answer within the configured timeout of ${client.timeoutMs} ms${attempts}: raise the provider's timeout or make the query cheaper`,
      );
    }
    case 'canceled':
      return fail('timeout', `query to ${backend} at ${client.hostPort} was canceled before it answered`);
    case 'throttled':
      return fail(
        'rate_limited',
        `${backend} rate limit used up (X-RateLimit-Remaining: 0): it resets in ${Math.ceil(outcome.waitMs / 1000)} s, after the ${client.timeoutMs} ms timeout, so the query was not sent`,
      );
    case 'setup':
      return fail('unreachable', `${backend}: ${outcome.message}`);
    case 'redirect':
      return fail(
        'bad_response',
        `${backend} at ${client.hostPort} answered HTTP ${outcome.status}, a redirect to ${client.redact(outcome.location)}, which is not followed: set the provider's url to the final address, or set follow_redirects: true`,
      );
    case 'redirect_refused':
      return fail(
        'bad_response',
        `${backend} at ${client.hostPort} answered HTTP ${outcome.status}, a redirect to ${client.redact(outcome.location)}, which was not followed: ${outcome.reason}`,
      );
    case 'denied':
      return fail('unreachable', `${backend} at ${client.hostPort} was not queried: ${outcome.reason}`);
    case 'too_large':
      return fail(
        'bad_response',
        `${backend} at ${client.hostPort} sent a reply larger than ${formatBytes(outcome.maxBytes)} (the max_response_size limit); reading stopped there: make the query return less, or raise max_response_size`,
      );
  }
}
