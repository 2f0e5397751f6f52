/**
 * A REAL Prometheus with an exactly known history, for tests.
 *
 * The history is written as OpenMetrics text (one file per day: promtool re-parses the whole file
 * for every 2 h block, so one big file costs quadratic time), turned into TSDB blocks with
 * `promtool tsdb create-blocks-from openmetrics`, and served by a fresh `prometheus` on a free
 * 127.0.0.1 port. Query it with an explicit `time=` inside [start, end].
 *
 *   const prom = await startPrometheus(standardHistory());
 *   ... query prom.url ...
 *   await prom.stop();
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, startServer } from './server-process.js';

export { freePort };

/** One time series of the generated history. */
export interface HistorySeries {
  /**
   * Sample name as PromQL sees it. Counters must end in `_total` (OpenMetrics requires it);
   * histogram parts end in `_bucket` (with an `le` label), `_sum` or `_count`.
   */
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: Record<string, string>;
  /** Value at unix second `t`: cumulative for counters and histogram parts. */
  valueAt(t: number): number;
}

export interface HistoryOptions {
  series: HistorySeries[];
  /** Unix seconds of the first and last sample (both written). */
  start: number;
  end: number;
  stepSeconds: number;
}

export interface RunningPrometheus {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  port: number;
  /** The TSDB directory (inside a temp dir that `stop()` removes). */
  dataDir: string;
  /** Kills this Prometheus by its own PID and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const DAY = 86_400;
/** The binaries: `PROMETHEUS_BIN` / `PROMTOOL_BIN`, else Debian's `/usr/bin`, else PATH. */
export function prometheusBinaries(): { prometheus: string; promtool: string } | null {
  const prometheus = findBinary('prometheus', process.env.PROMETHEUS_BIN);
  const promtool = findBinary('promtool', process.env.PROMTOOL_BIN);
  return prometheus && promtool ? { prometheus, promtool } : null;
}

/** Null when Prometheus can run here; otherwise why tests that need it are skipped. */
export function prometheusSkipReason(): string | null {
  if (prometheusBinaries()) return null;
  return 'skipped: the prometheus and promtool binaries were not found (install the Debian "prometheus" package, or set PROMETHEUS_BIN and PROMTOOL_BIN)';
}

function findBinary(name: string, override: string | undefined): string | null {
  if (override) return existsSync(override) ? override : null;
  const candidates = [
    join('/usr/bin', name),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)),
  ];
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** Family name and OpenMetrics type line for a series. */
function familyOf(series: HistorySeries): string {
  const suffix =
    series.type === 'counter' ? /_total$/ : series.type === 'histogram' ? /_(bucket|sum|count)$/ : null;
  if (suffix && !suffix.test(series.name)) {
    const expected = series.type === 'counter' ? '_total' : '_bucket, _sum or _count';
    throw new Error(`history series ${series.name}: a ${series.type} sample name must end in ${expected}`);
  }
  return suffix ? series.name.replace(suffix, '') : series.name;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(
    ([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

/**
 * OpenMetrics text for the samples with `from <= t < to` on the grid `start + k·step`: samples of
 * one family contiguous, each series time-ascending, timestamps in seconds, ending with `# EOF`.
 */
export function renderOpenMetrics(options: HistoryOptions, from: number, to: number): string {
  const families = new Map<string, HistorySeries[]>();
  for (const series of options.series) {
    const family = familyOf(series);
    const members = families.get(family) ?? [];
    if (members.length > 0 && members[0]!.type !== series.type) {
      throw new Error(`history family ${family} mixes types ${members[0]!.type} and ${series.type}`);
    }
    members.push(series);
    families.set(family, members);
  }
  const first =
    options.start +
    Math.max(0, Math.ceil((from - options.start) / options.stepSeconds)) * options.stepSeconds;
  const lines: string[] = [];
  for (const [family, members] of families) {
    lines.push(`# TYPE ${family} ${members[0]!.type}`);
    for (const series of members) {
      const labels = formatLabels(series.labels);
      for (let t = first; t < to && t <= options.end; t += options.stepSeconds) {
        lines.push(`${series.name}${labels} ${formatValue(series.valueAt(t))} ${t}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** Writes one OpenMetrics file per day of the history into `dir`; returns their paths. */
export async function writeHistoryFiles(dir: string, options: HistoryOptions): Promise<string[]> {
  if (!(options.stepSeconds > 0) || options.end < options.start) {
    throw new Error('history needs stepSeconds > 0 and end >= start');
  }
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let dayStart = options.start; dayStart <= options.end; dayStart += DAY) {
    const path = join(dir, `${dayStart}.om`);
    await writeFile(path, renderOpenMetrics(options, dayStart, dayStart + DAY));
    files.push(path);
  }
  return files;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Backfills the history and starts Prometheus on it; rejects with the log tail if it cannot start. */
export async function startPrometheus(options: HistoryOptions): Promise<RunningPrometheus> {
  const binaries = prometheusBinaries();
  if (!binaries) throw new Error(prometheusSkipReason() ?? 'prometheus not found');
  const root = await mkdtemp(join(tmpdir(), 'ssm-prometheus-'));
  try {
    const dataDir = join(root, 'data');
    const files = await writeHistoryFiles(join(root, 'openmetrics'), options);
    // Two promtool processes at a time: faster than one, and the test machines have two cores.
    const queue = [...files];
    const worker = async (): Promise<void> => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        await run(binaries.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', file, dataDir]);
      }
    };
    await Promise.all([worker(), worker()]);
    const configFile = join(root, 'prometheus.yml');
    await writeFile(configFile, 'scrape_configs: []\n');

    const server = await startServer(
      {
        name: 'prometheus',
        binary: binaries.prometheus,
        args: (_, port) => [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${dataDir}`,
          // The default 15 d would delete backfilled blocks older than that at startup.
          '--storage.tsdb.retention.time=100y',
          `--web.listen-address=127.0.0.1:${port}`,
          '--web.enable-lifecycle',
        ],
        readyPath: '/-/ready',
      },
      root,
    );
    return { url: server.url, port: server.port, dataDir, stop: server.stop };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** Cumulative counter on the grid `start + k·step`: the value at t sums `increment` over grid points ≤ t. */
export function gridCounter(
  start: number,
  end: number,
  step: number,
  increment: (t: number) => number,
): (t: number) => number {
  const values: number[] = [];
  let total = 0;
  for (let t = start; t <= end; t += step) {
    total += increment(t);
    values.push(total);
  }
  return (t: number) => {
    const index = Math.floor((t - start) / step);
    if (index < 0) return 0;
    return values[Math.min(index, values.length - 1)]!;
  };
}

export interface StandardHistory extends HistoryOptions {
  START: number;
  END: number;
  /** The incident is (INC0, INC1]: one hour with 10% errors instead of 2%. */
  INC0: number;
  INC1: number;
  /** PromQL for the known answers (each returns one series at any instant of the history). */
  queries: {
    errorRatio5m: string;
    p99Latency5m: string;
    meanLatency5m: string;
    fractionUnder250ms5m: string;
    up: string;
    /** 1 − error ratio over the last hour. */
    availability1h: string;
    /** Error ratio over the last hour divided by the 0.1% budget of a 99.9% objective. */
    burnRate1h: string;
  };
  expected: {
    /** errorRatio5m outside the incident (e.g. at END) and at INC1 (window inside the incident). */
    errorRatioHealthy: number;
    errorRatioIncident: number;
    /** 0.25 + 0.25·10/15 = 0.41666…, at any instant. */
    p99Latency: number;
    meanLatency: number;
    fractionUnder250ms: number;
    up: number;
    /** availability1h at END (0.98) and at INC1 (0.9, the hour is exactly the incident). */
    availability1hHealthy: number;
    availability1hIncident: number;
    /** burnRate1h at END (20) and at INC1 (100). */
    burnRate1hHealthy: number;
    burnRate1hIncident: number;
  };
}

/** 2026-01-01T00:00:00Z: fixed, so answers never depend on when the tests run. */
export const STANDARD_END = 1_767_225_600;

/**
 * The recipe's history for service="checkout" at 1 min resolution (default 2 days ending at
 * STANDARD_END): 1000 requests/min with 2% code="500" (10% during the one-hour incident that ends a
 * day before END), a latency histogram with per-minute bucket increments 0.1:900, 0.25:980,
 * 0.5:995, 1:1000, +Inf:1000 (sum +120 s/min), and a gauge `up` = 1.
 */
export function standardHistory(options: { end?: number; days?: number } = {}): StandardHistory {
  const stepSeconds = 60;
  const days = options.days ?? 2;
  const END = options.end ?? STANDARD_END;
  const START = END - days * DAY;
  const INC0 = END - DAY;
  const INC1 = INC0 + 3600;
  const errorShare = (t: number): number => (t > INC0 && t <= INC1 ? 0.1 : 0.02);
  const counter = (increment: (t: number) => number) => gridCounter(START, END, stepSeconds, increment);
  const service = { service: 'checkout' };

  const ok = counter((t) => 1000 * (1 - errorShare(t)));
  const errors = counter((t) => 1000 * errorShare(t));
  const buckets: Array<[string, number]> = [
    ['0.1', 900],
    ['0.25', 980],
    ['0.5', 995],
    ['1', 1000],
    ['+Inf', 1000],
  ];
  const series: HistorySeries[] = [
    { name: 'http_requests_total', type: 'counter', labels: { ...service, code: '200' }, valueAt: ok },
    { name: 'http_requests_total', type: 'counter', labels: { ...service, code: '500' }, valueAt: errors },
    ...buckets.map(
      ([le, perMinute]): HistorySeries => ({
        name: 'http_request_duration_seconds_bucket',
        type: 'histogram',
        labels: { ...service, le },
        valueAt: counter(() => perMinute),
      }),
    ),
    {
      name: 'http_request_duration_seconds_sum',
      type: 'histogram',
      labels: service,
      valueAt: counter(() => 120),
    },
    {
      name: 'http_request_duration_seconds_count',
      type: 'histogram',
      labels: service,
      valueAt: counter(() => 1000),
    },
    { name: 'up', type: 'gauge', labels: { ...service, job: 'checkout' }, valueAt: () => 1 },
  ];

  const sel = 'service="checkout"';
  const rate = (metric: string, extra = '') => `sum(rate(${metric}{${sel}${extra}}[5m]))`;
  const ratio1h = `sum(rate(http_requests_total{${sel},code="500"}[1h])) / sum(rate(http_requests_total{${sel}}[1h]))`;

  return {
    series,
    start: START,
    end: END,
    stepSeconds,
    START,
    END,
    INC0,
    INC1,
    queries: {
      errorRatio5m: `${rate('http_requests_total', ',code="500"')} / ${rate('http_requests_total')}`,
      p99Latency5m: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`,
      meanLatency5m: `${rate('http_request_duration_seconds_sum')} / ${rate('http_request_duration_seconds_count')}`,
      fractionUnder250ms5m: `${rate('http_request_duration_seconds_bucket', ',le="0.25"')} / ${rate('http_request_duration_seconds_count')}`,
      up: `min(up{${sel}})`,
      availability1h: `1 - (${ratio1h})`,
      burnRate1h: `(${ratio1h}) / 0.001`,
    },
    expected: {
      errorRatioHealthy: 0.02,
      errorRatioIncident: 0.1,
      p99Latency: 0.25 + (0.25 * 10) / 15,
      meanLatency: 0.12,
      fractionUnder250ms: 0.98,
      up: 1,
      // Windows ending on grid points: the same answers whether range selectors include their
      // left edge (Prometheus 2) or not (Prometheus 3).
      availability1hHealthy: 0.98,
      availability1hIncident: 0.9,
      burnRate1hHealthy: 20,
      burnRate1hIncident: 100,
    },
  };
}
