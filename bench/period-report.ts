/**
 * Benchmark of period reports on a large history:
 *   node --import tsx bench/period-report.ts [--days 30] [--nfrs 100] [--reuse FILE] [--runs 3] [--with-rows]
 *     [--sources-reader] [--threads N]
 *
 * Fills a temp SQLite store with `days` × 1-minute × `nfrs` measurements (4.32 M by default; one
 * commitCycle per minute, as the daemon does) and builds its hourly summaries and hour columns (as the
 * daemon's housekeeping does, an hour at a time), then measures, each phase in its own child process so
 * that its peak RSS is its own:
 *   - rows-as-columns: the baseline: a plain SQL read of every row of the period as typed arrays,
 *               the read reports did before the hour columns;
 *   - columns:  the same history through Store.seriesColumns (hour columns, rows for the rest);
 *   - report:   buildPeriodReport over the whole period for all NFRs + renderPeriodJson +
 *               renderPeriodMarkdown (no PNG), then renderPeriodHtml (one SVG chart per NFR), reading
 *               Store.seriesColumns on the calling thread, as `report` does; `--runs` times (default
 *               3), each in a fresh process, and the median run is the figure. The goal is JSON +
 *               Markdown + HTML within GOAL_SECONDS;
 *   - report-reader-thread: the same report reading through a reader thread (openHistoryReaders, as
 *               the daemon does; `--threads N` for more), interleaved with the report runs. The thread
 *               runs the built dist/cli/history-reader.js (`npm run build` first); with
 *               `--sources-reader` (or without a build) the sources', the thread then also starting tsx.
 * With `--with-rows`, also (slow: tens of seconds each) the older ways to read:
 *   - baseline: read every row through Store.measurements (without reasons), as reports read before;
 *   - report-from-rows: the same report reading the history as rows through Store.measurements;
 *   - values-only: the same report over a plain SQL read of (at, value, status) as row objects.
 * Each phase records its wall time and the CPU time of its process (user + system): the machine is
 * shared, and on a busy one the wall time is mostly waiting for a core.
 * The previous period has no history and no provider, so its backfill only records an error.
 * `--reuse FILE` keeps the filled store in FILE (filling it only when it does not exist), so that
 * the phases can be measured again without another fill; the results then record no fill time.
 * Prints one JSON line of results on stdout (progress goes to stderr). Removes its temp folder.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { MetricMapping, SeverityRule } from '../src/config/types.js';
import type { Check } from '../src/evaluate/index.js';
import { planChecks } from '../src/evaluate/index.js';
import {
  buildPeriodReport,
  customPeriod,
  type HistorySource,
  renderPeriodHtml,
  renderPeriodJson,
  renderPeriodMarkdown,
} from '../src/report/period/index.js';
import { parseNfrs } from '../src/spec/index.js';
import type { MeasurementRow } from '../src/store/index.js';
import { HistoryReaders, openHistoryReaders, openStore } from '../src/store/index.js';
import { HISTORY_ROWS_PER_READ, SERIES_COLUMNS_SQL } from '../src/store/store.js';
import { compare } from '../src/units/index.js';
import { seededRandom } from '../test/support/random.js';
import { mb, PROJECT_ROOT, peak, round, runPhase as runPhase_, writeResult } from './support.js';

const SPEC = 'spec-bench-001-checkout';
const BUILT_READER = join(PROJECT_ROOT, 'dist/cli/history-reader.js');
const END = Date.parse('2026-11-01T00:00:00Z');
const MINUTE = 60_000;
const SEVERITY_RULES: SeverityRule[] = [
  { minOvershoot: 1.0, categories: [], severity: 'SEV-1' },
  { minOvershoot: 0.5, categories: [], severity: 'SEV-2' },
  { minOvershoot: 0.1, categories: [], severity: 'SEV-3' },
];

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const days = Number(argument('days', '30'));
const runs = Number(argument('runs', '3'));
/** The goal of issue 11: a 30-day report of 100 NFRs at 1 min, JSON + Markdown + HTML. */
const GOAL_SECONDS = 2;
/**
 * The same report measured before the one-pass figures and the SVG charts (commit 378d5e1, this
 * benchmark's `report` phase on 2026-12-01 at a load average of 5.5-8.6): the figure to compare with.
 */
