import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDatadog } from './datadog.js';
import { ddReplies, ddSeries, startFakeDatadog } from './datadog.js';

describe('fake Datadog API', () => {
  let dd: FakeDatadog;

  beforeAll(async () => {
    dd = await startFakeDatadog({ apiKey: 'api-key-1', appKey: 'app-key-1' });
  });

  afterAll(async () => {
    await dd?.close();
  });

  const get = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${dd.url}/api/v1/query?${new URLSearchParams(params)}`, {
      headers: { 'DD-API-KEY': 'api-key-1', 'DD-APPLICATION-KEY': 'app-key-1', ...headers },
    });

  it('answers 403 Forbidden to a wrong key, as Datadog does', async () => {
    const response = await get({ from: '1', to: '2', query: 'q' }, { 'DD-API-KEY': 'nope' });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ errors: ['Forbidden'] });
  });

  it('rejects from/to that are not integer seconds', async () => {
    const response = await get({ from: '1767225600000', to: '1767225900000', query: 'q' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: string[] }).errors[0]).toContain("'from'");
  });

  it('clips points to [from, to] and keeps nulls, then plays scripted replies in order', async () => {
    dd.reset();
    dd.respond(
      'q',
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [1000, 1],
            [2000, null],
            [5000, 3],
          ],
        }),
      ]),
      ddReplies.serverError(),
    );
    const first = (await (await get({ from: '1', to: '2', query: 'q' })).json()) as {
      status: string;
      series: Array<{ pointlist: unknown[]; length: number }>;
    };
    expect(first.status).toBe('ok');
    expect(first.series[0]!.pointlist).toEqual([
      [1000, 1],
      [2000, null],
    ]);
    expect(first.series[0]!.length).toBe(2);
    expect((await get({ from: '1', to: '2', query: 'q' })).status).toBe(500);
    expect((await get({ from: '1', to: '2', query: 'q' })).status).toBe(500);
    expect(dd.requests.map((request) => request.query.query)).toEqual(['q', 'q', 'q']);
  });

  it('serves v2 timeseries: validates the request and answers columnar series over [from, to)', async () => {
    dd.reset();
    dd.respond(
      'a / b',
      ddReplies.ok([
        ddSeries({
          pointlist: [
            [1_700_000_000_000, 1],
            [1_700_000_060_000, null],
            [1_700_000_120_000, 3],
          ],
        }),
      ]),
    );
    const post = (attributes: Record<string, unknown>, type = 'timeseries_request') =>
      fetch(`${dd.url}/api/v2/query/timeseries`, {
        method: 'POST',
        headers: {
          'DD-API-KEY': 'api-key-1',
          'DD-APPLICATION-KEY': 'app-key-1',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ data: { type, attributes } }),
      });
    const queries = [
      { data_source: 'metrics', name: 'a', query: 'sum:x{*}' },
      { data_source: 'metrics', name: 'b', query: 'sum:y{*}' },
    ];
    const ok = await post({
      from: 1_700_000_000_000,
      to: 1_700_000_120_000,
      queries,
      formulas: [{ formula: 'a / b' }],
    });
    expect(((await ok.json()) as { data: { attributes: unknown } }).data.attributes).toEqual({
      series: [{ group_tags: [], query_index: 0, unit: null }],
      times: [1_700_000_000_000, 1_700_000_060_000],
      values: [[1, null]],
    });
    const wrongType = await post(
      { from: 1_700_000_000_000, to: 1_700_000_120_000, queries },
      'scalar_request',
    );
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toEqual({
      errors: ['API input validation failed: Invalid type. Expected "timeseries_request".'],
    });
    const seconds = await post({ from: 1_700_000_000, to: 1_700_000_120, queries });
    expect(((await seconds.json()) as { errors: string[] }).errors[0]).toContain('milliseconds');
  });
});
