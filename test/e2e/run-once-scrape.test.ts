import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningExporter, ServiceCounters } from '../support/exporter.js';
import { KNOWN_TRAFFIC, serviceExposition, startExporter } from '../support/exporter.js';
import type { Workspace } from './support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC_PATH, CLI, makeWorkspace, runCli } from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
const SPEC = `# ${SPEC_ID}: Authentication

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
| Reliability | Error Rate | \`api_error_rate\` | < 5% |
| Performance | Throughput | \`api_rps\` | > 100 rps |
`;
const { queries } = KNOWN_TRAFFIC;
/** The exporter stamps its samples 10 s apart, so the rates are exact whatever the real interval. */
const FIRST_STAMP_MS = Date.UTC(2026, 0, 5, 12, 0, 0);
const SECOND_STAMP_MS = FIRST_STAMP_MS + 10_000;

interface MetricJson {
  name: string;
  status: string;
  value: number | null;
  reason: string;
  provider: string;
  provider_type: string;
}

function obsYaml(url: string, metrics = defaultMetrics()): string {
  return `provider: scrape
url: ${url}
interval: 200ms
metrics:
${metrics}`;
}

function defaultMetrics(requestRate = queries.requestRate): string {
  return `  - name: api_latency_p99
    query: '${queries.p99}'
  - name: api_error_rate
    query: '${queries.errorRatio}'
  - name: api_rps
    query: '${requestRate}'
`;
}

