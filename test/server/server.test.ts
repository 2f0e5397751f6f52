import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/common/clock.js';
import {
  type HistoryJson,
  type RunningServer,
  type StatusJson,
  startServer,
} from '../../src/server/index.js';
import { type FakeSource, series, specStatus } from './fixtures.js';
import { scenarioSource } from './scenario.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** Every reply of this file, so the token check can look at all of them at the end. */
const replies: Reply[] = [];

/** A raw HTTP request: the path is sent exactly as given (fetch would normalise `..` away). */
function request(
  base: string,
  rawPath: string,
  options: { method?: string; headers?: Record<string, string>; agent?: http.Agent } = {},
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const reply = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
          };
          replies.push(reply);
          resolve(reply);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const json = <T>(reply: Reply): T => JSON.parse(reply.text) as T;

const NOW = new Date('2026-11-27T05:00:00.000Z');
const fixedClock: Pick<Clock, 'now'> = { now: () => NOW };
const TOKEN = 'tok_9fQ2-very-secret-token-value-7Zp';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let tempDir: string;
let workspace: string;
let source: FakeSource;
let server: RunningServer;

const REPORT_DIR = '.spec/reports/production-monitoring/checkout';
const REPORT_FILES: Record<string, { body: Buffer; type: string }> = {
  [`${REPORT_DIR}/daily/2026-11-26.md`]: {
    body: Buffer.from('# Daily report\n\nAll good.\n'),
    type: 'text/markdown',
  },
  [`${REPORT_DIR}/daily/2026-11-26.json`]: { body: Buffer.from('{"ok":true}\n'), type: 'application/json' },
  [`${REPORT_DIR}/weekly/2026-W48.html`]: {
    body: Buffer.from('<!doctype html><h1>Week</h1>'),
    type: 'text/html',
  },
  [`${REPORT_DIR}/weekly/chart.svg`]: {
    body: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    type: 'image/svg+xml',
  },
  [`${REPORT_DIR}/weekly/chart.png`]: {
    body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 1, 2, 3]),
    type: 'image/png',
  },
};

beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'server-test-'));
  workspace = path.join(tempDir, 'workspace');
  for (const [relative, file] of Object.entries(REPORT_FILES)) {
    await mkdir(path.dirname(path.join(workspace, relative)), { recursive: true });
    await writeFile(path.join(workspace, relative), file.body);
  }
  // Files a traversal would be after: one beside the workspace, one of another kind inside it.
  await writeFile(path.join(tempDir, 'outside.md'), 'TOP-SECRET-OUTSIDE');
  await writeFile(path.join(workspace, `${REPORT_DIR}/daily/notes.txt`), 'not a report');

  source = scenarioSource({
    now: NOW,
    intervalSeconds: 60,
    workspaceRoot: workspace,
    reports: { daily: [`${REPORT_DIR}/daily/2026-11-26.md`], weekly: [`${REPORT_DIR}/weekly/2026-W48.html`] },
  });
  server = await startServer({ host: '127.0.0.1', port: 0, token: null, source }, fixedClock);
});

afterAll(async () => {
  await server?.close();
  source?.close();
  await rm(tempDir, { recursive: true, force: true });
});

