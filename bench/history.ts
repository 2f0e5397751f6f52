/**
 * Benchmark of the status server on a long history:
 *   node --import tsx bench/history.ts [--rows 3024000] [--legacy]
 *
 * Fills a temp SQLite store with one metric measured every second for 35 days (3,024,000 rows, the
 * most /api/history?hours=840 can cover; Store.commitCycle an hour at a time, reasons and all),
 * then measures, each phase in its own child process so that its peak RSS is its own:
 *   - baseline:  a bare `SELECT count(*)` over the same 840 hours (the cheapest full read SQLite can do);
 *   - rows:      Store.downsampledHistory over the 840 hours, as /api/history reads it, before any
 *                hourly summary exists (every bucket read from the rows): time, points, peak RSS;
 *   - summarize: Store.summarizeHours over the whole history, as the daemon's first housekeeping after
 *                an upgrade does it (six hours per transaction): total time, slowest step, hours summarized;
 *   - query:     the same read once the summaries exist, as a running daemon serves it (timed reads:
 *                median of 5 runs, every run listed);
 *   - legacy (with --legacy): what the server did before, every row of the range into JavaScript
 *                (Store.measurements without reasons) then reduced in memory;
 *   - server:    the real status server over that store, in a child process; from this process,
 *                /healthz latency on the idle server (the baseline), then while 50 concurrent `GET /`
 *                and one /api/history?hours=840 are in flight, and the ratio of the two.
 * Writes bench/results/history.json and prints it (progress goes to stderr). Removes its temp folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import type { Evaluation, NfrStatus } from '../src/evaluate/types.js';
import { buildSummary, runIdFor } from '../src/report/index.js';
import type { MonitorStatusSource, SpecStatus } from '../src/server/index.js';
import { startServer } from '../src/server/index.js';
import { statusPageScript } from '../src/server/page-script.js';
import { type MeasurementRow, openStore } from '../src/store/index.js';
import { seededRandom } from '../test/support/random.js';
import { mb, median, peak, round, runPhase as runPhase_, writeResult } from './support.js';

const SPEC = 'spec-bench-002-history';
const METRIC = 'api_latency_p99';
const SLO = 500;
const HOURS = 840;
const HOUR = 3_600_000;
const PAGE_LOADS = 50;
/** Each timed read runs this many times; the median is the figure. */
const REPEATS = 5;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const rowCount = Number(argument('rows', String(HOURS * 3600)));
const end = Number(argument('end', String(Math.floor(Date.now() / 1000) * 1000)));
const step = Math.floor((HOURS * HOUR) / rowCount);
const start = end - rowCount * step;

function fill(db: string): Record<string, number> {
  const store = openStore(db);
  const next = seededRandom(7);
  const began = performance.now();
  let batch: MeasurementRow[] = [];
  for (let i = 0; i < rowCount; i++) {
    const at = new Date(start + i * step);
    const r = next();
    const value = r < 0.001 ? null : r > 0.9995 ? 600 + next() * 400 : 200 + next() * 150;
    const status: NfrStatus = value === null ? 'unknown' : value < SLO ? 'healthy' : 'breached';
    const reason =
      value === null
        ? `no data: the query returned an empty result at ${at.toISOString()} [prometheus "prom"]`
        : `${value.toFixed(3)} ms ${status === 'healthy' ? 'meets' : 'breaches'} < ${SLO}ms [prometheus "prom"]`;
    batch.push({ at, specId: SPEC, metric: METRIC, value, slo: SLO, status, reason });
    if (batch.length === 3600 || i === rowCount - 1) {
      store.commitCycle({ at, measurements: batch, alertStates: [], notifications: [] });
      batch = [];
    }
    if (i % 500_000 === 0) process.stderr.write(`fill: ${i} rows\n`);
  }
  store.checkpoint();
  const seconds = (performance.now() - began) / 1000;
  store.close();
  return { rows: rowCount, step_ms: step, fill_seconds: round(seconds), db_bytes: statSync(db).size };
}