describe('run-once with a scrape provider against a live exporter on loopback', () => {
  let exporter: RunningExporter;
  let ws: Workspace | undefined;

  beforeAll(async () => {
    exporter = await startExporter();
  });
  afterAll(async () => {
    await exporter?.stop();
  });
  afterEach(async () => {
    await ws?.cleanup();
    ws = undefined;
  });

  async function runOnce(second: ServiceCounters | string, obs = obsYaml(exporter.url)) {
    exporter.serve([
      serviceExposition(KNOWN_TRAFFIC.first, { timestampMs: FIRST_STAMP_MS }),
      typeof second === 'string' ? second : serviceExposition(second, { timestampMs: SECOND_STAMP_MS }),
    ]);
    ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: SPEC,
      [AUTH_OBS_PATH]: obs,
    });
    // The CLI waits the 200 ms interval itself; the test only waits for the process to end.
    const result = await runCli([SPEC_ID, '--json'], { cwd: ws.root });
    const byName = () => {
      const summary = JSON.parse(result.stdout) as { status: string; metrics: MetricJson[] };
      return { status: summary.status, ...Object.fromEntries(summary.metrics.map((m) => [m.name, m])) } as {
        status: string;
      } & Record<string, MetricJson>;
    };
    return { result, byName };
  }

  it('gives exact p99 latency, error rate and request rate from two scrapes: healthy, exit 0', async () => {
    const { result, byName } = await runOnce(KNOWN_TRAFFIC.second);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const metrics = byName();
    expect(metrics.status).toBe('healthy');
    expect(metrics.api_latency_p99!.value).toBeCloseTo(KNOWN_TRAFFIC.p99Seconds * 1000, 9);
    expect(metrics.api_latency_p99).toMatchObject({
      status: 'healthy',
      provider: 'default',
      provider_type: 'scrape',
    });
    expect(metrics.api_error_rate!.value).toBeCloseTo(KNOWN_TRAFFIC.errorRatio * 100, 9);
    expect(metrics.api_error_rate!.status).toBe('healthy');
    expect(metrics.api_rps!.value).toBeCloseTo(KNOWN_TRAFFIC.requests / 10, 9);
    expect(metrics.api_rps!.status).toBe('healthy');
    // Three metrics, one pair of scrapes.
    expect(exporter.requests).toHaveLength(2);
    expect(exporter.requests[0]!.accept).toContain('application/openmetrics-text');
  });

  it('reads through a counter reset between the scrapes to the same exact values', async () => {
    const { result, byName } = await runOnce(KNOWN_TRAFFIC.secondAfterReset);
    expect(result.code).toBe(0);
    const metrics = byName();
    expect(metrics.api_latency_p99!.value).toBeCloseTo(KNOWN_TRAFFIC.p99Seconds * 1000, 9);
    expect(metrics.api_error_rate!.value).toBeCloseTo(KNOWN_TRAFFIC.errorRatio * 100, 9);
    expect(metrics.api_rps!.value).toBeCloseTo(KNOWN_TRAFFIC.requests / 10, 9);
  });

  it('breaches when errors between the scrapes pass the target: exit 1', async () => {
    const second = KNOWN_TRAFFIC.second;
    const { result, byName } = await runOnce({
      ...second,
      a: { ...second.a!, errors: second.a!.errors + 140 },
    });
    expect(result.code).toBe(1);
    const metrics = byName();
    expect(metrics.status).toBe('unhealthy');
    expect(metrics.api_error_rate!.value).toBeCloseTo((200 / 2140) * 100, 9);
    expect(metrics.api_error_rate!.status).toBe('breached');
    expect(metrics.api_rps!.value).toBeCloseTo(214, 9);
    expect(metrics.api_latency_p99!.status).toBe('healthy');
  });

  it('makes a broken exposition unknown with the reason, never healthy', async () => {
    const valid = serviceExposition(KNOWN_TRAFFIC.second);
    const brokenLine = valid.split('\n').length;
    const broken = `${valid}http_requests_total{code="200" 7\n`;
    const { result, byName } = await runOnce(broken);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const metrics = byName();
    for (const name of ['api_latency_p99', 'api_error_rate', 'api_rps']) {
      expect(metrics[name]).toMatchObject({ status: 'unknown', value: null });
      expect(metrics[name]!.reason).toContain(`not a valid Prometheus text exposition: line ${brokenLine}:`);
      expect(metrics[name]!.reason).toContain('scrape "default"');
    }
    // Degraded: nothing breached, but nothing could be measured either.
    expect(result.code).toBe(3);
    expect(metrics.status).toBe('degraded');
  });

  it('refuses a query outside the subset as a config error naming the function and the line: exit 2', async () => {
    const obs = obsYaml(
      exporter.url,
      defaultMetrics('sum(rate(http_requests_total[1m])) + predict_linear(x[5m], 60)'),
    );
    const { result } = await runOnce(KNOWN_TRAFFIC.second, obs);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('`predict_linear` is not supported by the scrape provider');
    // The mapping of api_rps starts on line 9 of observability.yaml.
    expect(result.stderr).toMatch(/observability\.yaml:9:1: metrics\[2\]\.query: metric "api_rps"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(exporter.requests).toHaveLength(0);

    const validated = await runCli(['validate', SPEC_ID], { cwd: ws!.root });
    expect(validated.code).toBe(2);
    expect(validated.stdout + validated.stderr).toContain(
      '`predict_linear` is not supported by the scrape provider',
    );
    expect(validated.stdout).toMatch(/observability\.yaml:9:1: error: metrics\[2\]\.query/);
  });
});

describe('start-up of the built CLI', () => {
  it('loads the PromQL grammar only when a scrape query is evaluated or checked, not with the provider', () => {
    const dir = path.dirname(CLI);
    const chunks = readdirSync(dir).filter((name) => name.endsWith('.js'));
    const text = (name: string) => readFileSync(path.join(dir, name), 'utf8');
    const staticImports = (name: string) =>
      [...text(name).matchAll(/^import\s*(?:[^'"]*?from\s*)?["']\.\/([^"']+)["']/gm)].map((m) => m[1]!);
    const reachable = (start: string[]) => {
      const seen = new Set<string>();
      const queue = [...start];
      for (let name = queue.shift(); name; name = queue.shift()) {
        if (seen.has(name)) continue;
        seen.add(name);
        queue.push(...staticImports(name));
      }
      return seen;
    };
    // @lezer/lr's parser class: in exactly one chunk, loaded by import() where needed.
    const grammar = chunks.filter((name) => /\bLRParser = class\b/.test(text(name)));
    expect(grammar).toHaveLength(1);
    const providerChunks = chunks.filter((name) => text(name).includes('keeps no history'));
    expect(providerChunks.length).toBeGreaterThan(0);
    const eager = reachable(['main.js', ...providerChunks]);
    expect([...eager].filter((name) => grammar.includes(name))).toEqual([]);
  });
});
