import type { NewRelicProviderConfig } from '../config/types-saas.js';
import { windowClausesIn } from '../validate/nrql.js';
import type { Failure } from './failures.js';
import { fail, quoteQuery } from './failures.js';
import type { HttpDeps } from './http.js';
import { HttpProvider, jsonClient, statusFailure } from './http-provider.js';
import { dig, isRecord, parseJson } from './json.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

const GRAPHQL_PATH = '/graphql';
/** NRQL travels as a variable, never spliced into the GraphQL text. */
const NRQL_DOCUMENT =
  'query($accountId: Int!, $nrql: Nrql!, $timeout: Seconds) { actor { account(id: $accountId) { nrql(query: $nrql, timeout: $timeout) { results metadata { facets timeWindow { begin end } } } } } }';
/** NerdGraph takes an NRQL timeout of 5 to 120 s (newrelic-client-go). */
const MIN_NRQL_TIMEOUT_S = 5;
const MAX_NRQL_TIMEOUT_S = 120;
/** NRQL returns at most 366 TIMESERIES buckets. */
const MAX_BUCKETS = 366;
/** Row keys that describe a row rather than hold the selected value. */
const ROW_META_KEYS = new Set(['beginTimeSeconds', 'endTimeSeconds', 'facet', 'timestamp']);

/** New Relic NRQL through NerdGraph: `POST /graphql` with the `API-Key` header. */
export function createNewRelicProvider(config: NewRelicProviderConfig, deps: HttpDeps = {}): Provider {
  const client = jsonClient(config.http, deps, (headers) => {
    headers.set('api-key', config.apiKey);
    return [config.apiKey];
  });
  return new NewRelicProvider(config, client);
}

interface NrqlAnswer {
  rows: Record<string, unknown>[];
  /** The window New Relic actually used (it snaps to metric roll-ups), in ms. */
  windowEnd: number | null;
}

