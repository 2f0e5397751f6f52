/**
 * The node:http(s) transport under every backend client and receiver, against real local servers:
 * content codings, connection reuse, aborts, request bodies and headers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch } from '../../src/common/guarded-fetch.js';
import { HttpHeaders } from '../../src/common/http-headers.js';
import { defaultTransport } from '../../src/common/http-transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let base: string;
let handler: Handler = (_req, res) => res.end();
const seen: Array<{ port: number | undefined; headers: IncomingMessage['headers']; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ port: req.socket.remotePort, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function read(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const response = await defaultTransport().send(new URL(path, base), {
    method: init.method ?? 'GET',
    headers: new HttpHeaders(init.headers ?? {}),
    signal: AbortSignal.timeout(5_000),
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { response, text: Buffer.concat(chunks).toString('utf8') };
}

const TEXT = 'a query answer — with ünïcode '.repeat(200);

async function guarded(path: string, maxBytes = 8 * 1024 * 1024, oversize: 'fail' | 'truncate' = 'fail') {
  return guardedFetch(
    new URL(path, base),
    { method: 'GET', headers: new HttpHeaders(), signal: AbortSignal.timeout(5_000) },
    { transport: defaultTransport(), followRedirects: false, allowHost: undefined, maxBytes, oversize },
  );
}

describe('node:http transport', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('the %s content coding it asks for is undone once the body is in', async (coding, compress) => {
    handler = (_req, res) =>
      res.writeHead(200, { 'content-encoding': coding }).end(compress(Buffer.from(TEXT)));
    const result = await guarded('/coded');
    expect(result).toMatchObject({ kind: 'response', body: TEXT, truncated: false });
    expect(seen.at(-1)?.headers['accept-encoding']).toBe('gzip, deflate, br');
    // The transport itself hands the body over as sent.
    const { text } = await read('/coded');
    expect(text).not.toBe(TEXT);
  });

  it('undoes two codings in reverse order of application', async () => {
    handler = (_req, res) =>
      res
        .writeHead(200, { 'content-encoding': 'deflate, gzip' })
        .end(gzipSync(deflateSync(Buffer.from(TEXT))));
    expect(await guarded('/twice')).toMatchObject({ kind: 'response', body: TEXT });
  });

  it('an unknown coding is passed on as it came', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-encoding': 'zstd' }).end('raw bytes');
    expect(await guarded('/zstd')).toMatchObject({ kind: 'response', body: 'raw bytes' });
  });

  it('a corrupt compressed body is an error with a zlib code, not garbage', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all');
    await expect(guarded('/corrupt')).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
  });

  it('reuses one connection for requests in sequence (keep-alive)', async () => {
    handler = (_req, res) => res.end('ok');
    await read('/a');
    await read('/b');
    await read('/c');
    const ports = seen.slice(-3).map((request) => request.port);
    expect(new Set(ports).size).toBe(1);
  });

  it('sends the body with its byte length, and the headers as given, once each', async () => {
    handler = (_req, res) => res.end('ok');
    await read('/post', {
      method: 'POST',
      body: 'query=sum(rate(x[5m]))&time=ü',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer t' },
    });
    const request = seen.at(-1)!;
    expect(request.body).toBe('query=sum(rate(x[5m]))&time=ü');
    expect(request.headers['content-length']).toBe(
      String(Buffer.byteLength('query=sum(rate(x[5m]))&time=ü')),
    );
    expect(request.headers.authorization).toBe('Bearer t');
    expect(request.headers.accept).toBe('*/*');
  });

  it('an abort while the body arrives ends the read (callers then look at their signal)', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part');
    };
    const controller = new AbortController();
    const response = await defaultTransport().send(new URL('/slow', base), {
      method: 'GET',
      headers: new HttpHeaders(),
      signal: controller.signal,
    });
    const iterator = response.body[Symbol.asyncIterator]();
    expect(Buffer.from((await iterator.next()).value as Uint8Array).toString()).toBe('first part');
    controller.abort();
    await expect(iterator.next()).rejects.toThrow(/abort/i);
  });

  it('an already aborted signal sends nothing', async () => {
    const before = seen.length;
    const controller = new AbortController();
    controller.abort();
    await expect(
      defaultTransport().send(new URL('/never', base), {
        method: 'GET',
        headers: new HttpHeaders(),
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBe(before);
  });

  it('the size limit applies to the decoded body too (a small gzip bomb stays small)', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 'a'));
    expect(bomb.length).toBeLessThan(64 * 1024);
    handler = (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
    expect(await guarded('/bomb', 1024 * 1024)).toEqual({ kind: 'too_large', maxBytes: 1024 * 1024 });
    // Receivers keep only the start of a reply: a compressed one they cannot cut is dropped whole.
    expect(await guarded('/bomb', 1024 * 1024, 'truncate')).toMatchObject({
      kind: 'response',
      body: '',
      truncated: true,
    });
    expect(await guarded('/bomb', 8 * 1024 * 1024)).toMatchObject({ kind: 'response', truncated: false });
  });
});

describe('HttpHeaders', () => {
  it('is case-insensitive, joins repeated fields and refuses line breaks', () => {
    const headers = new HttpHeaders({ 'X-Api-Key': 'k', Vary: ['a', 'b'], Gone: undefined });
    expect(headers.get('x-api-key')).toBe('k');
    expect(headers.has('X-API-KEY')).toBe(true);
    expect(headers.get('vary')).toBe('a, b');
    expect(headers.has('gone')).toBe(false);
    expect(() => headers.set('x-evil', 'a\r\nInjected: yes')).toThrow(/line break/);
    const copy = new HttpHeaders(headers);
    copy.delete('x-api-key');
    expect(headers.get('x-api-key')).toBe('k');
    expect(copy.toObject()).toEqual({ vary: 'a, b' });
  });
});
