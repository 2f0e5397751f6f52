import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCloudWatch } from './cloudwatch.js';
import { cwReplies, startFakeCloudWatch } from './cloudwatch.js';

/** Answers are read loosely: each test names the fields it checks. */
// biome-ignore lint/suspicious/noExplicitAny: the fakes' answers are checked field by field
type Json = Record<string, any>;

const SIGNATURE = 'a'.repeat(64);
const auth = (keyId: string, region = 'us-east-1', service = 'monitoring') =>
  `AWS4-HMAC-SHA256 Credential=${keyId}/20260101/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${SIGNATURE}`;

describe('fake CloudWatch GetMetricData (AWS JSON 1.0)', () => {
  let cw: FakeCloudWatch;
  beforeAll(async () => {
    cw = await startFakeCloudWatch({ accessKeyId: 'AKIATESTTESTTESTTEST', region: 'us-east-1' });
  });
  afterAll(async () => {
    await cw?.close();
  });

  const call = (body: unknown, authorization: string | null, date = '20260101T000000Z') =>
    fetch(cw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData',
        'x-amz-date': date,
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify(body),
    }).then(async (response) => ({
      status: response.status,
      queryError: response.headers.get('x-amzn-query-error'),
      json: (await response.json()) as Json,
    }));

  const QUERY = { MetricDataQueries: [{ Id: 'q1', Expression: 'SUM(x)' }], StartTime: 100, EndTime: 400 };

  it('checks the SigV4 header shape, scope and key id, answering AWS query-compatible errors', async () => {
    const missing = await call(QUERY, null);
    expect([missing.status, missing.queryError]).toEqual([400, 'MissingAuthenticationToken;Sender']);
    expect((await call(QUERY, 'Bearer x')).queryError).toBe('IncompleteSignature;Sender');
    expect((await call(QUERY, auth('AKIATESTTESTTESTTEST', 'eu-west-1'))).json.message).toContain(
      'eu-west-1',
    );
    expect((await call(QUERY, auth('AKIATESTTESTTESTTEST', 'us-east-1', 's3'))).status).toBe(400);
    expect((await call(QUERY, auth('AKIATESTTESTTESTTEST'), '20251231T000000Z')).queryError).toBe(
      'IncompleteSignature;Sender',
    );
    const unknown = await call(QUERY, auth('AKIAOTHEROTHEROTHER1'));
    expect(unknown.status).toBe(403);
    expect(unknown.json.__type).toBe('com.amazonaws.cloudwatch#InvalidClientTokenIdException');
  });

  it('keeps points in [StartTime, EndTime), newest first unless TimestampAscending', async () => {
    cw.respond(
      'SUM(x)',
      cwReplies.points([
        [50, 0],
        [100, 1],
        [200, 2],
        [400, 4],
      ]),
    );
    const newest = await call(QUERY, auth('AKIATESTTESTTESTTEST'));
    expect(newest.json.MetricDataResults[0]).toMatchObject({
      Id: 'q1',
      Timestamps: [200, 100],
      Values: [2, 1],
      StatusCode: 'Complete',
    });
    const ascending = await call({ ...QUERY, ScanBy: 'TimestampAscending' }, auth('AKIATESTTESTTESTTEST'));
    expect(ascending.json.MetricDataResults[0].Timestamps).toEqual([100, 200]);
  });
});