function range() {
  return { specId: SPEC, metric: METRIC, from: new Date(end - HOURS * HOUR), to: new Date(end) };
}

function baseline(db: string): Record<string, number | number[]> {
  const sqlite = new Database(db, { readonly: true });
  const count = sqlite
    .prepare<[string, string, number, number], number>(
      `SELECT count(*) FROM series s JOIN measurements m ON m.series_id = s.id
       WHERE s.spec_id = ? AND s.metric = ? AND m.at >= ? AND m.at < ?`,
    )
    .pluck();
  let rows = 0;
  const runs = repeat(() => {
    rows = count.get(SPEC, METRIC, end - HOURS * HOUR, end)!;
  });
  sqlite.close();
  return { rows, count_seconds: median(runs), count_runs_seconds: runs, ...peak() };
}

/** Runs `fn` REPEATS times (the first warms the page cache as a running daemon's would be); seconds each. */
function repeat(fn: () => void): number[] {
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const began = performance.now();
    fn();
    runs.push(round((performance.now() - began) / 1000));
  }
  return runs;
}

function query(db: string): Record<string, number | number[]> {
  const store = openStore(db, { readonly: true });
  const rssBefore = process.memoryUsage().rss;
  let points = 0;
  let chunks = 0;
  const runs = repeat(() => {
    points = 0;
    chunks = 0;
    for (const chunk of store.downsampledHistory(range(), 600)) {
      points += chunk.length;
      chunks++;
    }
  });
  store.close();
  return {
    points,
    chunks,
    query_seconds: median(runs),
    query_runs_seconds: runs,
    rss_before_mb: mb(rssBefore),
    ...peak(),
  };
}

/** Builds the hourly summaries of the whole history, step by step as the daemon does. */
function summarize(db: string): Record<string, number | number[]> {
  const store = openStore(db);
  const began = performance.now();
  let slowestStepMs = 0;
  let stepBegan = performance.now();
  const steps = store.summarizeHours(new Date(end + HOUR));
  let result = steps.next();
  while (!result.done) {
    slowestStepMs = Math.max(slowestStepMs, performance.now() - stepBegan);
    stepBegan = performance.now();
    result = steps.next();
  }
  const seconds = (performance.now() - began) / 1000;
  store.checkpoint();
  store.close();
  return {
    hours: result.value,
    summarize_seconds: round(seconds),
    slowest_step_ms: round(slowestStepMs),
    db_bytes: statSync(db).size,
    ...peak(),
  };
}

/** The read the server made before: every row of the range into JavaScript, reduced there. */
function legacy(db: string): Record<string, number> {
  const store = openStore(db, { readonly: true });
  const rssBefore = process.memoryUsage().rss;
  const began = performance.now();
  const rows = store.measurements(range(), { withReasons: false });
  const sorted = [...rows].sort((a, b) => a.at.getTime() - b.at.getTime());
  const seconds = (performance.now() - began) / 1000;
  store.close();
  return { rows: sorted.length, read_seconds: round(seconds), rss_before_mb: mb(rssBefore), ...peak() };
}

function specStatus(at: Date): SpecStatus {
  const evaluation: Evaluation = {
    specId: SPEC,
    checkedAt: at,
    status: 'healthy',
    verdicts: [
      {
        metric: METRIC,
        nfrId: 'NFR-1',
        requirement: 'p99 latency stays under 500 ms',
        category: 'performance',
        target: `< ${SLO}ms`,
        comparator: '<',
        comparatorInferred: false,
        slo: SLO,
        unit: 'ms',
        value: 250,
        status: 'healthy',
        provider: 'prom',
        providerType: 'prometheus',
        query: 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))',
        reason: `250 ms meets < ${SLO}ms [prometheus "prom"]`,
        line: 10,
        checkedAt: at,
      },
    ],
    unmonitored: [],
  };
  const summary = buildSummary(evaluation, {
    version: 'bench',
    runId: runIdFor(at),
    generatedAt: at,
    mode: 'daemon',
    specFile: `specs/${SPEC}/spec.md`,
    observabilityConfig: 'observability.yaml',
    apply: false,
    lang: 'en',
    platform: 'linux',
    warnings: [],
    writes: [],
  });
  return { summary, alerts: [], budgets: [], reports: { daily: [], weekly: [] } };
}