const PREVIOUS_FIGURE = {
  json_md_seconds: 4.134,
  html_seconds: 6.417,
  total_seconds: 10.551,
  peak_rss_mb: 366.715,
};
const nfrCount = Number(argument('nfrs', '100'));
const start = END - days * 86_400_000;

/** Three kinds of NFR in turn: latency < 500 ms, error rate < 1 %, availability >= 99.9 %. */
function benchChecks(): Check[] {
  const kinds = [
    ['Performance', 'p99 latency', '< 500ms', 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))'],
    ['Reliability', 'error rate', '< 1%', 'sum(rate(x_errors_total[5m])) / sum(rate(x_total[5m]))'],
    ['Availability', 'availability', '>= 99.9%', 'avg_over_time(up[5m]) * 100'],
  ] as const;
  const rows: string[] = [];
  const mappings: MetricMapping[] = [];
  for (let i = 0; i < nfrCount; i++) {
    const [category, requirement, target, query] = kinds[i % kinds.length]!;
    const metric = `nfr_${String(i + 1).padStart(3, '0')}`;
    rows.push(`| ${category} | ${requirement} ${i + 1} | \`${metric}\` | ${target} |`);
    mappings.push({
      name: metric,
      query: `${query} # ${metric}`,
      provider: 'prom',
      unit: i % 3 === 2 ? '%' : null,
      reduce: null,
      lookbackSeconds: null,
      alerting: {},
      line: i + 1,
    });
  }
  const spec = [
    '## Non-Functional Requirements',
    '',
    '| Category | Requirement | Metric | Target |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
  return planChecks(parseNfrs(spec).nfrs, mappings).checks;
}

function valueFor(kind: number, next: () => number): number | null {
  const r = next();
  if (r < 0.001) return null; // the backend did not answer
  const spike = r > 0.995;
  switch (kind) {
    case 0:
      return spike ? 600 + next() * 400 : 200 + next() * 150;
    case 1:
      return spike ? 2 + next() * 3 : 0.2 + next() * 0.3;
    default:
      return spike ? 99 + next() * 0.8 : 99.95 + next() * 0.05;
  }
}

function fill(db: string): Record<string, number> {
  const checks = benchChecks();
  const store = openStore(db);
  const next = seededRandom(42);
  const began = performance.now();
  let rows = 0;
  for (let at = start; at < END; at += MINUTE) {
    const when = new Date(at);
    const measurements: MeasurementRow[] = checks.map((check, i) => {
      const value = valueFor(i % 3, next);
      const { comparator, threshold, unit } = check.objective;
      const status =
        value === null ? 'unknown' : compare(value, comparator, threshold) ? 'healthy' : 'breached';
      const reason =
        value === null
          ? `no data: the query returned an empty result at ${when.toISOString()} [prometheus "prom"]`
          : `${value.toFixed(3)} ${unit} ${status === 'healthy' ? 'meets' : 'breaches'} ${check.nfr.target} [prometheus "prom"]`;
      return { at: when, specId: SPEC, metric: check.nfr.metric, value, slo: threshold, status, reason };
    });
    store.commitCycle({ at: when, measurements, alertStates: [], notifications: [] });
    rows += measurements.length;
    if ((at - start) % (86_400_000 * 5) === 0)
      process.stderr.write(`fill: day ${(at - start) / 86_400_000}\n`);
  }
  store.checkpoint();
  const seconds = (performance.now() - began) / 1000;
  store.close();
  return { rows, fill_seconds: round(seconds), db_bytes: statSync(db).size };
}

