import { describe, expect, it } from 'vitest';
import { planChecks } from '../../src/evaluate/plan.js';
import { measureCheckObjective } from '../../src/pipeline/objectives.js';
import type { InstantResult, Provider, RangeResult } from '../../src/providers/types.js';
import {
  type BurnDownStep,
  burnDownGrid,
  burnDownPoints,
  eventStep,
  sliceSteps,
  stepRange,
} from '../../src/slo/burn-down.js';
import { sloWindow } from '../../src/slo/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import { configOf, specOf } from './support.js';

const DAY = 86_400_000;
const START = new Date('2026-03-01T00:00:00Z');

/** Known steps of `total` events, `bad` of them bad, ending a day apart from START + 1 day. */
function steps(rows: ([number, number] | string)[]): { steps: BurnDownStep[]; reason: null } {
  return {
    steps: rows.map((row, j) => {
      const end = new Date(START.getTime() + (j + 1) * DAY);
      return typeof row === 'string'
        ? { end, bad: null, total: null, reason: row }
        : { end, bad: row[0], total: row[1], reason: null };
    }),
    reason: null,
  };
}

describe('the cumulative maths, worked by hand', () => {
  it('the budget is allowed × every event of the window; each point subtracts the bad ones so far', () => {
    // 4 days of 1000 events, 0.1 % allowed: a budget of 4 bad events. 1 bad on day 2, 2 on day 3.
    const drawn = burnDownPoints(
      START,
      steps([
        [0, 1000],
        [1, 1000],
        [2, 1000],
        [0, 1000],
      ]),
      0.001,
    );
    expect(drawn.reason).toBeNull();
    expect(drawn.points?.map((p) => p.remaining)).toEqual([1, 1, 0.75, 0.25, 0.25]);
    expect(drawn.points?.map((p) => p.at)).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
      '2026-03-04T00:00:00.000Z',
      '2026-03-05T00:00:00.000Z',
    ]);
  });

  it('bad and total are summed separately, never averaged as ratios', () => {
    // Day 1: 1 bad of 10 (10 %); day 2: 0 of 990. Averaging the ratios would say 5 %; the window's
    // share is 1 of 1000 = 0.1 %: exactly the 1 % allowed's tenth, so a tenth of the budget is spent.
    const drawn = burnDownPoints(
      START,
      steps([
        [1, 10],
        [0, 990],
      ]),
      0.01,
    );
    expect(drawn.points?.map((p) => p.remaining)).toEqual([1, 0.9, 0.9]);
  });

  it('an overspent budget goes below zero', () => {
    // 2 days of 500 events, 0.1 % allowed: a budget of 1 event; 3 bad spend it three times.
    const drawn = burnDownPoints(
      START,
      steps([
        [3, 500],
        [0, 500],
      ]),
      0.001,
    );
    expect(drawn.points?.map((p) => p.remaining)).toEqual([1, -2, -2]);
  });

  it('a step without data is a null point with its reason, and adds neither good nor bad events', () => {
    // Day 2 unknown: the budget is 0.001 × 3000 counted events = 3; it is not spent on day 2, and
    // its unknown events do not enlarge the budget either.
    const drawn = burnDownPoints(
      START,
      steps([[0, 1000], 'the total query has no data in this step', [3, 1000], [0, 1000]]),
      0.001,
    );
    expect(drawn.points).toEqual([
      { at: '2026-03-01T00:00:00.000Z', remaining: 1 },
      { at: '2026-03-02T00:00:00.000Z', remaining: 1 },
      { at: '2026-03-03T00:00:00.000Z', remaining: null, reason: 'the total query has no data in this step' },
      { at: '2026-03-04T00:00:00.000Z', remaining: 0 },
      { at: '2026-03-05T00:00:00.000Z', remaining: 0 },
    ]);
  });

  it('a window without any event has no burn-down, and says why', () => {
    expect(burnDownPoints(START, steps(['no data', 'no data']), 0.001)).toEqual({
      points: null,
      reason: 'no events in the window (no data)',
    });
    expect(burnDownPoints(START, { steps: null, reason: 'connection refused' }, 0.001)).toEqual({
      points: null,
      reason: 'connection refused',
    });
  });

  it('a step is checked: a missing side is unknown, bad outside 0…total is refused, −0 is zero', () => {
    const end = new Date(START.getTime() + DAY);
    expect(eventStep(end, undefined, 10)).toMatchObject({ bad: null, reason: /bad query has no data/ });
    expect(eventStep(end, 1, undefined)).toMatchObject({ bad: null, reason: /total query has no data/ });
    expect(eventStep(end, Number.NaN, 10)).toMatchObject({ bad: null });
    expect(eventStep(end, 11, 10)).toMatchObject({ bad: null, reason: /counted 11 bad of 10 events/ });
    expect(eventStep(end, -1e-12, 10)).toEqual({ end, bad: 0, total: 10, reason: null });
    expect(eventStep(end, 0, 0)).toEqual({ end, bad: 0, total: 0, reason: null });
  });
});

