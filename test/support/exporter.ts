import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExporterReply {
  body: string;
  status?: number;
  contentType?: string;
}

export interface RunningExporter {
  /** The metrics endpoint, e.g. http://127.0.0.1:PORT/metrics. */
  url: string;
  /** Headers of every request, in order. */
  requests: IncomingHttpHeaders[];
  /** What the next scrapes get, in order; the last reply repeats. A function gives the reply to scrape n (from 0). */
  serve(replies: (ExporterReply | string)[] | ((n: number) => ExporterReply | string)): void;
  stop(): Promise<void>;
}

export const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_FORMAT = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** A metrics endpoint on loopback whose expositions change from one scrape to the next as a test says. */
export async function startExporter(): Promise<RunningExporter> {
  let replyTo: (n: number) => ExporterReply | string = () => '';
  let served = 0;
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.headers);
    const given = replyTo(served);
    const reply = typeof given === 'string' ? { body: given } : given;
    served++;
    response.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? TEXT_FORMAT });
    response.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    requests,
    serve(next) {
      replyTo = typeof next === 'function' ? next : (n) => next[Math.min(n, next.length - 1)]!;
      served = 0;
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Upper bounds of the latency histogram the fixtures expose. */
export const LATENCY_BOUNDS = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'] as const;

export interface InstanceCounters {
  ok: number;
  errors: number;
  /** Cumulative bucket counts, one per LATENCY_BOUNDS entry. */
  buckets: number[];
}

export type ServiceCounters = Record<string, InstanceCounters>;

/**
 * A service of two instances before and after a known stretch of traffic: 2000 requests, 60 of them
 * errors (3 %), latencies whose p99 over the stretch is 0.25 + 0.25 × 80/90 s. The counts since start
 * have another shape (instance a's are mostly slower than 1 s), so a quantile over them, not over the
 * increases, would come out at 1 s.
 */
export const KNOWN_TRAFFIC = (() => {
  const first: ServiceCounters = {
    a: { ok: 1000, errors: 10, buckets: [100, 200, 300, 400, 500, 1010] },
    b: { ok: 5000, errors: 50, buckets: [3000, 4000, 4500, 4800, 5000, 5050] },
  };
  const increase: ServiceCounters = {
    a: { ok: 770, errors: 30, buckets: [400, 600, 760, 796, 800, 800] },
    b: { ok: 1170, errors: 30, buckets: [600, 900, 1140, 1194, 1200, 1200] },
  };
  const add = (x: InstanceCounters, y: InstanceCounters): InstanceCounters => ({
    ok: x.ok + y.ok,
    errors: x.errors + y.errors,
    buckets: x.buckets.map((count, i) => count + y.buckets[i]!),
  });
  const second: ServiceCounters = { a: add(first.a!, increase.a!), b: add(first.b!, increase.b!) };
  // Instance b restarted between the scrapes: its counters began again at zero.
  const secondAfterReset: ServiceCounters = { a: second.a!, b: increase.b! };
  return {
    first,
    second,
    secondAfterReset,
    requests: 2000,
    errorRatio: 60 / 2000,
    p99Seconds: 0.25 + (0.25 * 80) / 90,
    queries: {
      p99: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))',
      errorRatio: 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
      requestRate: 'sum(rate(http_requests_total[1m]))',
    },
  };
})();

/** The exposition of `counters`, in either text format; `timestampMs` is written on every sample when given. */
export function serviceExposition(
  counters: ServiceCounters,
  options: { openMetrics?: boolean; timestampMs?: number; temperature?: number } = {},
): string {
  const openMetrics = options.openMetrics ?? false;
  const stamp =
    options.timestampMs === undefined
      ? ''
      : ` ${openMetrics ? options.timestampMs / 1000 : options.timestampMs}`;
  const lines = [
    '# HELP http_requests_total Requests handled.',
    `# TYPE ${openMetrics ? 'http_requests' : 'http_requests_total'} counter`,
  ];
  for (const [instance, c] of Object.entries(counters)) {
    lines.push(`http_requests_total{instance="${instance}",code="200"} ${c.ok}${stamp}`);
    lines.push(`http_requests_total{instance="${instance}",code="500"} ${c.errors}${stamp}`);
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (const [instance, c] of Object.entries(counters)) {
    LATENCY_BOUNDS.forEach((le, i) => {
      lines.push(
        `http_request_duration_seconds_bucket{instance="${instance}",le="${le}"} ${c.buckets[i]}${stamp}`,
      );
    });
    lines.push(
      `http_request_duration_seconds_count{instance="${instance}"} ${c.buckets[c.buckets.length - 1]}${stamp}`,
    );
  }
  lines.push('# TYPE room_temperature_celsius gauge');
  lines.push(`room_temperature_celsius ${options.temperature ?? 21.5}${stamp}`);
  if (openMetrics) lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** KNOWN_TRAFFIC.first plus `n` times the known increase: every two consecutive scrapes see the same traffic. */
export function countersAfter(n: number): ServiceCounters {
  const grow = (first: InstanceCounters, second: InstanceCounters): InstanceCounters => ({
    ok: first.ok + n * (second.ok - first.ok),
    errors: first.errors + n * (second.errors - first.errors),
    buckets: first.buckets.map((count, i) => count + n * (second.buckets[i]! - count)),
  });
  const { first, second } = KNOWN_TRAFFIC;
  return { a: grow(first.a!, second.a!), b: grow(first.b!, second.b!) };
}
