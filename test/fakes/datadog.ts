/**
 * A fake Datadog API (v1 `GET /api/v1/query`) on 127.0.0.1, built from the documented wire format:
 * `from`/`to` are integer seconds, `pointlist` timestamps are milliseconds, values may be null,
 * errors are `{"errors": [...]}`, rate limits carry `X-RateLimit-Limit/Period/Remaining/Reset`.
 *
 *   const dd = await startFakeDatadog({ apiKey: 'k', appKey: 'a' });
 *   dd.respond('sum:hits{service:api}', ddSeries({ pointlist: [[t * 1000, 1]] }));
 *   dd.respond('*', ddReplies.serverError(), ddReplies.ok([...]));   // 500, then success forever
 *   ... dd.requests ...
 *   await dd.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type DatadogPoint = [timestampMs: number, value: number | null];

/** One entry of `series` in the v1 query response; every documented field is present. */
export interface DatadogSeriesJson {
  metric: string;
  display_name: string;
  expression: string;
  scope: string;
  tag_set: string[];
  aggr: string | null;
  query_index: number;
  start: number;
  end: number;
  interval: number;
  length: number;
  attributes: Record<string, unknown>;
  unit: [Record<string, unknown> | null, Record<string, unknown> | null];
  pointlist: DatadogPoint[];
}

export type FakeDatadogReply =
  /** 200 `status: ok`; points outside [from, to] are dropped like the real API does. */
  | { kind: 'series'; series: DatadogSeriesJson[]; message?: string }
  /** 200 with `status: "error"` and an `error` text. */
  | { kind: 'query_error'; error: string }
  /** Any status with a JSON or text body and extra headers. */
  | { kind: 'http'; status: number; body: unknown; headers?: Record<string, string> }
  /** Waits before sending `then` (or never answers when `then` is absent). */
  | { kind: 'delay'; ms: number; then?: FakeDatadogReply };

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

export interface FakeDatadog {
  /** e.g. `http://127.0.0.1:41234`: the provider's `http.url`. */
  url: string;
  readonly requests: RecordedRequest[];
  /**
   * Replies for a query (`'*'` = any query without its own): used in order, the last one repeats.
   * Replaces earlier replies for that query and resets its position.
   */
  respond(query: string, ...replies: FakeDatadogReply[]): void;
  /** Forget recorded requests and configured replies. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeDatadogOptions {
  /** When set, requests must carry these keys, otherwise 403 `{"errors":["Forbidden"]}` as Datadog does. */
  apiKey?: string;
  appKey?: string;
}

/** A series with every documented field filled from a few inputs. */
export function ddSeries(input: {
  pointlist: DatadogPoint[];
  metric?: string;
  scope?: string;
  tagSet?: string[];
  intervalSeconds?: number;
}): DatadogSeriesJson {
  const metric = input.metric ?? 'trace.http.request.errors';
  const scope = input.scope ?? '*';
  const times = input.pointlist.map(([t]) => t);
  return {
    metric,
    display_name: metric,
    expression: `${metric}{${scope}}`,
    scope,
    tag_set: input.tagSet ?? (scope === '*' ? [] : scope.split(',')),
    aggr: null,
    query_index: 0,
    start: times.length > 0 ? Math.min(...times) : 0,
    end: times.length > 0 ? Math.max(...times) : 0,
    interval: input.intervalSeconds ?? 60,
    length: input.pointlist.length,
    attributes: {},
    unit: [null, null],
    pointlist: input.pointlist,
  };
}

/** Builders for the replies tests usually need. */
export const ddReplies = {
  ok(series: DatadogSeriesJson[], message?: string): FakeDatadogReply {
    return { kind: 'series', series, ...(message ? { message } : {}) };
  },
  empty(): FakeDatadogReply {
    return { kind: 'series', series: [] };
  },
  queryError(error: string): FakeDatadogReply {
    return { kind: 'query_error', error };
  },
  errors(status: number, errors: string[], headers?: Record<string, string>): FakeDatadogReply {
    return { kind: 'http', status, body: { errors }, ...(headers ? { headers } : {}) };
  },
  unauthorized(): FakeDatadogReply {
    return ddReplies.errors(401, ['Unauthorized']);
  },
  forbidden(): FakeDatadogReply {
    return ddReplies.errors(403, ['Forbidden']);
  },
  badRequest(message: string): FakeDatadogReply {
    return ddReplies.errors(400, [message]);
  },
  /** 429 with Datadog's rate-limit headers; `resetSeconds` may be fractional to keep tests short. */
  rateLimited(options: { resetSeconds: number; limit?: number; periodSeconds?: number }): FakeDatadogReply {
    const limit = options.limit ?? 100;
    const period = options.periodSeconds ?? 3600;
    return ddReplies.errors(
      429,
      [`Rate limit of ${limit} requests in ${period} seconds reached. Please try again later.`],
      {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Period': String(period),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(options.resetSeconds),
        'X-RateLimit-Name': 'query',
      },
    );
  },
  serverError(status = 500): FakeDatadogReply {
    return ddReplies.errors(status, ['Internal Server Error']);
  },
  /** A gateway page that is not JSON, as load balancers send. */
  html(status: number, text: string): FakeDatadogReply {
    return { kind: 'http', status, body: `<html><body><h1>${status}</h1>${text}</body></html>` };
  },
  delay(ms: number, then?: FakeDatadogReply): FakeDatadogReply {
    return { kind: 'delay', ms, ...(then ? { then } : {}) };
  },
};

