/**
 * Scene 1: starts a real Prometheus with a generated history (2% errors, a one-hour incident at 10%, p99
 * latency 417 ms), copies examples/workspace to a temporary folder and runs the built CLI against it twice.
 * Scene 2: the same spec measured in a real InfluxDB 1.x (examples/influxdb/observability.yaml), when
 * influxd is installed.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GAUGE_END, GAUGE_INC1, influxLines } from '../test/support/gauge-history.js';
import { influxdbSkipReason, startInfluxdb } from '../test/support/influxdb.js';
import { standardHistory, startPrometheus } from '../test/support/prometheus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const history = standardHistory();
const prometheus = await startPrometheus(history);
const workspace = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-demo-'));
try {
  await cp(path.join(root, 'examples/workspace'), workspace, { recursive: true });
  const run = (
    title: string,
    at: number,
    env: Record<string, string> = { PROMETHEUS_URL: prometheus.url },
  ) => {
    console.log(
      `\n$ smartspec-production-monitor --spec-id spec-core-001-authentication --at ${new Date(at * 1000).toISOString()}   # ${title}`,
    );
    const result = spawnSync(
      process.execPath,
      [path.join(root, 'dist/cli/main.js'), '--spec-id', 'spec-core-001-authentication', '--at', String(at)],
      { cwd: workspace, stdio: 'inherit', env: { ...process.env, ...env } },
    );
    console.log(`exit code ${result.status}`);
  };
  run('a normal hour', history.END);
  run('during the incident', history.INC1);
  await prometheus.stop();

  const skipInflux = influxdbSkipReason();
  if (skipInflux) {
    console.log(`\nScene 2 (InfluxDB) ${skipInflux}`);
  } else {
    console.log(
      '\n== Scene 2: the same spec measured in InfluxDB 1.x (examples/influxdb/observability.yaml)',
    );
    const password = randomBytes(12).toString('hex');
    const influx = await startInfluxdb({
      username: 'monitor',
      password,
      database: 'app',
      lines: influxLines(),
    });
    try {
      const spec = path.join(workspace, 'specs/core/spec-core-001-authentication');
      await copyFile(
        path.join(root, 'examples/influxdb/observability.yaml'),
        path.join(spec, 'observability.yaml'),
      );
      const env = { INFLUX_URL: influx.url, INFLUX_PASSWORD: password };
      run('InfluxDB: a normal hour', GAUGE_END, env);
      run('InfluxDB: during the incident', GAUGE_INC1, env);
    } finally {
      await influx.stop();
    }
  }
  console.log(
    `\nReports were written under ${path.join(workspace, '.spec/reports/production-monitoring')} (removed now).`,
  );
} finally {
  await prometheus.stop();
  await rm(workspace, { recursive: true, force: true });
}
