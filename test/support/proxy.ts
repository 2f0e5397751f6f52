/**
 * A tiny recording reverse proxy for tests: serves a backend (e.g. a real Prometheus) under a path
 * prefix like Mimir's `/prometheus`, can demand headers (X-Scope-OrgID, Authorization) the way
 * gateways do, and can replace or rewrite answers to stage proxy failures.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path as received (with the prefix), without the query string. */
  path: string;
  /** Query-string parameters, or the form body's for POST. */
  params: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  contentType: string;
  receivedAt: number;
}

export interface CannedResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface ProxyOptions {
  /** Base URL of the backend, e.g. a RunningPrometheus url. */
  target: string;
  /** Only paths under this prefix are forwarded (prefix removed); others get a 404 HTML page. */
  prefix?: string;
  /** Return a response to refuse the request (e.g. 401 when a header is missing), null to pass. */
  authorize?: (headers: Record<string, string>) => CannedResponse | null;
}

export interface RecordingProxy {
  url: string;
  readonly requests: ProxiedRequest[];
  /** Answer every request with this instead of forwarding (null to forward again). */
  override: ((request: ProxiedRequest) => CannedResponse | null) | null;
  /** Change successful JSON answers on the way back (e.g. add `warnings`). */
  rewriteJson: ((json: Record<string, unknown>) => Record<string, unknown>) | null;
  close(): Promise<void>;
}

export async function startRecordingProxy(options: ProxyOptions): Promise<RecordingProxy> {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  const proxy: RecordingProxy = {
    url: '',
    requests: [],
    override: null,
    rewriteJson: null,
    close: async () => {},
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString();
        const url = new URL(req.url ?? '/', 'http://proxy');
        const headers = flatten(req.headers);
        const contentType = headers['content-type'] ?? '';
        const params = Object.fromEntries(
          req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')
            ? new URLSearchParams(body)
            : url.searchParams,
        );
        const recorded: ProxiedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          params,
          headers,
          contentType,
          receivedAt: Date.now(),
        };
        proxy.requests.push(recorded);

        const canned = proxy.override?.(recorded);
        if (canned) return reply(res, canned);
        if (prefix && !url.pathname.startsWith(`${prefix}/`)) {
          return reply(res, {
            status: 404,
            body: '<html><head><title>404 Not Found</title></head><body><h1>404 page not found</h1></body></html>',
            headers: { 'content-type': 'text/html; charset=utf-8' },
          });
        }
        const refused = options.authorize?.(headers);
        if (refused) return reply(res, refused);

        const forwardHeaders: Record<string, string> = {};
        if (contentType) forwardHeaders['content-type'] = contentType;
        try {
          const upstream = await fetch(`${options.target}${url.pathname.slice(prefix.length)}${url.search}`, {
            method: req.method ?? 'GET',
            headers: forwardHeaders,
            ...(req.method === 'POST' ? { body } : {}),
          });
          let text = await upstream.text();
          const type = upstream.headers.get('content-type') ?? 'application/json';
          if (proxy.rewriteJson && upstream.ok && type.includes('json')) {
            text = JSON.stringify(proxy.rewriteJson(JSON.parse(text) as Record<string, unknown>));
          }
          reply(res, { status: upstream.status, body: text, headers: { 'content-type': type } });
        } catch {
          reply(res, {
            status: 502,
            body: '<html><body><h1>502 Bad Gateway</h1>upstream connect error</body></html>',
            headers: { 'content-type': 'text/html' },
          });
        }
      })();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

function reply(res: ServerResponse, canned: CannedResponse): void {
  res.writeHead(canned.status, { 'content-type': 'text/plain; charset=utf-8', ...canned.headers });
  res.end(canned.body);
}
