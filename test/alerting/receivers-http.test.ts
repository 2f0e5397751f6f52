import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPagerDutyReceiver } from '../../src/alerting/receivers/pagerduty.js';
import { createSlackReceiver, slackMessage } from '../../src/alerting/receivers/slack.js';
import { createWebhookReceiver } from '../../src/alerting/receivers/webhook.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.js';
import { type FakeWebhook, startFakeWebhook } from '../fakes/webhook.js';
import { samplePayload } from './fixtures.js';

const SECRET = 'whsec_test_1234567890';
const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const FIXED_NOW = new Date('2026-11-27T04:06:00.000Z');

/** A port nothing listens on: bound, then released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

describe('webhook receiver', () => {
  let fake: FakeWebhook;
  beforeAll(async () => {
    fake = await startFakeWebhook();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.requests.length = 0;
  });

  const receiver = (hmacSecret: string | null) =>
    createWebhookReceiver(
      {
        type: 'webhook',
        name: 'ops-hook',
        url: fake.url,
        headers: { authorization: 'Bearer hook-token' },
        hmacSecret,
      },
      { now: () => FIXED_NOW },
    );

  it('POSTs the payload as JSON with a verifiable HMAC signature and an idempotency key', async () => {
    const payload = samplePayload('trigger');
    const result = await receiver(SECRET).deliver(payload);
    expect(result).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer hook-token');
    expect(request.body).toEqual(payload);
    const expected = `sha256=${createHmac('sha256', SECRET).update(request.rawBody).digest('hex')}`;
    expect(request.headers['x-signature-256']).toBe(expected);
    expect(request.headers['x-signature-timestamp']).toBe(String(FIXED_NOW.getTime() / 1000));
    expect(request.headers['idempotency-key']).toBe(
      'smartspec-production-monitor/spec-core-001-authentication/api_latency_p99/slo:trigger:2026-11-27T04:00:00.000Z',
    );
    expect(request.headers['user-agent']).toBe('smartspec-production-monitor/0.1.0');
  });

  it('sends no signature headers without a secret', async () => {
    await receiver(null).deliver(samplePayload('trigger'));
    expect(fake.requests[0]?.headers['x-signature-256']).toBeUndefined();
    expect(fake.requests[0]?.headers['x-signature-timestamp']).toBeUndefined();
  });

  it('classifies failures: 5xx and 408 retry, 429 carries Retry-After, other 4xx are permanent', async () => {
    fake.failNext(1, { status: 503, body: 'maintenance' });
    expect(await receiver(null).deliver(samplePayload())).toEqual({
      ok: false,
      permanent: false,
      error: 'HTTP 503: maintenance',
    });
    fake.failNext(1, { status: 408 });
    expect(await receiver(null).deliver(samplePayload())).toMatchObject({ ok: false, permanent: false });
    fake.failNext(1, { status: 429, retryAfterSeconds: 7 });
    expect(await receiver(null).deliver(samplePayload())).toMatchObject({
      ok: false,
      permanent: false,
      retryAfterMs: 7000,
    });
    fake.failNext(1, {
      status: 429,
      headers: { 'retry-after': 'Fri, 27 Nov 2026 04:00:30 GMT', date: 'Fri, 27 Nov 2026 04:00:00 GMT' },
    });
    expect(await receiver(null).deliver(samplePayload())).toMatchObject({ retryAfterMs: 30_000 });
    fake.failNext(1, { status: 404, body: 'no such hook' });
    expect(await receiver(null).deliver(samplePayload())).toEqual({
      ok: false,
      permanent: true,
      error: 'HTTP 404: no such hook',
    });
  });

  it('masks secrets that the server echoes back', async () => {
    fake.failNext(1, { status: 401, body: `bad token Bearer hook-token` });
    const redacting = createWebhookReceiver(
      {
        type: 'webhook',
        name: 'h',
        url: fake.url,
        headers: { authorization: 'Bearer hook-token' },
        hmacSecret: null,
      },
      { redact: (text) => text.split('hook-token').join('***') },
    );
    const result = await redacting.deliver(samplePayload());
    expect(result).toEqual({ ok: false, permanent: true, error: 'HTTP 401: bad token Bearer ***' });
  });

  it('turns a network error into a retryable failure without the URL in it', async () => {
    const url = await closedPortUrl();
    const result = await createWebhookReceiver({
      type: 'webhook',
      name: 'h',
      url,
      headers: {},
      hmacSecret: null,
    }).deliver(samplePayload());
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(result.ok ? '' : result.error).toContain(`connection refused to ${new URL(url).host}`);
    expect(result.ok ? '' : result.error).not.toContain(url);
  });
});

describe('slack receiver', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.requests.length = 0;
    fake.archived = false;
  });

  const receiver = () => createSlackReceiver({ type: 'slack', name: 'chat', url: fake.url });

  it('posts text and blocks that Slack accepts, with mrkdwn escaped', async () => {
    const result = await receiver().deliver(samplePayload('trigger'));
    expect(result).toEqual({ ok: true, detail: 'ok' });
    const body = fake.requests[0]?.body as { text: string; blocks: Array<Record<string, unknown>> };
    expect(body.text).toBe(
      '[SEV-2] spec-core-001-authentication api_latency_p99 = 350 ms breaches &lt; 200ms (p99 latency)',
    );
    expect(body.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `:rotating_light: *${body.text}*` },
    });
    const fields = (body.blocks[1] as { fields: Array<{ text: string }> }).fields.map((f) => f.text);
    expect(fields).toContain('*Value*\n350 ms');
    expect(fields).toContain('*Target*\n&lt; 200ms');
    expect(fields).toContain('*Severity*\nSEV-2');
    expect(JSON.stringify(body.blocks.at(-1))).toContain('<http://127.0.0.1:9999/status|Status page>');
  });

  it('maps Slack error strings: invalid_payload and channel_is_archived are permanent', async () => {
    fake.archived = true;
    expect(await receiver().deliver(samplePayload())).toEqual({
      ok: false,
      permanent: true,
      error: "HTTP 410: the webhook's channel is archived (channel_is_archived)",
    });
    fake.failNext(1, { status: 400, body: 'invalid_payload' });
    expect(await receiver().deliver(samplePayload())).toMatchObject({
      permanent: true,
      error: 'HTTP 400: Slack could not read the message (malformed JSON or fields) (invalid_payload)',
    });
  });

  it('honours 429 Retry-After and retries 500 rollup_error', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 2, body: 'rate_limited' });
    expect(await receiver().deliver(samplePayload())).toMatchObject({
      ok: false,
      permanent: false,
      retryAfterMs: 2000,
    });
    fake.failNext(1, { status: 500, body: 'rollup_error' });
    expect(await receiver().deliver(samplePayload())).toMatchObject({
      ok: false,
      permanent: false,
      error: 'HTTP 500: Slack had an internal error (rollup_error)',
    });
  });

  it('reports a wrong webhook URL as permanent (no_service)', async () => {
    const wrong = createSlackReceiver({
      type: 'slack',
      name: 'chat',
      url: `${fake.origin}/services/T/B/wrong`,
    });
    expect(await wrong.deliver(samplePayload())).toMatchObject({
      permanent: true,
      error: expect.stringContaining('no_service'),
    });
  });

  it('the fake rejects a message without text or blocks, as Slack does', async () => {
    const response = await fetch(fake.url, { method: 'POST', body: '{"unfurl_links":false}' });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('invalid_payload');
  });

  it('builds a no-data and a resolve message too', () => {
    expect(slackMessage(samplePayload('resolve', { verdict: { value: 150 } })).text).toContain('[RESOLVED]');
    expect(slackMessage(samplePayload('trigger', { kind: 'no_data' })).text).toContain('monitoring is blind');
  });
});

describe('pagerduty receiver', () => {
  let fake: FakePagerDuty;
  beforeAll(async () => {
    fake = await startFakePagerDuty();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.requests.length = 0;
    fake.alerts.clear();
  });

  const receiver = (routingKey = ROUTING_KEY) =>
    createPagerDutyReceiver({ type: 'pagerduty', name: 'pager', url: fake.url, routingKey });

  it('sends a trigger that PagerDuty accepts, folds reminders into it and resolves it', async () => {
    expect(await receiver().deliver(samplePayload('trigger'))).toEqual({ ok: true, detail: 'HTTP 202' });
    const event = fake.requests[0]?.body as Record<string, unknown>;
    expect(event).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'smartspec-production-monitor/spec-core-001-authentication/api_latency_p99/slo',
      payload: {
        summary:
          '[SEV-2] spec-core-001-authentication api_latency_p99 = 350 ms breaches < 200ms (p99 latency)',
        source: 'auth-api',
        severity: 'error',
        timestamp: '2026-11-27T04:00:00.000Z',
        component: 'api_latency_p99',
        group: 'spec-core-001-authentication',
        class: 'slo_breach',
        custom_details: {
          source: 'production_monitor',
          spec_id: 'spec-core-001-authentication',
          value: 350,
          slo: 200,
        },
      },
      client: 'smartspec-production-monitor',
      client_url: 'http://127.0.0.1:9999/status',
      links: [
        { href: 'http://127.0.0.1:9999/status', text: 'Status page' },
        { href: 'http://127.0.0.1:9999/reports/spec-core-001-authentication/latest', text: 'Report' },
      ],
    });

    expect(await receiver().deliver(samplePayload('reminder'))).toMatchObject({ ok: true });
    expect((fake.requests[1]!.body as Record<string, unknown>).event_action).toBe('trigger');
    expect(await receiver().deliver(samplePayload('resolve'))).toMatchObject({ ok: true });
    expect(fake.requests[2]?.body).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'smartspec-production-monitor/spec-core-001-authentication/api_latency_p99/slo',
    });
    const alert = fake.alerts.get(
      'smartspec-production-monitor/spec-core-001-authentication/api_latency_p99/slo',
    );
    expect(alert).toMatchObject({ status: 'resolved', events: 3 });
  });

  it.each([
    ['SEV-1', 'critical'],
    ['SEV-3', 'warning'],
    ['SEV-4', 'info'],
  ] as const)('maps %s to %s', async (severity, expected) => {
    await receiver().deliver(samplePayload('trigger', { state: { severity } }));
    expect((fake.requests[0]!.body as { payload: { severity: string } }).payload.severity).toBe(expected);
  });

  it('truncates the summary to 1024 characters', async () => {
    const payload = samplePayload('trigger', { verdict: { requirement: 'x'.repeat(2000) } });
    expect(await receiver().deliver(payload)).toMatchObject({ ok: true });
    expect((fake.requests[0]!.body as { payload: { summary: string } }).payload.summary).toHaveLength(1024);
  });

  it('treats 400 invalid event as permanent, with the errors and without the routing key', async () => {
    const result = await receiver('too-short-key').deliver(samplePayload('trigger'));
    expect(result).toEqual({
      ok: false,
      permanent: true,
      error:
        "HTTP 400: Event object is invalid: 'routing_key' is invalid (must be a 32 character integration key)",
    });
  });

  it('retries 429 and 5xx', async () => {
    fake.failNext(1, {
      status: 429,
      retryAfterSeconds: 60,
      body: '{"status":"throttle event","message":"Requests for this service are arriving too quickly."}',
    });
    expect(await receiver().deliver(samplePayload())).toMatchObject({
      ok: false,
      permanent: false,
      retryAfterMs: 60_000,
    });
    fake.failNext(1, { status: 502, body: 'bad gateway' });
    expect(await receiver().deliver(samplePayload())).toMatchObject({ ok: false, permanent: false });
  });

  it('never leaks the routing key, even when the server echoes it', async () => {
    fake.failNext(1, { status: 403, body: `key ${ROUTING_KEY} is disabled` });
    const result = await receiver().deliver(samplePayload());
    expect(result).toEqual({ ok: false, permanent: true, error: 'HTTP 403: key *** is disabled' });
  });
});
