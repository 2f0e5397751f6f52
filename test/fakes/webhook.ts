import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received, as UTF-8 (for signature checks). */
  rawBody: string;
  /** Parsed JSON, or undefined when the body was not JSON. */
  body: unknown;
}

/** A canned failure, served before normal handling. */
export interface InjectedFailure {
  status: number;
  body?: string;
  contentType?: string;
  retryAfterSeconds?: number;
  /** Also sets `Date`, for Retry-After given as an HTTP date. */
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

export interface HttpFake {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** The next `times` requests get this failure instead of normal handling. */
  failNext(times: number, failure: InjectedFailure): void;
  /** Resolves once `count` requests have arrived (or rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers });
  response.end(reply.body);
}

/** A node:http server on 127.0.0.1 and a random port that records every request; the base of the SaaS fakes. */
export async function startHttpFake(handle: (request: RecordedRequest) => Reply): Promise<HttpFake> {
  const requests: RecordedRequest[] = [];
  const failures: InjectedFailure[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((request, response) => {
    readBody(request)
      .then((rawBody) => {
        const recorded: RecordedRequest = {
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: request.headers,
          rawBody,
          body: tryJson(rawBody),
        };
        requests.push(recorded);
        const failure = failures.shift();
        const reply: Reply = failure
          ? {
              status: failure.status,
              body: failure.body ?? '',
              contentType: failure.contentType ?? 'text/plain',
              headers: {
                ...(failure.retryAfterSeconds !== undefined
                  ? { 'retry-after': String(failure.retryAfterSeconds) }
                  : {}),
                ...failure.headers,
              },
            }
          : handle(recorded);
        send(response, reply);
        for (const waiter of [...waiters]) {
          if (requests.length >= waiter.count) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      })
      .catch(() => {
        response.writeHead(500);
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    failNext(times, failure) {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    waitForRequests(count, timeoutMs = 30_000) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} requests, got ${requests.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests);
          },
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

export interface FakeWebhook extends HttpFake {
  /** `<origin>/hook` */
  readonly url: string;
}

/** A generic webhook endpoint: answers 200 `{}` to any POST (and 405 to other methods). */
export async function startFakeWebhook(): Promise<FakeWebhook> {
  const fake = await startHttpFake((request) =>
    request.method === 'POST'
      ? { status: 200, body: '{}', contentType: 'application/json' }
      : { status: 405, body: 'method not allowed', contentType: 'text/plain' },
  );
  return Object.assign(fake, { url: `${fake.origin}/hook` });
}
