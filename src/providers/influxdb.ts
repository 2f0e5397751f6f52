import type { InfluxdbProviderConfig } from '../config/providers/influxdb.js';
import { applyAuth } from './auth.js';
import type { Failure } from './failures.js';
import { fail, quoteQuery } from './failures.js';
import type { HttpDeps } from './http.js';
import { HttpProvider, jsonClient, statusFailure, statusLine } from './http-provider.js';
import { isRecord, parseJson } from './json.js';
import { POST_QUERY_THRESHOLD } from './prometheus.js';
import { onlySeries } from './series.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

/** Where a query says which time window it reads; replaced by the monitor, as Grafana does. */
export const TIME_FILTER = '$timeFilter';

/** InfluxDB 1.x `/query` with InfluxQL (also the 1.x-compatible endpoint of InfluxDB 2 and 3). */
export function createInfluxdbProvider(config: InfluxdbProviderConfig, deps: HttpDeps = {}): Provider {
  return new InfluxdbProvider(
    config,
    jsonClient(config.http, deps, (headers) => applyAuth(config.auth, headers)),
  );
}

interface InfluxSeries {
  name: string;
  tags: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

type StatementResult = { ok: true; series: InfluxSeries[]; warnings: string[] } | Failure;

class InfluxdbProvider extends HttpProvider<InfluxdbProviderConfig> implements Provider {
  readonly type = 'influxdb' as const;
  protected readonly backend = 'InfluxDB';

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const lookbackSeconds = options.lookbackSeconds ?? this.config.lookbackSeconds;
    const from = new Date(at.getTime() - lookbackSeconds * 1000);
    const shaped = withTimeFilter(query, `time > '${from.toISOString()}' AND time <= '${at.toISOString()}'`);
    if (!shaped.ok) return shaped;
    const called = await this.call(shaped.text, query, options.signal);
    if (!called.ok) return called;
    const { series, warnings } = called;
    const shown = quoteQuery(query);
    const window = `between ${from.toISOString()} and ${at.toISOString()} (lookback ${lookbackSeconds} s)`;
    const only = this.singleSeries(series, shown, window, warnings);
    if (!only.ok) return only;
    const rows = only.rows.filter((row) => row.value !== null);
    const last = rows[rows.length - 1];
    if (!last) {
      return fail(
        'no_data',
        `no data: every value InfluxDB returned ${window} is null (query: ${shown}): null means no value, never zero`,
        warnings,
      );
    }
    // Aggregates over the whole window are stamped with the window's start: they describe the evaluation time.
    const stamped = last.at.getTime() > from.getTime() ? last.at : at;
    return { ok: true, value: last.value as number, at: stamped, warnings };
  }

  async queryRange(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    // Buckets [t - step, t) are stamped with their end t, so the stamps run from start to end.
    const from = new Date(start.getTime() - stepSeconds * 1000);
    const shaped = withTimeFilter(query, `time >= '${from.toISOString()}' AND time < '${end.toISOString()}'`);
    if (!shaped.ok) return shaped;
    const grouped = withGroupByTime(shaped.text, stepSeconds);
    if (!grouped.ok) return grouped;
    const called = await this.call(grouped.text, query, options.signal);
    if (!called.ok) return called;
    const { series, warnings } = called;
    const shown = quoteQuery(query);
    const window = `between ${start.toISOString()} and ${end.toISOString()}`;
    const only = this.singleSeries(series, shown, window, warnings);
    if (!only.ok) return only;
    const samples: Sample[] = [];
    for (const row of only.rows) {
      if (row.value === null) continue;
      samples.push({ at: new Date(row.at.getTime() + stepSeconds * 1000), value: row.value });
    }
    return { ok: true, samples, warnings };
  }

  private singleSeries(
    series: InfluxSeries[],
    shown: string,
    window: string,
    warnings: string[],
  ): { ok: true; rows: { at: Date; value: number | null }[] } | Failure {
    const one = onlySeries(
      series,
      {
        none: () =>
          `no data: the query returned no series ${window} (query: ${shown}): check the measurement, field and tag names, the database and retention policy; the service may also have written nothing in the window`,
        several: (count, listed) =>
          `query returned ${count} series but exactly one is needed (query: ${shown}): drop the GROUP BY tags or narrow the WHERE clause. Series: ${listed}`,
        label: describeSeries,
        separator: ', ',
      },
      warnings,
    );
    if (!one.ok) return one;
    const only = one.series;
    const fields = only.columns.filter((column) => column !== 'time');
    if (only.columns[0] !== 'time' || fields.length !== 1) {
      return fail(
        'query_error',
        `the query returned the columns ${only.columns.join(', ')} but one field is needed (query: ${shown}): select exactly one field or aggregate, e.g. SELECT mean("value")`,
        warnings,
      );
    }
    const rows: { at: Date; value: number | null }[] = [];
    for (const row of only.values) {
      if (!Array.isArray(row) || typeof row[0] !== 'number') {
        return this.malformed('a row without a numeric epoch time', warnings);
      }
      const cell = row[1];
      if (cell === null || cell === undefined) {
        rows.push({ at: new Date(row[0]), value: null });
      } else if (typeof cell === 'number') {
        rows.push({ at: new Date(row[0]), value: cell });
      } else {
        return fail(
          'query_error',
          `the field ${fields[0]} holds ${typeof cell} values, not numbers (query: ${shown}): select a numeric field`,
          warnings,
        );
      }
    }
    return { ok: true, rows };
  }

