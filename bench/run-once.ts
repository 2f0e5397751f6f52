/**
 * `--run-once` of a three-NFR spec against a local Prometheus: wall time and peak RSS, next to
 * `node -e 0` measured in the same run, as ratios (the machines are shared and noisy).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { standardHistory, startPrometheus } from '../test/support/prometheus.js';
import { CLI, measureNode, median, PROJECT_ROOT, writeResult } from './support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const history = standardHistory();
const prometheus = await startPrometheus(history);
const workspace = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-bench-'));
try {
  await cp(path.join(PROJECT_ROOT, 'examples/workspace'), workspace, { recursive: true });
  const env = { PROMETHEUS_URL: prometheus.url };
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
  }
  const summarize = (xs: { wallMs: number; maxRssKb: number }[]) => ({
    wall_ms_median: Number(median(xs.map((x) => x.wallMs)).toFixed(1)),
    max_rss_mb_median: Number((median(xs.map((x) => x.maxRssKb)) / 1024).toFixed(1)),
  });
  const b = summarize(baseline);
  const r = summarize(runOnce);
  const h = summarize(help);
  const file = await writeResult('run-once', {
    runs: RUNS,
    spec: 'examples/workspace spec-core-001-authentication (4 monitored NFRs, 1 unmonitored), real Prometheus 2.42 on loopback',
    baseline_node_e_0: b,
    run_once: r,
    help: h,
    ratios: {
      run_once_wall_vs_node: Number((r.wall_ms_median / b.wall_ms_median).toFixed(2)),
      run_once_rss_vs_node: Number((r.max_rss_mb_median / b.max_rss_mb_median).toFixed(2)),
      help_wall_vs_node: Number((h.wall_ms_median / b.wall_ms_median).toFixed(2)),
    },
    run_once_overhead_ms: Number((r.wall_ms_median - b.wall_ms_median).toFixed(1)),
  });
  console.log(
    `run-once: ${JSON.stringify({ baseline: b, run_once: r, help: h })} → ${path.relative(PROJECT_ROOT, file)}`,
  );
} finally {
  await prometheus.stop();
  await rm(workspace, { recursive: true, force: true });
}
