import { describe, expect, it } from 'vitest';
import type { Reduction } from '../../src/config/types.js';
import { fail } from '../../src/providers/failures.js';
import { HttpClient } from '../../src/providers/http.js';
import type {
  InstantSpan,
  PointSeries,
  PointSeriesAnswer,
  PointSeriesMessages,
  RangeSpan,
} from '../../src/providers/series.js';
import { onlySeries, PointSeriesProvider, pointsFrom, reducePoints } from '../../src/providers/series.js';
import type { InstantResult, RangeResult } from '../../src/providers/types.js';

const T = 1_767_225_600_000;
const AT = new Date(T);

function failureOf(result: InstantResult | RangeResult | { ok: boolean }) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result as Extract<InstantResult, { ok: false }>;
}

describe('onlySeries', () => {
  const messages = {
    none: () => 'none at all',
    several: (count: number, listed: string) => `${count} of them: ${listed}`,
    label: (series: string) => `<${series}>`,
    separator: ' | ',
  };

  it('returns the one series', () => {
    expect(onlySeries(['a'], messages, ['w'])).toEqual({ ok: true, series: 'a' });
  });

  it('makes no series no data, keeping the warnings', () => {
    expect(onlySeries([], messages, ['w'])).toEqual(fail('no_data', 'none at all', ['w']));
  });

  it('makes several series multiple_series, naming the first three in the backend words', () => {
    expect(onlySeries(['a', 'b'], messages)).toEqual(fail('multiple_series', '2 of them: <a> | <b>'));
    expect(onlySeries(['a', 'b', 'c', 'd', 'e'], messages, ['w'])).toEqual(
      fail('multiple_series', '5 of them: <a> | <b> | <c>, and 2 more', ['w']),
    );
  });

  it('words only the case at hand', () => {
    let worded = 0;
    const counting = { ...messages, none: () => `${++worded}`, several: () => `${++worded}` };
    onlySeries(['a'], counting);
    expect(worded).toBe(0);
  });
});

describe('pointsFrom', () => {
  it('pairs times with values in time order, skipping nulls but keeping zeros', () => {
    const result = pointsFrom([T, T - 2000, T - 1000], [0, 5, null]);
    expect(result).toEqual({
      ok: true,
      points: [
        { at: new Date(T - 2000), value: 5 },
        { at: new Date(T), value: 0 },
      ],
    });
  });

  it('says whether a time or a value was not a number, the first found', () => {
    expect(pointsFrom([T, 'x'], [1, 'y'])).toEqual({ ok: false, notNumber: 'time' });
    expect(pointsFrom([T, T + 1], ['y', 2])).toEqual({ ok: false, notNumber: 'value' });
    // A null value is a gap; a null time is not.
    expect(pointsFrom([T, null], [null, 1])).toEqual({ ok: false, notNumber: 'time' });
  });
});

describe('reducePoints', () => {
  const points = [
    { at: new Date(T - 2000), value: 4 },
    { at: new Date(T - 1000), value: 1 },
    { at: new Date(T), value: 7 },
  ];

  it.each<[Reduction, number]>([
    ['last', 7],
    ['avg', 4],
    ['min', 1],
    ['max', 7],
  ])('%s stamps the result with the newest point', (reduce, value) => {
    expect(reducePoints(points, reduce)).toEqual({ at: new Date(T), value });
  });

  it('has nothing to reduce in an empty list', () => {
    expect(reducePoints([], 'avg')).toBeNull();
  });
});

interface TestConfig {
  name: string;
  lookbackSeconds: number;
  reduce: Reduction;
}

const MESSAGES: PointSeriesMessages = {
  noSeries: (window, shown) => `no series in ${window} for ${shown}`,
  severalSeries: (count, listed, shown) => `${count} series for ${shown}: ${listed}`,
  allNull: (window, shown) => `only nulls in ${window} for ${shown}`,
};

/** Answers from a script, and records what it was asked: the base's logic without a backend. */
class ScriptedProvider extends PointSeriesProvider<TestConfig> {
  protected readonly backend = 'Scripted';
  protected readonly messages = MESSAGES;
  readonly asked: unknown[][] = [];