describe('health and readiness', () => {
  it('/healthz answers ok', async () => {
    const reply = await request(server.url, '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.text.trim()).toBe('ok');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });

  it('/readyz is 200 when the last cycle is recent, 503 with the reason otherwise', async () => {
    const cycle = source.cycle;
    try {
      source.cycle = {
        startedAt: new Date(NOW.getTime() - 31_000),
        finishedAt: new Date(NOW.getTime() - 30_000),
        durationMs: 1000,
        slow: false,
      };
      const ready = await request(server.url, '/readyz');
      expect(ready.status).toBe(200);
      expect(json<unknown>(ready)).toEqual({
        ready: true,
        lastCycle: {
          started_at: '2026-11-27T04:59:29.000Z',
          finished_at: '2026-11-27T04:59:30.000Z',
          duration_ms: 1000,
          slow: false,
          consecutive_failures: 0,
          error: null,
        },
        ageSeconds: 30,
        maxAgeSeconds: 160,
      });

      // 2.5 × 60 s + 10 s = 160 s is the limit.
      source.cycle = { ...source.cycle, finishedAt: new Date(NOW.getTime() - 161_000) };
      const old = await request(server.url, '/readyz');
      expect(old.status).toBe(503);
      const oldBody = json<{ ready: boolean; reason: string; maxAgeSeconds: number }>(old);
      expect(oldBody.ready).toBe(false);
      expect(oldBody.maxAgeSeconds).toBe(160);
      expect(oldBody.reason).toMatch(/161 s ago/);

      source.cycle = null;
      const none = await request(server.url, '/readyz');
      expect(none.status).toBe(503);
      expect(json<{ reason: string }>(none).reason).toMatch(/no cycle/);
    } finally {
      source.cycle = cycle;
    }
  });
});

describe('/api/status', () => {
  it('returns every spec in the summary.json shape with alerts, budgets and reports', async () => {
    const reply = await request(server.url, '/api/status');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.headers['cache-control']).toBe('no-store');
    const status = json<StatusJson>(reply);
    expect(status.version).toBe('0.1.0-test');
    expect(status.interval_seconds).toBe(60);
    expect(status.generated_at).toBe(NOW.toISOString());
    expect(status.started_at).toBe(source.startedAt.toISOString());
    expect(status.last_cycle).toEqual({
      started_at: new Date(NOW.getTime() - 1200).toISOString(),
      finished_at: NOW.toISOString(),
      duration_ms: 1200,
      slow: false,
      consecutive_failures: 0,
      error: null,
    });
    expect(status.specs.map((spec) => [spec.spec_id, spec.status])).toEqual([
      ['checkout', 'healthy'],
      ['payments', 'unhealthy'],
    ]);

    const payments = status.specs[1]!;
    // The whole summary.json object is there, unchanged.
    const { alerts, budgets, reports, ...summary } = payments;
    expect(summary).toEqual(source.specList[1]!.summary);
    expect(summary.mode).toBe('daemon');
    expect(payments.metrics.find((m) => m.name === 'p99_latency')).toMatchObject({
      value: 812,
      status: 'breached',
    });
    // The inactive alert state is left out; dates are ISO strings.
    expect(alerts).toEqual([
      {
        metric: 'p99_latency',
        kind: 'slo',
        phase: 'firing',
        severity: 'SEV-2',
        since: new Date(NOW.getTime() - 50 * MINUTE).toISOString(),
        fired_at: new Date(NOW.getTime() - 50 * MINUTE).toISOString(),
        bad_cycles: 3,
        worst_value: 905,
        episode_id: 'payments/p99_latency/1',
      },
      {
        metric: 'throughput',
        kind: 'no_data',
        phase: 'pending',
        severity: null,
        since: new Date(NOW.getTime() - 25 * MINUTE).toISOString(),
        fired_at: null,
        bad_cycles: 2,
        worst_value: null,
        episode_id: null,
      },
    ]);
    expect(budgets).toEqual([
      { metric: 'error_rate', window_days: 30, remaining: 0.42, reason: null },
      { metric: 'p99_latency', window_days: 30, remaining: -0.12, reason: null },
    ]);
    expect(reports).toEqual({ daily: [], weekly: [] });
    expect(status.specs[0]!.reports.daily).toEqual([`${REPORT_DIR}/daily/2026-11-26.md`]);
  });

  it('answers 500 without details when the source fails', async () => {
    source.failing = true;
    try {
      const reply = await request(server.url, '/api/status');
      expect(reply.status).toBe(500);
      expect(json<{ error: string }>(reply).error).toBe('internal_error');
      expect(reply.text).not.toContain('/secret/path');
    } finally {
      source.failing = false;
    }
  });
});

describe('/api/history', () => {
  it('returns the series of the last 24 h by default, with unit, SLO and comparator', async () => {
    const reply = await request(server.url, '/api/history?spec=checkout&metric=p95_latency');
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    const history = json<HistoryJson>(reply);
    expect(history).toMatchObject({
      spec: 'checkout',
      metric: 'p95_latency',
      unit: 'ms',
      slo: 300,
      comparator: '<',
      hours: 24,
      from: new Date(NOW.getTime() - 24 * HOUR).toISOString(),
      to: NOW.toISOString(),
    });
    // 5-minute rows over 24 h: 288 of them, few enough to be returned as they are.
    const expected = source.rows.filter(
      (row) =>
        row.specId === 'checkout' &&
        row.metric === 'p95_latency' &&
        row.at.getTime() >= NOW.getTime() - 24 * HOUR &&
        row.at.getTime() < NOW.getTime(),
    );
    expect(history.points).toHaveLength(288);
    expect(history.points).toEqual(expected.map((row) => [row.at.getTime(), row.value, row.status]));
  });

  it('downsamples a long series to at most 600 points, keeping a spike, a gap and the worst status', async () => {
    const spikeAt = NOW.getTime() - 100 * HOUR + 17 * MINUTE;
    const gapFrom = NOW.getTime() - 40 * HOUR;
    const rows = series(
      'dense',
      'latency',
      300,
      new Date(NOW.getTime() - 7 * 24 * HOUR),
      NOW,
      MINUTE,
      (time, index) => {
        if (time === spikeAt) return { value: 5000, status: 'breached' };
        if (time >= gapFrom && time < gapFrom + 3 * MINUTE) return { value: null, status: 'unknown' };
        return { value: 150 + (index % 97), status: 'healthy' };
      },
    );
    expect(rows).toHaveLength(7 * 24 * 60);
    const dense = specStatus(
      'dense',
      [{ metric: 'latency', unit: 'ms', comparator: '<', slo: 300, value: 200, status: 'healthy' }],
      NOW,
    );
    const before = { specs: source.specList, rows: source.rows };
    source.specList = [...source.specList, dense];
    source.rows = [...source.rows, ...rows];
    try {
      const reply = await request(server.url, '/api/history?spec=dense&metric=latency&hours=168');
      expect(reply.status).toBe(200);
      const { points } = json<HistoryJson>(reply);
      expect(points.length).toBeGreaterThan(100);
      expect(points.length).toBeLessThanOrEqual(600);
      const times = points.map((point) => point[0]);
      expect(times).toEqual([...times].sort((a, b) => a - b));

      const spike = points.find((point) => point[1] === 5000);
      expect(spike).toEqual([spikeAt, 5000, 'breached']);
      const values = points.map((point) => point[1]).filter((value): value is number => value !== null);
      expect(Math.min(...values)).toBe(150);
      expect(Math.max(...values)).toBe(5000);
      // The gap survives as a null point; its bucket's other points carry the worst status.
      const gap = points.find((point) => point[1] === null);
      expect(gap).toEqual([gapFrom, null, 'unknown']);
      const unknownValues = points.filter((point) => point[1] !== null && point[2] === 'unknown');
      expect(unknownValues.length).toBeGreaterThan(0);
      expect(unknownValues.every((point) => Math.abs(point[0] - gapFrom) < 60 * MINUTE)).toBe(true);
      // The spike's bucket-mates are breached too; nothing else is.
      const breached = points.filter((point) => point[2] === 'breached');
      expect(breached.length).toBeGreaterThanOrEqual(2);
      expect(breached.every((point) => Math.abs(point[0] - spikeAt) < 60 * MINUTE)).toBe(true);
    } finally {
      source.specList = before.specs;
      source.rows = before.rows;
    }
  });

  it('caps hours at 35 days and rejects bad queries', async () => {
    const capped = await request(server.url, '/api/history?spec=checkout&metric=p95_latency&hours=100000');
    expect(capped.status).toBe(200);
    expect(json<HistoryJson>(capped).hours).toBe(840);

    for (const query of [
      '?metric=p95_latency',
      '?spec=checkout',
      '?spec=checkout&metric=p95_latency&hours=-1',
      '?spec=checkout&metric=p95_latency&hours=abc',
      '?spec=checkout&metric=p95_latency&hours=1e3',
      '?spec=checkout&metric=p95_latency&hours=Infinity',
      `?spec=${'c'.repeat(201)}&metric=p95_latency`,
    ]) {
      const reply = await request(server.url, `/api/history${query}`);
      expect(reply.status, query).toBe(400);
      const body = json<{ error: string; message: string }>(reply);
      expect(body.error).toBe('bad_request');
      expect(body.message, query).toContain('/api/history?spec=<spec id>&metric=<metric>&hours=');
    }
    expect((await request(server.url, '/api/history?spec=nope&metric=p95_latency')).status).toBe(404);
    expect((await request(server.url, '/api/history?spec=checkout&metric=nope')).status).toBe(404);
  });
});

describe('under load', () => {
  const DAY = 24 * HOUR;
  const SPIKE_AT = NOW.getTime() - 20 * DAY + 7 * MINUTE;
  let loadSource: FakeSource;
  let loaded: RunningServer;
  let loadNow = NOW;

  beforeAll(async () => {
    loadSource = scenarioSource({ now: NOW, intervalSeconds: 60 });
    // 35 days at one minute (50,400 rows): every long read below is cut into 200 buckets.
    const dense = series(
      'dense',
      'latency',
      300,
      new Date(NOW.getTime() - 35 * DAY),
      NOW,
      MINUTE,
      (time, i) =>
        time === SPIKE_AT
          ? { value: 5000, status: 'breached' }
          : { value: 150 + (i % 97), status: 'healthy' },
    );
    loadSource.rows = [...loadSource.rows, ...dense];
    loadSource.specList = [
      ...loadSource.specList,
      specStatus(
        'dense',
        [{ metric: 'latency', unit: 'ms', comparator: '<', slo: 300, value: 200, status: 'healthy' }],
        NOW,
      ),
    ];
    // A slice of 0 ms: a history read lets other requests in after every range read, so "still in
    // flight" below depends on the order of events, not on how fast this machine is.
    loaded = await startServer(
      { host: '127.0.0.1', port: 0, token: null, source: loadSource, historySliceMs: 0 },
      { now: () => loadNow },
    );
  });

  afterAll(async () => {
    await loaded?.close();
    loadSource?.close();
  });

  /** Polls `condition` every turn of the event loop; fails after a generous bound, never sleeps to hope. */
  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('answers /healthz and /readyz while long history reads and 50 page loads are still in flight', async () => {
    const specsBefore = loadSource.specsCalls;
    const readsBefore = { ...loadSource.historyReads };
    let heavyDone = 0;
    const heavy = [840, 839, 838, 837].map((hours) =>
      request(loaded.url, `/api/history?spec=dense&metric=latency&hours=${hours}`).then((reply) => {
        heavyDone++;
        return reply;
      }),
    );
    const pages = Array.from({ length: 50 }, () => request(loaded.url, '/'));
    await until(() => loadSource.historyReads.started > readsBefore.started, 'a history read to start');

    const health = await request(loaded.url, '/healthz');
    const heavyDoneAtHealth = heavyDone;
    const ready = await request(loaded.url, '/readyz');
    const heavyDoneAtReady = heavyDone;
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(heavyDoneAtHealth).toBe(0);
    expect(heavyDoneAtReady).toBeLessThan(heavy.length);

    for (const reply of await Promise.all(heavy)) {
      expect(reply.status).toBe(200);
      const { points } = json<HistoryJson>(reply);
      expect(points.length).toBeLessThanOrEqual(600);
      expect(points.length).toBeGreaterThan(300);
      expect(points.find((point) => point[1] === 5000)).toEqual([SPIKE_AT, 5000, 'breached']);
    }
    const pageReplies = await Promise.all(pages);
    const withoutNonce = (reply: Reply) => reply.text.replace(/nonce="[^"]+"/g, 'nonce=""');
    for (const reply of pageReplies) {
      expect(reply.status).toBe(200);
      expect(withoutNonce(reply)).toBe(withoutNonce(pageReplies[0]!));
    }
    // One page built for all 50: the specs gathered once, and the 24-h series of its six charts
    // read once each, besides the four long reads.
    expect(loadSource.specsCalls - specsBefore).toBe(1);
    expect(loadSource.historyReads.started - readsBefore.started).toBe(4 + 6);
    expect(loadSource.historyReads.finished).toBe(loadSource.historyReads.started);
  });

  it('builds the page and the answers again once the source changes, as after a cycle', async () => {
    const first = await request(loaded.url, '/');
    const specsBefore = loadSource.specsCalls;
    // Seconds later, before the next cycle: the same page, with this response's own answer time.
    loadNow = new Date(NOW.getTime() + 5_000);
    const again = await request(loaded.url, '/');
    expect(again.status).toBe(200);
    const status = json<StatusJson>(await request(loaded.url, '/api/status'));
    expect(status.generated_at).toBe(loadNow.toISOString());
    expect(loadSource.specsCalls).toBe(specsBefore);

    const finishedAt = new Date(NOW.getTime() - 30_000);
    loadSource.cycle = { startedAt: finishedAt, finishedAt, durationMs: 7, slow: false };
    const second = await request(loaded.url, '/');
    expect(loadSource.specsCalls).toBe(specsBefore + 1);
    const embedded = (reply: Reply) =>
      JSON.parse(
        /<script type="application\/json" id="initial-status">([^<]*)<\/script>/.exec(reply.text)![1]!,
      ) as StatusJson;
    expect(embedded(first).last_cycle?.finished_at).toBe(NOW.toISOString());
    expect(embedded(again).generated_at).toBe(loadNow.toISOString());
    expect(embedded(second).last_cycle?.finished_at).toBe(finishedAt.toISOString());
    loadNow = NOW;
  });
});

describe('/metrics', () => {
  it('serves the registry in the Prometheus text format', async () => {
    const reply = await request(server.url, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(source.registry.contentType);
    expect(reply.text).toContain('# TYPE smartspec_test_slo_value gauge');
    expect(reply.text).toContain('smartspec_test_slo_value{spec="payments",metric="p99_latency"} 812');
  });
});

describe('/reports', () => {
  it('serves each kind of report with its content type and exact bytes', async () => {
    for (const [relative, file] of Object.entries(REPORT_FILES)) {
      const urlPath = `/reports/${relative.split('/').map(encodeURIComponent).join('/')}`;
      const reply = await request(server.url, urlPath);
      expect(reply.status, relative).toBe(200);
      expect(reply.headers['content-type']?.split(';')[0]).toBe(file.type);
      expect(reply.body.equals(file.body), relative).toBe(true);
      expect(reply.headers['content-security-policy']).toContain('sandbox');
    }
  });

  it('answers 404 when the source does not know the report, or for a file that is no report', async () => {
    expect((await request(server.url, `/reports/${REPORT_DIR}/daily/2026-01-01.md`)).status).toBe(404);
    expect((await request(server.url, `/reports/${REPORT_DIR}/daily/notes.txt`)).status).toBe(404);
    expect((await request(server.url, '/reports/')).status).toBe(404);
  });

  it('refuses path traversal in every spelling before asking the source', async () => {
    const attempts = [
      '/reports/../../etc/passwd',
      '/reports/../outside.md',
      '/reports/%2e%2e/outside.md',
      '/reports/%2E%2E/%2E%2E/etc/passwd',
      '/reports/..%2foutside.md',
      '/reports/..%2Foutside.md',
      '/reports/%2e%2e%2foutside.md',
      '/reports/%252e%252e/outside.md',
      '/reports/.spec/../../outside.md',
      '/reports/..%5coutside.md',
      '/reports/..\\outside.md',
      '/reports//etc/passwd',
      '/reports/%2fetc%2fpasswd',
      '/reports/.spec/%00/outside.md',
      '/reports/./outside.md',
      '/reports/%',
    ];
    const asked = source.reportRequests.length;
    for (const attempt of attempts) {
      const reply = await request(server.url, attempt);
      expect(reply.status, attempt).toBe(404);
      expect(reply.text, attempt).not.toContain('TOP-SECRET');
      expect(reply.text, attempt).not.toContain('root:');
    }
    // The naive fake would have resolved these: the server refused them before asking.
    expect(source.reportRequests.slice(asked)).toEqual([]);
  });
});

describe('routing and headers', () => {
  it('answers 404 JSON for an unknown route and 405 for other methods', async () => {
    const unknown = await request(server.url, '/nope');
    expect(unknown.status).toBe(404);
    expect(json<{ error: string }>(unknown).error).toBe('not_found');
    expect((await request(server.url, '/api/status/')).status).toBe(404);

    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await request(server.url, '/api/status', { method });
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    const head = await request(server.url, '/healthz', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('serves the page with a per-response nonce CSP and the status embedded safely', async () => {
    const hostile = '</script><script>alert("x")</script><!--';
    const before = source.specList;
    source.specList = [
      specStatus(
        'checkout',
        [
          {
            metric: 'p95_latency',
            unit: 'ms',
            comparator: '<',
            slo: 300,
            value: 212,
            status: 'healthy',
            reason: hostile,
          },
        ],
        NOW,
      ),
    ];
    try {
      const first = await request(server.url, '/');
      const second = await request(server.url, '/');
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
      const policy = String(first.headers['content-security-policy'] ?? '');
      const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
      expect(nonce).toBeTruthy();
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).not.toMatch(/https?:|unsafe-inline|unsafe-eval|\*/);
      expect(second.headers['content-security-policy']).not.toContain(nonce!);
      // Every executable script and the style carry the nonce.
      const scripts = [...first.text.matchAll(/<script([^>]*)>/g)].map((match) => match[1]!);
      expect(scripts.filter((attributes) => !attributes.includes('application/json'))).toEqual([
        ` nonce="${nonce}"`,
      ]);
      expect(first.text).toContain(`<style nonce="${nonce}">`);
      expect(first.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(first.text).not.toMatch(/\bhttps?:\/\/(?!www\.w3\.org\/2000\/svg)/);

      expect(first.text).not.toContain(hostile);
      const embedded = /<script type="application\/json" id="initial-status">([^<]*)<\/script>/.exec(
        first.text,
      )?.[1];
      const status = JSON.parse(embedded!) as StatusJson;
      expect(status.specs[0]!.metrics[0]!.reason).toBe(hostile);
      const history = JSON.parse(
        /<script type="application\/json" id="initial-history">([^<]*)<\/script>/.exec(first.text)![1]!,
      ) as HistoryJson[];
      expect(history.map((series) => [series.spec, series.metric, series.points.length])).toEqual([
        ['checkout', 'p95_latency', 288],
      ]);
    } finally {
      source.specList = before;
    }
  });
});

describe('token', () => {
  let guarded: RunningServer;
  beforeAll(async () => {
    guarded = await startServer({ host: '127.0.0.1', port: 0, token: TOKEN, source }, fixedClock);
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('requires the bearer token on every route but /healthz', async () => {
    expect((await request(guarded.url, '/healthz')).status).toBe(200);
    for (const route of [
      '/',
      '/readyz',
      '/api/status',
      '/api/history?spec=checkout&metric=p95_latency',
      '/metrics',
      `/reports/${REPORT_DIR}/daily/2026-11-26.md`,
      '/nope',
    ]) {
      const without = await request(guarded.url, route);
      expect(without.status, route).toBe(401);
      expect(without.headers['www-authenticate']).toBe('Bearer');
      const wrong = await request(guarded.url, route, { headers: { Authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.status, route).toBe(401);
      const right = await request(guarded.url, route, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(right.status, route).toBe(route === '/nope' ? 404 : 200);
    }
  });

  it('trades ?token= on the page for an HttpOnly SameSite=Strict cookie that then opens the API', async () => {
    expect((await request(guarded.url, '/?token=wrong')).status).toBe(401);
    // ?token= is for the page only.
    expect((await request(guarded.url, `/api/status?token=${TOKEN}`)).status).toBe(401);

    const login = await request(guarded.url, `/?token=${encodeURIComponent(TOKEN)}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const setCookie = login.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    expect(cookie).not.toContain(TOKEN);

    const page = await request(guarded.url, '/', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Production monitor');
    const status = await request(guarded.url, '/api/status', { headers: { Cookie: `other=1; ${cookie}` } });
    expect(status.status).toBe(200);
    expect(json<StatusJson>(status).specs).toHaveLength(2);
    const forged = await request(guarded.url, '/api/status', {
      headers: { Cookie: `${cookie.slice(0, -2)}00` },
    });
    expect(forged.status).toBe(401);
  });
});

describe('close()', () => {
  it('closes idle keep-alive sockets, resolves, and stops accepting', async () => {
    const own = await startServer({ host: '127.0.0.1', port: 0, token: null, source }, fixedClock);
    const agent = new http.Agent({ keepAlive: true });
    try {
      expect((await request(own.url, '/healthz', { agent })).status).toBe(200);
      await own.close();
      await own.close(); // idempotent
      await expect(request(own.url, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
    }
  });

  it('refuses an empty token and reports a busy port as a user error', async () => {
    await expect(startServer({ host: '127.0.0.1', port: 0, token: '', source })).rejects.toMatchObject({
      code: 'config',
    });
    await expect(
      startServer({ host: '127.0.0.1', port: server.port, token: null, source }),
    ).rejects.toMatchObject({
      code: 'listen_failed',
    });
  });
});

describe('listener and Host header', () => {
  const ROUTES = ['/', '/api/status', '/metrics', '/readyz', `/reports/${REPORT_DIR}/daily/2026-11-26.json`];

  it('answers 421 to a Host that is not this server (DNS rebinding), on every route but /healthz', async () => {
    for (const route of ROUTES) {
      for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1.evil.example']) {
        const reply = await request(server.url, route, { headers: { Host: host } });
        expect(reply.status, `${route} with Host ${host}`).toBe(421);
        expect(json<{ error: string }>(reply).error).toBe('misdirected_request');
        expect(reply.text).not.toContain('evil.example');
      }
    }
    expect((await request(server.url, '/healthz', { headers: { Host: 'evil.example' } })).status).toBe(200);
  });

  it('answers localhost, loopback addresses and configured names', async () => {
    for (const host of ['localhost', `localhost:${server.port}`, `127.0.0.1:${server.port}`, '[::1]:9464']) {
      expect((await request(server.url, '/api/status', { headers: { Host: host } })).status).toBe(200);
    }
    const named = await startServer(
      { host: '127.0.0.1', port: 0, token: null, allowedHosts: ['Status.Example.com'], source },
      fixedClock,
    );
    try {
      const ok = await request(named.url, '/api/status', { headers: { Host: 'status.example.com:443' } });
      expect(ok.status).toBe(200);
      const other = await request(named.url, '/api/status', { headers: { Host: 'example.com' } });
      expect(other.status).toBe(421);
    } finally {
      await named.close();
    }
  });

  it('refuses to listen on every interface without a token, unless told to', async () => {
    const refused = startServer({ host: '0.0.0.0', port: 0, token: null, source }, fixedClock);
    await expect(refused).rejects.toMatchObject({ code: 'unauthenticated_listener', field: 'server.token' });
    await expect(refused).rejects.toThrow('refusing to listen on 0.0.0.0:0 without a token');
    await expect(startServer({ host: '::', port: 0, token: null, source })).rejects.toMatchObject({
      code: 'unauthenticated_listener',
    });
  });

  it("reports the address it is really bound to, and answers the machine's own addresses there", async () => {
    const open = await startServer(
      { host: '0.0.0.0', port: 0, token: null, allowUnauthenticated: true, source },
      fixedClock,
    );
    try {
      expect(open.address).toBe(`0.0.0.0:${open.port}`);
      expect(open.url).toBe(`http://127.0.0.1:${open.port}`);
      const own = Object.values(os.networkInterfaces())
        .flat()
        .find((info) => info && info.family === 'IPv4' && !info.internal);
      // Sent to loopback; only the Host header names the machine's other address.
      if (own) {
        const reply = await request(open.url, '/api/status', {
          headers: { Host: `${own.address}:${open.port}` },
        });
        expect(reply.status).toBe(200);
      }
      expect((await request(open.url, '/api/status', { headers: { Host: 'evil.example' } })).status).toBe(
        421,
      );
    } finally {
      await open.close();
    }
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
  });
});

describe('secrecy', () => {
  it('never shows the token in any response of this file', () => {
    expect(replies.length).toBeGreaterThan(50);
    for (const reply of replies) {
      expect(reply.text).not.toContain(TOKEN);
      expect(JSON.stringify(reply.headers)).not.toContain(TOKEN);
    }
  });
});
