import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import {
  installFakeAggregator,
  makeWorkspace,
  runCli,
  ERROR_RATE_AND_LATENCY_SPEC as SPEC,
  startDaemon,
} from './support.js';

const skip = prometheusSkipReason();
const history = standardHistory();
const SPEC_ID = 'spec-core-001-authentication';
const obs = (url: string) => `provider: prometheus
url: ${url}
metrics:
  - name: api_error_rate
    query: '${history.queries.errorRatio5m}'
  - name: api_latency_p99
    query: '${history.queries.p99Latency5m}'
reports:
  weekly: false
`;
/** The UTC day that holds the one-hour incident (INC0, INC1]. */
const INCIDENT_DAY = new Date(history.INC0 * 1000).toISOString().slice(0, 10);

interface MetricJson {
  name: string;
  samples: number;
  compliance: number;
  source: string;
  episodes: Array<{ worst_value: number }>;
  stats: { p50: number; max: number };
}

describe.skipIf(skip !== null)('performance reports from a real Prometheus history', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(history);
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('`report` on the first day of monitoring: every figure backfilled from the backend, aggregator called', async () => {
    const ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]: obs(prometheus.url),
    });
    try {
      const aggregator = await installFakeAggregator(ws.root);
      const result = await runCli(['report', SPEC_ID, '--period', 'daily', '--date', INCIDENT_DAY], {
        cwd: ws.root,
        env: { PATH: `${aggregator.pathDir}:${process.env.PATH}` },
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`daily ${INCIDENT_DAY}`);
      const dir = path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'daily');
      const json = JSON.parse(await readFile(path.join(dir, `${INCIDENT_DAY}.json`), 'utf8')) as {
        workflow: string;
        report_type: string;
        metrics: MetricJson[];
      };
      expect(json).toMatchObject({ workflow: 'smartspec_production_monitor', report_type: 'performance' });
      const errors = json.metrics.find((m) => m.name === 'api_error_rate')!;
      // 1440 one-minute points; the 5 m error ratio is above 5% from INC0+3m to INC1+4m: 62 points.
      expect(errors).toMatchObject({ samples: 1440, source: 'backfill' });
      expect(errors.compliance).toBeCloseTo(1378 / 1440, 9);
      expect(errors.episodes).toHaveLength(1);
      expect(errors.episodes[0]!.worst_value).toBeCloseTo(10, 9);
      const latency = json.metrics.find((m) => m.name === 'api_latency_p99')!;
      expect(latency.compliance).toBe(1);
      expect(latency.stats.p50).toBeCloseTo(history.expected.p99Latency * 1000, 6);
      for (const ext of ['md', 'html'])
        expect(await readFile(path.join(dir, `${INCIDENT_DAY}.${ext}`), 'utf8')).toContain(SPEC_ID);
      expect(await aggregator.calls()).toEqual([['--run-once']]);
    } finally {
      await ws.cleanup();
    }
  });

  it('the daemon writes the daily report once the day is over, from its history and the backend', async () => {
    const ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]: obs(prometheus.url),
    });
    const aggregator = await installFakeAggregator(ws.root);
    // The history ends at midnight (END); replay the last 20 minutes of the day and cross midnight.
    const daemon = startDaemon(
      [
        '--spec-id',
        SPEC_ID,
        '--no-server',
        '--interval',
        '60',
        '--replay-from',
        new Date((history.END - 1200) * 1000).toISOString(),
        '--replay-speed',
        // 20 cycles in 10 s before midnight: enough history rows even when the machine is loaded.
        '120',
      ],
      { cwd: ws.root, env: { PATH: `${aggregator.pathDir}:${process.env.PATH}` } },
    );
    try {
      const written = await daemon.waitForLog((l) => l.event === 'report_written', 60_000);
      const day = new Date((history.END - 1) * 1000).toISOString().slice(0, 10);
      expect(written).toMatchObject({ spec_id: SPEC_ID, kind: 'daily', period: day });
      await daemon.waitForLog((l) => l.event === 'aggregator_ran', 10_000);
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      const json = JSON.parse(
        await readFile(
          path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'daily', `${day}.json`),
          'utf8',
        ),
      ) as { metrics: Array<MetricJson & { sources: { history: number; backfill: number } }> };
      const errors = json.metrics.find((m) => m.name === 'api_error_rate')!;
      expect(errors.source).toBe('mixed');
      expect(errors.sources.history).toBeGreaterThan(10);
      expect(errors.sources.backfill).toBeGreaterThan(1000);
      // Only one report for the day, even though the daemon kept running.
      expect(daemon.logs.filter((l) => l.event === 'report_written')).toHaveLength(1);
      expect(await aggregator.calls()).toEqual([['--run-once']]);
    } finally {
      daemon.kill('SIGKILL');
      await ws.cleanup();
    }
  });
});
