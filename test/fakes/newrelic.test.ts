import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeNewRelic } from './newrelic.js';
import { nrReplies, startFakeNewRelic } from './newrelic.js';

/** Answers are read loosely: each test names the fields it checks. */
// biome-ignore lint/suspicious/noExplicitAny: the fakes' answers are checked field by field
type Json = Record<string, any>;

const DOCUMENT =
  'query($accountId: Int!, $nrql: Nrql!) { actor { account(id: $accountId) { nrql(query: $nrql) { results metadata { timeWindow { begin end } } } } } }';

describe('fake New Relic NerdGraph', () => {
  let nr: FakeNewRelic;
  beforeAll(async () => {
    nr = await startFakeNewRelic({ apiKey: 'NRAK-TEST', accountId: 7 });
  });
  afterAll(async () => {
    await nr?.close();
  });

  const post = (nrql: string, headers: Record<string, string> = { 'API-Key': 'NRAK-TEST' }, accountId = 7) =>
    fetch(`${nr.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: DOCUMENT, variables: { accountId, nrql } }),
    }).then(async (response) => ({
      status: response.status,
      json: (await response.json()) as Json,
    }));

  it('answers a wrong key with a GraphQL error (HTTP 200) and no key with HTTP 401', async () => {
    const wrong = await post('SELECT 1 FROM X SINCE 1 UNTIL 2', { 'API-Key': 'nope' });
    expect(wrong.status).toBe(200);
    expect(wrong.json.errors[0].extensions.error_code).toBe('BAD_API_KEY');
    expect(wrong.json.data.actor.account.nrql).toBeNull();
    expect((await post('SELECT 1 FROM X SINCE 1 UNTIL 2', {})).status).toBe(401);
  });

  it('aggregates points over the SINCE/UNTIL window and per TIMESERIES bucket', async () => {
    nr.respond(
      'SELECT average(duration) FROM Transaction',
      nrReplies.points('average.duration', [
        [1000, 1],
        [2000, 3],
        [9000, 100],
      ]),
    );
    const instant = await post('SELECT average(duration) FROM Transaction SINCE 0 UNTIL 5000');
    expect(instant.json.data.actor.account.nrql).toEqual({
      results: [{ 'average.duration': 2 }],
      metadata: { facets: null, timeWindow: { begin: 0, end: 5000 } },
    });
    const series = await post(
      'SELECT average(duration) FROM Transaction SINCE 0 UNTIL 10000 TIMESERIES 5 seconds',
    );
    expect(series.json.data.actor.account.nrql.results).toEqual([
      { beginTimeSeconds: 0, endTimeSeconds: 5, 'average.duration': 2 },
      { beginTimeSeconds: 5, endTimeSeconds: 10, 'average.duration': 100 },
    ]);
  });

  it('refuses more than 366 buckets and another account, as GraphQL errors', async () => {
    const buckets = await post('SELECT count(*) FROM X SINCE 0 UNTIL 400000 TIMESERIES 1 second');
    expect(buckets.json.errors[0].message).toContain('too many buckets');
    const account = await post('SELECT count(*) FROM X SINCE 0 UNTIL 1000', { 'API-Key': 'NRAK-TEST' }, 8);
    expect(account.json.errors[0].message).toContain('Account 8');
  });
});
