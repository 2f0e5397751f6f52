/**
 * A fake Amazon CloudWatch `GetMetricData` endpoint on 127.0.0.1, speaking the protocol that
 * @aws-sdk/client-cloudwatch 3.1164.0 uses: AWS JSON 1.0 (`POST /`, `Content-Type:
 * application/x-amz-json-1.0`, `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, query-compatible
 * errors with `x-amzn-query-error`). It checks that a SigV4 `Authorization` header is present and well
 * formed (algorithm, credential scope with date/region/`monitoring`/`aws4_request`, signed headers including
 * host and x-amz-date, a 64-hex signature) and that the access key id is the expected one; it cannot check
 * the signature itself without the secret, and does not try.
 *
 * Scripted per returning query: its `Expression`, or for a `MetricStat` its `MetricName`. Points are
 * `[epochSeconds, value]`; the fake keeps those in [StartTime, EndTime) and orders them by `ScanBy`.
 */
import type { ServerResponse } from 'node:http';
import {
  afterDelays,
  type DelayReply,
  type SaasRequest,
  Scripts,
  sendJson,
  startSaasServer,
} from './saas-server.js';

export type CwPoint = [epochSeconds: number, value: number];

export type FakeCloudWatchReply =
  | {
      kind: 'points';
      points: CwPoint[];
      label?: string;
      statusCode?: 'Complete' | 'PartialData' | 'InternalError' | 'Forbidden';
    }
  /** A query-compatible AWS JSON error: `__type`, `message` and `x-amzn-query-error: <code>;<Sender|Receiver>`. */
  | { kind: 'error'; status: number; code: string; message: string; fault: 'Sender' | 'Receiver' }
  | { kind: 'http'; status: number; body: unknown; headers?: Record<string, string> }
  | DelayReply<FakeCloudWatchReply>;

