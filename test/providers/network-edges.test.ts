/**
 * Redirects, reply size limits and connection failures of the backend clients, against real local
 * servers: one "backend" that redirects, and one "other origin" (another loopback port) that records
 * what reaches it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatadogProviderConfig, PrometheusProviderConfig } from '../../src/config/types.js';
import type { InstantResult } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';
import { freePort } from '../support/prometheus.js';

const AT = new Date(1_767_225_600_000);
const VECTOR = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1_767_225_600, '0.25'] }] },
});
const TOKEN = 'bearer-token-5f1e0c2d';
const PROXY_KEY = 'proxy-key-8a7b6c5d';
const API_KEY = 'ddapi-0f3c9a7e2b51d4c8';
const APP_KEY = 'ddapp-7b2e91c4d05a3f66';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  url: string;
  /** Lower-cased headers of every request received. */
  requests: Array<{ path: string; headers: Record<string, string | string[] | undefined> }>;
  handler: Handler;
  server: Server;
}

async function startServer(handler: Handler): Promise<TestServer> {
  const state = { requests: [], handler } as unknown as TestServer;
  state.server = createServer((req, res) => {
    state.requests.push({ path: req.url ?? '', headers: { ...req.headers } });
    state.handler(req, res);
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

function promConfig(
  url: string,
  http: Partial<PrometheusProviderConfig['http']> = {},
): PrometheusProviderConfig {
  return {
    type: 'prometheus',
    name: 'prom',
    http: {
      url,
      headers: { 'X-Api-Key': PROXY_KEY },
      timeoutMs: 5_000,
      tls: { caFile: null, insecureSkipVerify: false },
      ...http,
    },
    tenant: null,
    auth: { kind: 'bearer', token: TOKEN },
  };
}

function ddConfig(url: string, http: Partial<DatadogProviderConfig['http']> = {}): DatadogProviderConfig {
  return {
    type: 'datadog',
    name: 'dd',
    http: { url, headers: {}, timeoutMs: 5_000, tls: { caFile: null, insecureSkipVerify: false }, ...http },
    apiKey: API_KEY,
    appKey: APP_KEY,
    site: 'datadoghq.com',
    lookbackSeconds: 300,
    reduce: 'last',
  };
}

function failureOf(result: InstantResult) {
  if (result.ok) throw new Error(`expected a failure, got the value ${result.value}`);
  for (const secret of [TOKEN, PROXY_KEY, API_KEY, APP_KEY]) expect(result.message).not.toContain(secret);
  return result;
}

const allowAll = () => ({ allowed: true as const });

describe('redirects', () => {
  let backend: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    other = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(VECTOR);
    });
    backend = await startServer((req, res) => {
      res.writeHead(302, { location: `${other.url}/moved${(req.url ?? '').replace(/^[^?]*/, '')}` }).end();
    });
  });
  afterEach(() => {
    backend.requests.length = 0;
    other.requests.length = 0;
  });
  afterAll(async () => {
    await stopServer(backend);
    await stopServer(other);
  });

  it('are not followed by default: unknown, naming the redirect and its target, nothing sent there', async () => {
    const result = failureOf(await createProvider(promConfig(backend.url)).queryInstant('up', AT));
    expect(result.failure).toBe('bad_response');
    expect(result.message).toContain('HTTP 302');
    expect(result.message).toContain(`a redirect to ${other.url}/moved`);
    expect(result.message).toContain('follow_redirects');
    // The query string (which could carry anything) is not shown.
    expect(result.message).not.toContain('query=');
    expect(other.requests).toHaveLength(0);
  });

  it('are not followed for Datadog either, and no key reaches the other origin', async () => {
    const result = failureOf(await createProvider(ddConfig(backend.url)).queryInstant('avg:x{*}', AT));
    expect(result.message).toContain(`a redirect to ${other.url}/moved`);
    expect(other.requests).toHaveLength(0);
  });

  it('with follow_redirects, reach the other origin without any credential header', async () => {
    const provider = createProvider(promConfig(backend.url, { followRedirects: true }), {
      allowHost: allowAll,
    });
    const result = await provider.queryInstant('up', AT);
    expect(result.ok && result.value).toBe(0.25);
    expect(backend.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(backend.requests[0]!.headers['x-api-key']).toBe(PROXY_KEY);
    expect(other.requests).toHaveLength(1);
    const sent = other.requests[0]!.headers;
    expect(sent.authorization).toBeUndefined();
    expect(sent['x-api-key']).toBeUndefined();
    expect(JSON.stringify(sent)).not.toContain(TOKEN);
    expect(JSON.stringify(sent)).not.toContain(PROXY_KEY);
  });

  it('with follow_redirects, never carry DD-API-KEY / DD-APPLICATION-KEY to another origin', async () => {
    const provider = createProvider(ddConfig(backend.url, { followRedirects: true }), {
      allowHost: allowAll,
    });
    await provider.queryInstant('avg:x{*}', AT);
    expect(backend.requests[0]!.headers['dd-api-key']).toBe(API_KEY);
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]!.headers['dd-api-key']).toBeUndefined();
    expect(other.requests[0]!.headers['dd-application-key']).toBeUndefined();
  });

  it('with follow_redirects, ask the network policy at every hop and stop where it says no', async () => {
    const asked: string[] = [];
    const provider = createProvider(promConfig(backend.url, { followRedirects: true }), {
      // The configured host passes (as it did at start); the redirect's target does not.
      allowHost: (host) => {
        asked.push(host);
        return asked.length === 1
          ? { allowed: true }
          : { allowed: false, message: `the SmartSpec network policy (test) denies host ${host}` };
      },
    });
    const result = failureOf(await provider.queryInstant('up', AT));
    expect(asked).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(result.failure).toBe('bad_response');
    expect(result.message).toContain(`a redirect to ${other.url}/moved, which was not followed`);
    expect(result.message).toContain('network policy (test) denies host 127.0.0.1');
    expect(other.requests).toHaveLength(0);
  });

  it('the configured host itself is checked at the moment of use: refused, nothing is sent', async () => {
    const provider = createProvider(promConfig(backend.url), {
      allowHost: (host) => ({ allowed: false, message: `the network policy (test) denies host ${host}` }),
    });
    const result = failureOf(await provider.queryInstant('up', AT));
    expect(result.failure).toBe('unreachable');
    expect(result.message).toContain('was not queried: the network policy (test) denies host 127.0.0.1');
    expect(backend.requests).toHaveLength(0);
  });

  it('stop after a bounded number of hops', async () => {
    const loop = await startServer((_req, res) => {
      res.writeHead(307, { location: '/again' }).end();
    });
    try {
      const provider = createProvider(promConfig(loop.url, { followRedirects: true }), {
        allowHost: allowAll,
      });
      const result = failureOf(await provider.queryInstant('up', AT));
      expect(result.message).toContain('more than 5 redirects');
      expect(loop.requests).toHaveLength(6);
    } finally {
      await stopServer(loop);
    }
  });
});

