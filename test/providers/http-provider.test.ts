import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpSettings } from '../../src/config/types.js';
import { fail } from '../../src/providers/failures.js';
import type { HttpResponse } from '../../src/providers/http.js';
import type { StatusMessages } from '../../src/providers/http-provider.js';
import { HttpProvider, jsonClient, statusFailure, statusLine } from '../../src/providers/http-provider.js';

const MESSAGES: StatusMessages = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  badRequest: 'bad request',
  notFound: 'not found',
  rateLimited: 'rate limited',
  serverError: 'server error',
  unexpected: 'unexpected',
};

describe('statusFailure', () => {
  it('is null for every 2xx, without wording anything', () => {
    const words = () => {
      throw new Error('worded a success');
    };
    for (const status of [200, 201, 204, 299]) expect(statusFailure(status, words)).toBeNull();
  });

  it.each([
    [401, fail('auth', 'unauthorized')],
    [403, fail('auth', 'forbidden')],
    [400, fail('query_error', 'bad request')],
    [404, fail('bad_response', 'not found')],
    [429, fail('rate_limited', 'rate limited')],
    [500, fail('unreachable', 'server error')],
    [503, fail('unreachable', 'server error')],
    [599, fail('unreachable', 'server error')],
    [418, fail('bad_response', 'unexpected')],
    [304, fail('bad_response', 'unexpected')],
    [199, fail('bad_response', 'unexpected')],
  ])('classes HTTP %i', (status, failure) => {
    expect(statusFailure(status, () => MESSAGES)).toEqual(failure);
  });

  it('words 403 as 401 unless told otherwise', () => {
    const { forbidden: _, ...without } = MESSAGES;
    expect(statusFailure(403, () => without)).toEqual(fail('auth', 'unauthorized'));
  });

  it('makes a 400 unexpected when the backend has no verdict on the query', () => {
    const { badRequest: _, ...without } = MESSAGES;
    expect(statusFailure(400, () => without)).toEqual(fail('bad_response', 'unexpected'));
    expect(statusFailure(400, () => ({ ...MESSAGES, badRequest: null }))).toEqual(
      fail('bad_response', 'unexpected'),
    );
  });
});

describe('statusLine', () => {
  const response = (status: number, statusText: string) => ({ status, statusText }) as HttpResponse;
  it('adds the reason phrase when there is one', () => {
    expect(statusLine(response(503, 'Service Unavailable'))).toBe('HTTP 503 Service Unavailable');
    expect(statusLine(response(503, ''))).toBe('HTTP 503');
  });
});

class TestProvider extends HttpProvider<{ name: string }> {
  protected readonly backend = 'Testback';
  get(path: string) {
    return this.send({ method: 'GET', path, params: { q: 'x' } });
  }
  shapeless(what: string, warnings?: string[]) {
    return this.malformed(what, warnings);
  }
  redacted(text: string) {
    return this.client.redact(text);
  }
}

describe('HttpProvider and jsonClient against a local server', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];
  const settings = (base: string): HttpSettings => ({
    url: base,
    headers: { 'x-team': 'payments' },
    timeoutMs: 2_000,
    tls: { caFile: null, insecureSkipVerify: false },
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const status = req.url?.startsWith('/teapot') ? 418 : req.url?.startsWith('/busy') ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(JSON.stringify({ echoed: req.headers['x-key'] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function provider(base = url) {
    const client = jsonClient(settings(base), {}, (headers) => {
      headers.set('x-key', 'key-0123456789');
      return ['key-0123456789'];
    });
    return new TestProvider({ name: 'test' }, client);
  }

  it('sends the configured headers, Accept JSON and the authorization; the secret is redacted', async () => {
    const tested = provider();
    const sent = await tested.get('/api');
    if (!sent.ok) throw new Error(sent.message);
    expect(sent.response.status).toBe(200);
    expect(sent.retried).toBe('');
    const headers = seen.at(-1)!;
    expect([headers.accept, headers['x-team'], headers['x-key']]).toEqual([
      'application/json',
      'payments',
      'key-0123456789',
    ]);
    expect(tested.redacted(sent.response.body)).toBe('{"echoed":"[redacted]"}');
  });

  it('hands on an answer whatever its status: the backend words it', async () => {
    const sent = await provider().get('/teapot');
    expect(sent.ok && sent.response.status).toBe(418);
  });

  it('says how the retries ended, ready to append to a message', async () => {
    const sent = await provider().get('/busy');
    if (!sent.ok) throw new Error(sent.message);
    expect([sent.response.status, sent.retried]).toEqual([503, ' (gave up after 3 attempts)']);
  });

  it('turns no answer into the transport failure named after the backend', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const sent = await provider(`http://127.0.0.1:${port}`).get('/api');
    if (sent.ok) throw new Error('expected a failure');
    expect(sent.failure).toBe('unreachable');
    expect(sent.message).toMatch(/^Testback unreachable: /);
  });

  it('keeps the warnings of a malformed answer', () => {
    expect(provider().shapeless('a list', ['w'])).toEqual(
      fail('bad_response', `Testback at ${url.slice('http://'.length)} sent a list`, ['w']),
    );
  });
});
