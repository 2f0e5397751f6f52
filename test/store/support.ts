import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertPayload, AlertState } from '../../src/alerting/types.js';
import {
  type LockOwner,
  type MeasurementRow,
  type NewNotification,
  openStore,
  type Store,
} from '../../src/store/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
export const fixture = (name: string): string => join(here, 'fixtures', name);

/** A fresh temp folder per test; `cleanup` removes all of them. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(): string {
      const dir = mkdtempSync(join(tmpdir(), 'smartspec-store-'));
      made.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const T0 = new Date('2026-03-01T12:00:00.000Z');
export const at = (secondsAfterT0: number): Date => new Date(T0.getTime() + secondsAfterT0 * 1000);

export function measurement(overrides: Partial<MeasurementRow> = {}): MeasurementRow {
  const value = overrides.value === undefined ? 412.5 : overrides.value;
  return {
    at: T0,
    specId: 'checkout',
    metric: 'p95_latency',
    value,
    slo: 500,
    status: 'healthy',
    reason: `p95_latency = ${value} ms, target < 500 ms: healthy (query histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{job="checkout"}[5m])) by (le)) via prometheus "prod")`,
    ...overrides,
  };
}

export function alertState(overrides: Partial<AlertState> = {}): AlertState {
  return {
    specId: 'checkout',
    metric: 'p95_latency',
    kind: 'slo',
    phase: 'firing',
    since: new Date('2026-03-01T11:55:00.123Z'),
    badCycles: 5,
    goodCycles: 1,
    goodSince: new Date('2026-03-01T11:59:30.456Z'),
    episodeId: 'ep-7f3a',
    firedAt: new Date('2026-03-01T11:57:00.789Z'),
    lastNotifiedAt: new Date('2026-03-01T11:57:01.001Z'),
    severity: 'SEV-2',
    worstValue: 812.0625,
    ...overrides,
  };
}

export function payload(overrides: Partial<AlertPayload> = {}): AlertPayload {
  return {
    source: 'production_monitor',
    spec_id: 'checkout',
    metric: 'p95_latency',
    value: 812.0625,
    slo: 500,
    severity: 'SEV-2',
    status: 'firing',
    event: 'trigger',
    kind: 'slo',
    service: 'checkout',
    unit: 'ms',
    comparator: '<',
    target: '< 500ms',
    requirement: 'Checkout p95 latency stays under 500 ms — “fast” ✓',
    category: 'performance',
    started_at: '2026-03-01T11:55:00.123Z',
    ended_at: null,
    dedup_key: 'smartspec/checkout/p95_latency/slo',
    query: 'histogram_quantile(0.95, sum(rate(x[5m])) by (le))',
    provider: 'prod',
    reason: 'p95 812 ms > 500 ms',
    links: { report: null, status_page: 'http://127.0.0.1:9464/' },
    monitor: { name: 'smartspec-production-monitor', version: '0.1.0', host: 'test-host' },
    trigger: 'threshold',
    burn_rates: null,
    budget_remaining: null,
    window: null,
    firing_rules: [],
    ...overrides,
  };
}

export function notification(overrides: Partial<NewNotification> = {}): NewNotification {
  return {
    receiver: 'ops-webhook',
    dedupKey: 'smartspec/checkout/p95_latency/slo',
    event: 'trigger',
    payload: payload(),
    idempotencyKey: 'ops-webhook/ep-7f3a/trigger/0',
    ...overrides,
  };
}

export const self = (startedAt: Date = T0): LockOwner => ({ pid: process.pid, host: hostname(), startedAt });

/** Runs a TypeScript fixture in a real Node child process (through tsx). */
export function spawnFixture(name: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fixture(name), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code and signal once `child` has exited. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Collects a child's stdout and stderr as text. */
export function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  return { stdout: () => out, stderr: () => err };
}

/** The pid of a process that has certainly exited (and been reaped). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn node');
  await exited(child);
  return pid;
}

/** A store at `file` holding `rows`: one commitCycle per distinct time, oldest first. */
export function storeHolding(file: string, rows: readonly MeasurementRow[]): Store {
  const store = openStore(file);
  const byTime = new Map<number, MeasurementRow[]>();
  for (const row of rows) byTime.set(row.at.getTime(), [...(byTime.get(row.at.getTime()) ?? []), row]);
  for (const [time, measurements] of [...byTime].sort((a, b) => a[0] - b[0])) {
    store.commitCycle({ at: new Date(time), measurements, alertStates: [], notifications: [] });
  }
  return store;
}

type CheckoutRange = { metric: string; from: Date; to: Date };

/** Store.seriesColumns of spec `checkout` as plain rows, to compare with `measuredRows`. */
export function columnRows(store: Store, range: CheckoutRange, rowsPerRead?: number) {
  const columns = store.seriesColumns({ specId: 'checkout', ...range }, rowsPerRead);
  if (columns.at.length !== columns.length || columns.value.length !== columns.length)
    throw new Error(
      `columns of ${columns.at.length}/${columns.value.length} entries for ${columns.length} rows`,
    );
  if (columns.unknown.length !== columns.length) throw new Error('unknown flags of another length');
  return Array.from({ length: columns.length }, (_, i) => ({
    at: columns.at[i],
    value: columns.value[i],
    unknown: columns.unknown[i] === 1,
  }));
}

/** Store.measurements of spec `checkout`, as `columnRows` gives them. */
export function measuredRows(store: Store, range: CheckoutRange) {
  return store.measurements({ specId: 'checkout', ...range }).map((row) => ({
    at: row.at.getTime(),
    value: row.value ?? Number.NaN,
    unknown: row.status === 'unknown',
  }));
}