class NewRelicProvider extends HttpProvider<NewRelicProviderConfig> implements Provider {
  readonly type = 'newrelic' as const;
  protected readonly backend = 'New Relic';

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const lookback = options.lookbackSeconds ?? this.config.lookbackSeconds;
    const until = at.getTime();
    const since = until - lookback * 1000;
    const answer = await this.run(query, `SINCE ${since} UNTIL ${until}`, options.signal);
    if (!answer.ok) return answer;
    const window = `the last ${lookback} s before ${at.toISOString()}`;
    const { rows } = answer;
    if (rows.length === 0) return fail('no_data', noRowsMessage(query, window), []);
    if (rows.length > 1 || rows.some((row) => 'facet' in row)) return multipleRows(query, rows.length);
    const value = rowValue(rows[0]!, query);
    if (!value.ok) return value;
    if (value.value === null) return fail('no_data', nullMessage(query, window), []);
    return { ok: true, value: value.value, at: new Date(answer.windowEnd ?? until), warnings: [] };
  }

  async queryRange(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    const spanSeconds = Math.max(1, Math.ceil((end.getTime() - start.getTime()) / 1000));
    const bucket = Math.max(Math.ceil(stepSeconds), Math.ceil(spanSeconds / MAX_BUCKETS), 1);
    const clause = `SINCE ${start.getTime()} UNTIL ${end.getTime()} TIMESERIES ${bucketText(bucket)}`;
    const answer = await this.run(query, clause, options.signal);
    if (!answer.ok) return answer;
    const window = `${start.toISOString()} – ${end.toISOString()}`;
    if (answer.rows.some((row) => 'facet' in row)) return multipleRows(query, answer.rows.length);
    const samples: Sample[] = [];
    for (const row of answer.rows) {
      // A bucket's value is stamped at its start, as Datadog stamps its roll-ups: every bucket of the
      // range then lies inside it.
      const beginSeconds = row.beginTimeSeconds;
      if (typeof beginSeconds !== 'number') {
        return this.malformed('a TIMESERIES row without beginTimeSeconds');
      }
      const value = rowValue(row, query);
      if (!value.ok) return value;
      if (value.value !== null) samples.push({ at: new Date(beginSeconds * 1000), value: value.value });
    }
    if (samples.length === 0) return fail('no_data', noRowsMessage(query, window), []);
    samples.sort((a, b) => a.at.getTime() - b.at.getTime());
    return { ok: true, samples, warnings: [] };
  }

  private async run(
    query: string,
    windowClause: string,
    signal: AbortSignal | undefined,
  ): Promise<({ ok: true } & NrqlAnswer) | Failure> {
    const shown = quoteQuery(query);
    const clauses = windowClausesIn(query);
    if (clauses.length > 0) {
      return fail(
        'query_error',
        `the NRQL query has its own ${clauses.join(', ')} (query: ${shown}): remove it, the monitor adds SINCE/UNTIL for the evaluation window and TIMESERIES for reports`,
      );
    }
    const timeout = Math.min(
      MAX_NRQL_TIMEOUT_S,
      Math.max(MIN_NRQL_TIMEOUT_S, Math.ceil(this.client.timeoutMs / 1000)),
    );
    const sent = await this.send({
      method: 'POST',
      path: GRAPHQL_PATH,
      params: {},
      json: {
        query: NRQL_DOCUMENT,
        variables: { accountId: this.config.accountId, nrql: `${query.trim()} ${windowClause}`, timeout },
      },
      signal,
    });
    if (!sent.ok) return sent;
    const { response, retried } = sent;
    const json = parseJson(response.body);
    const errors = graphqlErrors(json);
    const messages = errors.map((error) => this.client.redact(error.message));
    const detail = messages.length > 0 ? messages.join('; ') : this.client.snippet(response);
    const said = detail ? ` (New Relic said: ${detail})` : '';
    const httpFailure = statusFailure(response.status, () => ({
      unauthorized: `New Relic rejected the API key (API-Key, HTTP ${response.status}): check api_key / its env var; NerdGraph needs a user key (NRAK-…) of a user with access to account ${this.config.accountId}${said}`,
      rateLimited: `New Relic refused the query with HTTP 429 (NerdGraph allows 25 concurrent requests per user)${retried}${said}`,
      serverError: `New Relic at ${this.client.hostPort} failed with HTTP ${response.status}${retried}: try again later or check status.newrelic.com${said}`,
      notFound: `HTTP 404 for ${this.client.describe(GRAPHQL_PATH)}: check the provider's region (us, eu) or url${said}`,
      unexpected: `unexpected HTTP ${response.status} from ${this.client.describe(GRAPHQL_PATH)}${said}`,
    }));
    if (httpFailure) return httpFailure;
    if (!isRecord(json)) {
      return fail(
        'bad_response',
        `New Relic at ${this.client.hostPort} did not answer with JSON (content-type "${response.contentType || 'none'}"): check the provider's url / region${said}`,
      );
    }
    if (errors.length > 0) return this.errorFailure(errors, said, shown);
    const nrql = dig(json, 'data', 'actor', 'account', 'nrql');
    const results = dig(nrql, 'results');
    if (!Array.isArray(results) || !results.every(isRecord)) {
      return this.malformed(`no data.actor.account.nrql.results list${said}`);
    }
    const end = dig(nrql, 'metadata', 'timeWindow', 'end');
    return { ok: true, rows: results, windowEnd: typeof end === 'number' ? end : null };
  }

  /** GraphQL errors arrive with HTTP 200; their class says whether the query or the service failed. */
  private errorFailure(errors: GraphqlError[], said: string, shown: string): Failure {
    const classes = new Set(errors.flatMap((error) => [error.errorClass, error.errorCode]));
    if (classes.has('BAD_API_KEY') || classes.has('UNAUTHORIZED') || classes.has('FORBIDDEN')) {
      return fail(
        'auth',
        `New Relic refused the API key or the account (API-Key): check api_key / its env var and that the key's user can query account ${this.config.accountId}${said}`,
      );
    }
    if (classes.has('TOO_MANY_REQUESTS')) {
      return fail('rate_limited', `New Relic is limiting this user's queries: try again later${said}`);
    }
    if (classes.has('TIMEOUT')) {
      return fail(
        'timeout',
        `the NRQL query did not finish within New Relic's query timeout: make it cheaper (a narrower WHERE, a shorter lookback) or raise the provider's timeout${said} (query: ${shown})`,
      );
    }
    if (classes.has('INTERNAL_SERVER_ERROR') || classes.has('SERVER_ERROR')) {
      return fail('unreachable', `New Relic failed to run the query: try again later${said}`);
    }
    return fail(
      'query_error',
      `New Relic could not run the NRQL${said} (query: ${shown}): check the query and account_id ${this.config.accountId}`,
    );
  }
}

