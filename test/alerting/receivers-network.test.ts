/**
 * Receivers under the network rules: the policy gate at creation, redirects (not followed by default;
 * followed only through the policy and without credentials to another origin), bounded replies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReceivers } from '../../src/alerting/receivers/index.js';
import { createPagerDutyReceiver } from '../../src/alerting/receivers/pagerduty.js';
import { createSlackReceiver } from '../../src/alerting/receivers/slack.js';
import { createWebhookReceiver } from '../../src/alerting/receivers/webhook.js';
import { UserError } from '../../src/common/errors.js';
import type { ReceiverConfig } from '../../src/config/types.js';
import { checkNetworkAllowed } from '../../src/workspace/index.js';
import { openWriteScope } from '../support/temp.js';
import { samplePayload } from './fixtures.js';

const HOOK_TOKEN = 'hook-token-4e3d2c1b';
const ROUTING_KEY = 'pd-routing-key-9f8e7d6c';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface TestServer {
  url: string;
  requests: Array<{ method: string; headers: IncomingMessage['headers']; body: string }>;
  handler: Handler;
  server: Server;
}

async function startServer(handler: Handler): Promise<TestServer> {
  const state = { requests: [], handler } as unknown as TestServer;
  state.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({
        method: req.method ?? '',
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString(),
      });
      state.handler(req, res);
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

async function stopServer(server: TestServer | undefined): Promise<void> {
  if (!server) return;
  server.server.closeAllConnections();
  await new Promise((resolve) => server.server.close(resolve));
}

const denyAllButLoopback = {
  file: '.spec/smartspec.config.yaml',
  networkPolicy: { default: 'deny' as const, allowlistDomains: [] },
};

describe('the network policy gate at start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssm-recv-net-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const configs: ReceiverConfig[] = [
    { type: 'webhook', name: 'local', url: 'http://127.0.0.1:1/hook', headers: {}, hmacSecret: null },
    { type: 'webhook', name: 'audit', url: 'http://10.20.30.40:8080/hook', headers: {}, hmacSecret: null },
  ];

  it('refuses a receiver outside loopback under the default deny policy: a configuration error naming both', () => {
    let thrown: unknown;
    try {
      createReceivers(configs, {
        alertsDir: dir,
        writeScope: openWriteScope(dir),
        incidentCommand: null,
        redact: (t) => t,
        network: {
          allowHost: (host) => checkNetworkAllowed(host, denyAllButLoopback, false),
          configFile: 'specs/a/observability.yaml',
        },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    const error = thrown as UserError;
    expect(error.code).toBe('network_denied');
    expect(error.message).toContain('receiver "audit" (webhook)');
    expect(error.message).toContain('network policy (.spec/smartspec.config.yaml) denies host "10.20.30.40"');
    expect(error.field).toBe('receivers[1]');
    expect(error.location?.file).toBe('specs/a/observability.yaml');
    expect(error.hint).toContain('--allow-network');
  });

  it('admits it with --allow-network', () => {
    const receivers = createReceivers(configs, {
      alertsDir: dir,
      writeScope: openWriteScope(dir),
      incidentCommand: null,
      redact: (t) => t,
      network: {
        allowHost: (host) => checkNetworkAllowed(host, denyAllButLoopback, true),
        configFile: 'observability.yaml',
      },
    });
    expect(receivers.map((r) => r.name)).toEqual(['file', 'local', 'audit']);
  });
});

describe('receiver redirects', () => {
  let redirecting: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    other = await startServer((_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json' }).end('ok');
    });
    redirecting = await startServer((_req, res) => {
      res.writeHead(307, { location: `${other.url}/elsewhere?token=${HOOK_TOKEN}` }).end();
    });
  });
  afterEach(() => {
    other.requests.length = 0;
    redirecting.requests.length = 0;
  });
  afterAll(async () => {
    await stopServer(redirecting);
    await stopServer(other);
  });

  it('a webhook redirect is not followed by default: a permanent failure naming the target', async () => {
    const result = await createWebhookReceiver({
      type: 'webhook',
      name: 'h',
      url: `${redirecting.url}/hook`,
      headers: { Authorization: `Bearer ${HOOK_TOKEN}` },
      hmacSecret: null,
    }).deliver(samplePayload());
    expect(result).toMatchObject({ ok: false, permanent: true });
    const error = result.ok ? '' : result.error;
    expect(error).toContain(`HTTP 307: redirected to ${other.url}/elsewhere`);
    expect(error).toContain('follow_redirects');
    expect(error).not.toContain(HOOK_TOKEN);
    expect(other.requests).toHaveLength(0);
  });

  it('Slack and PagerDuty refuse redirects the same way', async () => {
    const slack = await createSlackReceiver({
      type: 'slack',
      name: 's',
      url: `${redirecting.url}/services/x`,
    }).deliver(samplePayload());
    const pager = await createPagerDutyReceiver({
      type: 'pagerduty',
      name: 'p',
      url: `${redirecting.url}/v2/enqueue`,
      routingKey: ROUTING_KEY,
    }).deliver(samplePayload());
    for (const result of [slack, pager]) {
      expect(result).toMatchObject({ ok: false, permanent: true });
      expect(result.ok ? '' : result.error).toContain('redirected to');
    }
    expect(other.requests).toHaveLength(0);
  });

  it('with follow_redirects: the same POST reaches the other origin without credential headers', async () => {
    const result = await createWebhookReceiver(
      {
        type: 'webhook',
        name: 'h',
        url: `${redirecting.url}/hook`,
        headers: { Authorization: `Bearer ${HOOK_TOKEN}`, 'X-Api-Key': HOOK_TOKEN },
        hmacSecret: null,
      },
      { followRedirects: true, allowHost: () => ({ allowed: true }) },
    ).deliver(samplePayload());
    expect(result.ok).toBe(true);
    expect(redirecting.requests[0]!.headers.authorization).toBe(`Bearer ${HOOK_TOKEN}`);
    expect(other.requests).toHaveLength(1);
    const forwarded = other.requests[0]!;
    expect(forwarded.method).toBe('POST');
    expect(JSON.parse(forwarded.body)).toMatchObject({ dedup_key: samplePayload().dedup_key });
    expect(forwarded.headers.authorization).toBeUndefined();
    expect(forwarded.headers['x-api-key']).toBeUndefined();
  });

  it('with follow_redirects: a hop the policy denies is not taken', async () => {
    let asked = 0;
    const result = await createWebhookReceiver(
      { type: 'webhook', name: 'h', url: `${redirecting.url}/hook`, headers: {}, hmacSecret: null },
      {
        followRedirects: true,
        // The receiver's own host passes (as it did at start); the redirect's target does not.
        allowHost: (host) =>
          host === '127.0.0.1' && ++asked === 1
            ? { allowed: true }
            : { allowed: false, message: `the network policy denies host ${host}` },
      },
    ).deliver(samplePayload());
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(result.ok ? '' : result.error).toContain('not followed: the network policy denies host 127.0.0.1');
    expect(other.requests).toHaveLength(0);
  });
});

describe('the policy at the moment of use', () => {
  it('a receiver whose host the policy refuses sends nothing and fails for good', async () => {
    let hits = 0;
    const server = await startServer((_req, res) => {
      hits++;
      res.writeHead(200).end();
    });
    try {
      const result = await createWebhookReceiver(
        { type: 'webhook', name: 'h', url: `${server.url}/hook`, headers: {}, hmacSecret: null },
        { allowHost: (host) => ({ allowed: false, message: `the network policy denies host ${host}` }) },
      ).deliver(samplePayload());
      expect(result).toMatchObject({ ok: false, permanent: true });
      expect(result.ok ? '' : result.error).toBe('not sent: the network policy denies host 127.0.0.1');
      expect(hits).toBe(0);
    } finally {
      await stopServer(server);
    }
  });
});

describe('receiver replies', () => {
  let chatty: TestServer;
  beforeAll(async () => {
    chatty = await startServer((_req, res) => {
      // A failing reply that echoes a secret and then never ends: only the client can stop it.
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.write(`upstream said: token ${ROUTING_KEY} rejected. `);
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
      };
      pump();
    });
  });
  afterAll(() => stopServer(chatty));

  it('read only up to the limit: a short, redacted excerpt of an endless reply, well within the timeout', async () => {
    const result = await createPagerDutyReceiver(
      { type: 'pagerduty', name: 'p', url: `${chatty.url}/v2/enqueue`, routingKey: ROUTING_KEY },
      { maxResponseBytes: 64 * 1024, timeoutMs: 20_000 },
    ).deliver(samplePayload());
    expect(result).toMatchObject({ ok: false, permanent: false });
    const error = result.ok ? '' : result.error;
    expect(error).toContain('HTTP 500: upstream said: token *** rejected.');
    expect(error).not.toContain(ROUTING_KEY);
    expect(error.length).toBeLessThan(400);
  });
});
