/**
 * A fake Dynatrace metrics API v2 (`GET /api/v2/metrics/query`) on 127.0.0.1, built from the documented
 * wire format: `Authorization: Api-Token <token>` (the token needs the `metrics.read` scope),
 * `metricSelector`, `from`/`to` as epoch milliseconds, `resolution` as `<n>m|h|d` or `Inf`; answers
 * `{totalCount, nextPageKey, resolution, result: [{metricId, data: [{dimensions, dimensionMap,
 * timestamps, values}]}]}` with null values for gaps; errors as `{"error": {"code", "message",
 * "constraintViolations"}}`.
 *
 * Scripted per metric selector. Series are given as one point per minute; the fake keeps those inside
 * [from, to] and averages them into buckets of the requested resolution, stamped with the bucket's end.
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

export type DtPoint = [timestampMs: number, value: number | null];

export interface DtSeries {
  dimensions: string[];
  dimensionMap: Record<string, string>;
  points: DtPoint[];
}

export type FakeDynatraceReply =
  | { kind: 'series'; metricId: string; series: DtSeries[]; warnings?: string[] }
  | RawReply
  | DelayReply<FakeDynatraceReply>;

export const dtReplies = {
  series(metricId: string, series: DtSeries[], warnings?: string[]): FakeDynatraceReply {
    return { kind: 'series', metricId, series, ...(warnings ? { warnings } : {}) };
  },
  /** One series of one service entity. */
  service(metricId: string, points: DtPoint[], entity = 'SERVICE-1234567890ABCDEF'): FakeDynatraceReply {
    return dtReplies.series(metricId, [
      { dimensions: [entity], dimensionMap: { 'dt.entity.service': entity }, points },
    ]);
  },
  error(status: number, message: string, headers?: Record<string, string>): FakeDynatraceReply {
    return {
      kind: 'http',
      status,
      body: { error: { code: status, message } },
      ...(headers ? { headers } : {}),
    };
  },
  delay(ms: number, then?: FakeDynatraceReply): FakeDynatraceReply {
    return { kind: 'delay', ms, ...(then ? { then } : {}) };
  },
};

export interface FakeDynatrace {
  /** The environment URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  readonly requests: SaasRequest[];
  respond(metricSelector: string, ...replies: FakeDynatraceReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeDynatraceOptions {
  apiToken: string;
  /** Scopes of the token; default `metrics.read`. */
  scopes?: string[];
}

const QUERY_PATH = '/api/v2/metrics/query';
const RESOLUTION = /^(\d+)([mhd])$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export async function startFakeDynatrace(options: FakeDynatraceOptions): Promise<FakeDynatrace> {
  const scripts = new Scripts<FakeDynatraceReply>();
  const scopes = options.scopes ?? ['metrics.read'];
  const server = await startSaasServer(async (request, res) => {
    if (request.path !== QUERY_PATH)
      return error(res, 404, `The requested resource ${request.path} was not found`);
    if (request.method !== 'GET') return error(res, 405, 'Method Not Allowed');
    const auth = request.headers.authorization;
    if (auth === undefined) return error(res, 401, 'Missing authorization parameter.');
    if (auth !== `Api-Token ${options.apiToken}`) return error(res, 401, 'Token Authentication failed');
    if (!scopes.includes('metrics.read'))
      return error(res, 403, 'Token is missing required scope. Use one of: metrics.read (Read metrics)');
    const violations = validate(request.query);
    if (violations.length > 0) {
      return sendJson(res, 400, {
        error: {
          code: 400,
          message: 'Constraints violated.',
          constraintViolations: violations.map((message) => ({
            ...message,
            parameterLocation: 'QUERY',
            location: null,
          })),
        },
      });
    }
    const from = Number(request.query.from);
    const to = Number(request.query.to);
    const resolution = request.query.resolution ?? '1m';
    const scripted = scripts.next(request.query.metricSelector!) ?? {
      kind: 'series',
      metricId: request.query.metricSelector!,
      series: [],
    };
    const reply = await afterDelays(scripted, res);
    if (!reply) return;
    if (reply.kind === 'http') return sendJson(res, reply.status, reply.body, reply.headers);
    const bucketMs =
      resolution === 'Inf'
        ? to - from
        : Number(RESOLUTION.exec(resolution)![1]) * UNIT_MS[RESOLUTION.exec(resolution)![2]!]!;
    const data = reply.series.map((series) => ({
      dimensions: series.dimensions,
      dimensionMap: series.dimensionMap,
      ...bucket(series.points, from, to, bucketMs),
    }));
    return sendJson(res, 200, {
      totalCount: data.length,
      nextPageKey: null,
      resolution,
      result: [
        {
          metricId: reply.metricId,
          dataPointCountRatio: 0.0001,
          dimensionCountRatio: 0.001,
          data,
          ...(reply.warnings ? { warnings: reply.warnings } : {}),
        },
      ],
    });
  });
  return {
    url: server.url,
    requests: server.requests,
    respond: (selector, ...replies) => scripts.set(selector, replies),
    reset() {
      server.requests.length = 0;
      scripts.clear();
    },
    close: () => server.close(),
  };
}

function validate(query: Record<string, string>): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (!query.metricSelector) problems.push({ path: 'metricSelector', message: 'must not be empty' });
  for (const name of ['from', 'to'] as const) {
    const value = query[name];
    // Relative times (now-2h) are accepted by Dynatrace; the monitor always sends epoch milliseconds.
    if (value !== undefined && !/^\d{13}$/.test(value))
      problems.push({ path: name, message: 'the fake expects epoch milliseconds' });
  }
  if (query.from !== undefined && query.to !== undefined && Number(query.from) >= Number(query.to)) {
    problems.push({ path: 'from', message: 'must be before to' });
  }
  const resolution = query.resolution;
  if (resolution !== undefined && resolution !== 'Inf' && !RESOLUTION.test(resolution)) {
    problems.push({
      path: 'resolution',
      message: `invalid resolution ${resolution}; use e.g. 1m, 5m, 1h or Inf`,
    });
  }
  return problems;
}

/** Averages the points inside [from, to] into buckets ending at from + k·bucket; null where a bucket is empty. */
function bucket(
  points: DtPoint[],
  from: number,
  to: number,
  bucketMs: number,
): { timestamps: number[]; values: Array<number | null> } {
  const timestamps: number[] = [];
  const values: Array<number | null> = [];
  for (let start = from; start < to; start += bucketMs) {
    const end = Math.min(start + bucketMs, to);
    const inside = points.filter(([t, v]) => t > start && t <= end && v !== null).map(([, v]) => v as number);
    timestamps.push(end);
    values.push(inside.length === 0 ? null : inside.reduce((a, b) => a + b, 0) / inside.length);
  }
  return { timestamps, values };
}

function error(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { code: status, message } });
}