describe('the grid of steps', () => {
  it('a rolling 30d window: 30 steps of one day ending at `at`', () => {
    const at = new Date('2026-03-31T13:45:00Z');
    const grid = burnDownGrid(sloWindow('30d'), new Date(at.getTime() - 30 * DAY), at)!;
    expect(grid.count).toBe(30);
    expect(stepRange(grid.stepMs)).toBe('1d');
    expect(grid.ends[0]?.toISOString()).toBe('2026-03-02T13:45:00.000Z');
    expect(grid.ends.at(-1)).toEqual(at);
  });

  it('windows of a week or less: 6-hour steps, 28 of them', () => {
    const at = new Date('2026-03-16T00:00:00Z');
    for (const name of ['7d', 'week'] as const) {
      const grid = burnDownGrid(sloWindow(name), new Date(at.getTime() - 7 * DAY), at)!;
      expect([grid.count, stepRange(grid.stepMs)]).toEqual([28, '6h']);
    }
  });

  it('a calendar month that began 10½ days ago: 11 equal steps of 22h54m32.727s, not 10 days and a half day', () => {
    // Equal steps keep the sums of a rate() template comparable: 10.5 days ÷ 11 = 82,472,727 ms
    // (rounded down: 3 ms of the window's first instant fall before the first step).
    const at = new Date('2026-03-11T12:00:00Z');
    const grid = burnDownGrid(sloWindow('month'), START, at)!;
    expect(grid.count).toBe(11);
    expect(grid.stepMs).toBe(82_472_727);
    expect(stepRange(grid.stepMs)).toBe('82472727ms');
    expect(grid.ends.at(-1)).toEqual(at);
    expect(at.getTime() - 11 * grid.stepMs - START.getTime()).toBe(3);
    // On a midnight the month's days are the steps.
    const midnight = burnDownGrid(sloWindow('month'), START, new Date('2026-03-11T00:00:00Z'))!;
    expect([midnight.count, stepRange(midnight.stepMs)]).toEqual([10, '1d']);
  });

  it('a window that has not begun has no steps', () => {
    expect(burnDownGrid(sloWindow('month'), START, START)).toBeNull();
  });

  it('time slices fall in the step they end in; a step of missing slices is unknown', () => {
    // 2 steps of 3 one-minute slices ending at `at`; slice 0 is the newest.
    const at = new Date(START.getTime() + 6 * 60_000);
    const small = { stepMs: 180_000, count: 2, ends: [new Date(at.getTime() - 180_000), at] };
    expect(sliceSteps(small, ['bad', 'good', 'missing', 'missing', 'missing', 'missing'], 60)).toEqual([
      { end: small.ends[0], bad: null, total: null, reason: 'no data in any slice of this step' },
      { end: at, bad: 1, total: 2, reason: null },
    ]);
  });
});

class StepProvider implements Provider {
  readonly name = 'default';
  readonly type = 'prometheus' as const;
  readonly host = '127.0.0.1';
  readonly rangeQueries: { query: string; start: Date; end: Date; step: number }[] = [];
  constructor(private readonly stepValue: (query: string, at: Date) => number | undefined) {}
  async queryInstant(_query: string, at: Date): Promise<InstantResult> {
    return { ok: true, value: 0.0005, at, warnings: [] };
  }
  async queryRange(query: string, start: Date, end: Date, step: number): Promise<RangeResult> {
    this.rangeQueries.push({ query, start, end, step });
    const samples = [];
    for (let t = start.getTime(); t <= end.getTime(); t += step * 1000) {
      const value = this.stepValue(query, new Date(t));
      if (value !== undefined) samples.push({ at: new Date(t), value });
    }
    return { ok: true, samples, warnings: [] };
  }
}

describe('measured: the bad and total templates at the step, one range query each', () => {
  const spec = specOf([['error_rate', '< 0.1%']]);
  const query = 'sum(rate(http_requests_total{code="500"}[5m])) / sum(rate(http_requests_total[5m]))';

  it('a calendar month on March 11 at midnight: ten daily points, day 4 spends 4/9 of the budget, day 7 had no data', async () => {
    const config = configOf(
      `provider: prometheus\nurl: http://127.0.0.1:9090\nmetrics:\n  - name: error_rate\n    query: '${query}'\n    objective: { window: month }\n`,
    );
    const check = planChecks(parseNfrs(spec).nfrs, config.metrics, config.unmapped).checks[0]!;
    // Rates per second: 10 requests a second, ten days; on day 4 (ending March 5) 0.4 % of them fail:
    // 0.004 / 0.001 / 9 counted days = 44.4 % of the budget (day 7 adds nothing to it).
    const provider = new StepProvider((q, at) => {
      const day = Math.round((at.getTime() - START.getTime()) / DAY);
      if (day === 7) return undefined;
      if (q.includes('code="500"')) return day === 4 ? 0.04 : 0;
      return 10;
    });
    const at = new Date('2026-03-11T00:00:00Z');
    const { report } = await measureCheckObjective(
      { config, providers: new Map([['default', provider]]) },
      check,
      { at },
    );
    expect(provider.rangeQueries).toEqual([
      {
        query: 'sum(rate(http_requests_total{code="500"}[1d]))',
        start: new Date('2026-03-02T00:00:00Z'),
        end: at,
        step: 86_400,
      },
      {
        query: 'sum(rate(http_requests_total[1d]))',
        start: new Date('2026-03-02T00:00:00Z'),
        end: at,
        step: 86_400,
      },
    ]);
    const spent = 0.004 / 0.001 / 9;
    expect(report.burn_down?.map((p) => p.remaining)).toEqual([
      1,
      1,
      1,
      1,
      Number((1 - spent).toPrecision(12)),
      Number((1 - spent).toPrecision(12)),
      Number((1 - spent).toPrecision(12)),
      null,
      Number((1 - spent).toPrecision(12)),
      Number((1 - spent).toPrecision(12)),
      Number((1 - spent).toPrecision(12)),
    ]);
    expect(report.burn_down?.[7]).toEqual({
      at: '2026-03-08T00:00:00.000Z',
      remaining: null,
      reason: 'the total query has no data in this step',
    });
    expect(report.reason).toBeNull();
  });
});
