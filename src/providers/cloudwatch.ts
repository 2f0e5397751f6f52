import type {
  CloudWatchClient,
  GetMetricDataCommandOutput,
  MetricDataQuery,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { describeNetworkError, hostPortOf, networkErrorOf } from '../common/guarded-fetch.js';
import { Redactor } from '../config/redact.js';
import type { CloudWatchProviderConfig } from '../config/types-saas.js';
import type { Failure } from './failures.js';
import { fail, quoteQuery } from './failures.js';
import type { HttpDeps } from './http.js';
import { MAX_ATTEMPTS, readCaFile } from './http.js';
import { isRecord } from './json.js';
import { reducePoints } from './series.js';
import type { InstantResult, Provider, QueryOptions, RangeResult, Sample } from './types.js';

type CloudWatchSdk = typeof import('@aws-sdk/client-cloudwatch');

let sdk: Promise<CloudWatchSdk> | null = null;

/** The SDK is large (≈ 3 MB of modules): loaded on the first CloudWatch query only. */
function loadSdk(): Promise<CloudWatchSdk> {
  // Its "upgrade Node" notice concerns SDK releases after the pinned one: noise on our stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdk ??= import('@aws-sdk/client-cloudwatch');
  return sdk;
}

/** Results with more pages than this are cut (a report's range needs far fewer). */
const MAX_PAGES = 10;
/** `Id` of a query written as one expression. */
const EXPRESSION_ID = 'q1';
const QUERY_ID = /^[a-z][A-Za-z0-9_]*$/;
const AWS_SECRET_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** A refusal by the network policy, thrown from inside the SDK's middleware so nothing is sent. */
class NetworkPolicyError extends Error {
  override readonly name = 'NetworkPolicyError';
}

/**
 * Amazon CloudWatch `GetMetricData` through the official AWS SDK (SigV4, the standard credential chain).
 * The SDK does its own HTTP: the network policy is checked for every request it sends (a middleware),
 * its request handler gets the timeout and TLS settings, and it never follows redirects.
 */
export function createCloudWatchProvider(config: CloudWatchProviderConfig, deps: HttpDeps = {}): Provider {
  return new CloudWatchProvider(config, deps);
}

class CloudWatchProvider implements Provider {
  readonly type = 'cloudwatch' as const;
  readonly name: string;
  readonly host: string;
  private readonly endpoint: URL;
  private readonly redactor: Redactor;
  private client: Promise<CloudWatchClient | Failure> | null = null;

  constructor(
    private readonly config: CloudWatchProviderConfig,
    private readonly deps: HttpDeps,
  ) {
    this.name = config.name;
    this.endpoint = new URL(config.http.url);
    this.host = this.endpoint.hostname;
    const secrets = AWS_SECRET_ENV.map((name) => process.env[name] ?? '').filter((value) => value !== '');
    this.redactor = new Redactor(secrets, [], { replacement: '[redacted]' });
  }

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const lookback = options.lookbackSeconds ?? this.config.lookbackSeconds;
    const end = Math.floor(at.getTime() / 1000) * 1000;
    const fetched = await this.fetchSeries(
      query,
      new Date(end - lookback * 1000),
      new Date(end),
      options.signal,
    );
    if (!fetched.ok) return fetched;
    const window = `the last ${lookback} s before ${at.toISOString()}`;
    if (fetched.points.length === 0) return fail('no_data', noDataMessage(query, window), fetched.warnings);
    const reduced = reducePoints(fetched.points, options.reduce ?? this.config.reduce)!;
    return { ok: true, value: reduced.value, at: reduced.at, warnings: fetched.warnings };
  }

  async queryRange(
    query: string,
    start: Date,
    end: Date,
    _stepSeconds: number,
    options: QueryOptions = {},
  ): Promise<RangeResult> {
    // The period is part of each query (MetricStat.Period, or the provider's period): points come at that spacing.
    const fetched = await this.fetchSeries(query, start, end, options.signal);
    if (!fetched.ok) return fetched;
    const window = `${start.toISOString()} – ${end.toISOString()}`;
    if (fetched.points.length === 0) return fail('no_data', noDataMessage(query, window), fetched.warnings);
    return { ok: true, samples: fetched.points, warnings: fetched.warnings };
  }

  private getClient(): Promise<CloudWatchClient | Failure> {
    this.client ??= this.createClient();
    return this.client;
  }

  private async createClient(): Promise<CloudWatchClient | Failure> {
    const { caFile, insecureSkipVerify } = this.config.http.tls;
    const read = caFile ? await readCaFile(caFile) : { ca: undefined };
    if ('error' in read) return fail('unreachable', `CloudWatch: ${read.error}`);
    const { ca } = read;
    const { CloudWatchClient } = await loadSdk();
    const timeoutMs = this.config.http.timeoutMs;
    const client = new CloudWatchClient({
      region: this.config.region,
      ...(this.config.customEndpoint ? { endpoint: this.config.http.url } : {}),
      ...(this.config.profile ? { profile: this.config.profile } : {}),
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: timeoutMs,
        requestTimeout: timeoutMs,
        httpsAgent: { ...(ca ? { ca } : {}), rejectUnauthorized: !insecureSkipVerify },
      },
    });
    const allowHost = this.deps.allowHost;
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { hostname?: unknown };
        const host = typeof request.hostname === 'string' ? request.hostname : '';
        const decision = allowHost?.(host) ?? { allowed: true };
        if (!decision.allowed) throw new NetworkPolicyError(decision.message);
        if (host !== this.host) {
          throw new NetworkPolicyError(
            `the SDK was about to send to ${host}, not the configured ${this.host}`,
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'smartspecNetworkPolicy' },
    );
    return client;
  }

  private async fetchSeries(
    query: string,
    start: Date,
    end: Date,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; points: Sample[]; warnings: string[] } | Failure> {
    const shown = quoteQuery(query);
    const queries = parseCloudWatchQuery(query, this.config.periodSeconds);
    if (!queries.ok) return fail('query_error', `CloudWatch query: ${queries.problem} (query: ${shown})`);
    const client = await this.getClient();
    if ('failure' in client) return client;
    const { GetMetricDataCommand } = await loadSdk();

    const timeout = AbortSignal.timeout(this.config.http.timeoutMs);
    const abortSignal = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const results = new Map<string, { label: string; points: Sample[]; status: string }>();
    const warnings: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let output: GetMetricDataCommandOutput;
      try {
        output = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries.value,
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampAscending',
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          { abortSignal },
        );
      } catch (error) {
        if (signal?.aborted) {
          return fail(
            'timeout',
            `query to CloudWatch at ${hostPortOf(this.endpoint)} was canceled before it answered`,
          );
        }
        if (timeout.aborted) {
          return fail(
            'timeout',
            `CloudWatch at ${hostPortOf(this.endpoint)} did not answer within the configured timeout of ${this.config.http.timeoutMs} ms: raise the provider's timeout or make the query cheaper`,
          );
        }
        return this.errorFailure(error, shown);
      }
      for (const message of output.Messages ?? []) {
        if (message.Value)
          warnings.push(this.redactor.redact(`${message.Code ?? 'Message'}: ${message.Value}`));
      }
      for (const result of (output.MetricDataResults ?? []) as MetricDataResult[]) {
        const id = result.Id ?? '?';
        const entry = results.get(id) ?? { label: result.Label ?? id, points: [], status: 'Complete' };
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        if (timestamps.length !== values.length) {
          return fail(
            'bad_response',
            `CloudWatch sent ${timestamps.length} timestamps but ${values.length} values for ${id}`,
          );
        }
        for (const [i, at] of timestamps.entries())
          entry.points.push({ at: new Date(at), value: values[i]! });
        for (const message of result.Messages ?? []) {
          if (message.Value)
            warnings.push(this.redactor.redact(`${id}: ${message.Code ?? ''} ${message.Value}`.trim()));
        }
        if (result.StatusCode) entry.status = result.StatusCode;
        results.set(id, entry);
      }
      nextToken = output.NextToken;
      if (!nextToken) break;
    }
    if (nextToken)
      warnings.push(`CloudWatch had more than ${MAX_PAGES} pages of data points; the rest was not read`);

    const series = [...results.entries()];
    if (series.length === 0) {
      return fail(
        'no_data',
        `no data: CloudWatch returned no result (query: ${shown}): a query must return data (ReturnData true)`,
        warnings,
      );
    }
    if (series.length > 1) {
      return fail(
        'multiple_series',
        `CloudWatch returned ${series.length} results (${series.map(([id]) => id).join(', ')}) but exactly one is needed (query: ${shown}): set "ReturnData": false on every query but the one that answers`,
        warnings,
      );
    }
    const [id, only] = series[0]!;
    if (only.status === 'Forbidden') {
      return fail(
        'auth',
        `CloudWatch refused to read ${id} (StatusCode Forbidden): the credentials lack cloudwatch:GetMetricData for it`,
        warnings,
      );
    }
    if (only.status === 'InternalError') {
      return fail(
        'unreachable',
        `CloudWatch failed to compute ${id} (StatusCode InternalError): try again later`,
        warnings,
      );
    }
    if (only.status === 'PartialData')
      warnings.push(`CloudWatch marked ${id} PartialData: some points may be missing`);
    only.points.sort((a, b) => a.at.getTime() - b.at.getTime());
    return { ok: true, points: only.points, warnings };
  }

  /** SDK exceptions → failures; their text is redacted, and never carries the secret key. */
  private errorFailure(error: unknown, shown: string): Failure {
    const where = hostPortOf(this.endpoint);
    if (error instanceof NetworkPolicyError) {
      return fail('unreachable', `CloudWatch at ${where} was not queried: ${error.message}`);
    }
    const record = isRecord(error) ? error : {};
    const name = typeof record.name === 'string' ? record.name : 'Error';
    const message = this.redactor.redact(typeof record.message === 'string' ? record.message : String(error));
    const said = ` (CloudWatch said: ${name}: ${message})`;
    const metadata = isRecord(record.$metadata) ? record.$metadata : {};
    const status = typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : null;

    if (name === 'CredentialsProviderError' || name === 'ProviderError') {
      return fail(
        'auth',
        `no AWS credentials found for CloudWatch: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile (the provider's profile or AWS_PROFILE) in the shared config files, or web identity (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)${said}`,
      );
    }
    if (status === null) {
      const { code, detail } = networkErrorOf(error);
      return fail(
        'unreachable',
        `CloudWatch unreachable: ${describeNetworkError(code, this.redactor.redact(detail), this.endpoint, {
          tls: "set the provider's tls ca_file to the CA that signed it (insecure_skip_verify only for testing)",
          url: "the endpoint's",
        })}`,
      );
    }
    if (status >= 300 && status < 400) {
      return fail(
        'bad_response',
        `CloudWatch at ${where} answered HTTP ${status}, a redirect, which the monitor does not follow: set the provider's endpoint to the final address`,
      );
    }
    if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(name) || status === 429) {
      return fail(
        'rate_limited',
        `CloudWatch throttled the request (HTTP ${status}, retried up to ${MAX_ATTEMPTS} times)${said}`,
      );
    }
    if (
      status === 401 ||
      status === 403 ||
      /AccessDenied|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient|ExpiredToken|IncompleteSignature|AuthFailure|MissingAuthenticationToken/i.test(
        name,
      )
    ) {
      return fail(
        'auth',
        `CloudWatch refused the AWS credentials (HTTP ${status}): check the access key, the session token's expiry, and that the identity may call cloudwatch:GetMetricData${said}`,
      );
    }
    if (status >= 500) {
      return fail(
        'unreachable',
        `CloudWatch at ${where} failed with HTTP ${status} after ${MAX_ATTEMPTS} attempts: try again later${said}`,
      );
    }
    if (status === 404) {
      return fail(
        'bad_response',
        `HTTP 404 from CloudWatch at ${where}: check the provider's endpoint and region${said}`,
      );
    }
    return fail('query_error', `CloudWatch rejected the query (HTTP ${status})${said} (query: ${shown})`);
  }
}

