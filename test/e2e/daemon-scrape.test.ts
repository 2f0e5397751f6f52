import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningExporter } from '../support/exporter.js';
import { countersAfter, KNOWN_TRAFFIC, serviceExposition, startExporter } from '../support/exporter.js';
import { eventually, snapshot } from './daemon-support.js';
import { AUTH_INDEX, AUTH_OBS_PATH, AUTH_SPEC_PATH, makeWorkspace, startDaemon } from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
const SPEC = `# ${SPEC_ID}: Authentication

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
| Reliability | Error Rate | \`api_error_rate\` | < 5% |
| Performance | Throughput | \`api_rps\` | > 100 rps |
`;
const DATABASE = '.spec/reports/production-monitoring/.state/monitor.db';
const STAMP_MS = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('the daemon with a scrape provider against a live exporter', () => {
  let exporter: RunningExporter;
  beforeAll(async () => {
    exporter = await startExporter();
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  it('records the exact values of every cycle, one pair of scrapes per cycle, and stops on SIGTERM', async () => {
    // Scrape n sees n increases of known traffic, stamped 10 s apart: every pair gives the same exact values.
    exporter.serve((n) => serviceExposition(countersAfter(n), { timestampMs: STAMP_MS + n * 10_000 }));
    const ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: SPEC,
      [AUTH_OBS_PATH]: `provider: scrape
url: ${exporter.url}
interval: 200ms
metrics:
  - name: api_latency_p99
    query: '${KNOWN_TRAFFIC.queries.p99}'
  - name: api_error_rate
    query: '${KNOWN_TRAFFIC.queries.errorRatio}'
  - name: api_rps
    query: '${KNOWN_TRAFFIC.queries.requestRate}'
incident_command: false
`,
    });
    const daemon = startDaemon(['--spec-id', SPEC_ID, '--interval', '1', '--no-server'], { cwd: ws.root });
    try {
      await daemon.waitForLog((l) => l.event === 'spec_status' && l.to === 'healthy');
      // Two cycles recorded: 6 measurements.
      const rows = await eventually(() => {
        const { measurements } = snapshot(path.join(ws.root, DATABASE), SPEC_ID);
        return measurements.length >= 6 ? measurements : undefined;
      }, 'two cycles of measurements');
      for (const row of rows) {
        expect(row.status, `${row.metric}: ${row.reason}`).toBe('healthy');
        const expected = {
          api_latency_p99: KNOWN_TRAFFIC.p99Seconds * 1000,
          api_error_rate: KNOWN_TRAFFIC.errorRatio * 100,
          api_rps: KNOWN_TRAFFIC.requests / 10,
        }[row.metric];
        expect(row.value, row.metric).toBeCloseTo(expected!, 9);
      }
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      const recorded = snapshot(path.join(ws.root, DATABASE), SPEC_ID).measurements;
      const cycles = new Set(recorded.map((row) => row.at.getTime())).size;
      // Each recorded cycle took exactly one pair of scrapes for its three metrics (a cycle that SIGTERM
      // cut short before it recorded anything may add one more pair, or half of one).
      expect(exporter.requests.length).toBeGreaterThanOrEqual(2 * cycles);
      expect(exporter.requests.length).toBeLessThanOrEqual(2 * cycles + 2);
    } finally {
      daemon.kill('SIGKILL');
      await ws.cleanup();
    }
  });
});
