/**
 * The daemon monitoring 1,000 NFRs at a 1 s interval against a real Prometheus: resident memory and
 * CPU sampled every 10 s (RSS must stay flat), cycle figures from /metrics, and the database size per
 * million measurements. An idle Node process is sampled alongside as the baseline. Where the memory
 * is, per sample: RSS split into anonymous memory and mapped files (the node binary's code), and the
 * JS heap as V8 reports it (committed in total, in use, the new space and external memory).
 * BENCH_DAEMON_SECONDS sets the duration (default 600); BENCH_DAEMON_ENV adds variables to the daemon's
 * environment, as space-separated NAME=VALUE pairs (e.g. `MALLOC_ARENA_MAX=2`), recorded in the results.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/store/index.js';
import { freePort, standardHistory, startPrometheus } from '../test/support/prometheus.js';
import { CLI, median, PROJECT_ROOT, writeResult } from './support.js';

const SECONDS = Number(process.env.BENCH_DAEMON_SECONDS ?? 600);
const NFRS = Number(process.env.BENCH_DAEMON_NFRS ?? 1000);
const SAMPLE_MS = 10_000;
const DAEMON_ENV: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_DAEMON_ENV ?? '')
    .split(/\s+/)
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const TICKS_PER_SECOND = 100; // Linux USER_HZ

function procSample(pid: number): { rssMb: number; anonMb: number; fileMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return {
    rssMb: kb('VmRSS') / 1024,
    anonMb: kb('RssAnon') / 1024,
    fileMb: kb('RssFile') / 1024,
    cpuSeconds: ticks / TICKS_PER_SECOND,
  };
}

const history = standardHistory();
const prometheus = await startPrometheus(history);
const workspace = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-soak-'));
const specDir = path.join(workspace, 'specs/perf/spec-perf-001-soak');
await mkdir(specDir, { recursive: true });
const rows = Array.from({ length: NFRS }, (_, i) => `| Performance | Latency ${i} | \`m_${i}\` | < 500ms |`);
await writeFile(
  path.join(specDir, 'spec.md'),
  `# Soak\n\n## Non-Functional Requirements\n\n| Category | Requirement | Metric | Target |\n|---|---|---|---|\n${rows.join('\n')}\n`,
);
const metrics = Array.from({ length: NFRS }, (_, i) => `  - name: m_${i}\n    query: 'vector(0.1${i % 10})'`);
await writeFile(
  path.join(specDir, 'observability.yaml'),
  `provider: prometheus\nurl: ${prometheus.url}\nmetrics:\n${metrics.join('\n')}\n`,
);

const port = await freePort();
const daemon = spawn(
  process.execPath,
  [
    CLI,
    '--daemon',
    '--spec-id',
    'spec-perf-001-soak',
    '--interval',
    '1',
    '--listen',
    `127.0.0.1:${port}`,
    '--quiet',
  ],
  {
    cwd: workspace,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...DAEMON_ENV },
  },
);
const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
let cleaning: Promise<void> | undefined;
/** Ends the daemon, the idle process and Prometheus, and removes the workspace: once, however the run ends. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    daemon.kill('SIGKILL');
    idle.kill('SIGKILL');
    await prometheus.stop();
    await rm(workspace, { recursive: true, force: true });
  })();
  return cleaning;
}
// Interrupted (Ctrl-C, a timeout's SIGTERM): nothing left running or on disk.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(code)));
}
interface HeapFigures {
  heapUsedMb: number;
  heapTotalMb: number;
  newSpaceMb: number;
  externalMb: number;
}
const samples: ({
  t: number;
  rssMb: number;
  anonMb: number;
  fileMb: number;
  cpuSeconds: number;
  idleRssMb: number;
} & HeapFigures)[] = [];
/** The daemon's own JS heap (from its /metrics): separates a JS leak from native growth. */
async function heapFigures(): Promise<HeapFigures> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const mb = (line: string) =>
    Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} ([0-9.e+]+)$`, 'm').exec(text)?.[1]) / 1048576;
  return {
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    newSpaceMb: mb('nodejs_heap_space_size_total_bytes{space="new"}'),
    externalMb: mb('nodejs_external_memory_bytes'),
  };
}
const started = Date.now();
try {
  while (Date.now() - started < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const d = procSample(daemon.pid!);
    samples.push({
      t: (Date.now() - started) / 1000,
      ...d,
      idleRssMb: procSample(idle.pid!).rssMb,
      ...(await heapFigures()),
    });
    const s = samples.at(-1)!;
    process.stderr.write(
      `t=${s.t.toFixed(0)}s rss=${d.rssMb.toFixed(1)}MB (anon ${d.anonMb.toFixed(1)}, files ${d.fileMb.toFixed(1)}) ` +
        `heap=${s.heapUsedMb.toFixed(1)}/${s.heapTotalMb.toFixed(1)}MB new=${s.newSpaceMb.toFixed(1)}MB cpu=${d.cpuSeconds.toFixed(1)}s\n`,
    );
  }
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const figure = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1]);
  const cycles = figure('smartspec_pm_cycles_total');
  const slow = figure('smartspec_pm_cycles_slow_total');
  const durationSum = figure('smartspec_pm_cycle_duration_seconds_sum');
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));

  const dbFile = path.join(workspace, '.spec/reports/production-monitoring/.state/monitor.db');
  const store = openStore(dbFile);
  const { measurements } = store.stats();
  store.checkpoint();
  store.close();
  const dbBytes = statSync(dbFile).size;

  const warm = samples.filter((s) => s.t >= 30);
  const window = Math.max(1, Math.floor(warm.length / 5));
  const early = median(warm.slice(0, window).map((s) => s.rssMb));
  const late = median(warm.slice(-window).map((s) => s.rssMb));
  const first = warm[0] ?? samples[0]!;
  const last = samples.at(-1)!;
  const cpuShare = (last.cpuSeconds - first.cpuSeconds) / (last.t - first.t);
  const file = await writeResult('daemon-soak', {
    seconds: SECONDS,
    nfrs: NFRS,
    interval_seconds: 1,
    daemon_env: DAEMON_ENV,
    cycles,
    slow_cycles: slow,
    mean_cycle_seconds: Number((durationSum / cycles).toFixed(4)),
    rss_mb: {
      early_median: Number(early.toFixed(1)),
      late_median: Number(late.toFixed(1)),
      max: Number(Math.max(...samples.map((s) => s.rssMb)).toFixed(1)),
    },
    rss_late_vs_early: Number((late / early).toFixed(3)),
    idle_node_rss_mb: Number(median(samples.map((s) => s.idleRssMb)).toFixed(1)),
    rss_vs_idle_node: Number((late / median(samples.map((s) => s.idleRssMb))).toFixed(2)),
    cpu_share_of_one_core: Number(cpuShare.toFixed(3)),
    measurements,
    database_bytes: dbBytes,
    database_mb_per_million_measurements: Number((((dbBytes / measurements) * 1e6) / 1048576).toFixed(1)),
    // Heap in use right after a collection is the floor of the samples: flat floors mean no JS leak,
    // whatever V8 does with the heap it has reserved (it grows lazily when memory is plentiful).
    heap_used_mb_floor: {
      early: Number(Math.min(...warm.slice(0, window).map((s) => s.heapUsedMb)).toFixed(1)),
      late: Number(Math.min(...warm.slice(-window).map((s) => s.heapUsedMb)).toFixed(1)),
    },
    // Where the late RSS is: anonymous memory (JS heap, malloc) and mapped files (node's own code).
    late_median_mb: {
      rss_anonymous: Number(median(warm.slice(-window).map((s) => s.anonMb)).toFixed(1)),
      rss_files: Number(median(warm.slice(-window).map((s) => s.fileMb)).toFixed(1)),
      heap_total: Number(median(warm.slice(-window).map((s) => s.heapTotalMb)).toFixed(1)),
      heap_used: Number(median(warm.slice(-window).map((s) => s.heapUsedMb)).toFixed(1)),
      heap_new_space: Number(median(warm.slice(-window).map((s) => s.newSpaceMb)).toFixed(1)),
      external: Number(median(warm.slice(-window).map((s) => s.externalMb)).toFixed(1)),
    },
    samples_columns: [
      't_seconds',
      'rss_mb',
      'cpu_seconds',
      'heap_used_mb',
      'rss_anonymous_mb',
      'rss_files_mb',
      'heap_total_mb',
      'heap_new_space_mb',
      'external_mb',
    ],
    samples: samples.map((s) => [
      Number(s.t.toFixed(0)),
      Number(s.rssMb.toFixed(1)),
      Number(s.cpuSeconds.toFixed(1)),
      Number(s.heapUsedMb.toFixed(1)),
      Number(s.anonMb.toFixed(1)),
      Number(s.fileMb.toFixed(1)),
      Number(s.heapTotalMb.toFixed(1)),
      Number(s.newSpaceMb.toFixed(1)),
      Number(s.externalMb.toFixed(1)),
    ]),
  });
  console.log(`daemon soak → ${path.relative(PROJECT_ROOT, file)}`);
} finally {
  await cleanUp();
}
