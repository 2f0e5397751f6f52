import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDynatrace } from './dynatrace.js';
import { dtReplies, startFakeDynatrace } from './dynatrace.js';

/** Answers are read loosely: each test names the fields it checks. */
// biome-ignore lint/suspicious/noExplicitAny: the fakes' answers are checked field by field
type Json = Record<string, any>;

const T = 1_767_225_600_000;

describe('fake Dynatrace metrics API v2', () => {
  let dt: FakeDynatrace;
  beforeAll(async () => {
    dt = await startFakeDynatrace({ apiToken: 'dt0c01.TEST' });
  });
  afterAll(async () => {
    await dt?.close();
  });

  const get = (params: Record<string, string>, token = 'dt0c01.TEST') =>
    fetch(`${dt.url}/api/v2/metrics/query?${new URLSearchParams(params)}`, {
      headers: { Authorization: `Api-Token ${token}` },
    }).then(async (response) => ({
      status: response.status,
      json: (await response.json()) as Json,
    }));

  it('answers a wrong token 401 and bad parameters 400 with constraint violations', async () => {
    expect((await get({ metricSelector: 'm' }, 'nope')).json).toEqual({
      error: { code: 401, message: 'Token Authentication failed' },
    });
    const bad = await get({ metricSelector: 'm', from: 'yesterday', resolution: '7s' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.constraintViolations.map((v: { path: string }) => v.path)).toEqual([
      'from',
      'resolution',
    ]);
  });

  it('averages minute points into resolution buckets stamped at their end, null when empty', async () => {
    dt.respond(
      'm',
      dtReplies.service('m', [
        [T + 60_000, 1],
        [T + 120_000, 3],
        [T + 360_000, 8],
      ]),
    );
    const answer = await get({
      metricSelector: 'm',
      from: String(T),
      to: String(T + 360_000),
      resolution: '2m',
    });
    expect(answer.json.result[0].data[0].timestamps).toEqual([T + 120_000, T + 240_000, T + 360_000]);
    expect(answer.json.result[0].data[0].values).toEqual([2, null, 8]);
    expect(answer.json.totalCount).toBe(1);
  });
});
