import { setTimeout as sleepFor } from 'node:timers/promises';
import { HttpHeaders } from '../../common/http-headers.js';
import type { Failure } from '../failures.js';
import { fail, listSeries, quoteQuery, transportFailure } from '../failures.js';
import type { HttpDeps } from '../http.js';
import { HttpClient } from '../http.js';
import type { InstantResult, Provider, QueryOptions, RangeResult } from '../types.js';
import type { ScrapeProviderConfig } from './config.js';
import { EvaluationError, evaluateScrape, formatLabels, type ScrapeSnapshot } from './evaluate.js';
import { ExpositionError, formatOf, parseExposition, SCRAPE_ACCEPT } from './exposition.js';

export interface ScrapeDeps extends HttpDeps {
  /** Waits between the two scrapes; rejects when the signal aborts. Tests step a clock instead of waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const BACKEND = 'scrape target';
/** How far `at` may lie from now: a scrape sees only the present. */
const MIN_PRESENT_TOLERANCE_MS = 60_000;

type PairOutcome = { ok: true; first: ScrapeSnapshot; second: ScrapeSnapshot } | Failure;

/**
 * A service's own metrics endpoint, read twice `interval` apart; the query (a PromQL subset) is evaluated
 * in-process over the two scrapes. Every query asked for the same instant shares one pair of scrapes.
 */
export function createScrapeProvider(config: ScrapeProviderConfig, deps: ScrapeDeps = {}): Provider {
  const headers = new HttpHeaders(config.http.headers);
  if (!headers.has('accept')) headers.set('accept', SCRAPE_ACCEPT);
  const client = new HttpClient(config.http, headers, [], deps);
  return new ScrapeProvider(config, client, deps);
}

class ScrapeProvider implements Provider {
  readonly type = 'scrape' as const;
  readonly name: string;
  readonly host: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly params: Record<string, string>;
  /** The pair of scrapes of the latest instant asked for; queries of one evaluation share it. */
  private latest: { atMs: number; pair: Promise<PairOutcome> } | null = null;

