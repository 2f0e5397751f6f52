/**
 * A fake New Relic NerdGraph (`POST /graphql`) on 127.0.0.1, built from the documented wire format:
 * the `API-Key` header, `{query, variables}` bodies whose NRQL travels as the `$nrql` variable, answers
 * under `data.actor.account.nrql.results` with `metadata.timeWindow` in ms, `TIMESERIES` rows carrying
 * `beginTimeSeconds`/`endTimeSeconds`, and errors as a GraphQL `errors` array sent with HTTP 200.
 *
 * Replies are scripted per NRQL query as written in observability.yaml (the text before the SINCE the
 * monitor appends). A `points` reply aggregates the given points the way NRQL does over the window the
 * query asks for (or over each TIMESERIES bucket), so the provider's window arithmetic is really tested.
 *
 *   const nr = await startFakeNewRelic({ apiKey: 'NRAK-…', accountId: 1234567 });
 *   nr.respond("SELECT percentile(duration, 99) FROM Transaction WHERE appName = 'api'",
 *     nrReplies.points('percentile.duration', [[t, 0.35]], { function: 'latest', nested: '99' }));
 */
import type { ServerResponse } from 'node:http';
import {
  afterDelays,
  type DelayReply,
  type RawReply,
  type SaasRequest,
  Scripts,
  sendJson,
  startSaasServer,
} from './saas-server.js';

export type NrPoint = [timestampMs: number, value: number];
export type NrAggregate = 'average' | 'sum' | 'max' | 'min' | 'latest' | 'count';

export type FakeNewRelicReply =
  /** Aggregates the points inside the query's window (each TIMESERIES bucket) into `key`. */
  | {
      kind: 'points';
      key: string;
      points: NrPoint[];
      aggregate: NrAggregate;
      /** `percentile(x, 99)` answers `{"percentile.x": {"99": v}}`: the inner key. */
      nested?: string;
      /** One row per facet value (FACET queries). */
      facets?: Record<string, NrPoint[]>;
    }
  /** `results` exactly as given, with the request's window as metadata. */
  | { kind: 'results'; results: Array<Record<string, unknown>> }
  /** HTTP 200 with `data.actor.account.nrql: null` and these GraphQL errors. */
  | { kind: 'errors'; errors: Array<{ message: string; errorClass?: string; errorCode?: string }> }
  | RawReply
  | DelayReply<FakeNewRelicReply>;

export const nrReplies = {
  points(
    key: string,
    points: NrPoint[],
    options: { aggregate?: NrAggregate; nested?: string } = {},
  ): FakeNewRelicReply {
    return {
      kind: 'points',
      key,
      points,
      aggregate: options.aggregate ?? 'average',
      ...(options.nested ? { nested: options.nested } : {}),
    };
  },
  faceted(key: string, facets: Record<string, NrPoint[]>): FakeNewRelicReply {
    return { kind: 'points', key, points: [], aggregate: 'average', facets };
  },
  results(results: Array<Record<string, unknown>>): FakeNewRelicReply {
    return { kind: 'results', results };
  },
  /** What NerdGraph sends for an NRQL syntax error. */
  syntaxError(detail: string): FakeNewRelicReply {
    return {
      kind: 'errors',
      errors: [{ message: `NRQL Syntax Error: ${detail}`, errorClass: 'INVALID_INPUT' }],
    };
  },
  nrqlTimeout(): FakeNewRelicReply {
    return {
      kind: 'errors',
      errors: [{ message: 'NRDB query duration exceeded the timeout', errorClass: 'TIMEOUT' }],
    };
  },
  tooManyRequests(): FakeNewRelicReply {
    return {
      kind: 'errors',
      errors: [{ message: 'Too many concurrent requests', errorClass: 'TOO_MANY_REQUESTS' }],
    };
  },
  http(status: number, body: unknown, headers?: Record<string, string>): FakeNewRelicReply {
    return { kind: 'http', status, body, ...(headers ? { headers } : {}) };
  },
  delay(ms: number, then?: FakeNewRelicReply): FakeNewRelicReply {
    return { kind: 'delay', ms, ...(then ? { then } : {}) };
  },
};

