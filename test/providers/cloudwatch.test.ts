import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudWatchProviderConfig } from '../../src/config/types-saas.js';
import { parseCloudWatchQuery } from '../../src/providers/cloudwatch.js';
import type { InstantResult, RangeResult } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';
import type { FakeCloudWatch } from '../fakes/cloudwatch.js';
import { cwReplies, startFakeCloudWatch } from '../fakes/cloudwatch.js';
import { findOpenssl, makeTestPki, startHttpsProxy } from '../support/tls.js';

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'eu-central-1';
const T = 1_767_225_600;
const AT = new Date(T * 1000);
const EXPRESSION = 'SELECT AVG(TargetResponseTime) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer)';
const MATH = JSON.stringify([
  {
    Id: 'errors',
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [{ Name: 'LoadBalancer', Value: 'app/checkout/50dc6c495c0c9188' }],
      },
      Period: 60,
      Stat: 'Sum',
    },
  },
  {
    Id: 'requests',
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: 'app/checkout/50dc6c495c0c9188' }],
      },
      Period: 60,
      Stat: 'Sum',
    },
  },
  { Id: 'ratio', Expression: 'errors / requests' },
]);

/** The SDK reads credentials from the environment: set them for this file, and keep it off the machine's files and IMDS. */
const ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: ACCESS_KEY,
  AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: path.join('/nonexistent', 'aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join('/nonexistent', 'aws-credentials'),
};
const saved: Record<string, string | undefined> = {};

function cwConfig(url: string, overrides: Partial<CloudWatchProviderConfig> = {}): CloudWatchProviderConfig {
  return {
    type: 'cloudwatch',
    name: 'cw',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false } },
    region: REGION,
    customEndpoint: true,
    profile: null,
    periodSeconds: 60,
    lookbackSeconds: 300,
    reduce: 'last',
    ...overrides,
  };
}

function failureOf(result: InstantResult | RangeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  expect(result.message).not.toContain(SECRET_KEY);
  expect(result.message).not.toContain(ACCESS_KEY);
  return result;
}