function baseline(db: string): Record<string, number> {
  const store = openStore(db, { readonly: true });
  const rssBefore = process.memoryUsage().rss;
  const began = performance.now();
  let rows = 0;
  let sum = 0;
  for (const check of benchChecks()) {
    for (const row of store.measurements(
      { specId: SPEC, metric: check.nfr.metric, from: new Date(start), to: new Date(END) },
      { withReasons: false },
    )) {
      rows++;
      sum += row.value ?? 0;
    }
  }
  const seconds = (performance.now() - began) / 1000;
  store.close();
  return {
    rows,
    checksum: round(sum),
    read_seconds: round(seconds),
    rss_before_mb: mb(rssBefore),
    ...peak(),
  };
}

/** Seconds of CPU (user + system) this process has used since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return round((used.user + used.system) / 1e6);
}

/**
 * The daemon's housekeeping (Store.summarizeHours) over the whole history: the hourly summaries and
 * hour columns the report reads. The daemon builds them an hour at a time as it goes; here they are
 * built in one go after the fill (nothing to do on a store already summarized).
 */
function summarizeAll(db: string): Record<string, number> {
  const store = openStore(db);
  const cpu = process.cpuUsage();
  const began = performance.now();
  const steps = store.summarizeHours(new Date(END + 60 * MINUTE));
  let hours = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) {
      hours = step.value;
      break;
    }
  }
  const seconds = (performance.now() - began) / 1000;
  const cpuUsed = cpuSeconds(cpu);
  store.checkpoint();
  store.close();
  return { series_hours: hours, seconds: round(seconds), cpu_seconds: cpuUsed, db_bytes: statSync(db).size };
}

/**
 * The baseline: every row of the period read from the measurements table as columns, the way
 * Store.seriesColumns read before the hour columns (two plucked range reads per chunk of rows). Reads
 * the store's table directly, which only a benchmark may do.
 */
function rowsAsColumns(db: string): Record<string, number> {
  const sqlite = new Database(db, { readonly: true });
  const seriesId = sqlite
    .prepare<[string, string], number>('SELECT id FROM series WHERE spec_id = ? AND metric = ?')
    .pluck();
  const times = sqlite
    .prepare<[number, number, number, number, number], number>(SERIES_COLUMNS_SQL.timeAndUnknown)
    .pluck();
  const values = sqlite.prepare<[number, number, number], number | null>(SERIES_COLUMNS_SQL.values).pluck();
  const cpu = process.cpuUsage();
  const began = performance.now();
  let rows = 0;
  let sum = 0;
  for (const check of benchChecks()) {
    const id = seriesId.get(SPEC, check.nfr.metric)!;
    const at: number[] = [];
    const value: number[] = [];
    let from = start;
    for (;;) {
      const chunk = times.all(from, id, from, END, HISTORY_ROWS_PER_READ);
      if (chunk.length === 0) break;
      const last = from + Math.floor(chunk[chunk.length - 1]! / 2);
      const chunkValues = values.all(id, from, last + 1);
      for (let k = 0; k < chunk.length; k++) {
        at.push(from + Math.floor(chunk[k]! / 2));
        value.push(chunkValues[k] ?? Number.NaN);
      }
      if (chunk.length < HISTORY_ROWS_PER_READ) break;
      from = last + 1;
    }
    rows += at.length;
    for (const v of value) if (!Number.isNaN(v)) sum += v;
  }
  const seconds = (performance.now() - began) / 1000;
  const cpuRead = cpuSeconds(cpu);
  sqlite.close();
  return { rows, checksum: round(sum), read_seconds: round(seconds), read_cpu_seconds: cpuRead, ...peak() };
}