export interface FakeNewRelic {
  /** e.g. `http://127.0.0.1:41234`: the provider's `url` (the fake serves `/graphql` under it). */
  url: string;
  readonly requests: SaasRequest[];
  /** Replies for an NRQL query (`'*'` = any other): used in order, the last repeats. */
  respond(nrql: string, ...replies: FakeNewRelicReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeNewRelicOptions {
  /** Requests must carry this `API-Key`, else a GraphQL error with `error_code: BAD_API_KEY`. */
  apiKey: string;
  /** The account the key may query; others answer a GraphQL error. */
  accountId: number;
}

/** `<query> SINCE <ms> UNTIL <ms> [TIMESERIES <n> <unit>]` as the monitor writes it. */
const WINDOW =
  /^(.*?)\s+SINCE\s+(\d+)\s+UNTIL\s+(\d+)(?:\s+TIMESERIES\s+(\d+)\s+(second|seconds|minute|minutes|hour|hours))?\s*$/is;
const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600 };
const MAX_BUCKETS = 366;

export async function startFakeNewRelic(options: FakeNewRelicOptions): Promise<FakeNewRelic> {
  const scripts = new Scripts<FakeNewRelicReply>();
  const server = await startSaasServer(async (request, res) => {
    if (request.path !== '/graphql') return sendJson(res, 404, { errors: [{ message: 'Not Found' }] });
    if (request.method !== 'POST') return sendJson(res, 405, { errors: [{ message: 'Method Not Allowed' }] });
    if (request.headers['api-key'] === undefined) {
      return sendJson(res, 401, { errors: [{ message: 'Unauthorized: missing API key' }] });
    }
    if (request.headers['api-key'] !== options.apiKey) {
      return graphqlErrors(res, [
        { message: 'Invalid API key', errorClass: 'UNAUTHORIZED', errorCode: 'BAD_API_KEY' },
      ]);
    }
    if (!request.headers['content-type']?.startsWith('application/json')) {
      return sendJson(res, 400, { errors: [{ message: 'Must provide query string.' }] });
    }
    const body = request.body as { query?: unknown; variables?: Record<string, unknown> } | undefined;
    const document = typeof body?.query === 'string' ? body.query : '';
    const variables = body?.variables ?? {};
    if (!/nrql\(query:\s*\$nrql/.test(document) || !/\$nrql:\s*Nrql!/.test(document)) {
      return graphqlErrors(res, [
        {
          message: 'the NRQL must be passed as the $nrql variable of type Nrql!',
          errorClass: 'INVALID_INPUT',
        },
      ]);
    }
    if (variables.accountId !== options.accountId) {
      return graphqlErrors(res, [
        {
          message: `Account ${String(variables.accountId)} not found or access denied`,
          errorClass: 'FORBIDDEN',
        },
      ]);
    }
    const timeout = variables.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || timeout < 5 || timeout > 120)) {
      return graphqlErrors(res, [
        { message: 'timeout must be between 5 and 120 seconds', errorClass: 'INVALID_INPUT' },
      ]);
    }
    const nrql = typeof variables.nrql === 'string' ? variables.nrql : '';
    const window = WINDOW.exec(nrql);
    if (!window) {
      return graphqlErrors(res, [
        {
          message: `NRQL Syntax Error: the fake expects SINCE <ms> UNTIL <ms>: ${nrql}`,
          errorClass: 'INVALID_INPUT',
        },
      ]);
    }
    const since = Number(window[2]);
    const until = Number(window[3]);
    if (since >= until)
      return graphqlErrors(res, [
        { message: 'NRQL Syntax Error: SINCE must be before UNTIL', errorClass: 'INVALID_INPUT' },
      ]);
    const bucketSeconds = window[4]
      ? Number(window[4]) * UNIT_SECONDS[window[5]!.toLowerCase().replace(/s$/, '')]!
      : null;
    if (bucketSeconds !== null && (until - since) / 1000 / bucketSeconds > MAX_BUCKETS) {
      return graphqlErrors(res, [
        {
          message: `NRQL Syntax Error: too many buckets; the maximum is ${MAX_BUCKETS}`,
          errorClass: 'INVALID_INPUT',
        },
      ]);
    }
    const scripted = scripts.next(window[1]!.trim()) ?? { kind: 'results', results: [] };
    const reply = await afterDelays(scripted, res);
    if (!reply) return;
    switch (reply.kind) {
      case 'http':
        return sendJson(res, reply.status, reply.body, reply.headers);
      case 'errors':
        return graphqlErrors(res, reply.errors);
      case 'results':
        return answer(res, reply.results, since, until);
      case 'points':
        return answer(res, rowsOf(reply, since, until, bucketSeconds), since, until);
    }
  });
  return {
    url: server.url,
    requests: server.requests,
    respond: (nrql, ...replies) => scripts.set(nrql, replies),
    reset() {
      server.requests.length = 0;
      scripts.clear();
    },
    close: () => server.close(),
  };
}

