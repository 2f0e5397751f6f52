/**
 * `--run-once` of the example spec against a local Prometheus: wall time and peak RSS, next to two
 * baselines measured in the same run, as ratios (the machines are shared and noisy): `node -e 0`, and
 * what a shell script would do instead, `promtool query instant` of the same queries one after another
 * (wall time of all of them; peak RSS of the largest, through /usr/bin/time when present).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { standardHistory, startPrometheus } from '../test/support/prometheus.js';
import { CLI, type Measured, measureNode, median, PROJECT_ROOT, writeResult } from './support.js';

const SPEC_FOLDER = 'examples/workspace/specs/core/spec-core-001-authentication';
const GNU_TIME = '/usr/bin/time';

/** One `promtool query instant` (a Go binary: no runtime to start), with its peak RSS when measurable. */
function promtoolQuery(url: string, query: string, at: number): Promise<Measured> {
  const args = ['query', 'instant', `--time=${at}`, url, query];
  const [command, argv] = existsSync(GNU_TIME)
    ? [GNU_TIME, ['-f', 'BENCH_MAX_RSS_KB %M', 'promtool', ...args]]
    : ['promtool', args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const match = /BENCH_MAX_RSS_KB (\d+)/.exec(stderr);
      resolve({ wallMs, maxRssKb: match ? Number(match[1]) : Number.NaN, code });
    });
  });
}

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const history = standardHistory();
const prometheus = await startPrometheus(history);
const workspace = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-bench-'));
try {
  await cp(path.join(PROJECT_ROOT, 'examples/workspace'), workspace, { recursive: true });
  const env = { PROMETHEUS_URL: prometheus.url };
  const mapping = parse(
    await readFile(path.join(PROJECT_ROOT, SPEC_FOLDER, 'observability.yaml'), 'utf8'),
  ) as {
    metrics: { query: string }[];
  };
  const queries = mapping.metrics.map((m) => m.query);
  const promtool: { wallMs: number; maxRssKb: number }[] = [];
  const baseline: { wallMs: number; maxRssKb: number }[] = [];
  const runOnce: { wallMs: number; maxRssKb: number }[] = [];
  const help: { wallMs: number; maxRssKb: number }[] = [];
  // Interleaved so that noise from other work on the machine hits all three alike.
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await measureNode(['-e', '0'], { cwd: workspace }));
    const run = await measureNode(
      [CLI, 'spec-core-001-authentication', '--at', String(history.END), '--quiet'],
      { cwd: workspace, env },
    );
    if (run.code !== 0) throw new Error(`run-once exited ${run.code}`);
    runOnce.push(run);
    help.push(await measureNode([CLI, '--help'], { cwd: workspace }));
    const each: Measured[] = [];
    for (const query of queries) {
      const one = await promtoolQuery(prometheus.url, query, history.END);
      if (one.code !== 0) throw new Error(`promtool exited ${one.code}`);
      each.push(one);
    }
    promtool.push({
      wallMs: each.reduce((sum, one) => sum + one.wallMs, 0),
      maxRssKb: Math.max(...each.map((one) => one.maxRssKb)),
    });
  }
  const summarize = (xs: { wallMs: number; maxRssKb: number }[]) => ({
    wall_ms_median: Number(median(xs.map((x) => x.wallMs)).toFixed(1)),
    max_rss_mb_median: Number((median(xs.map((x) => x.maxRssKb)) / 1024).toFixed(1)),
  });
  const b = summarize(baseline);
  const r = summarize(runOnce);
  const h = summarize(help);
  const p = summarize(promtool);
  const file = await writeResult('run-once', {
    runs: RUNS,
    spec: 'examples/workspace spec-core-001-authentication (4 monitored NFRs, 1 unmonitored), real Prometheus 2.42 on loopback',
    baseline_node_e_0: b,
    baseline_promtool_sequential: { queries: queries.length, ...p },
    run_once: r,
    help: h,
    ratios: {
      run_once_wall_vs_node: Number((r.wall_ms_median / b.wall_ms_median).toFixed(2)),
      run_once_rss_vs_node: Number((r.max_rss_mb_median / b.max_rss_mb_median).toFixed(2)),
      run_once_wall_vs_promtool: Number((r.wall_ms_median / p.wall_ms_median).toFixed(2)),
      run_once_rss_vs_promtool: Number((r.max_rss_mb_median / p.max_rss_mb_median).toFixed(2)),
      help_wall_vs_node: Number((h.wall_ms_median / b.wall_ms_median).toFixed(2)),
    },
    run_once_overhead_ms: Number((r.wall_ms_median - b.wall_ms_median).toFixed(1)),
  });
  console.log(
    `run-once: ${JSON.stringify({ baseline: b, promtool: p, run_once: r, help: h })} → ${path.relative(PROJECT_ROOT, file)}`,
  );
} finally {
  await prometheus.stop();
  await rm(workspace, { recursive: true, force: true });
}