  constructor(
    config: TestConfig,
    private readonly answer: PointSeriesAnswer,
  ) {
    // Never sends: the client only has to exist.
    super(
      config,
      new HttpClient(
        {
          url: 'http://127.0.0.1:9/',
          headers: {},
          timeoutMs: 1000,
          tls: { caFile: null, insecureSkipVerify: false },
        },
        {},
        [],
      ),
    );
  }

  protected async fetchInstant(query: string, span: InstantSpan): Promise<PointSeriesAnswer> {
    this.asked.push(['instant', query, span]);
    return this.answer;
  }

  protected async fetchRange(query: string, span: RangeSpan): Promise<PointSeriesAnswer> {
    this.asked.push(['range', query, span]);
    return this.answer;
  }
}

function series(label: string, ...values: Array<[number, number]>): PointSeries {
  return { label, points: values.map(([at, value]) => ({ at: new Date(at), value })) };
}

describe('PointSeriesProvider', () => {
  const config: TestConfig = { name: 'scripted', lookbackSeconds: 300, reduce: 'avg' };
  const one = series('a', [T - 2000, 2], [T - 1000, 6]);
  const window = `the last 300 s before ${AT.toISOString()}`;

  it('is named by its config and its client host', () => {
    const provider = new ScriptedProvider(config, { ok: true, series: [one], warnings: [] });
    expect([provider.name, provider.host]).toEqual(['scripted', '127.0.0.1']);
  });

  it('reduces the one series of an instant with the configured reduction and lookback', async () => {
    const provider = new ScriptedProvider(config, { ok: true, series: [one], warnings: ['w'] });
    expect(await provider.queryInstant('q', AT)).toEqual({
      ok: true,
      value: 4,
      at: new Date(T - 1000),
      warnings: ['w'],
    });
    expect(provider.asked).toEqual([['instant', 'q', { at: AT, lookbackSeconds: 300 }]]);
  });

  it('takes the per-metric reduction and lookback over the configured ones', async () => {
    const provider = new ScriptedProvider(config, { ok: true, series: [one], warnings: [] });
    const result = await provider.queryInstant('q', AT, { reduce: 'max', lookbackSeconds: 60 });
    expect(result.ok && result.value).toBe(6);
    expect(provider.asked).toEqual([['instant', 'q', { at: AT, lookbackSeconds: 60 }]]);
  });

  it('words no series, several series and a series of nulls in the backend messages', async () => {
    const none = new ScriptedProvider(config, { ok: true, series: [], warnings: ['w'] });
    expect(await none.queryInstant('q  x', AT)).toEqual(
      fail('no_data', `no series in ${window} for q x`, ['w']),
    );

    const two = new ScriptedProvider(config, { ok: true, series: [one, series('b')], warnings: [] });
    expect(failureOf(await two.queryInstant('q', AT))).toEqual(
      fail('multiple_series', '2 series for q: a; b'),
    );

    const nulls = new ScriptedProvider(config, { ok: true, series: [series('a')], warnings: ['w'] });
    expect(await nulls.queryInstant('q', AT)).toEqual(
      fail('no_data', `only nulls in ${window} for q`, ['w']),
    );
  });

  it('returns every point of the one series for a range, and the window as the span', async () => {
    const start = new Date(T - 3_600_000);
    const provider = new ScriptedProvider(config, { ok: true, series: [one], warnings: ['w'] });
    expect(await provider.queryRange('q', start, AT, 60)).toEqual({
      ok: true,
      samples: one.points,
      warnings: ['w'],
    });
    expect(provider.asked).toEqual([['range', 'q', { start, end: AT, stepSeconds: 60 }]]);

    const span = `${start.toISOString()} – ${AT.toISOString()}`;
    const empty = new ScriptedProvider(config, { ok: true, series: [series('a')], warnings: [] });
    expect(await empty.queryRange('q', start, AT, 60)).toEqual(
      fail('no_data', `only nulls in ${span} for q`),
    );
    const none = new ScriptedProvider(config, { ok: true, series: [], warnings: [] });
    expect(await none.queryRange('q', start, AT, 60)).toEqual(fail('no_data', `no series in ${span} for q`));
  });

  it('passes a failed fetch on unchanged', async () => {
    const failure = fail('auth', 'rejected', ['w']);
    const provider = new ScriptedProvider(config, failure);
    expect(await provider.queryInstant('q', AT)).toBe(failure);
    expect(await provider.queryRange('q', AT, AT, 60)).toBe(failure);
  });
});