function rowsOf(
  reply: Extract<FakeNewRelicReply, { kind: 'points' }>,
  since: number,
  until: number,
  bucketSeconds: number | null,
): Array<Record<string, unknown>> {
  const cell = (points: NrPoint[], from: number, to: number) => {
    const value = aggregate(
      points.filter(([t]) => t >= from && t < to).map(([, v]) => v),
      reply.aggregate,
    );
    return reply.nested ? { [reply.nested]: value } : value;
  };
  const facets = reply.facets ? Object.entries(reply.facets) : [[null, reply.points] as const];
  const rows: Array<Record<string, unknown>> = [];
  for (const [facet, points] of facets) {
    const withFacet = (row: Record<string, unknown>) => (facet === null ? row : { facet, ...row });
    if (bucketSeconds === null) {
      rows.push(withFacet({ [reply.key]: cell(points, since, until) }));
      continue;
    }
    // Buckets are aligned to the end of the window, as NRQL's TIMESERIES snapping does.
    const size = bucketSeconds * 1000;
    const first = until - Math.floor((until - since) / size) * size;
    for (let begin = first; begin < until; begin += size) {
      rows.push(
        withFacet({
          beginTimeSeconds: begin / 1000,
          endTimeSeconds: (begin + size) / 1000,
          [reply.key]: cell(points, begin, begin + size),
        }),
      );
    }
  }
  return rows;
}

function aggregate(values: number[], how: NrAggregate): number | null {
  if (how === 'count') return values.length;
  if (values.length === 0) return how === 'sum' ? 0 : null;
  switch (how) {
    case 'average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'latest':
      return values[values.length - 1]!;
  }
}

function answer(
  res: ServerResponse,
  results: Array<Record<string, unknown>>,
  since: number,
  until: number,
): void {
  sendJson(res, 200, {
    data: {
      actor: {
        account: { nrql: { results, metadata: { facets: null, timeWindow: { begin: since, end: until } } } },
      },
    },
  });
}

function graphqlErrors(
  res: ServerResponse,
  errors: Array<{ message: string; errorClass?: string; errorCode?: string }>,
): void {
  sendJson(res, 200, {
    data: { actor: { account: { nrql: null } } },
    errors: errors.map((error) => ({
      message: error.message,
      path: ['actor', 'account', 'nrql'],
      extensions: {
        ...(error.errorClass ? { errorClass: error.errorClass } : {}),
        ...(error.errorCode ? { error_code: error.errorCode } : {}),
      },
    })),
  });
}