function columnsRead(db: string): Record<string, number> {
  const store = openStore(db, { readonly: true });
  const cpu = process.cpuUsage();
  const began = performance.now();
  let rows = 0;
  let sum = 0;
  for (const check of benchChecks()) {
    const columns = store.seriesColumns({
      specId: SPEC,
      metric: check.nfr.metric,
      from: new Date(start),
      to: new Date(END),
    });
    rows += columns.length;
    for (const value of columns.value) if (!Number.isNaN(value)) sum += value;
  }
  const seconds = (performance.now() - began) / 1000;
  const cpuRead = cpuSeconds(cpu);
  store.close();
  return { rows, checksum: round(sum), read_seconds: round(seconds), read_cpu_seconds: cpuRead, ...peak() };
}

/**
 * What the report would cost if the store could return values without their reasons (which
 * Store.measurements inflates row by row): the same report over a plain SQL read of (at, value,
 * status). Reads the store's tables directly, which only a benchmark may do.
 */
async function valuesOnly(db: string): Promise<Record<string, number>> {
  const sqlite = new Database(db, { readonly: true });
  const select = sqlite.prepare<
    [string, string, number, number],
    { at: number; value: number | null; status: number }
  >(
    `SELECT m.at, m.value, m.status FROM series s JOIN measurements m ON m.series_id = s.id
     WHERE s.spec_id = ? AND s.metric = ? AND m.at >= ? AND m.at < ? ORDER BY m.at`,
  );
  const statuses = ['healthy', 'breached', 'unknown'] as const; // the store's status codes 0, 1, 2
  const history = (q: { specId: string; metric: string; from: Date; to: Date }): MeasurementRow[] =>
    select.all(q.specId, q.metric, q.from.getTime(), q.to.getTime()).map((r) => ({
      at: new Date(r.at),
      specId: q.specId,
      metric: q.metric,
      value: r.value,
      slo: null,
      status: statuses[r.status] ?? 'unknown',
      reason: '',
    }));
  let began = performance.now();
  let rows = 0;
  for (const check of benchChecks()) {
    rows += history({
      specId: SPEC,
      metric: check.nfr.metric,
      from: new Date(start),
      to: new Date(END),
    }).length;
  }
  const readSeconds = (performance.now() - began) / 1000;
  began = performance.now();
  const built = await buildPeriodReport({ ...reportInput(history) });
  renderPeriodJson(built);
  renderPeriodMarkdown(built);
  const seconds = (performance.now() - began) / 1000;
  sqlite.close();
  return { rows, read_seconds: round(readSeconds), build_json_md_seconds: round(seconds), ...peak() };
}

function reportInput(history: HistorySource) {
  return {
    specId: SPEC,
    period: customPeriod(new Date(start), new Date(END)),
    checks: benchChecks(),
    history,
    providers: new Map(),
    intervalSeconds: 60,
    severityRules: SEVERITY_RULES,
    generatedAt: new Date(END + 5 * MINUTE),
    version: 'bench',
  };
}

async function report(db: string, from: 'threads' | 'columns' | 'rows'): Promise<Record<string, number>> {
  const store = openStore(db, { readonly: true });
  const threads = from === 'threads' ? Number(argument('threads', '1')) : 0;
  const readers = from === 'threads' ? historyReaders(db, threads) : null;
  const rssBefore = process.memoryUsage().rss;
  const input = reportInput((q) =>
    readers
      ? readers.seriesColumns(q)
      : from === 'columns'
        ? store.seriesColumns(q)
        : store.measurements(q, { withReasons: false }),
  );
  const cpu = process.cpuUsage();
  let began = performance.now();
  const built = await buildPeriodReport(input);
  const buildSeconds = (performance.now() - began) / 1000;
  const json = renderPeriodJson(built);
  const markdown = renderPeriodMarkdown(built);
  const jsonMdSeconds = (performance.now() - began) / 1000;
  const jsonMdCpu = cpuSeconds(cpu);
  const afterJsonMd = peak();
  began = performance.now();
  const html = await renderPeriodHtml(built);
  const htmlSeconds = (performance.now() - began) / 1000;
  const totalCpu = cpuSeconds(cpu);
  await readers?.close();
  store.close();
  return {
    reader_threads: threads,
    metrics: built.metrics.length,
    samples: built.metrics.reduce((n, m) => n + m.samples, 0),
    episodes: built.metrics.reduce((n, m) => n + m.episodes.length, 0),
    build_seconds: round(buildSeconds),
    json_md_seconds: round(jsonMdSeconds),
    json_md_peak_rss_mb: afterJsonMd.peak_rss_mb,
    html_seconds: round(htmlSeconds),
    total_seconds: round(jsonMdSeconds + htmlSeconds),
    json_md_cpu_seconds: jsonMdCpu,
    total_cpu_seconds: totalCpu,
    json_bytes: Buffer.byteLength(json),
    md_bytes: Buffer.byteLength(markdown),
    html_bytes: Buffer.byteLength(html),
    rss_before_mb: mb(rssBefore),
    ...peak(),
  };
}

