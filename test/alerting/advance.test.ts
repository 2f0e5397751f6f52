import { describe, expect, it } from 'vitest';
import type { AlertContext } from '../../src/alerting/advance.js';
import { advanceAlerts, alertKey } from '../../src/alerting/advance.js';
import type { AlertState } from '../../src/alerting/types.js';
import { defaultAlertPolicy } from '../../src/config/index.js';
import type { Evaluation, Verdict } from '../../src/evaluate/index.js';

const T0 = Date.parse('2026-11-27T04:00:00Z');

function verdict(status: Verdict['status'], value: number | null): Verdict {
  return {
    metric: 'api_latency_p99',
    nfrId: null,
    requirement: 'p99 Latency',
    category: 'Performance',
    target: '< 200ms',
    comparator: '<',
    comparatorInferred: false,
    slo: 200,
    unit: 'ms',
    value,
    status,
    provider: 'default',
    providerType: 'prometheus',
    query: 'q',
    reason: 'r',
    line: 9,
    checkedAt: new Date(T0),
  };
}

const context: AlertContext = {
  policy: () => ({
    ...defaultAlertPolicy(),
    for: { cycles: 2 },
    resolveAfter: { cycles: 2 },
    noDataForSeconds: 120,
  }),
  receivers: ['spec/file', 'spec/hook'],
  intervalSeconds: 60,
  links: () => ({ report: null, status_page: null }),
  service: 'spec',
  version: '0.0.0',
  host: 'h',
  redact: (t) => t,
};

/** Feeds a sequence of verdicts cycle by cycle, carrying the states like the daemon does. */
function run(sequence: Array<[Verdict['status'], number | null]>, states = new Map<string, AlertState>()) {
  const outcomes = sequence.map(([status, value], i) => {
    const checkedAt = new Date(T0 + i * 60_000);
    const evaluation: Evaluation = {
      specId: 'spec',
      checkedAt,
      status: 'healthy',
      verdicts: [{ ...verdict(status, value), checkedAt }],
      unmonitored: [],
    };
    const outcome = advanceAlerts(evaluation, states, context);
    for (const s of outcome.changed) states.set(alertKey(s.specId, s.metric, s.kind), s);
    return outcome;
  });
  return { outcomes, states };
}

describe('advanceAlerts', () => {
  it('one trigger and one resolve per episode, one notification per receiver each', () => {
    const { outcomes } = run([
      ['healthy', 150],
      ['breached', 350],
      ['breached', 360],
      ['breached', 340],
      ['healthy', 150],
      ['healthy', 150],
      ['healthy', 150],
    ]);
    const events = outcomes.map((o) => o.events.map((e) => `${e.payload.kind}:${e.event}`));
    expect(events).toEqual([[], [], ['slo:trigger'], [], [], ['slo:resolve'], []]);
    const notes = outcomes.flatMap((o) => o.notifications);
    expect(notes.map((n) => n.receiver)).toEqual(['spec/file', 'spec/hook', 'spec/file', 'spec/hook']);
    expect(new Set(notes.map((n) => n.idempotencyKey)).size).toBe(4);
    expect(notes[0]!.payload).toMatchObject({
      source: 'production_monitor',
      metric: 'api_latency_p99',
      value: 360,
      slo: 200,
      severity: 'SEV-2',
    });
  });

  it('replaying a cycle from the same states gives the same idempotency keys (nothing enqueued twice)', () => {
    const { states } = run([['breached', 350]]);
    const before = new Map(states);
    const first = run([['breached', 350]], new Map(before));
    const second = run([['breached', 350]], new Map(before));
    expect(first.outcomes[0]!.notifications.map((n) => n.idempotencyKey)).toEqual(
      second.outcomes[0]!.notifications.map((n) => n.idempotencyKey),
    );
  });

  it('an unknown value raises the no-data alert after no_data_for, not the SLO alert', () => {
    const { outcomes } = run([
      ['healthy', 150],
      ['unknown', null],
      ['unknown', null],
      ['unknown', null],
      ['healthy', 150],
      ['healthy', 150],
    ]);
    const events = outcomes.map((o) =>
      o.events.map((e) => `${e.payload.kind}:${e.event}:${e.payload.severity}`),
    );
    expect(events).toEqual([[], [], [], ['no_data:trigger:SEV-4'], [], ['no_data:resolve:SEV-4']]);
  });
});
