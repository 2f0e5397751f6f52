/**
 * The daemon's database failing under it, with the built CLI as a real process against a real
 * Prometheus: a file damaged while the daemon runs (readiness, metrics, the "monitoring is blind"
 * alert through the receivers that still work, and a restart refused with what to do), and a file
 * deleted while the daemon runs (it stops, so that two daemons never share the workspace).
 *
 * The clock replays the standard history (`--replay-speed 600`: one 60 s cycle every 0.1 s).
 */
import { open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import type { ScriptedReceiver } from './daemon-support.js';
import {
  DATABASE,
  eventually,
  filesContaining,
  sampleValue,
  startScriptedReceiver,
} from './daemon-support.js';
import type { DaemonProcess, Workspace } from './support.js';
import { makeWorkspace, runCli, ERROR_RATE_AND_LATENCY_SPEC as SPEC, startDaemon } from './support.js';

const skip = prometheusSkipReason();
const history = standardHistory();
const SPEC_ID = 'spec-core-001-authentication';
const METRICS = ['api_error_rate', 'api_latency_p99'];

function obsYaml(prometheusUrl: string, hookUrl: string): string {
  return `provider: prometheus
url: ${prometheusUrl}
metrics:
  - name: api_error_rate
    query: '${history.queries.errorRatio5m}'
  - name: api_latency_p99
    query: '${history.queries.p99Latency5m}'
alerting:
  for: 2
  resolve_after: 3
  no_data_for: 3m
incident_command: false
receivers:
  - type: webhook
    name: hook
    url: ${hookUrl}
reports:
  daily: false
  weekly: false
`;
}

const replayArgs = (from: number, extra: string[], speed = 600) => [
  '--spec-id',
  SPEC_ID,
  '--interval',
  '60',
  '--replay-from',
  new Date(from * 1000).toISOString(),
  '--replay-speed',
  String(speed),
  ...extra,
];

/**
 * Damages the database as a failing disk would: every page after the first overwritten, the
 * write-ahead log checkpointed into the file first (so nothing sound is left in it) and the shared
 * WAL index cleared (so the daemon's connection cannot go on from its cache).
 */
async function damage(file: string): Promise<void> {
  const db = new Database(file, { timeout: 10_000 });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const { size } = await stat(file);
  const handle = await open(file, 'r+');
  await handle.write(Buffer.alloc(size - 4096, 0x5a), 0, size - 4096, 4096);
  await handle.close();
  const shm = await open(`${file}-shm`, 'r+').catch(() => null);
  if (shm) {
    await shm.write(Buffer.alloc(136, 0), 0, 136, 0);
    await shm.close();
  }
}

describe.skipIf(skip !== null)('the daemon when its database fails (real processes, real Prometheus)', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(history);
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const daemon = (args: string[], ws: Workspace): DaemonProcess => {
    const started = startDaemon(args, { cwd: ws.root });
    cleanups.push(() => started.kill('SIGKILL'));
    return started;
  };
  const setUp = async (): Promise<{ ws: Workspace; hook: ScriptedReceiver; file: string }> => {
    const hook = await startScriptedReceiver({ kind: 'ok' });
    cleanups.push(() => hook.close());
    const ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]: obsYaml(prometheus.url, hook.url),
    });
    cleanups.push(() => ws.cleanup());
    return { ws, hook, file: path.join(ws.root, DATABASE) };
  };

  it('a database damaged while running: not ready, unknown, a blind alert through the receivers that work; a restart is refused (exit 2)', async () => {
    const { ws, hook, file } = await setUp();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // 120×: readiness is judged on the daemon's clock, and at 600× a cycle slowed down by a loaded
    // machine would already read as stale (2.5 intervals are 0.25 s of real time there).
    const run = daemon(replayArgs(history.END - 7200, ['--listen', `127.0.0.1:${port}`], 120), ws);
    await run.waitForLog((l) => l.event === 'spec_status' && l.to === 'healthy');
    await eventually(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), '/readyz 200');
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/smartspec_pm_slo_healthy\{[^}]*\} 1/);

    await damage(file);
    const failedFrom = run.logs.length;
    await run.waitForLog((l) => l.event === 'cycle_failed');

    // Two failed cycles in a row: not ready, and the reason says why.
    const readyz = await eventually(async () => {
      const response = await fetch(`${base}/readyz`);
      const body = response.status === 503 ? ((await response.json()) as { reason: string }) : undefined;
      return body?.reason.includes('cycles failed') ? body : undefined;
    }, '/readyz to answer 503 for the failed cycles');
    expect(readyz.reason).toMatch(/^the last \d+ cycles failed/);
    expect(readyz.reason).toContain('is damaged');

    // Nothing reads as healthy; the failures are counted; the last success stops moving.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).not.toMatch(/smartspec_pm_slo_healthy\{[^}]*\} 1/);
    for (const metric of METRICS) {
      expect(metrics).toMatch(new RegExp(`smartspec_pm_slo_unknown\\{[^}]*metric="${metric}"\\} 1`));
    }
    expect(sampleValue(metrics, 'smartspec_pm_cycles_failed_total')).toBeGreaterThanOrEqual(2);
    const lastSuccess = sampleValue(metrics, 'smartspec_pm_last_success_timestamp_seconds');
    const lastCycle = sampleValue(metrics, 'smartspec_pm_last_cycle_timestamp_seconds');
    expect(lastSuccess).not.toBeNull();
    expect(lastCycle! - lastSuccess!).toBeGreaterThanOrEqual(60);

    // After no_data_for (3 min of daemon time) of failed cycles, every metric's blind alert reaches
    // the webhook, although the outbox that normally carries it is in the damaged file.
    for (const metric of METRICS) {
      const blind = await hook.waitFor((n) => n.kind === 'no_data' && n.body.metric === metric);
      expect(blind.body).toMatchObject({
        event: 'trigger',
        status: 'firing',
        value: null,
        severity: 'SEV-4',
      });
      expect(String(blind.body.reason)).toContain('monitoring is blind');
    }
    // The always-on alert file receiver took its copies too.
    const alerts = path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'alerts');
    await eventually(
      async () =>
        (await filesContaining(alerts, 'monitoring is blind')).length === METRICS.length ? true : undefined,
      'an alert file per metric',
    );
    expect(run.logs.slice(failedFrom).some((l) => l.event === 'monitoring_blind')).toBe(true);
    // Only the blind alerts were sent, each once per metric.
    expect(hook.received.map((n) => `${n.body.metric} ${n.kind} ${n.event}`).sort()).toEqual(
      METRICS.map((m) => `${m} no_data trigger`),
    );

    // A stop is still clean.
    run.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    // A restart on the damaged file: exit 2, naming the file and what to do; never a stack trace.
    const restart = await runCli(['--daemon', ...replayArgs(history.END - 3600, ['--no-server'])], {
      cwd: ws.root,
    });
    expect(restart.code).toBe(2);
    expect(restart.stderr).toContain(`database ${file} is damaged`);
    expect(restart.stderr).toMatch(/hint: stop the daemon, move the file .* aside/);
    expect(restart.stderr).not.toMatch(/\n\s+at /);
  });

  it('a database deleted while running: the daemon stops (exit 2) instead of writing to the deleted file; a new one then runs alone', async () => {
    const { ws, hook, file } = await setUp();
    // Before the incident: the breach comes later, to the daemon that owns the workspace.
    const first = daemon(replayArgs(history.INC0 - 1800, ['--no-server']), ws);
    await first.waitForLog((l) => l.event === 'spec_status' && l.to === 'healthy');
    for (const suffix of ['', '-wal', '-shm']) await rm(`${file}${suffix}`, { force: true });

    const lost = await first.waitForLog((l) => l.event === 'database_lost');
    expect(lost.msg).toBe(`database ${file} was deleted while the daemon was using it: stopping`);
    expect(String(lost.hint)).toContain('start the daemon again');
    expect(await first.exited).toBe(2);
    expect(first.stderr()).toContain('was deleted while the daemon was using it');
    expect(first.stderr()).not.toMatch(/\n\s+at /);

    // The next daemon creates a new database and runs the incident alone: one trigger, once.
    const second = daemon(replayArgs(history.INC0 - 300, ['--no-server']), ws);
    await second.waitForLog((l) => l.event === 'alert_trigger' && l.msg === 'api_error_rate slo trigger');
    await hook.waitFor((n) => n.event === 'trigger' && n.answered === 200);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const triggers = hook.received.filter((n) => n.event === 'trigger');
    expect(triggers).toHaveLength(1);
  });
});
