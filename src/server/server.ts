import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Clock, systemClock } from '../common/clock.js';
import { UserError } from '../common/errors.js';
import { Answers } from './answers.js';
import {
  checkListenPolicy,
  formatHostPort,
  isAllowedHost,
  isAuthorized,
  secretsEqual,
  sessionCookie,
} from './auth.js';
import { parseHistoryQuery } from './history.js';
import { statusPagePolicy } from './page.js';
import { REPORTS_PREFIX, reportContentType, reportPathFromRequest } from './reports.js';
import { readiness } from './status.js';
import type { MonitorStatusSource, ServerOptions } from './types.js';

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:9464` (no trailing slash); a loopback URL when listening on all interfaces. */
  url: string;
  /** The address the socket is really bound to, e.g. `0.0.0.0:9464` or `[::1]:9464`. */
  address: string;
  port: number;
  /** Stops accepting, closes idle keep-alive sockets, resolves when the listener is closed. */
  close(): Promise<void>;
}

/** Reports are documents, never code: no script may run from them even when opened directly. */
const REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox";
/** An in-flight request gets this long to finish after close() before its socket is cut. */
const CLOSE_GRACE_MS = 5_000;

const UNAUTHORIZED_MESSAGE =
  'this monitor requires a token: send "Authorization: Bearer <token>", or open the status page once as /?token=<token>';

interface Context {
  source: MonitorStatusSource;
  /** Status, history and page answers, shared between requests until the source changes. */
  answers: Answers;
  token: string | null;
  clock: Pick<Clock, 'now'>;
  listenHost: string;
  allowedHosts: readonly string[];
}

const MISDIRECTED_MESSAGE =
  'this monitor does not answer for that host name; add it to server.allowed_hosts (or --allowed-host) if it is meant to';

type Response = http.ServerResponse;

function send(res: Response, status: number, contentType: string, body: string | Buffer, headers = {}): void {
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': payload.length, ...headers });
  res.end(payload);
}

function sendJson(res: Response, status: number, body: unknown, headers = {}): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`, headers);
}

function sendError(res: Response, status: number, error: string, message: string, headers = {}): void {
  sendJson(res, status, { error, message }, headers);
}

function newNonce(): string {
  return randomBytes(18).toString('base64');
}

async function serveReport(res: Response, rawPath: string, source: MonitorStatusSource, head: boolean) {
  const relative = reportPathFromRequest(rawPath);
  const file = relative === null ? null : source.reportFile(relative);
  const contentType = file === null ? null : reportContentType(file);
  if (file === null || contentType === null || !path.isAbsolute(file)) {
    sendError(res, 404, 'not_found', 'no such report');
    return;
  }
  // The source resolved the real path; O_NOFOLLOW refuses a symlink put in its place since.
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  const info = await handle?.stat().catch(() => null);
  if (!handle || !info?.isFile()) {
    await handle?.close();
    sendError(res, 404, 'not_found', 'no such report');
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': info.size,
    'Content-Security-Policy': REPORT_POLICY,
  });
  if (head) {
    await handle.close();
    res.end();
    return;
  }
  await pipeline(handle.createReadStream(), res);
}

