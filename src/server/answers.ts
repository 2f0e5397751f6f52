import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import {
  buildHistory,
  DEFAULT_HISTORY_HOURS,
  HISTORY_SLICE_MS,
  type HistoryQuery,
  type HistoryResult,
} from './history.js';
import { chartRefreshSecondsFor, pollSecondsFor, renderStatusPage } from './page.js';
import { buildStatusJson, type StatusJson } from './status.js';
import type { MonitorStatusSource, SpecStatus } from './types.js';

/**
 * Long history reads computed at the same time. More wait their turn: each running read takes one
 * slice of the event loop per turn, so this bounds how long /healthz can wait behind them.
 */
const HISTORY_READS_AT_ONCE = 2;
/** Distinct history answers kept (spec × metric × range); the oldest goes first. */
const MAX_CACHED_HISTORIES = 256;

interface Entry<T> {
  revision: number;
  at: number;
  value: T;
}

/** Values computed once per source revision and reused while they are younger than `maxAgeMs`. */
class RevisionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, revision: number, now: number, maxAgeMs: number, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit && hit.revision === revision && now >= hit.at && now - hit.at < maxAgeMs) return hit.value;
    const value = compute();
    this.entries.delete(key);
    this.entries.set(key, { revision, at: now, value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    if (value instanceof Promise) {
      // A failed answer is not kept: the next request tries again.
      value.catch(() => {
        if (this.entries.get(key)?.value === value) this.entries.delete(key);
      });
    }
    return value;
  }
}

/** A page rendered once, with its per-response parts (CSP nonce, answer time) filled in per request. */
export interface PageTemplate {
  render(nonce: string, now: Date): string;
}

const NONCE_MARK = `n${randomBytes(12).toString('hex')}`;
const TIME_MARK = `t${randomBytes(12).toString('hex')}`;

function pageTemplate(html: string): PageTemplate {
  const parts = html.split(new RegExp(`(${NONCE_MARK}|${TIME_MARK})`));
  return {
    render(nonce, now) {
      const time = now.toISOString();
      return parts.map((part) => (part === NONCE_MARK ? nonce : part === TIME_MARK ? time : part)).join('');
    },
  };
}

/**
 * What the server answers from the source, computed once per source revision (a finished cycle, a
 * reload, a new report) and shared by every request until the next: between cycles, the status page,
 * /api/status and a repeated /api/history cost a cache lookup, however many ask at once.
 * Answers are also renewed once they are an interval old (at least 1 s, at most 60 s), so chart
 * windows keep moving while cycles stall.
 */
export class Answers {
  private readonly specsCache = new RevisionCache<SpecStatus[]>(1);
  private readonly historyCache = new RevisionCache<Promise<HistoryResult>>(MAX_CACHED_HISTORIES);
  private readonly pageCache = new RevisionCache<Promise<PageTemplate>>(1);
  private readonly historyQueue = pLimit(HISTORY_READS_AT_ONCE);
  private readonly maxAgeMs: number;

  constructor(
    private readonly source: MonitorStatusSource,
    private readonly sliceMs = HISTORY_SLICE_MS,
  ) {
    this.maxAgeMs = Math.min(60_000, Math.max(1_000, source.intervalSeconds * 1000));
  }

  specs(now: Date): SpecStatus[] {
    return this.specsCache.get('', this.source.revision(), now.getTime(), this.maxAgeMs, () =>
      this.source.specs(),
    );
  }

  status(now: Date): StatusJson {
    return buildStatusJson(this.source, now, this.specs(now));
  }

  history(query: HistoryQuery, now: Date): Promise<HistoryResult> {
    const specs = this.specs(now);
    const key = `${query.specId}\u0000${query.metric}\u0000${query.hours}`;
    return this.historyCache.get(key, this.source.revision(), now.getTime(), this.maxAgeMs, () =>
      this.historyQueue(() => buildHistory(this.source, specs, query, now, this.sliceMs)),
    );
  }

  page(now: Date): Promise<PageTemplate> {
    return this.pageCache.get('', this.source.revision(), now.getTime(), this.maxAgeMs, async () => {
      const specs = this.specs(now);
      const status = { ...buildStatusJson(this.source, now, specs), generated_at: TIME_MARK };
      // Every series of the default range, embedded so the page's first paint draws the charts.
      const results = await Promise.all(
        specs.flatMap((spec) =>
          spec.summary.metrics.map((metric) =>
            this.history(
              { specId: spec.summary.spec_id, metric: metric.name, hours: DEFAULT_HISTORY_HOURS },
              now,
            ),
          ),
        ),
      );
      const pollSeconds = pollSecondsFor(this.source.intervalSeconds);
      const html = renderStatusPage({
        nonce: NONCE_MARK,
        status,
        history: results.flatMap((result) => (result.ok ? [result.history] : [])),
        pollSeconds,
        chartRefreshSeconds: chartRefreshSecondsFor(pollSeconds),
        defaultHours: DEFAULT_HISTORY_HOURS,
      });
      return pageTemplate(html);
    });
  }
}
