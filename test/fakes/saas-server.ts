/**
 * What the New Relic, Dynatrace and CloudWatch fakes share: a loopback HTTP server that records every
 * request (with its body), scripted replies per key (used in order, the last repeats), and delays.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SaasRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed JSON body, undefined when it is not JSON. */
  body: unknown;
  receivedAt: number;
}

/** A raw HTTP answer, used by every fake for errors it was told to send. */
export interface RawReply {
  kind: 'http';
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Waits `ms`, then answers with `then` (never answers when `then` is absent). */
export interface DelayReply<Reply> {
  kind: 'delay';
  ms: number;
  then?: Reply;
}

export class Scripts<Reply> {
  private readonly scripts = new Map<string, { replies: Reply[]; position: number }>();

  set(key: string, replies: Reply[]): void {
    if (replies.length === 0) throw new Error('respond() needs at least one reply');
    this.scripts.set(key, { replies, position: 0 });
  }

  /** The next reply for `key`, else for `'*'`, else null. */
  next(key: string): Reply | null {
    const script = this.scripts.get(key) ?? this.scripts.get('*');
    if (!script) return null;
    const reply = script.replies[Math.min(script.position, script.replies.length - 1)]!;
    script.position++;
    return reply;
  }

  clear(): void {
    this.scripts.clear();
  }
}

export interface SaasServer {
  url: string;
  requests: SaasRequest[];
  close(): Promise<void>;
}

export async function startSaasServer(
  handle: (request: SaasRequest, res: ServerResponse) => Promise<void> | void,
): Promise<SaasServer> {
  const requests: SaasRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers[name] = value;
        else if (Array.isArray(value)) headers[name] = value.join(', ');
      }
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const request: SaasRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        rawBody,
        body,
        receivedAt: Date.now(),
      };
      requests.push(request);
      Promise.resolve(handle(request, res)).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { fakeError: String(error) });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** Resolves delays: the final reply, or null when the fake must never answer. */
export async function afterDelays<Reply extends { kind: string }>(
  reply: Reply,
  res: ServerResponse,
): Promise<Exclude<Reply, { kind: 'delay' }> | null> {
  let current: Reply = reply;
  while (current.kind === 'delay') {
    const delay = current as unknown as DelayReply<Reply>;
    await new Promise((resolve) => setTimeout(resolve, delay.ms));
    if (!delay.then || res.destroyed) return null;
    current = delay.then;
  }
  return res.destroyed ? null : (current as Exclude<Reply, { kind: 'delay' }>);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type':
      typeof body === 'string' && contentType === 'application/json' ? 'text/html' : contentType,
    ...headers,
  });
  res.end(text);
}