  private async call(text: string, query: string, signal: AbortSignal | undefined): Promise<StatementResult> {
    const params: Record<string, string> = { db: this.config.database, q: text, epoch: 'ms' };
    if (this.config.retentionPolicy) params.rp = this.config.retentionPolicy;
    const method = encodeURIComponent(text).length > POST_QUERY_THRESHOLD ? 'POST' : 'GET';
    const sent = await this.send({ method, path: '/query', params, signal });
    if (!sent.ok) return sent;
    const { response, retried } = sent;
    const where = this.client.describe('/query');
    const status = statusLine(response);
    const shown = quoteQuery(query);
    const body = parseJson(response.body);
    const requestError =
      isRecord(body) && typeof body.error === 'string' ? this.client.redact(body.error) : null;
    const detail = requestError ?? this.client.snippet(response);
    const told = detail ? `: ${detail}` : '';
    const failure = statusFailure(response.status, () => ({
      unauthorized: `${status} from ${where}: check the provider's auth (basic user and password, or bearer token)${told}`,
      notFound: `${status} for ${where}: is the url the InfluxDB HTTP API (port 8086 by default), with the right path prefix?`,
      rateLimited: `${status} from ${where}: InfluxDB is rate limiting queries${retried}`,
      serverError: `${status} from ${where}${retried}: InfluxDB or a proxy in front of it is failing${told}`,
      badRequest: requestError && `InfluxDB rejected the query (${requestError}) (query: ${shown})`,
      unexpected: `unexpected ${status} from ${where}${told}`,
    }));
    if (failure) return failure;
    if (!isRecord(body) || !Array.isArray(body.results)) {
      return fail(
        'bad_response',
        `${status} from ${where} is not an InfluxDB /query answer (content-type "${response.contentType || 'none'}"): does the url point at InfluxDB 1.x or its 1.x-compatible API?${detail ? ` Body: ${detail}` : ''}`,
      );
    }
    if (body.results.length !== 1) {
      return fail(
        'query_error',
        `the query holds ${body.results.length} statements but one is needed (query: ${shown}): remove the extra statements after ';'`,
      );
    }
    const result = body.results[0];
    if (!isRecord(result)) return this.malformed('a result that is not an object', []);
    const warnings = result.partial === true ? ['InfluxDB marked the answer partial (truncated)'] : [];
    if (typeof result.error === 'string') {
      const message = this.client.redact(result.error);
      const hint = /database not found/i.test(message)
        ? `: check the provider's database (${this.config.database})`
        : /retention policy not found/i.test(message)
          ? ": check the provider's retention_policy"
          : '';
      return fail(
        'query_error',
        `InfluxDB rejected the query (${message}) (query: ${shown})${hint}`,
        warnings,
      );
    }
    const rawSeries = result.series ?? [];
    if (!Array.isArray(rawSeries)) return this.malformed('series that are not a list', warnings);
    const series: InfluxSeries[] = [];
    for (const entry of rawSeries) {
      if (!isRecord(entry) || !Array.isArray(entry.columns) || !Array.isArray(entry.values ?? [])) {
        return this.malformed('a series without columns and values', warnings);
      }
      series.push({
        name: typeof entry.name === 'string' ? entry.name : '',
        tags: isRecord(entry.tags) ? (entry.tags as Record<string, string>) : {},
        columns: entry.columns.map(String),
        values: (entry.values ?? []) as unknown[][],
      });
    }
    return { ok: true, series, warnings };
  }
}

/** The query with every `$timeFilter` replaced, or why it cannot be run. */
function withTimeFilter(query: string, filter: string): { ok: true; text: string } | Failure {
  if (!query.includes(TIME_FILTER)) {
    return fail(
      'query_error',
      `the InfluxQL query has no ${TIME_FILTER} (query: ${quoteQuery(query)}): write WHERE ${TIME_FILTER} (or AND ${TIME_FILTER}) so the monitor can choose the time window`,
    );
  }
  return { ok: true, text: query.split(TIME_FILTER).join(`(${filter})`) };
}

const GROUP_BY = /\bGROUP\s+BY\b/i;
/** Clauses that come after GROUP BY in InfluxQL. */
const AFTER_GROUP_BY = /\b(fill\s*\(|ORDER\s+BY|LIMIT|OFFSET|SLIMIT|SOFFSET|tz\s*\()/i;

/** Adds `time(<step>s)` to the GROUP BY clause (range queries aggregate per step). */
export function withGroupByTime(query: string, stepSeconds: number): { ok: true; text: string } | Failure {
  const bucket = `time(${stepSeconds}s)`;
  if (/\bGROUP\s+BY\b[^;]*\btime\s*\(/i.test(query)) {
    return fail(
      'query_error',
      `the InfluxQL query already groups by time (query: ${quoteQuery(query)}): leave GROUP BY time(...) out; range queries add it with the report's step`,
    );
  }
  if (GROUP_BY.test(query)) return { ok: true, text: query.replace(GROUP_BY, `GROUP BY ${bucket},`) };
  const after = AFTER_GROUP_BY.exec(query);
  if (after) {
    return {
      ok: true,
      text: `${query.slice(0, after.index).trimEnd()} GROUP BY ${bucket} ${query.slice(after.index)}`,
    };
  }
  return { ok: true, text: `${query.trimEnd().replace(/;$/, '')} GROUP BY ${bucket}` };
}

function describeSeries(series: InfluxSeries): string {
  const tags = Object.entries(series.tags).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${series.name}{${tags.join(', ')}}`;
}
