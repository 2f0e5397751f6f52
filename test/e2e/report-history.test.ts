/**
 * `report` (the built CLI) reading a daemon's history: the figures come from the hours the daemon has
 * packed (hour columns) and from the rows after them alike, the process ends by itself once the report
 * is written, and a damaged database is a clear error with exit 2 (never a stack trace or a process
 * that hangs).
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeasurementRow } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { makeWorkspace, runCli, ERROR_RATE_AND_LATENCY_SPEC as SPEC, type Workspace } from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
const DAY = '2026-03-02';
const FROM = Date.parse(`${DAY}T00:00:00Z`);
const MINUTE = 60_000;
const DATABASE = '.spec/reports/production-monitoring/.state/monitor.db';

/** A loopback port nothing listens on: the backfill of the previous day fails, and is only recorded. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const workspaces: Workspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((ws) => ws.cleanup()));
});

/**
 * A workspace whose daemon history holds every minute of DAY for both metrics, its first 13 hours
 * summarized and packed as the daemon's housekeeping does (the ten bad minutes at 12:00 among them).
 */
async function workspaceWithHistory(): Promise<{ ws: Workspace; database: string }> {
  const port = await closedPort();
  const ws = await makeWorkspace({
    [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
    [`specs/core/${SPEC_ID}/observability.yaml`]: `provider: prometheus
url: http://127.0.0.1:${port}
metrics:
  - name: api_error_rate
    query: 'sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))'
  - name: api_latency_p99
    query: 'histogram_quantile(0.99, sum by (le) (rate(latency_seconds_bucket[5m])))'
reports:
  weekly: false
`,
  });
  workspaces.push(ws);
  const database = path.join(ws.root, DATABASE);
  const store = openStore(database);
  for (let minute = 0; minute < 1440; minute++) {
    const at = new Date(FROM + minute * MINUTE);
    // Ten minutes of errors above 5 % at 12:00; latency always 120 ms.
    const errorRate = minute >= 720 && minute < 730 ? 8 : 0.5;
    const row = (metric: string, value: number, slo: number): MeasurementRow => ({
      at,
      specId: SPEC_ID,
      metric,
      value,
      slo,
      status: value < slo ? 'healthy' : 'breached',
      reason: `${metric} = ${value}`,
    });
    store.commitCycle({
      at,
      measurements: [row('api_error_rate', errorRate, 5), row('api_latency_p99', 120, 500)],
      alertStates: [],
      notifications: [],
    });
  }
  const summarized = store.summarizeHours(new Date(FROM + 13 * 60 * MINUTE));
  while (!summarized.next().done) {}
  store.checkpoint();
  store.close();
  return { ws, database };
}

interface MetricJson {
  name: string;
  source: string;
  samples: number;
  breached_samples: number;
  stats: { max: number; p50: number };
}

describe("`report` reads the daemon's history", () => {
  it('the figures of a day come from its packed hours and its rows; the process ends once the report is written', async () => {
    const { ws } = await workspaceWithHistory();
    const result = await runCli(['report', SPEC_ID, '--period', 'daily', '--date', DAY, '--no-aggregator'], {
      cwd: ws.root,
    });
    expect(result.stderr).not.toMatch(/error|\n\s+at /);
    expect(result.code).toBe(0);
    const json = JSON.parse(
      await readFile(
        path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'daily', `${DAY}.json`),
        'utf8',
      ),
    ) as { metrics: MetricJson[] };
    const errors = json.metrics.find((m) => m.name === 'api_error_rate')!;
    expect(errors).toMatchObject({ source: 'history', samples: 1440, breached_samples: 10 });
    expect(errors.stats.max).toBe(8);
    const latency = json.metrics.find((m) => m.name === 'api_latency_p99')!;
    expect(latency).toMatchObject({ source: 'history', samples: 1440, breached_samples: 0 });
    expect(latency.stats.p50).toBe(120);
  });

  it('a database damaged where the rows are: exit 2 naming the file and what to do, no stack trace', async () => {
    const { ws, database } = await workspaceWithHistory();
    // The schema at the file's start stays sound, so the file opens; the rows after it do not read.
    const size = statSync(database).size;
    const half = Math.floor(size / 4096 / 2) * 4096;
    const fd = openSync(database, 'r+');
    writeSync(fd, Buffer.alloc(size - half, 0x5a), 0, size - half, half);
    closeSync(fd);
    const result = await runCli(['report', SPEC_ID, '--period', 'daily', '--date', DAY, '--no-aggregator'], {
      cwd: ws.root,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: database ${database} is damaged: database disk image is malformed`,
    );
    expect(result.stderr).toContain(
      'hint: stop the daemon, move the file (with its -wal and -shm files) aside',
    );
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