const QUERY_PATH = '/api/v1/query';

export async function startFakeDatadog(options: FakeDatadogOptions = {}): Promise<FakeDatadog> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, { replies: FakeDatadogReply[]; position: number }>();

  const nextReply = (query: string): FakeDatadogReply => {
    const script = scripts.get(query) ?? scripts.get('*');
    if (!script) return ddReplies.empty();
    const reply = script.replies[Math.min(script.position, script.replies.length - 1)]!;
    script.position++;
    return reply;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers[name] = value;
      else if (Array.isArray(value)) headers[name] = value.join(', ');
    }
    requests.push({ method: req.method ?? '', path: url.pathname, query, headers, receivedAt: Date.now() });
    void handle(req, res, url, query);
  });

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    query: Record<string, string>,
  ): Promise<void> => {
    if (url.pathname !== QUERY_PATH) return send(res, 404, { errors: ['Not found'] });
    if (req.method !== 'GET') return send(res, 405, { errors: ['Method Not Allowed'] });
    if (options.apiKey !== undefined && req.headers['dd-api-key'] !== options.apiKey) {
      return send(res, 403, { errors: ['Forbidden'] });
    }
    if (options.appKey !== undefined && req.headers['dd-application-key'] !== options.appKey) {
      return send(res, 403, { errors: ['Forbidden'] });
    }
    const problem = validateParams(query);
    if (problem) return send(res, 400, { errors: [problem] });
    const from = Number(query.from);
    const to = Number(query.to);
    let reply = nextReply(query.query!);
    while (reply.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, reply.kind === 'delay' ? reply.ms : 0));
      if (!reply.then) return; // never answers; close() destroys the socket
      reply = reply.then;
    }
    if (res.destroyed) return;
    switch (reply.kind) {
      case 'http':
        return send(res, reply.status, reply.body, reply.headers);
      case 'query_error':
        return send(res, 200, {
          ...envelope(query.query!, from, to, []),
          status: 'error',
          error: reply.error,
        });
      case 'series': {
        const series = reply.series.map((entry) => clip(entry, from, to));
        return send(res, 200, { ...envelope(query.query!, from, to, series), message: reply.message ?? '' });
      }
    }
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(query, ...replies) {
      if (replies.length === 0) throw new Error('respond() needs at least one reply');
      scripts.set(query, { replies, position: 0 });
    },
    reset() {
      requests.length = 0;
      scripts.clear();
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function validateParams(query: Record<string, string>): string | null {
  for (const name of ['from', 'to', 'query']) {
    if (query[name] === undefined || query[name] === '') return `Missing required parameter '${name}'`;
  }
  // Datadog documents int64 seconds: a millisecond value or a fraction is a client bug.
  for (const name of ['from', 'to']) {
    if (!/^\d{1,10}$/.test(query[name]!))
      return `Invalid value for parameter '${name}': expected integer seconds`;
  }
  if (Number(query.from) > Number(query.to)) return "'from' must be before 'to'";
  return null;
}

function envelope(query: string, from: number, to: number, series: DatadogSeriesJson[]) {
  return {
    status: 'ok',
    res_type: 'time_series',
    resp_version: 1,
    query,
    from_date: from * 1000,
    to_date: to * 1000,
    group_by: [],
    message: '',
    series,
  };
}

function clip(series: DatadogSeriesJson, from: number, to: number): DatadogSeriesJson {
  const pointlist = series.pointlist.filter(([t]) => t >= from * 1000 && t <= to * 1000);
  return { ...series, pointlist, length: pointlist.length };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/html' : 'application/json';
  res.writeHead(status, { 'Content-Type': contentType, ...headers });
  res.end(text);
}