describe('reply size limit', () => {
  let endless: TestServer;
  let written = 0;
  let closedAt: number | null = null;

  beforeAll(async () => {
    endless = await startServer((_req, res) => {
      written = 0;
      closedAt = null;
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Writes as fast as the client reads, without end: only the client can stop it.
      const pump = () => {
        while (!res.destroyed && written < 2 * 1024 ** 3) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => {
        closedAt = written;
      });
      pump();
    });
  });
  afterAll(() => stopServer(endless));

  it('stops reading at max_response_size: unknown with a clear reason, the stream cut short', async () => {
    const limit = 1024 * 1024;
    const provider = createProvider(promConfig(endless.url, { maxResponseBytes: limit }));
    const result = failureOf(await provider.queryInstant('up', AT));
    expect(result.failure).toBe('bad_response');
    expect(result.message).toContain('larger than 1 MiB (the max_response_size limit)');
    // The server learns the client went away long before an unbounded read would have ended.
    const deadline = Date.now() + 10_000;
    while (closedAt === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(closedAt).not.toBeNull();
    expect(closedAt!).toBeLessThan(32 * limit);
  });

  it('refuses a declared Content-Length above the limit without reading the body', async () => {
    const big = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('{"status":"success"');
    });
    try {
      const provider = createProvider(promConfig(big.url, { maxResponseBytes: 4096 }));
      const result = failureOf(await provider.queryInstant('up', AT));
      expect(result.message).toContain('larger than 4 KiB');
    } finally {
      await stopServer(big);
    }
  });

  it('reads answers under the limit as before', async () => {
    const small = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(VECTOR);
    });
    try {
      const provider = createProvider(promConfig(small.url, { maxResponseBytes: VECTOR.length }));
      const result = await provider.queryInstant('up', AT);
      expect(result.ok && result.value).toBe(0.25);
    } finally {
      await stopServer(small);
    }
  });
});

describe('connection failures in plain words', () => {
  it('connection refused names host:port, not "fetch failed"', async () => {
    const port = await freePort();
    const result = failureOf(
      await createProvider(promConfig(`http://127.0.0.1:${port}`)).queryInstant('up', AT),
    );
    expect(result.failure).toBe('unreachable');
    expect(result.message).toContain(`connection refused to 127.0.0.1:${port}`);
    expect(result.message).not.toContain('fetch failed');
    expect(result.message).not.toContain('UNKNOWN');
  });

  it('a server that does not speak HTTP is named as such, with the scheme to check', async () => {
    const sockets = new Set<Socket>();
    const garbage = createNetServer((socket) => {
      sockets.add(socket);
      socket.end('SSH-2.0-OpenSSH_9.2\r\n');
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const port = (garbage.address() as AddressInfo).port;
    try {
      const result = failureOf(
        await createProvider(promConfig(`http://127.0.0.1:${port}`)).queryInstant('up', AT),
      );
      expect(result.failure).toBe('unreachable');
      expect(result.message).toContain(`127.0.0.1:${port} did not answer in HTTP (HPE_`);
      expect(result.message).toContain('scheme (http/https)');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => garbage.close(resolve));
    }
  });

  it('an https url to a plain HTTP server is a TLS handshake failure, not a crash', async () => {
    const plain = await startServer((_req, res) => res.end('hello'));
    try {
      const url = plain.url.replace('http:', 'https:');
      const result = failureOf(await createProvider(promConfig(url)).queryInstant('up', AT));
      expect(result.failure).toBe('unreachable');
      expect(result.message).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed \(E[A-Z_]+\)/);
      expect(plain.requests).toHaveLength(0);
    } finally {
      await stopServer(plain);
    }
  });

  it('a port other HTTP clients refuse (9, discard) is simply tried', async () => {
    const result = failureOf(await createProvider(promConfig('http://127.0.0.1:9')).queryInstant('up', AT));
    expect(result.message).toContain('connection refused to 127.0.0.1:9');
  });
});