interface GraphqlError {
  message: string;
  errorClass: string | undefined;
  errorCode: string | undefined;
}

function graphqlErrors(json: unknown): GraphqlError[] {
  if (!isRecord(json) || !Array.isArray(json.errors)) return [];
  return json.errors.map((error) => {
    const extensions = isRecord(error) && isRecord(error.extensions) ? error.extensions : {};
    const text = (key: string) => (typeof extensions[key] === 'string' ? extensions[key] : undefined);
    return {
      message: isRecord(error) && typeof error.message === 'string' ? error.message : JSON.stringify(error),
      errorClass: text('errorClass'),
      errorCode: text('error_code') ?? text('code'),
    };
  });
}

/**
 * The one number a row holds. Keys follow the SELECT: `count`, `average.duration`, an alias, or for
 * percentiles an object `{"99": 0.12}`; null when there was nothing to aggregate.
 */
function rowValue(row: Record<string, unknown>, query: string): { ok: true; value: number | null } | Failure {
  const candidates: Array<[string, number | null]> = [];
  for (const [key, raw] of Object.entries(row)) {
    if (ROW_META_KEYS.has(key)) continue;
    if (typeof raw === 'number' || raw === null) candidates.push([key, raw]);
    else if (isRecord(raw)) {
      for (const [inner, value] of Object.entries(raw)) {
        if (typeof value === 'number' || value === null) candidates.push([`${key}.${inner}`, value]);
      }
    }
  }
  if (candidates.length === 1) return { ok: true, value: candidates[0]![1] };
  const shown = quoteQuery(query);
  if (candidates.length === 0) {
    return fail(
      'query_error',
      `the NRQL query returned no number (query: ${shown}): select one numeric aggregate, e.g. SELECT percentile(duration, 99) or SELECT count(*)`,
    );
  }
  return fail(
    'query_error',
    `the NRQL query returned ${candidates.length} numbers (${candidates.map(([key]) => key).join(', ')}) but exactly one is needed (query: ${shown}): select a single aggregate, e.g. one percentile`,
  );
}

function multipleRows(query: string, count: number): Failure {
  return fail(
    'multiple_series',
    `New Relic returned ${count} rows (one per FACET value) but exactly one is needed (query: ${quoteQuery(query)}): remove FACET, or narrow the WHERE to one entity`,
  );
}

/** `TIMESERIES 5 minutes` reads better than 300 seconds; NRQL takes both. */
function bucketText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} ${seconds === 3600 ? 'hour' : 'hours'}`;
  if (seconds % 60 === 0) return `${seconds / 60} ${seconds === 60 ? 'minute' : 'minutes'}`;
  return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
}

function noRowsMessage(query: string, window: string): string {
  return `no data: New Relic returned no rows for ${window} (query: ${quoteQuery(query)}): check the event type, the WHERE clause and account_id; the service may also have had no traffic`;
}

function nullMessage(query: string, window: string): string {
  return `no data: New Relic found nothing to aggregate in ${window} (query: ${quoteQuery(query)}): check the WHERE clause; the service may have had no traffic`;
}