/**
 * A `query:` as GetMetricData takes it. Text starting with `[` is the MetricDataQueries list as the AWS
 * CLI writes it (MetricStat and Expression entries); anything else is one expression (metric math,
 * SEARCH, or Metrics Insights SQL) with the provider's period. When no entry says `ReturnData`, only the
 * last one returns data: the others are its inputs.
 */
export function parseCloudWatchQuery(
  text: string,
  periodSeconds: number,
): { ok: true; value: MetricDataQuery[] } | { ok: false; problem: string } {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) {
    return {
      ok: true,
      value: [{ Id: EXPRESSION_ID, Expression: trimmed, Period: periodSeconds, ReturnData: true }],
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    return { ok: false, problem: `not a JSON list of MetricDataQueries (${(error as Error).message})` };
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    return { ok: false, problem: 'the list of MetricDataQueries is empty' };
  const queries: MetricDataQuery[] = [];
  for (const [index, entry] of parsed.entries()) {
    const where = `entry ${index + 1}`;
    if (!isRecord(entry)) return { ok: false, problem: `${where} is not an object` };
    if (typeof entry.Id !== 'string' || !QUERY_ID.test(entry.Id)) {
      return {
        ok: false,
        problem: `${where} needs an "Id" that starts with a lower-case letter (letters, digits, _)`,
      };
    }
    const hasStat = entry.MetricStat !== undefined;
    const hasExpression = entry.Expression !== undefined;
    if (hasStat === hasExpression) {
      return {
        ok: false,
        problem: `${where} (${entry.Id}) needs exactly one of "MetricStat" and "Expression"`,
      };
    }
    if (hasStat) {
      const stat = entry.MetricStat;
      if (
        !isRecord(stat) ||
        !isRecord(stat.Metric) ||
        typeof stat.Stat !== 'string' ||
        typeof stat.Period !== 'number'
      ) {
        return {
          ok: false,
          problem: `${where} (${entry.Id}): MetricStat needs Metric {Namespace, MetricName, Dimensions}, Period and Stat`,
        };
      }
    } else if (typeof entry.Expression !== 'string' || entry.Expression.trim() === '') {
      return { ok: false, problem: `${where} (${entry.Id}): "Expression" must be a non-empty string` };
    }
    queries.push(entry as unknown as MetricDataQuery);
  }
  if (!queries.some((query) => query.ReturnData !== undefined)) {
    for (const [index, query] of queries.entries()) query.ReturnData = index === queries.length - 1;
  }
  return { ok: true, value: queries };
}

function noDataMessage(query: string, window: string): string {
  return `no data: CloudWatch returned no data points for ${window} (query: ${quoteQuery(query)}): check the namespace, metric name, dimensions and region; the resource may also have reported nothing`;
}
