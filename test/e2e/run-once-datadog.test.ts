import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDatadog } from '../fakes/datadog.js';
import { ddReplies, ddSeries, startFakeDatadog } from '../fakes/datadog.js';
import { makeWorkspace, runCli } from './support.js';

const API_KEY = 'dd-api-3c51a0e8f7b94d21a6c0';
const APP_KEY = 'dd-app-9e4f1b27c08d4a3e95b6';
const SPEC_ID = 'spec-core-001-authentication';
const AT = 1_795_752_000; // fixed evaluation instant (Unix seconds)

/** The guide's Datadog file as written, plus the application key and a URL pointing at the fake. */
const obs = (url: string) => `provider: datadog
api_key: "{{env.DATADOG_API_KEY}}"
app_key: env:DATADOG_APP_KEY
url: ${url}
metrics:
  - name: api_latency_p99
    query: "avg:trace.rack.request.duration{service:my-api,env:prod}.p99"
  - name: api_error_rate
    query: "sum:trace.rack.request.errors{service:my-api,env:prod}.as_rate()"
`;

const SPEC = `### Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 200ms |
| Reliability | Error Rate | \`api_error_rate\` | < 0.1% |
| Availability | Uptime | \`api_uptime\` | > 99.9% |
`;

/** Every file under a folder, as text. */
async function readTree(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(path.join(e.parentPath, e.name), 'utf8')),
  );
  return texts.join('\n');
}

describe('run-once against a fake Datadog built from its documented wire format', () => {
  let dd: FakeDatadog;
  beforeAll(async () => {
    dd = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  });
  afterAll(async () => {
    await dd?.close();
  });

  async function run(env: Record<string, string> = {}) {
    const ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]: obs(dd.url),
    });
    const result = await runCli([SPEC_ID, '--at', String(AT), '--json'], {
      cwd: ws.root,
      env: { DATADOG_API_KEY: API_KEY, DATADOG_APP_KEY: APP_KEY, ...env },
    });
    const written = await readTree(path.join(ws.root, '.spec/reports')).catch(() => '');
    await ws.cleanup();
    return { ...result, written };
  }

  it('reduces the point list (last non-null), converts seconds to ms and ratios to %, and never prints a key', async () => {
    dd.reset();
    // Durations in seconds, the last point null: the last non-null value (0.35 s) counts.
    dd.respond(
      'avg:trace.rack.request.duration{service:my-api,env:prod}.p99',
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [(AT - 120) * 1000, 0.15],
            [(AT - 60) * 1000, 0.35],
            [AT * 1000, null],
          ],
        }),
      ]),
    );
    dd.respond(
      'sum:trace.rack.request.errors{service:my-api,env:prod}.as_rate()',
      ddReplies.ok([ddSeries({ pointlist: [[(AT - 60) * 1000, 0.0004]] })]),
    );
    const result = await run();
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as {
      status: string;
      metrics: Array<{ name: string; value: number; status: string; reason: string }>;
      unmonitored: Array<{ name: string }>;
    };
    const byName = Object.fromEntries(summary.metrics.map((m) => [m.name, m]));
    expect(byName.api_latency_p99).toMatchObject({ status: 'breached', value: 350 });
    expect(byName.api_latency_p99!.reason).toContain('datadog "default"');
    expect(byName.api_error_rate!.value).toBeCloseTo(0.04, 12);
    expect(byName.api_error_rate!.status).toBe('healthy');
    expect(summary.unmonitored.map((u) => u.name)).toEqual(['api_uptime']);

    // The request: path, window in seconds ending at --at (5 m default lookback), both keys.
    const request = dd.requests.find((r) => r.query.query?.startsWith('avg:'))!;
    expect(request.path).toBe('/api/v1/query');
    expect(request.query).toMatchObject({ from: String(AT - 300), to: String(AT) });
    expect(request.headers['dd-api-key']).toBe(API_KEY);
    expect(request.headers['dd-application-key']).toBe(APP_KEY);

    for (const text of [result.stdout, result.stderr, result.written]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
  });

  it('a rejected key is unknown with a message naming the key (not its value): exit 3', async () => {
    dd.reset();
    dd.respond('*', ddReplies.forbidden());
    const result = await run({ DATADOG_APP_KEY: 'dd-app-wrong-000000000000' });
    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout) as { metrics: Array<{ status: string; reason: string }> };
    for (const m of summary.metrics) {
      expect(m.status).toBe('unknown');
      expect(m.reason).toMatch(/application key|DD-APPLICATION-KEY|app_key/);
      expect(m.reason).not.toContain('dd-app-wrong');
    }
  });

  it('429 with rate-limit headers and a 5xx are retried within the timeout, then succeed', async () => {
    dd.reset();
    dd.respond(
      'avg:trace.rack.request.duration{service:my-api,env:prod}.p99',
      ddReplies.rateLimited({ resetSeconds: 0.2 }),
      ddReplies.ok([ddSeries({ pointlist: [[AT * 1000, 0.12]] })]),
    );
    dd.respond(
      'sum:trace.rack.request.errors{service:my-api,env:prod}.as_rate()',
      ddReplies.serverError(),
      ddReplies.ok([ddSeries({ pointlist: [[AT * 1000, 0]] })]),
    );
    const result = await run();
    // Both measured and within target; api_uptime has no query in the guide's file, so degraded, not healthy.
    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout) as {
      metrics: Array<{ status: string }>;
      unmonitored: Array<{ name: string; kind: string }>;
    };
    expect(summary.metrics.map((m) => m.status)).toEqual(['healthy', 'healthy']);
    expect(summary.unmonitored).toEqual([expect.objectContaining({ name: 'api_uptime', kind: 'unmapped' })]);
    // The instant queries (the objectives' range queries over the SLO window come after them).
    expect(dd.requests.filter((r) => r.query.from === String(AT - 300))).toHaveLength(4);
  });
});
