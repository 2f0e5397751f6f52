import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHeaders } from '../../src/common/http-headers.js';
import type { HttpTransport } from '../../src/common/http-transport.js';
import type { PrometheusProviderConfig } from '../../src/config/types.js';
import { parseResetSeconds, parseRetryAfter } from '../../src/providers/http.js';
import type { InstantResult } from '../../src/providers/index.js';
import { createProvider } from '../../src/providers/index.js';

const AT = new Date(1_767_225_600_000);
const VECTOR = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1_767_225_600, '0.5'] }] },
});

function promConfig(
  url: string,
  tls: PrometheusProviderConfig['http']['tls'] = { caFile: null, insecureSkipVerify: false },
) {
  return {
    type: 'prometheus',
    name: 'prom',
    http: { url, headers: {}, timeoutMs: 5_000, tls },
    tenant: null,
    auth: { kind: 'none' },
  } satisfies PrometheusProviderConfig;
}

function instantValue(result: InstantResult): number {
  if (!result.ok) throw new Error(`${result.failure}: ${result.message}`);
  return result.value;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('Retry-After and X-RateLimit-Reset parsing', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('reads reset seconds', () => {
    expect(parseResetSeconds('12')).toBe(12);
    expect(parseResetSeconds('0.25')).toBe(0.25);
    expect(parseResetSeconds('')).toBeNull();
    expect(parseResetSeconds('-1')).toBeNull();
    expect(parseResetSeconds(null)).toBeNull();
  });
});

describe('retries against a local server', () => {
  let server: Server;
  let base: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const arrivals: number[] = [];

  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      arrivals.push(Date.now());
      handler(req, res);
    });
    base = `http://${await listen(server)}`;
  });

  afterAll(async () => {
    await shut(server);
  });

  it('honours Retry-After in seconds on a 503', async () => {
    arrivals.length = 0;
    handler = (_req, res) => {
      if (arrivals.length === 1) {
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('busy');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(VECTOR);
      }
    };
    expect(instantValue(await createProvider(promConfig(base)).queryInstant('q', AT))).toBe(0.5);
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(990);
  });

  it('does not retry a Retry-After beyond the timeout budget', async () => {
    arrivals.length = 0;
    handler = (_req, res) => {
      res.writeHead(429, { 'retry-after': '120', 'content-type': 'text/plain' }).end('slow down');
    };
    const result = await createProvider(promConfig(base)).queryInstant('q', AT);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure).toBe('rate_limited');
    expect(!result.ok && result.message).toContain(
      'not retried: waiting 120 s would exceed the 5000 ms timeout',
    );
    expect(arrivals).toHaveLength(1);
  });

  it('does not retry client errors', async () => {
    arrivals.length = 0;
    handler = (_req, res) => {
      res.writeHead(418, { 'content-type': 'text/plain' }).end('teapot');
    };
    const result = await createProvider(promConfig(base)).queryInstant('q', AT);
    expect(!result.ok && result.failure).toBe('bad_response');
    expect(!result.ok && result.message).toContain('HTTP 418');
    expect(arrivals).toHaveLength(1);
  });

  it('lets the config headers set the User-Agent', async () => {
    let agent = '';
    handler = (req, res) => {
      agent = req.headers['user-agent'] ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(VECTOR);
    };
    const config = promConfig(base);
    config.http.headers = { 'User-Agent': 'custom/2' };
    instantValue(await createProvider(config, { userAgent: 'ignored/1' }).queryInstant('q', AT));
    expect(agent).toBe('custom/2');
  });

  it('uses an injected transport', async () => {
    const urls: string[] = [];
    const transport: HttpTransport = {
      async send(url) {
        urls.push(url.href);
        return {
          status: 200,
          statusText: 'OK',
          headers: new HttpHeaders({ 'content-type': 'application/json' }),
          body: Readable.from([Buffer.from(VECTOR)]),
          discard: () => undefined,
        };
      },
    };
    const provider = createProvider(promConfig('http://prom.example:9090/prefix/'), { transport });
    expect(provider.host).toBe('prom.example');
    expect(instantValue(await provider.queryInstant('up', AT))).toBe(0.5);
    expect(urls).toEqual(['http://prom.example:9090/prefix/api/v1/query?query=up&time=1767225600.000']);
  });
});

function findOpenssl(): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  return dirs.map((dir) => join(dir, 'openssl')).find((path) => existsSync(path)) ?? null;
}

const openssl = findOpenssl();
if (!openssl)
  console.warn(
    'test/providers/http.test.ts: TLS tests skipped: openssl not found to make a test certificate',
  );

describe.skipIf(!openssl)('TLS options', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssm-tls-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      openssl!,
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
      ],
      { stdio: 'ignore' },
    );
    server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(VECTOR);
    });
    base = `https://${await listen(server)}`;
  });

  afterAll(async () => {
    if (server) await shut(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an untrusted certificate with a hint about ca_file', async () => {
    const result = await createProvider(promConfig(base)).queryInstant('up', AT);
    expect(!result.ok && result.failure).toBe('unreachable');
    expect(!result.ok && result.message).toContain('not trusted');
    expect(!result.ok && result.message).toContain('ca_file');
  });

  it('trusts the configured CA file', async () => {
    const tls = { caFile: join(dir, 'cert.pem'), insecureSkipVerify: false };
    expect(instantValue(await createProvider(promConfig(base, tls)).queryInstant('up', AT))).toBe(0.5);
  });

  it('skips verification when asked', async () => {
    const tls = { caFile: null, insecureSkipVerify: true };
    expect(instantValue(await createProvider(promConfig(base, tls)).queryInstant('up', AT))).toBe(0.5);
  });

  it('reports an unreadable CA file', async () => {
    const tls = { caFile: join(dir, 'missing.pem'), insecureSkipVerify: false };
    const result = await createProvider(promConfig(base, tls)).queryInstant('up', AT);
    expect(!result.ok && result.failure).toBe('unreachable');
    expect(!result.ok && result.message).toContain('cannot read the TLS CA file');
    expect(!result.ok && result.message).toContain('ENOENT');
  });
});
