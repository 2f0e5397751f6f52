/**
 * Starts a real Prometheus with a generated history (2% errors, a one-hour incident at 10%, p99 latency
 * 417 ms), copies examples/workspace to a temporary folder and runs the built CLI against it twice.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { standardHistory, startPrometheus } from '../test/support/prometheus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const history = standardHistory();
const prometheus = await startPrometheus(history);
const workspace = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-demo-'));
try {
  await cp(path.join(root, 'examples/workspace'), workspace, { recursive: true });
  const run = (title: string, at: number) => {
    console.log(
      `\n$ smartspec-production-monitor --spec-id spec-core-001-authentication --at ${new Date(at * 1000).toISOString()}   # ${title}`,
    );
    const result = spawnSync(
      process.execPath,
      [path.join(root, 'dist/cli/main.js'), '--spec-id', 'spec-core-001-authentication', '--at', String(at)],
      { cwd: workspace, stdio: 'inherit', env: { ...process.env, PROMETHEUS_URL: prometheus.url } },
    );
    console.log(`exit code ${result.status}`);
  };
  run('a normal hour', history.END);
  run('during the incident', history.INC1);
  console.log(
    `\nReports were written under ${path.join(workspace, '.spec/reports/production-monitoring')} (removed now).`,
  );
} finally {
  await prometheus.stop();
  await rm(workspace, { recursive: true, force: true });
}