async function handle(req: http.IncomingMessage, res: Response, context: Context): Promise<void> {
  const rawUrl = req.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  // The raw path is matched as sent: no normalisation may turn `/reports/../x` into another route.
  const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const params = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
  const { source, answers, token, clock } = context;

  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');

  // DNS rebinding: a page on another name must not read this server through the victim's browser.
  // /healthz says nothing and is probed by load balancers under any name.
  if (rawPath !== '/healthz' && !isAllowedHost(req.headers.host, context.listenHost, context.allowedHosts)) {
    sendError(res, 421, 'misdirected_request', MISDIRECTED_MESSAGE);
    return;
  }

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'method_not_allowed', 'only GET and HEAD are supported', { Allow: 'GET, HEAD' });
    return;
  }
  if (rawPath === '/healthz') {
    send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    return;
  }
  if (token !== null) {
    const given = params.get('token');
    if (rawPath === '/' && given !== null) {
      if (!secretsEqual(given, token)) {
        sendError(res, 401, 'unauthorized', UNAUTHORIZED_MESSAGE, { 'WWW-Authenticate': 'Bearer' });
        return;
      }
      // Trade the token for a cookie and drop it from the address bar and history.
      res.writeHead(303, { Location: '/', 'Set-Cookie': sessionCookie(token), 'Content-Length': 0 });
      res.end();
      return;
    }
    if (!isAuthorized(req.headers, token)) {
      sendError(res, 401, 'unauthorized', UNAUTHORIZED_MESSAGE, { 'WWW-Authenticate': 'Bearer' });
      return;
    }
  }

  const now = clock.now();
  switch (rawPath) {
    case '/readyz': {
      const result = readiness(source.lastCycle(), source.intervalSeconds, now);
      sendJson(res, result.ready ? 200 : 503, result);
      return;
    }
    case '/api/status':
      sendJson(res, 200, answers.status(now));
      return;
    case '/api/history': {
      const parsed = parseHistoryQuery(params);
      if (!parsed.ok) {
        sendError(res, 400, 'bad_request', parsed.message);
        return;
      }
      const result = await answers.history(parsed.query, now);
      if (result.ok) sendJson(res, 200, result.history);
      else sendError(res, result.status, 'not_found', result.message);
      return;
    }
    case '/metrics': {
      const text = await source.registry.metrics();
      send(res, 200, source.registry.contentType, text);
      return;
    }
    case '/': {
      const nonce = newNonce();
      const html = (await answers.page(now)).render(nonce, now);
      send(res, 200, 'text/html; charset=utf-8', html, {
        'Content-Security-Policy': statusPagePolicy(nonce),
      });
      return;
    }
  }
  if (rawPath.startsWith(REPORTS_PREFIX)) {
    await serveReport(res, rawPath, source, req.method === 'HEAD');
    return;
  }
  sendError(res, 404, 'not_found', 'no such route');
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the daemon's HTTP listener: /healthz, /readyz, /api/status, /api/history, /metrics,
 * /reports/… and the status page at /. Port 0 picks a free port.
 */
export async function startServer(
  options: ServerOptions,
  clock: Pick<Clock, 'now'> = systemClock,
): Promise<RunningServer> {
  if (options.token === '') {
    throw new UserError('config', 'the status server token is empty', {
      hint: 'set a non-empty token, or none to serve without authentication',
    });
  }
  checkListenPolicy({
    host: options.host,
    port: options.port,
    token: options.token,
    allowUnauthenticated: options.allowUnauthenticated ?? false,
  });
  const context: Context = {
    source: options.source,
    answers: new Answers(options.source, options.historySliceMs),
    token: options.token,
    clock,
    listenHost: options.host,
    allowedHosts: options.allowedHosts ?? [],
  };
  const server = http.createServer((req, res) => {
    handle(req, res, context).catch(() => {
      // Never echo internals (they may name paths or secrets); the daemon logs its own failures.
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'the status server failed to answer');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new UserError('listen_failed', `cannot listen on ${options.host}:${options.port}: ${error.message}`, {
          field: options.listenOrigin?.field ?? 'server.listen',
          ...(options.listenOrigin?.file ? { location: { file: options.listenOrigin.file } } : {}),
          hint:
            (error.code === 'EADDRINUSE'
              ? 'another process uses this port: stop it, or choose another port'
              : 'check the host and port') +
            ' with --listen <host:port> (or `server.listen` in observability.yaml); --no-server runs the daemon without the HTTP listener',
        }),
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : options.port;
  const boundHost = typeof bound === 'object' && bound !== null ? bound.address : options.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    address: formatHostPort(boundHost, port),
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