export const cwReplies = {
  points(
    points: CwPoint[],
    options: { label?: string; statusCode?: 'Complete' | 'PartialData' | 'InternalError' | 'Forbidden' } = {},
  ): FakeCloudWatchReply {
    return { kind: 'points', points, ...options };
  },
  invalidParameter(message: string): FakeCloudWatchReply {
    return { kind: 'error', status: 400, code: 'InvalidParameterValue', message, fault: 'Sender' };
  },
  throttling(): FakeCloudWatchReply {
    return { kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded', fault: 'Sender' };
  },
  accessDenied(): FakeCloudWatchReply {
    return {
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/monitor is not authorized to perform: cloudwatch:GetMetricData',
      fault: 'Sender',
    };
  },
  internalFailure(): FakeCloudWatchReply {
    return {
      kind: 'error',
      status: 500,
      code: 'InternalServiceError',
      message: 'Internal service error',
      fault: 'Receiver',
    };
  },
  http(status: number, body: unknown, headers?: Record<string, string>): FakeCloudWatchReply {
    return { kind: 'http', status, body, ...(headers ? { headers } : {}) };
  },
  delay(ms: number, then?: FakeCloudWatchReply): FakeCloudWatchReply {
    return { kind: 'delay', ms, ...(then ? { then } : {}) };
  },
};

export interface FakeCloudWatch {
  /** The provider's `endpoint`. */
  url: string;
  readonly requests: SaasRequest[];
  respond(key: string, ...replies: FakeCloudWatchReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeCloudWatchOptions {
  accessKeyId: string;
  region: string;
}

const TARGET = 'GraniteServiceVersion20100801.GetMetricData';
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

interface MetricDataQueryJson {
  Id?: string;
  Expression?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string }; Period?: number; Stat?: string };
  ReturnData?: boolean;
  Label?: string;
}

export async function startFakeCloudWatch(options: FakeCloudWatchOptions): Promise<FakeCloudWatch> {
  const scripts = new Scripts<FakeCloudWatchReply>();
  const server = await startSaasServer(async (request, res) => {
    if (request.method !== 'POST' || request.path !== '/')
      return awsError(res, 404, 'UnknownOperationException', '', 'Sender');
    if (request.headers['content-type'] !== 'application/x-amz-json-1.0') {
      return awsError(
        res,
        400,
        'UnknownOperationException',
        `unsupported content type ${request.headers['content-type']}`,
        'Sender',
      );
    }
    if (request.headers['x-amz-target'] !== TARGET) {
      return awsError(
        res,
        400,
        'UnknownOperationException',
        `unknown X-Amz-Target ${request.headers['x-amz-target']}`,
        'Sender',
      );
    }
    const authProblem = checkSigV4(request, options);
    if (authProblem)
      return awsError(res, authProblem.status, authProblem.code, authProblem.message, 'Sender');
    const body = request.body as {
      MetricDataQueries?: MetricDataQueryJson[];
      StartTime?: unknown;
      EndTime?: unknown;
      ScanBy?: string;
    };
    const queries = body?.MetricDataQueries;
    if (!Array.isArray(queries) || queries.length === 0) {
      return awsError(res, 400, 'MissingParameter', 'The parameter MetricDataQueries is required.', 'Sender');
    }
    if (
      typeof body.StartTime !== 'number' ||
      typeof body.EndTime !== 'number' ||
      body.StartTime >= body.EndTime
    ) {
      return awsError(
        res,
        400,
        'InvalidParameterValue',
        'The parameter StartTime must be less than the parameter EndTime.',
        'Sender',
      );
    }
    for (const query of queries) {
      if (!query.Id || !/^[a-z][A-Za-z0-9_]*$/.test(query.Id)) {
        return awsError(
          res,
          400,
          'InvalidParameterValue',
          `The value ${query.Id} for parameter MetricDataQueries.member.Id is invalid.`,
          'Sender',
        );
      }
      if ((query.Expression === undefined) === (query.MetricStat === undefined)) {
        return awsError(
          res,
          400,
          'InvalidParameterCombination',
          `Exactly one of Expression and MetricStat must be set for ${query.Id}.`,
          'Sender',
        );
      }
    }
    const start = body.StartTime;
    const end = body.EndTime;
    const results: unknown[] = [];
    for (const query of queries.filter((q) => q.ReturnData !== false)) {
      const key = query.Expression ?? query.MetricStat?.Metric?.MetricName ?? '';
      const scripted = scripts.next(key) ?? { kind: 'points', points: [] };
      const reply = await afterDelays(scripted, res);
      if (!reply) return;
      if (reply.kind === 'http')
        return sendJson(res, reply.status, reply.body, reply.headers, 'application/x-amz-json-1.0');
      if (reply.kind === 'error') return awsError(res, reply.status, reply.code, reply.message, reply.fault);
      const inside = reply.points.filter(([t]) => t >= start && t < end);
      inside.sort(([a], [b]) => (body.ScanBy === 'TimestampAscending' ? a - b : b - a));
      results.push({
        Id: query.Id,
        Label: reply.label ?? query.Label ?? query.Id,
        Timestamps: inside.map(([t]) => t),
        Values: inside.map(([, v]) => v),
        StatusCode: reply.statusCode ?? 'Complete',
        Messages: [],
      });
    }
    return sendJson(res, 200, { MetricDataResults: results, Messages: [] }, {}, 'application/x-amz-json-1.0');
  });
  return {
    url: server.url,
    requests: server.requests,
    respond: (key, ...replies) => scripts.set(key, replies),
    reset() {
      server.requests.length = 0;
      scripts.clear();
    },
    close: () => server.close(),
  };
}

/** The SigV4 checks a server can make without the secret key. */
function checkSigV4(
  request: SaasRequest,
  options: FakeCloudWatchOptions,
): { status: number; code: string; message: string } | null {
  const header = request.headers.authorization;
  if (!header)
    return {
      status: 400,
      code: 'MissingAuthenticationToken',
      message: 'Request is missing Authentication Token',
    };
  const match = SIGV4.exec(header);
  if (!match)
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: 'Authorization header is not a well-formed AWS4-HMAC-SHA256 signature',
    };
  const [, keyId, date, region, service] = match;
  const signed = match[5]!.split(';');
  const amzDate = request.headers['x-amz-date'] ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date!)) {
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: 'X-Amz-Date is missing or does not match the credential scope date',
    };
  }
  if (!signed.includes('host') || !signed.includes('x-amz-date')) {
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: 'SignedHeaders must include host and x-amz-date',
    };
  }
  if (service !== 'monitoring')
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: `Credential should be scoped to correct service: 'monitoring', not '${service}'`,
    };
  if (region !== options.region) {
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: `Credential should be scoped to a valid region, not '${region}'`,
    };
  }
  if (keyId !== options.accessKeyId) {
    return {
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    };
  }
  return null;
}

function awsError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  fault: 'Sender' | 'Receiver',
): void {
  const type = code.endsWith('Exception') ? code : `${code}Exception`;
  sendJson(
    res,
    status,
    { __type: `com.amazonaws.cloudwatch#${type}`, message },
    { 'x-amzn-query-error': `${code};${fault}`, 'x-amzn-RequestId': '00000000-0000-4000-8000-000000000000' },
    'application/x-amz-json-1.0',
  );
}
