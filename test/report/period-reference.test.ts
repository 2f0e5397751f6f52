/**
 * The period report's figures, as fast code computes them (one pass over typed columns, percentiles
 * selected rather than sorted, episodes from flags), against a straightforward reference written
 * here from the store's rows and the documented definitions (docs/performance-report.md): the same
 * objects, and the JSON byte for byte. The history has gaps (one at the period's start and at its
 * end), unknown samples (with and without a value, and a stored infinity), ties, signed zeros, and
 * breach runs that cross midnight.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../src/evaluate/index.js';
import { isWorse, severityFor } from '../../src/evaluate/severity.js';
import {
  buildPeriodReport,
  customPeriod,
  dailyPeriod,
  type PeriodReport,
  renderPeriodJson,
} from '../../src/report/period/index.js';
import { computeFigures, valueStats } from '../../src/report/period/stats.js';
import type { BreachEpisode, ErrorBudget, MetricFigures, Period } from '../../src/report/period/types.js';
import { type MeasurementRow, openStore, type Store } from '../../src/store/index.js';
import { compare, convert } from '../../src/units/index.js';
import { seededRandom } from '../support/random.js';
import { checksFor, SEVERITY_RULES, tempDirs } from './support.js';

const SPEC = 'spec-ref-001';
const INTERVAL = 60;
const MINUTE = 60_000;
const T0 = Date.parse('2026-11-25T00:00:00Z');
const DAY = 1440; // minutes

const temp = tempDirs();
afterAll(() => temp.cleanup());

function checks(): Check[] {
  return checksFor([
    {
      category: 'Performance',
      requirement: 'p99 Latency',
      metric: 'latency_p99',
      target: '< 500ms',
      query: 'q1',
    },
    {
      category: 'Availability',
      requirement: 'Availability',
      metric: 'availability',
      target: '>= 99.9%',
      query: 'q2',
    },
    {
      category: 'Reliability',
      requirement: 'Error Rate',
      metric: 'error_rate',
      target: '<= 1%',
      query: 'q3',
    },
    {
      category: 'Performance',
      requirement: 'Throughput',
      metric: 'throughput',
      target: '> 100 rps',
      query: 'q4',
    },
    {
      category: 'Reliability',
      requirement: 'Dead letters',
      metric: 'dead_letters',
      target: '= 0',
      query: 'q5',
    },
  ]);
}

/** A value of metric `m` at minute `k`: in target mostly, out of target in spikes and in long runs. */
function sampleValue(m: number, k: number, r: number, next: () => number): number {
  const bad = r > 0.97 || (k >= DAY - 25 && k < DAY + 15) || (k >= 2 * DAY - 30 && k < 2 * DAY + 30);
  switch (m) {
    case 0: // integers: many ties
      return bad ? 500 + Math.round(next() * 400) : 150 + Math.round(next() * 100);
    case 1:
      return bad ? 99 + next() * 0.8 : 99.9 + next() * 0.1;
    case 2:
      return bad ? 1 + next() * 4 : next() * 0.9;
    case 3:
      return bad ? 100 - Math.round(next() * 20) : 101 + next() * 50;
    default: // zeros of both signs in target, ±1 out of it
      return bad ? (next() < 0.5 ? -1 : 1) : next() < 0.5 ? -0 : 0;
  }
}

/** Two days and a bit of one-minute history, with jitter, holes, unknowns and an infinity. */
function history(): MeasurementRow[] {
  const next = seededRandom(7);
  const rows: MeasurementRow[] = [];
  const names = checks().map((c) => c.nfr.metric);
  for (let k = -20; k < 2 * DAY + 40; k++) {
    const hole =
      (k >= 100 && k < 104) || // 5 minutes: a gap
      (k >= DAY - 5 && k < DAY + 3) || // a gap across midnight, inside a breach run
      (k >= DAY + 6 && k < DAY + 8) || // 3 minutes apart: a gap, in the same run
      (k >= 2 * DAY - 40 && k < 2 * DAY - 36) ||
      (k >= 2 * DAY - 3 && k < 2 * DAY + 2) || // the last minutes of day 2 and the first of day 3
      k % 97 === 0; // one missing minute: 120 s apart, not a gap
    if (hole) continue;
    const at = new Date(T0 + k * MINUTE + (k % 7 === 3 ? 1500 : 0));
    names.forEach((metric, m) => {
      const r = next();
      const value = sampleValue(m, k, r, next);
      let row: MeasurementRow = {
        at,
        specId: SPEC,
        metric,
        value,
        slo: null,
        status: 'healthy',
        reason: 'r',
      };
      if (r < 0.01) row = { ...row, value: null, status: 'unknown' };
      else if (r < 0.015)
        row = { ...row, status: 'unknown' }; // a value recorded with an unknown status
      else if (k === 1000 && m === 0) row = { ...row, value: Number.POSITIVE_INFINITY };
      rows.push(row);
    });
  }
  return rows;
}

