import { buildAlertPayload } from '../../src/alerting/payload.js';
import type { AlertEventType, AlertKind, AlertPayload, AlertState } from '../../src/alerting/types.js';
import type { SeverityRule } from '../../src/config/types.js';
import type { Verdict } from '../../src/evaluate/types.js';

export const DEFAULT_RULES: SeverityRule[] = [
  { minOvershoot: 1.0, categories: [], severity: 'SEV-1' },
  { minOvershoot: 0.5, categories: [], severity: 'SEV-2' },
  { minOvershoot: 0.1, categories: [], severity: 'SEV-3' },
];

export const STARTED = new Date('2026-11-27T04:00:00.000Z');
export const CHECKED = new Date('2026-11-27T04:05:00.000Z');

export function latencyVerdict(overrides: Partial<Verdict> = {}): Verdict {
  return {
    metric: 'api_latency_p99',
    nfrId: 'NFR-1',
    requirement: 'p99 latency',
    category: 'Performance',
    target: '< 200ms',
    comparator: '<',
    comparatorInferred: false,
    slo: 200,
    unit: 'ms',
    value: 350,
    status: 'breached',
    provider: 'prom',
    providerType: 'prometheus',
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
    reason: 'p99 latency = 350 ms, target < 200ms: breached (query on prom)',
    line: 42,
    checkedAt: CHECKED,
    ...overrides,
  };
}

export function firingState(overrides: Partial<AlertState> = {}): AlertState {
  return {
    specId: 'spec-core-001-authentication',
    metric: 'api_latency_p99',
    kind: 'slo',
    phase: 'firing',
    since: STARTED,
    badCycles: 3,
    goodCycles: 0,
    goodSince: null,
    episodeId: 'abcdef0123456789',
    firedAt: new Date('2026-11-27T04:02:00.000Z'),
    lastNotifiedAt: new Date('2026-11-27T04:02:00.000Z'),
    severity: 'SEV-2',
    worstValue: 350,
    ...overrides,
  };
}

export function samplePayload(
  event: AlertEventType = 'trigger',
  options: {
    kind?: AlertKind;
    verdict?: Partial<Verdict>;
    state?: Partial<AlertState>;
    statusPage?: string | null;
  } = {},
): AlertPayload {
  const kind = options.kind ?? 'slo';
  return buildAlertPayload({
    verdict: latencyVerdict(options.verdict),
    state: firingState({ kind, ...(event === 'resolve' ? { phase: 'inactive' } : {}), ...options.state }),
    event,
    kind,
    service: 'auth-api',
    links: {
      report: 'http://127.0.0.1:9999/reports/spec-core-001-authentication/latest',
      status_page: options.statusPage === undefined ? 'http://127.0.0.1:9999/status' : options.statusPage,
    },
    version: '0.1.0',
    host: 'monitor-1',
  });
}