/**
 * The reader threads the built CLI starts (dist/cli/history-reader.js, so `npm run build` first), or
 * with `--sources-reader` or without a build the sources' (each thread then also starts tsx).
 */
function historyReaders(db: string, threads: number): HistoryReaders {
  if (process.argv.includes('--sources-reader') || !existsSync(BUILT_READER)) {
    return openHistoryReaders(db, { threads });
  }
  const { dev, ino } = statSync(db);
  return new HistoryReaders({ file: db, dev, ino }, threads, pathToFileURL(BUILT_READER));
}

/** The run whose total time is the median of `results` (odd counts; the lower middle otherwise). */
function medianRun(results: Record<string, number>[]): Record<string, number> {
  const sorted = [...results].sort((a, b) => a.total_seconds! - b.total_seconds!);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function runPhase(phase: string, db: string): Record<string, number> {
  return runPhase_(fileURLToPath(import.meta.url), phase, [
    '--db',
    db,
    '--days',
    String(days),
    '--nfrs',
    String(nfrCount),
    ...(process.argv.includes('--sources-reader') ? ['--sources-reader'] : []),
    ...(process.argv.includes('--threads') ? ['--threads', argument('threads', '')] : []),
  ]);
}

async function main(): Promise<void> {
  const phase = argument('phase', '');
  const db = argument('db', '');
  if (phase === 'fill') return void console.log(JSON.stringify(fill(db)));
  if (phase === 'baseline') return void console.log(JSON.stringify(baseline(db)));
  if (phase === 'columns') return void console.log(JSON.stringify(columnsRead(db)));
  if (phase === 'rows-as-columns') return void console.log(JSON.stringify(rowsAsColumns(db)));
  if (phase === 'summarize') return void console.log(JSON.stringify(summarizeAll(db)));
  if (phase === 'report') return void console.log(JSON.stringify(await report(db, 'columns')));
  if (phase === 'report-reader-thread') return void console.log(JSON.stringify(await report(db, 'threads')));
  if (phase === 'report-from-rows') return void console.log(JSON.stringify(await report(db, 'rows')));
  if (phase === 'values-only') return void console.log(JSON.stringify(await valuesOnly(db)));

  const reuse = argument('reuse', '');
  const dir = mkdtempSync(join(tmpdir(), 'ssm-bench-period-'));
  try {
    const file = reuse || join(dir, 'bench.db');
    let filled: Record<string, number>;
    if (reuse && existsSync(reuse)) {
      filled = { reused: 1, db_bytes: statSync(reuse).size };
    } else {
      process.stderr.write(`filling ${days} d × 1 min × ${nfrCount} NFRs into ${file}\n`);
      filled = runPhase('fill', file);
    }
    process.stderr.write(`filled: ${JSON.stringify(filled)}\nsummarize: hourly summaries and hour columns\n`);
    const summaries = runPhase('summarize', file);
    process.stderr.write(`summarize: ${JSON.stringify(summaries)}\nrows-as-columns: reading every row\n`);
    const loadAtStart = loadavg().map(round);
    const rowsRead = runPhase('rows-as-columns', file);
    process.stderr.write(`rows-as-columns: ${JSON.stringify(rowsRead)}\ncolumns: Store.seriesColumns\n`);
    const columns = runPhase('columns', file);
    process.stderr.write(`columns: ${JSON.stringify(columns)}\n`);
    const reports: Record<string, number>[] = [];
    const throughThreads: Record<string, number>[] = [];
    // Interleaved, so that a change in the machine's load weighs on both alike.
    for (let run = 1; run <= runs; run++) {
      process.stderr.write(`report: run ${run} of ${runs}\n`);
      reports.push(runPhase('report', file));
      process.stderr.write(`report: ${JSON.stringify(reports.at(-1))}\n`);
      throughThreads.push(runPhase('report-reader-thread', file));
      process.stderr.write(`report-reader-thread: ${JSON.stringify(throughThreads.at(-1))}\n`);
    }
    const built = medianRun(reports);
    const builtThroughThreads = medianRun(throughThreads);
    let rows: Record<string, unknown> = {};
    if (process.argv.includes('--with-rows')) {
      process.stderr.write('baseline: reading every row\n');
      const read = runPhase('baseline', file);
      process.stderr.write(`baseline: ${JSON.stringify(read)}\nreport-from-rows: building from rows\n`);
      const fromRows = runPhase('report-from-rows', file);
      process.stderr.write(
        `report-from-rows: ${JSON.stringify(fromRows)}\nvalues-only: building from a plain SQL read\n`,
      );
      const lean = runPhase('values-only', file);
      rows = {
        baseline_read_all_rows: read,
        baseline_report_from_rows: fromRows,
        report_vs_report_from_rows_time: round(built.total_seconds! / fromRows.total_seconds!),
        report_from_values_only_read: lean,
      };
    }
    const result = {
      bench: 'period-report',
      node: process.version,
      days,
      nfrs: nfrCount,
      // Other work on the machine slows every phase alike; the ratios and CPU times stay comparable.
      load_average_at_start: loadAtStart,
      load_average_at_end: loadavg().map(round),
      fill: filled,
      goal_seconds: GOAL_SECONDS,
      meets_goal: built.total_seconds! <= GOAL_SECONDS,
      reader_thread:
        process.argv.includes('--sources-reader') || !existsSync(BUILT_READER)
          ? 'src/store/reader-thread-sources.mjs (through tsx)'
          : 'dist/cli/history-reader.js',
      summaries,
      // The baseline: a plain SQL read of the same rows as columns, in the same run.
      read_all_rows_as_columns: rowsRead,
      // The same history through Store.seriesColumns (the hour columns, and rows for the rest).
      read_all_through_store: columns,
      store_read_vs_rows_read_time: round(columns.read_seconds! / rowsRead.read_seconds!),
      report: built,
      report_runs: reports.map((r) => ({
        total_seconds: r.total_seconds,
        total_cpu_seconds: r.total_cpu_seconds,
        json_md_seconds: r.json_md_seconds,
        html_seconds: r.html_seconds,
        peak_rss_mb: r.peak_rss_mb,
      })),
      // The same report reading the history through a reader thread, as the daemon does.
      report_through_reader_thread: builtThroughThreads,
      report_through_reader_thread_runs: throughThreads.map((r) => ({
        total_seconds: r.total_seconds,
        total_cpu_seconds: r.total_cpu_seconds,
        peak_rss_mb: r.peak_rss_mb,
      })),
      report_through_reader_thread_vs_report_time: round(
        builtThroughThreads.total_seconds! / built.total_seconds!,
      ),
      report_vs_rows_read_time: round(built.total_seconds! / rowsRead.read_seconds!),
      report_vs_rows_read_cpu: round(built.total_cpu_seconds! / rowsRead.read_cpu_seconds!),
      previous_figure: PREVIOUS_FIGURE,
      report_vs_previous_figure_time: round(built.total_seconds! / PREVIOUS_FIGURE.total_seconds),
      ...rows,
    };
    await writeResult('period-report', result);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
