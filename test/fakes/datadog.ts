/**
 * A fake Datadog API (v1 `GET /api/v1/query`) on 127.0.0.1, built from the documented wire format:
 * `from`/`to` are integer seconds, `pointlist` timestamps are milliseconds, values may be null,
 * errors are `{"errors": [...]}`, rate limits carry `X-RateLimit-Limit/Period/Remaining/Reset`.
 *
 * It also serves v2 `POST /api/v2/query/timeseries`: a JSON `timeseries_request` with `from`
 * (inclusive) and `to` (exclusive) in ms, named `queries` and optional `formulas`. v2 replies are
 * scripted with the same builders, keyed by the formula (or the single query when there is none); the
 * fake answers a `timeseries_response` whose `times` are the union of the series' points in [from, to)
 * and whose `values` rows are parallel to `series`, null where a series has no point.
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
  /** Parsed JSON body (v2). */
  body?: unknown;
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
const V2_PATH = '/api/v2/query/timeseries';

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
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query,
      headers,
      receivedAt: Date.now(),
    };
    requests.push(recorded);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (chunks.length > 0) {
        try {
          recorded.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          recorded.body = Buffer.concat(chunks).toString('utf8');
        }
      }
      void (url.pathname === V2_PATH ? handleV2(req, res, recorded.body) : handle(req, res, url, query));
    });
  });

  const checkKeys = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (options.apiKey !== undefined && req.headers['dd-api-key'] !== options.apiKey) {
      send(res, 403, { errors: ['Forbidden'] });
      return false;
    }
    if (options.appKey !== undefined && req.headers['dd-application-key'] !== options.appKey) {
      send(res, 403, { errors: ['Forbidden'] });
      return false;
    }
    return true;
  };

  const handleV2 = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    if (req.method !== 'POST') return send(res, 405, { errors: ['Method Not Allowed'] });
    if (!checkKeys(req, res)) return;
    const parsed = validateV2(body);
    if (typeof parsed === 'string') return send(res, 400, { errors: [parsed] });
    const { from, to, queries, formulas } = parsed;
    let reply = nextReply(formulas[0] ?? queries[0]!.query);
    while (reply.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, reply.kind === 'delay' ? reply.ms : 0));
      if (!reply.then) return;
      reply = reply.then;
    }
    if (res.destroyed) return;
    switch (reply.kind) {
      case 'http':
        return send(res, reply.status, reply.body, reply.headers);
      case 'query_error':
        return send(res, 200, {
          data: { id: '0', type: 'timeseries_response', attributes: {} },
          errors: reply.error,
        });
      case 'series':
        return send(res, 200, v2Response(reply.series, from, to));
    }
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    query: Record<string, string>,
  ): Promise<void> => {
    if (url.pathname !== QUERY_PATH) return send(res, 404, { errors: ['Not found'] });
    if (req.method !== 'GET') return send(res, 405, { errors: ['Method Not Allowed'] });
    if (!checkKeys(req, res)) return;
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

interface V2Request {
  from: number;
  to: number;
  queries: Array<{ name: string; query: string }>;
  formulas: string[];
}

/** The checks Datadog's API input validation makes, with its message style. */
function validateV2(body: unknown): V2Request | string {
  const data = (body as { data?: { type?: unknown; attributes?: Record<string, unknown> } } | undefined)
    ?.data;
  if (!data) return 'API input validation failed: data is required';
  if (data.type !== 'timeseries_request')
    return 'API input validation failed: Invalid type. Expected "timeseries_request".';
  const attributes = data.attributes ?? {};
  for (const name of ['from', 'to'] as const) {
    const value = attributes[name];
    if (typeof value !== 'number' || !Number.isInteger(value))
      return `API input validation failed: ${name} must be an integer (ms)`;
    // Seconds instead of milliseconds would be a client bug: 1e12 ms is 2001.
    if (value < 1e12) return `API input validation failed: ${name} must be in milliseconds`;
  }
  if ((attributes.from as number) >= (attributes.to as number))
    return "API input validation failed: 'from' must be before 'to'";
  if (
    attributes.interval !== undefined &&
    (typeof attributes.interval !== 'number' || attributes.interval <= 0)
  ) {
    return 'API input validation failed: interval must be a positive number of ms';
  }
  const queries = attributes.queries;
  if (!Array.isArray(queries) || queries.length === 0)
    return 'API input validation failed: queries must not be empty';
  const parsed: V2Request['queries'] = [];
  for (const query of queries as Array<Record<string, unknown>>) {
    if (query.data_source !== 'metrics' && query.data_source !== 'cloud_cost') {
      return 'API input validation failed: data_source must be metrics or cloud_cost';
    }
    if (typeof query.name !== 'string' || typeof query.query !== 'string' || query.query === '') {
      return 'API input validation failed: each query needs a name and a query';
    }
    parsed.push({ name: query.name, query: query.query });
  }
  const formulas: string[] = [];
  if (attributes.formulas !== undefined) {
    if (!Array.isArray(attributes.formulas)) return 'API input validation failed: formulas must be a list';
    for (const formula of attributes.formulas as Array<Record<string, unknown>>) {
      if (typeof formula.formula !== 'string')
        return 'API input validation failed: each formula needs a formula';
      for (const name of formula.formula.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
        if (
          /^[a-z]/.test(name) &&
          !parsed.some((query) => query.name === name) &&
          !/^(abs|log2|log10|cumsum|per_second|per_minute|per_hour|default_zero|clamp_min|clamp_max)$/.test(
            name,
          )
        ) {
          return `Error parsing formula: unknown query name ${name}`;
        }
      }
      formulas.push(formula.formula);
    }
  }
  return { from: attributes.from as number, to: attributes.to as number, queries: parsed, formulas };
}

/** v1-shaped scripted series → the v2 columnar answer over [from, to). */
function v2Response(series: DatadogSeriesJson[], from: number, to: number) {
  const inside = series.map((entry) => entry.pointlist.filter(([t]) => t >= from && t < to));
  const times = [...new Set(inside.flatMap((points) => points.map(([t]) => t)))].sort((a, b) => a - b);
  return {
    data: {
      id: '0',
      type: 'timeseries_response',
      attributes: {
        series: series.map((entry) => ({
          group_tags: entry.scope === '*' ? [] : entry.tag_set,
          query_index: 0,
          unit: null,
        })),
        times,
        values: inside.map((points) => times.map((t) => points.find(([pt]) => pt === t)?.[1] ?? null)),
      },
    },
  };
}