function storeOf(rows: readonly MeasurementRow[]): Store {
  const file = `${temp.make('ssm-report-reference-')}/state.db`;
  const writer = openStore(file);
  const byTime = new Map<number, MeasurementRow[]>();
  for (const r of rows) byTime.set(r.at.getTime(), [...(byTime.get(r.at.getTime()) ?? []), r]);
  for (const [at, measurements] of byTime) {
    writer.commitCycle({ at: new Date(at), measurements, alertStates: [], notifications: [] });
  }
  writer.close();
  return openStore(file, { readonly: true });
}

type Figures = Pick<
  MetricFigures,
  | 'samples'
  | 'unknownSamples'
  | 'stats'
  | 'compliance'
  | 'breachedSamples'
  | 'timeOutOfTargetSeconds'
  | 'episodes'
  | 'errorBudget'
>;

/** The figures of one metric over [from, to) by the definitions, from rows in time order. */
function referenceFigures(rows: readonly MeasurementRow[], check: Check, from: number, to: number): Figures {
  const { comparator, threshold: slo, unit } = check.objective;
  const spacingMs = INTERVAL * 1000;
  const isKnown = (r: MeasurementRow) =>
    r.status !== 'unknown' && r.value !== null && Number.isFinite(r.value);
  const known = rows.filter(isKnown).map((r) => r.value as number);
  const isBad = (r: MeasurementRow) => isKnown(r) && !compare(r.value as number, comparator, slo);

  const episodes: BreachEpisode[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const startAt = rows[first]!.at.getTime();
    const lastAt = rows[last]!.at.getTime();
    const end = Math.min(to, lastAt + spacingMs);
    let worst = rows[first]!.value as number;
    for (const i of run)
      if (isWorse(rows[i]!.value as number, worst, comparator, slo)) worst = rows[i]!.value as number;
    episodes.push({
      start: new Date(startAt),
      end: new Date(end),
      durationSeconds: (end - startAt) / 1000,
      samples: run.length,
      worstValue: worst,
      severity: severityFor(
        { value: worst, slo, comparator, unit, category: check.nfr.category, status: 'breached' },
        SEVERITY_RULES,
      ),
      touchesPeriodStart: first === 0 && startAt - from <= 2 * spacingMs,
      touchesPeriodEnd: last === rows.length - 1 && to - (lastAt + spacingMs) <= spacingMs,
    });
    run = [];
  };
  rows.forEach((r, i) => {
    if (i > 0 && r.at.getTime() - rows[i - 1]!.at.getTime() > 2 * spacingMs) flush();
    if (isBad(r)) run.push(i);
    else flush();
  });
  flush();

  const sorted = Float64Array.from(known).sort();
  const rank = (p: number) =>
    sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
  let sum = 0;
  for (const v of known) sum += v;
  const breached = rows.filter(isBad).length;

  let errorBudget: ErrorBudget | null = null;
  if ((unit === '%' || unit === 'ratio') && comparator !== '=' && known.length > 0) {
    const scale = convert(1, unit, 'ratio');
    const upper = comparator === '<' || comparator === '<=';
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    let bad = 0;
    for (const v of known) bad += clamp(upper ? v * scale : 1 - v * scale);
    const allowed = clamp(upper ? slo * scale : 1 - slo * scale);
    const meanBad = bad / known.length;
    const spent = allowed > 0 ? meanBad / allowed : null;
    errorBudget = {
      allowedBadFraction: allowed,
      meanBadFraction: meanBad,
      spent,
      remaining: spent === null ? null : 1 - spent,
    };
  }

  return {
    samples: rows.length,
    unknownSamples: rows.length - known.length,
    stats:
      known.length === 0
        ? { min: null, mean: null, p50: null, p95: null, max: null }
        : {
            min: sorted[0]!,
            mean: sum / known.length,
            p50: rank(50),
            p95: rank(95),
            max: sorted[sorted.length - 1]!,
          },
    compliance: known.length === 0 ? null : (known.length - breached) / known.length,
    breachedSamples: breached,
    timeOutOfTargetSeconds: breached * INTERVAL,
    episodes,
    errorBudget,
  };
}