/** The status server over the store, as the daemon runs it; prints its URL, reports its peak RSS on SIGTERM. */
async function serve(db: string): Promise<void> {
  const store = openStore(db, { readonly: true });
  const startedAt = new Date();
  const spec = specStatus(startedAt);
  const source: MonitorStatusSource = {
    version: 'bench',
    startedAt,
    intervalSeconds: 60,
    registry: new Registry(),
    lastCycle: () => {
      const finishedAt = new Date();
      return { startedAt: finishedAt, finishedAt, durationMs: 1, slow: false };
    },
    specs: () => [spec],
    revision: () => 0,
    history: (seriesRange, maxPoints) => store.downsampledHistory(seriesRange, maxPoints),
    reportFile: () => null,
  };
  // The built bin ships the page script compiled; from the sources it is compiled with esbuild on
  // first use (a few hundred ms that would land inside the measured burst). Compile it first.
  statusPageScript();
  const server = await startServer({ host: '127.0.0.1', port: 0, token: null, source });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on('SIGTERM', () => {
    delay.disable();
    process.stderr.write(`\nBENCH_SERVER_MAX_RSS_KB ${process.resourceUsage().maxRSS}\n`);
    process.stderr.write(`BENCH_SERVER_MAX_LOOP_DELAY_MS ${delay.max / 1e6}\n`);
    void server.close().then(() => {
      store.close();
      process.exit(0);
    });
  });
  process.stdout.write(`LISTENING ${server.url}\n`);
}