describe('CloudWatch provider (AWS SDK v3) against a fake GetMetricData endpoint', () => {
  let cw: FakeCloudWatch;
  beforeAll(async () => {
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    cw = await startFakeCloudWatch({ accessKeyId: ACCESS_KEY, region: REGION });
  });
  afterAll(async () => {
    await cw?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  beforeEach(() => cw.reset());

  it('signs with SigV4 and sends an expression with the period over the lookback', async () => {
    cw.respond(
      EXPRESSION,
      cwReplies.points([
        [T - 400, 9],
        [T - 240, 0.12],
        [T - 60, 0.35],
      ]),
    );
    const result = await createProvider(cwConfig(cw.url)).queryInstant(EXPRESSION, AT);
    expect(result).toEqual({ ok: true, value: 0.35, at: new Date((T - 60) * 1000), warnings: [] });
    const [request] = cw.requests;
    expect(request!.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.GetMetricData');
    expect(request!.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/\\d{8}/${REGION}/monitoring/aws4_request, `),
    );
    expect(request!.rawBody).not.toContain(SECRET_KEY);
    expect(request!.body).toMatchObject({
      MetricDataQueries: [{ Id: 'q1', Expression: EXPRESSION, Period: 60, ReturnData: true }],
      StartTime: T - 300,
      EndTime: T,
    });
  });

  it('sends MetricStat inputs with ReturnData false and only the math result answering', async () => {
    cw.respond(
      'errors / requests',
      cwReplies.points([
        [T - 120, 0.002],
        [T - 60, 0.004],
      ]),
    );
    const provider = createProvider(cwConfig(cw.url, { reduce: 'max' }));
    const result = await provider.queryInstant(MATH, AT);
    expect(result.ok && result.value).toBe(0.004);
    const queries = (
      cw.requests[0]!.body as { MetricDataQueries: Array<{ Id: string; ReturnData: boolean }> }
    ).MetricDataQueries;
    expect(queries.map((q) => [q.Id, q.ReturnData])).toEqual([
      ['errors', false],
      ['requests', false],
      ['ratio', true],
    ]);
    const range = await provider.queryRange(MATH, new Date((T - 300) * 1000), AT, 60);
    if (!range.ok) throw new Error(range.message);
    expect(range.samples.map((s) => s.value)).toEqual([0.002, 0.004]);
  });

  it('maps InvalidParameterValue to query_error, AccessDenied and a wrong key to auth, Throttling to rate_limited', async () => {
    const provider = createProvider(cwConfig(cw.url));
    cw.respond(EXPRESSION, cwReplies.invalidParameter('The expression is not valid: unknown function AVGG'));
    const invalid = failureOf(await provider.queryInstant(EXPRESSION, AT));
    expect(invalid.failure).toBe('query_error');
    expect(invalid.message).toContain('unknown function AVGG');
    cw.respond(EXPRESSION, cwReplies.accessDenied());
    expect(failureOf(await provider.queryInstant(EXPRESSION, AT)).failure).toBe('auth');
    cw.reset();
    cw.respond(EXPRESSION, cwReplies.throttling());
    const throttled = failureOf(await provider.queryInstant(EXPRESSION, AT));
    expect(throttled.failure).toBe('rate_limited');
    // The SDK's standard retry: three attempts in all.
    expect(cw.requests).toHaveLength(3);
  });

  it('a key the service does not know is auth, named without its value', async () => {
    const other = await startFakeCloudWatch({ accessKeyId: 'AKIAOTHEROTHEROTHER1', region: REGION });
    try {
      const failure = failureOf(await createProvider(cwConfig(other.url)).queryInstant(EXPRESSION, AT));
      expect(failure.failure).toBe('auth');
      expect(failure.message).toContain('InvalidClientTokenId');
    } finally {
      await other.close();
    }
  });

  it('times out a slow endpoint within the configured timeout and reports several results', async () => {
    cw.respond(EXPRESSION, cwReplies.delay(5_000));
    const slow = createProvider(cwConfig(cw.url, { http: { ...cwConfig(cw.url).http, timeoutMs: 400 } }));
    const timedOut = failureOf(await slow.queryInstant(EXPRESSION, AT));
    expect(timedOut.failure).toBe('timeout');
    expect(timedOut.message).toContain('400 ms');
    const both = JSON.stringify([
      { Id: 'a', Expression: 'SEARCH(x)', ReturnData: true },
      { Id: 'b', Expression: 'SEARCH(y)', ReturnData: true },
    ]);
    cw.respond('*', cwReplies.points([[T - 60, 1]]));
    const many = failureOf(await createProvider(cwConfig(cw.url)).queryInstant(both, AT));
    expect(many.failure).toBe('multiple_series');
    expect(many.message).toContain('"ReturnData": false');
  });

  it('refuses a host the network policy denies without sending anything', async () => {
    const provider = createProvider(cwConfig(cw.url), {
      allowHost: () => ({ allowed: false, message: 'the network policy allows loopback only' }),
    });
    const denied = failureOf(await provider.queryInstant(EXPRESSION, AT));
    expect(denied.failure).toBe('unreachable');
    expect(denied.message).toContain('the network policy allows loopback only');
    expect(cw.requests).toHaveLength(0);
  });

  it('without credentials anywhere, says where the SDK looks', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const failure = failureOf(await createProvider(cwConfig(cw.url)).queryInstant(EXPRESSION, AT));
      expect(failure.failure).toBe('auth');
      expect(failure.message).toContain('AWS_ACCESS_KEY_ID');
      expect(cw.requests).toHaveLength(0);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY;
      process.env.AWS_SECRET_ACCESS_KEY = SECRET_KEY;
    }
  });
});

describe('CloudWatch credentials from the shared files', () => {
  it('a `profile` of the shared credentials file signs the request; the env keys are not needed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-aws-'));
    const credentials = path.join(dir, 'credentials');
    await writeFile(
      credentials,
      '[default]\naws_access_key_id = AKIADEFAULTDEFAULT01\naws_secret_access_key = default-secret-000000000000000000\n\n[monitor]\naws_access_key_id = AKIAMONITORPROFILE01\naws_secret_access_key = monitor-secret-00000000000000000000\n',
    );
    const cw = await startFakeCloudWatch({ accessKeyId: 'AKIAMONITORPROFILE01', region: REGION });
    const env = {
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_CONFIG_FILE: path.join(dir, 'config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const previous: Record<string, string | undefined> = {};
    for (const name of [...Object.keys(env), 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) {
      previous[name] = process.env[name];
      delete process.env[name];
    }
    Object.assign(process.env, env);
    try {
      cw.respond(EXPRESSION, cwReplies.points([[T - 60, 0.2]]));
      const result = await createProvider(cwConfig(cw.url, { profile: 'monitor' })).queryInstant(
        EXPRESSION,
        AT,
      );
      expect(result.ok && result.value).toBe(0.2);
      expect(cw.requests[0]!.headers.authorization).toContain('Credential=AKIAMONITORPROFILE01/');
    } finally {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await cw.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseCloudWatchQuery', () => {
  it('reads an expression, a MetricDataQueries list, and names what is wrong', () => {
    expect(parseCloudWatchQuery('SUM(METRICS())', 300)).toEqual({
      ok: true,
      value: [{ Id: 'q1', Expression: 'SUM(METRICS())', Period: 300, ReturnData: true }],
    });
    expect(parseCloudWatchQuery('[{"Id":"Bad","Expression":"x"}]', 60)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('"Id"'),
    });
    expect(parseCloudWatchQuery('[{"Id":"a"}]', 60)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('exactly one of'),
    });
    expect(parseCloudWatchQuery('[{"Id":"a","MetricStat":{"Metric":{}}}]', 60)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('Period and Stat'),
    });
    expect(parseCloudWatchQuery('[oops', 60)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not a JSON list'),
    });
  });
});

const openssl = findOpenssl();

describe.skipIf(openssl === null)('CloudWatch over HTTPS: the SDK gets the TLS settings', () => {
  it('trusts only tls.ca_file, and names the certificate problem otherwise', async () => {
    const pki = await makeTestPki(openssl!);
    const cw = await startFakeCloudWatch({ accessKeyId: ACCESS_KEY, region: REGION });
    const proxy = await startHttpsProxy(cw.url, { key: pki.serverKey, cert: pki.serverCert });
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    try {
      const tls = (caFile: string) =>
        cwConfig(proxy.url, {
          http: { ...cwConfig(proxy.url).http, tls: { caFile, insecureSkipVerify: false } },
        });
      const untrusted = failureOf(await createProvider(tls(pki.otherCaFile)).queryInstant(EXPRESSION, AT));
      expect(untrusted.failure).toBe('unreachable');
      expect(untrusted.message).toMatch(/certificate/i);
      expect(proxy.forwarded).toBe(0);
      // Trusted: the request crosses TLS and reaches the fake (which refuses it: the proxy drops the signature).
      const trusted = failureOf(await createProvider(tls(pki.caFile)).queryInstant(EXPRESSION, AT));
      expect(trusted.failure).not.toBe('unreachable');
      expect(proxy.forwarded).toBeGreaterThan(0);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await proxy.close();
      await cw.close();
      await pki.cleanup();
    }
  });
});

describe('CloudWatch with a tls.ca_file it cannot read', () => {
  it('is unreachable with the file and the reason named, and nothing is sent', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cw-ca-'));
    try {
      const caFile = path.join(dir, 'missing.pem');
      // Nothing listens on the discard port: a request sent there would fail differently.
      const config = cwConfig('http://127.0.0.1:9', {
        http: { ...cwConfig('http://127.0.0.1:9').http, tls: { caFile, insecureSkipVerify: false } },
      });
      expect(await createProvider(config).queryInstant(EXPRESSION, AT)).toEqual({
        ok: false,
        failure: 'unreachable',
        message: `CloudWatch: cannot read the TLS CA file ${caFile} (ENOENT): check tls ca_file`,
        warnings: [],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