  constructor(
    private readonly config: ScrapeProviderConfig,
    private readonly client: HttpClient,
    deps: ScrapeDeps,
  ) {
    this.name = config.name;
    this.host = client.baseUrl.hostname;
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : undefined));
    // The client rebuilds the query string from params: keep the one the url was written with.
    this.params = Object.fromEntries(client.baseUrl.searchParams);
  }

  async queryInstant(query: string, at: Date, options: QueryOptions = {}): Promise<InstantResult> {
    const shown = quoteQuery(query);
    // Loaded here, not at start-up: the PromQL grammar is large and only scrape providers need it.
    const { compileScrapeQuery, UnsupportedQuery } = await import('./query.js');
    let expr: ReturnType<typeof compileScrapeQuery>;
    try {
      expr = compileScrapeQuery(query);
    } catch (error) {
      if (error instanceof UnsupportedQuery) return fail('query_error', `${error.message} (query: ${shown})`);
      throw error;
    }
    const intervalMs = Math.round(this.config.intervalSeconds * 1000);
    const distance = Math.abs(at.getTime() - this.now());
    if (distance > Math.max(MIN_PRESENT_TOLERANCE_MS, 2 * intervalMs)) {
      return fail(
        'query_error',
        `a scrape reads only the present, not ${at.toISOString()} (${Math.round(distance / 1000)} s away): a past instant needs a TSDB such as Prometheus scraping ${this.client.describe('')}`,
      );
    }

    const pair = await this.pairFor(at.getTime(), intervalMs, options.signal);
    if (!pair.ok) return pair;
    let evaluation: ReturnType<typeof evaluateScrape>;
    try {
      evaluation = evaluateScrape(expr, pair.first, pair.second);
    } catch (error) {
      if (error instanceof EvaluationError) return fail('query_error', `${error.message} (query: ${shown})`);
      throw error;
    }
    const { value, notes, warnings } = evaluation;
    const measuredAt = new Date(pair.second.scrapedAtMs);
    if (value.kind === 'scalar') return { ok: true, value: value.value, at: measuredAt, warnings };
    const [only, ...others] = value.samples;
    if (!only) {
      const why = notes.length > 0 ? notes.join('; ') : 'the query returned an empty result';
      return fail(
        'no_data',
        `no data: ${why} (query: ${shown}) at ${this.client.describe('')}: check the metric name and labels against what the endpoint serves`,
        warnings,
      );
    }
    if (others.length > 0) {
      return fail(
        'multiple_series',
        `query returned ${value.samples.length} series but exactly one is needed (query: ${shown}): aggregate them, e.g. wrap the query in sum(...) or max(...). Series: ${listSeries(value.samples, (s) => formatLabels(s.labels), ', ')}`,
        warnings,
      );
    }
    return { ok: true, value: only.value, at: measuredAt, warnings };
  }

  async queryRange(): Promise<RangeResult> {
    return fail(
      'no_data',
      `the scrape provider "${this.name}" keeps no history: it reads ${this.client.describe('')} twice, ${this.config.intervalSeconds} s apart, and answers only for the present; a report or backfill over a past period needs a TSDB (for example a Prometheus that scrapes this target, configured as a prometheus provider)`,
    );
  }

  private pairFor(atMs: number, intervalMs: number, signal: AbortSignal | undefined): Promise<PairOutcome> {
    if (this.latest?.atMs !== atMs) this.latest = { atMs, pair: this.scrapeTwice(intervalMs, signal) };
    return this.latest.pair;
  }

  private async scrapeTwice(intervalMs: number, signal: AbortSignal | undefined): Promise<PairOutcome> {
    const first = await this.scrape(signal);
    if (!('exposition' in first)) return first;
    try {
      await this.sleep(intervalMs, signal);
    } catch {
      return fail('timeout', `the wait between the two scrapes of ${this.client.describe('')} was canceled`);
    }
    const second = await this.scrape(signal);
    if (!('exposition' in second)) return second;
    return { ok: true, first, second };
  }

  private async scrape(signal: AbortSignal | undefined): Promise<ScrapeSnapshot | Failure> {
    const scrapedAtMs = this.now();
    const outcome = await this.client.request({
      method: 'GET',
      path: '',
      params: this.params,
      ...(signal ? { signal } : {}),
    });
    if (outcome.kind !== 'response') return transportFailure(outcome, this.client, BACKEND);
    const { response, retryNote } = outcome;
    const where = this.client.describe('');
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const retried = retryNote ? ` (${retryNote})` : '';
    const detail = this.client.snippet(response);
    if (response.status === 401 || response.status === 403) {
      return fail(
        'auth',
        `${status} from ${where}: the endpoint wants credentials: set them in the provider's headers${detail ? `: ${detail}` : ''}`,
      );
    }
    if (response.status === 404) {
      return fail(
        'bad_response',
        `${status} for ${where}: check the url's path (exporters usually serve /metrics)`,
      );
    }
    if (response.status === 429) {
      return fail('rate_limited', `${status} from ${where}: the endpoint is rate limiting scrapes${retried}`);
    }
    if (response.status >= 500) {
      return fail(
        'unreachable',
        `${status} from ${where}${retried}: the service is failing${detail ? `: ${detail}` : ''}`,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      return fail('bad_response', `unexpected ${status} from ${where}${detail ? `: ${detail}` : ''}`);
    }
    if (/html|json|xml/.test(response.contentType)) {
      return fail(
        'bad_response',
        `${where} answered with content-type "${response.contentType}", not a Prometheus or OpenMetrics exposition: does the url point at the metrics endpoint?`,
      );
    }
    const format = formatOf(response.contentType);
    try {
      return { exposition: parseExposition(response.body, format), scrapedAtMs };
    } catch (error) {
      if (!(error instanceof ExpositionError)) throw error;
      const formatName = format === 'openmetrics' ? 'OpenMetrics' : 'Prometheus text';
      return fail(
        'bad_response',
        `the metrics at ${where} are not a valid ${formatName} exposition: ${this.client.redact(error.message)}`,
      );
    }
  }
}