function get(url: string): Promise<{ status: number; ms: number; bytes: number }> {
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - began, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function latencies(values: number[]): Record<string, number> {
  return {
    samples: values.length,
    median_ms: round(quantile(values, 0.5)),
    p95_ms: round(quantile(values, 0.95)),
    max_ms: round(Math.max(...values)),
  };
}

async function underLoad(db: string): Promise<Record<string, unknown>> {
  const script = fileURLToPath(import.meta.url);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      '--phase',
      'serve',
      '--db',
      db,
      '--rows',
      String(rowCount),
      '--end',
      String(end),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /LISTENING (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    });

    // Baseline: /healthz on the idle server.
    for (let i = 0; i < 10; i++) await get(`${url}/healthz`);
    const idle: number[] = [];
    for (let i = 0; i < 100; i++) idle.push((await get(`${url}/healthz`)).ms);

    // Load: 50 page loads and a 35-day history read at once; /healthz asked one after another
    // until every one of them has its answer.
    let pending = PAGE_LOADS + 1;
    const began = performance.now();
    const done = <T>(promise: Promise<T>) =>
      promise.then((value) => {
        pending--;
        return value;
      });
    const historyReply = done(get(`${url}/api/history?spec=${SPEC}&metric=${METRIC}&hours=${HOURS}`));
    const pages = Array.from({ length: PAGE_LOADS }, () => done(get(`${url}/`)));
    const loaded: number[] = [];
    while (pending > 0) loaded.push((await get(`${url}/healthz`)).ms);
    const history = await historyReply;
    const pageReplies = await Promise.all(pages);
    const allSeconds = (performance.now() - began) / 1000;
    if (history.status !== 200 || pageReplies.some((reply) => reply.status !== 200)) {
      throw new Error(`a loaded request failed: history ${history.status}`);
    }
    // The same again now that the answers are cached: 50 page loads between two cycles.
    const cachedBegan = performance.now();
    await Promise.all(Array.from({ length: PAGE_LOADS }, () => get(`${url}/`)));
    const cachedPagesSeconds = (performance.now() - cachedBegan) / 1000;

    process.stderr.write(`healthz under load: ${loaded.map((ms) => ms.toFixed(1)).join(' ')}\n`);
    const idleStats = latencies(idle);
    const loadedStats = latencies(loaded);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    const serverPeak = Number(/BENCH_SERVER_MAX_RSS_KB (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
    return {
      healthz_idle: idleStats,
      healthz_under_load: loadedStats,
      healthz_max_vs_idle_median: round(loadedStats.max_ms! / idleStats.median_ms!),
      history_840h_seconds: round(history.ms / 1000),
      history_840h_bytes: history.bytes,
      pages_first_50_seconds: round(Math.max(...pageReplies.map((reply) => reply.ms)) / 1000),
      pages_cached_50_seconds: round(cachedPagesSeconds),
      page_bytes: pageReplies[0]!.bytes,
      load_seconds: round(allSeconds),
      server_peak_rss_mb: round(serverPeak / 1024),
      server_event_loop_max_delay_ms: round(
        Number(/BENCH_SERVER_MAX_LOOP_DELAY_MS ([\d.]+)/.exec(stderr)?.[1] ?? Number.NaN),
      ),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

function runPhase(phase: string, db: string): Record<string, number | number[]> {
  return runPhase_(fileURLToPath(import.meta.url), phase, [
    '--db',
    db,
    '--rows',
    String(rowCount),
    '--end',
    String(end),
  ]);
}

async function main(): Promise<void> {
  const phase = argument('phase', '');
  const db = argument('db', '');
  if (phase === 'fill') return void console.log(JSON.stringify(fill(db)));
  if (phase === 'baseline') return void console.log(JSON.stringify(baseline(db)));
  if (phase === 'query') return void console.log(JSON.stringify(query(db)));
  if (phase === 'summarize') return void console.log(JSON.stringify(summarize(db)));
  if (phase === 'legacy') return void console.log(JSON.stringify(legacy(db)));
  if (phase === 'serve') return serve(db);

  const dir = mkdtempSync(join(tmpdir(), 'ssm-bench-history-'));
  try {
    const file = join(dir, 'bench.db');
    process.stderr.write(`filling ${rowCount} rows (one every ${step} ms over ${HOURS} h) into ${file}\n`);
    const filled = runPhase('fill', file);
    process.stderr.write(`filled: ${JSON.stringify(filled)}\n`);
    const count = runPhase('baseline', file);
    process.stderr.write(`baseline: ${JSON.stringify(count)}\n`);
    const fromRows = runPhase('query', file);
    process.stderr.write(`rows: ${JSON.stringify(fromRows)}\n`);
    const summarized = runPhase('summarize', file);
    process.stderr.write(`summarize: ${JSON.stringify(summarized)}\n`);
    const read = runPhase('query', file);
    process.stderr.write(`query: ${JSON.stringify(read)}\n`);
    const before = process.argv.includes('--legacy') ? runPhase('legacy', file) : null;
    if (before) process.stderr.write(`legacy: ${JSON.stringify(before)}\n`);
    const server = await underLoad(file);
    process.stderr.write(`server: ${JSON.stringify(server)}\n`);
    const result = {
      bench: 'history',
      hours: HOURS,
      fill: filled,
      baseline_select_count: count,
      downsampled_query_from_rows: fromRows,
      rows_query_vs_count_time: round(Number(fromRows.query_seconds) / Number(count.count_seconds)),
      summarize_whole_history: summarized,
      downsampled_query: read,
      query_vs_count_time: round(Number(read.query_seconds) / Number(count.count_seconds)),
      legacy_read_all_rows: before,
      server,
    };
    await writeResult('history', result);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
