/**
 * A period report read from a real SQLite store through Store.seriesColumns (as `report` and the
 * daemon read it) is the report made from the same history as rows: figure for figure, and the
 * golden JSON byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/providers/index.js';
import { collectSamples } from '../../src/report/period/collect.js';
import { buildPeriodReport, dailyPeriod, renderPeriodJson } from '../../src/report/period/index.js';
import { type MeasurementRow, openStore, type Store } from '../../src/store/index.js';
import {
  buildSampleReport,
  SAMPLE_DAY,
  SAMPLE_GENERATED_AT,
  SAMPLE_INTERVAL,
  SAMPLE_SPEC,
  sampleChecks,
  sampleHistory,
} from './sample-report.js';
import { checksFor, memoryHistory, row, SEVERITY_RULES } from './support.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A real store file holding `rows`, reopened read-only as the report command opens it. */
function storeOf(rows: readonly MeasurementRow[]): Store {
  const dir = mkdtempSync(join(tmpdir(), 'smartspec-report-columns-'));
  made.push(dir);
  const file = join(dir, 'state.db');
  const writer = openStore(file);
  const times = [...new Set(rows.map((r) => r.at.getTime()))].sort((a, b) => a - b);
  for (const time of times) {
    writer.commitCycle({
      at: new Date(time),
      measurements: rows.filter((r) => r.at.getTime() === time),
      alertStates: [],
      notifications: [],
    });
  }
  writer.close();
  return openStore(file, { readonly: true });
}

const goldenJson = join(dirname(fileURLToPath(import.meta.url)), 'golden', 'sample-report.golden.json');

describe('period report from store columns', () => {
  it('equals the report from rows, and renders the golden JSON', async () => {
    const store = storeOf(sampleHistory());
    try {
      const fromColumns = await buildPeriodReport({
        specId: SAMPLE_SPEC,
        period: dailyPeriod(SAMPLE_DAY),
        checks: sampleChecks(),
        history: (q) => store.seriesColumns(q),
        providers: new Map(),
        intervalSeconds: SAMPLE_INTERVAL,
        severityRules: SEVERITY_RULES,
        generatedAt: SAMPLE_GENERATED_AT,
        version: '0.0.0-test',
      });
      expect(fromColumns).toEqual(await buildSampleReport());
      expect(renderPeriodJson(fromColumns)).toBe(readFileSync(goldenJson, 'utf8'));
    } finally {
      store.close();
    }
  });

  it('merges backfilled samples into the gaps of stored columns as it does with rows', async () => {
    const T0 = Date.parse('2026-11-26T00:00:00Z');
    const MIN = 60_000;
    const [check] = checksFor([
      {
        category: 'Performance',
        requirement: 'p99 Latency',
        metric: 'api_latency_p99',
        target: '< 500ms',
        query: 'histogram_quantile(0.99, x)',
      },
    ]);
    const rows = [0, 1, 2, 7, 8, 12, 13, 14, 30, 31].map((m, i) =>
      row('spec-a', 'api_latency_p99', T0 + m * MIN, i === 4 ? null : 100 * (i + 1)),
    );
    rows[4] = { ...rows[4]!, status: 'unknown' };
    rows.push({ ...row('spec-a', 'api_latency_p99', T0 + 13 * MIN, 5), metric: 'other_metric' });
    const provider: Provider = {
      name: 'prom',
      type: 'prometheus',
      host: '127.0.0.1',
      async queryInstant() {
        throw new Error('not used');
      },
      async queryRange(_query, start, end, stepSeconds) {
        const samples = [];
        for (let t = start.getTime(); t <= end.getTime(); t += stepSeconds * 1000) {
          samples.push({ at: new Date(t), value: t === T0 + 20 * MIN ? Number.NaN : (t - T0) / 1000 });
        }
        return { ok: true, samples, warnings: [] };
      },
    };
    const store = storeOf(rows);
    try {
      const options = {
        specId: 'spec-a',
        check: check!,
        provider,
        from: T0,
        to: T0 + 40 * MIN,
        origin: T0,
        intervalSeconds: 60,
        stepSeconds: 60,
      };
      const fromColumns = await collectSamples({ ...options, history: (q) => store.seriesColumns(q) });
      const fromRows = await collectSamples({ ...options, history: memoryHistory(rows) });
      expect(fromColumns.samples.some((s) => s.source === 'backfill')).toBe(true);
      expect(fromColumns.samples.some((s) => s.value === null && s.source === 'history')).toBe(true);
      expect(fromColumns).toEqual(fromRows);
    } finally {
      store.close();
    }
  });
});