/** `report` with every metric's figures (and its previous period's) replaced by the reference's. */
function referenceReport(report: PeriodReport, store: Store): PeriodReport {
  const rowsOf = (metric: string, period: Period) =>
    store.measurements({ specId: SPEC, metric, from: period.from, to: period.to }, { withReasons: false });
  const byMetric = new Map(checks().map((c) => [c.nfr.metric, c]));
  return {
    ...report,
    metrics: report.metrics.map((m) => {
      const check = byMetric.get(m.metric)!;
      const span = (p: Period) => [p.from.getTime(), p.to.getTime()] as const;
      const current = referenceFigures(rowsOf(m.metric, report.period), check, ...span(report.period));
      const before = referenceFigures(
        rowsOf(m.metric, report.previousPeriod),
        check,
        ...span(report.previousPeriod),
      );
      return {
        ...m,
        ...current,
        previous: {
          ...m.previous,
          samples: before.samples,
          unknownSamples: before.unknownSamples,
          mean: before.stats.mean,
          p95: before.stats.p95,
          compliance: before.compliance,
        },
      };
    }),
  };
}

async function reportOver(store: Store, period: Period): Promise<PeriodReport> {
  return buildPeriodReport({
    specId: SPEC,
    period,
    checks: checks(),
    history: (q) => store.seriesColumns(q),
    providers: new Map(),
    intervalSeconds: INTERVAL,
    severityRules: SEVERITY_RULES,
    generatedAt: new Date(T0 + 3 * DAY * MINUTE),
    version: '0.0.0-test',
  });
}

describe('period report against a reference implementation', () => {
  const periods: Array<[string, Period]> = [
    ['a day, with the day before', dailyPeriod(new Date(T0 + DAY * MINUTE))],
    [
      'a custom range across midnight',
      customPeriod(new Date(T0 + 720 * MINUTE), new Date(T0 + 2160 * MINUTE)),
    ],
  ];
  let store: Store;
  beforeAll(() => {
    store = storeOf(history());
  });
  afterAll(() => store.close());

  it.each(periods)('%s: the same figures and the same JSON', async (_name, period) => {
    const report = await reportOver(store, period);
    const reference = referenceReport(report, store);
    // The data has what the test is about.
    expect(report.metrics.every((m) => m.unknownSamples > 0 && m.breachedSamples > 0)).toBe(true);
    expect(report.metrics.every((m) => m.previous.samples > 0)).toBe(true);
    for (const [i, metric] of report.metrics.entries()) {
      expect(metric, metric.metric).toEqual(reference.metrics[i]);
    }
    expect(renderPeriodJson(report)).toBe(renderPeriodJson(reference));
  });
});

describe('computeFigures stats', () => {
  const value = fc.oneof(
    { weight: 6, arbitrary: fc.double({ noNaN: true }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }) },
  );
  const columnsOf = (values: readonly number[]) => ({
    length: values.length,
    at: Float64Array.from(values, (_, i) => i * MINUTE),
    value: Float64Array.from(values),
    spacingSeconds: new Float64Array(values.length).fill(INTERVAL),
    backfilled: new Uint8Array(values.length),
  });
  const context = {
    target: { text: '< 1', comparator: '<' as const, slo: 1, unit: 'count' as const },
    category: null,
    severityRules: SEVERITY_RULES,
    from: 0,
    to: Number.MAX_SAFE_INTEGER,
  };

  it('equal what sorting gives (signed zeros, infinities and ties included)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        expect(computeFigures(columnsOf(values), context).stats).toEqual(valueStats(values));
      }),
      { numRuns: 400 },
    );
  });

  it('equal what sorting gives on orders that defeat naive pivots', () => {
    const n = 5001;
    const shapes: Record<string, number[]> = {
      ascending: Array.from({ length: n }, (_, i) => i),
      descending: Array.from({ length: n }, (_, i) => n - i),
      'organ pipe': Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
      'all equal': Array.from({ length: n }, () => 5),
      'two values': Array.from({ length: n }, (_, i) => i % 2),
      sawtooth: Array.from({ length: n }, (_, i) => i % 17),
    };
    for (const [name, values] of Object.entries(shapes)) {
      expect(computeFigures(columnsOf(values), context).stats, name).toEqual(valueStats(values));
    }
  });
});
