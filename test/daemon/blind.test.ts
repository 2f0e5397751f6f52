import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AlertPayload, DeliveryResult, Receiver } from '../../src/alerting/types.js';
import { defaultAlertPolicy } from '../../src/config/index.js';
import { BlindMonitoring, type BlindSpec } from '../../src/daemon/blind.js';
import { createLogger } from '../../src/daemon/index.js';
import type { Verdict } from '../../src/evaluate/index.js';

const T0 = Date.parse('2026-11-27T04:00:00Z');
const minute = (n: number) => new Date(T0 + n * 60_000);

function verdict(metric: string): Verdict {
  return {
    metric,
    nfrId: null,
    requirement: 'p99 Latency',
    category: 'Performance',
    target: '< 200ms',
    comparator: '<',
    comparatorInferred: false,
    slo: 200,
    unit: 'ms',
    value: 120,
    status: 'healthy',
    provider: 'default',
    providerType: 'prometheus',
    query: 'q',
    reason: 'r',
    line: 9,
    checkedAt: new Date(T0),
  };
}

/** A receiver that answers from a script (then accepts) and records what it was given. */
function receiver(name: string, answers: DeliveryResult[] = []): Receiver & { seen: AlertPayload[] } {
  const seen: AlertPayload[] = [];
  return {
    name,
    type: 'test',
    seen,
    deliver: async (payload) => {
      seen.push(payload);
      return answers.shift() ?? { ok: true };
    },
  };
}

function setUp(noDataFor: Record<string, number>, receivers: Receiver[]) {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    redact: (t) => t,
    stream: new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  });
  const spec: BlindSpec = {
    specId: 'spec-a',
    verdicts: Object.keys(noDataFor).map(verdict),
    receivers,
    policy: (metric) => ({ ...defaultAlertPolicy(), noDataForSeconds: noDataFor[metric]! }),
    alreadyBlind: () => false,
    payloadContext: {
      service: 'spec-a',
      links: () => ({ report: null, status_page: null }),
      version: '0.0.0',
      host: 'h',
      redact: (t) => t,
    },
  };
  return { blind: new BlindMonitoring(log), spec, lines };
}

describe('BlindMonitoring (the "monitoring is blind" alert when cycles cannot be recorded)', () => {
  it('announces each metric once its own no_data_for has passed, retries refusing receivers, resolves on recovery', async () => {
    const hook = receiver('spec-a/hook', [{ ok: false, permanent: false, error: 'HTTP 503' }]);
    const file = receiver('spec-a/file');
    const { blind, spec, lines } = setUp({ fast: 120, slow: 300 }, [hook, file]);

    await blind.failed(minute(0), [spec], 'database damaged');
    await blind.failed(minute(1), [spec], 'database damaged');
    expect(file.seen).toEqual([]);
    expect(blind.consecutiveFailures).toBe(2);

    await blind.failed(minute(2), [spec], 'database damaged');
    expect(file.seen.map((p) => [p.metric, p.kind, p.event, p.value])).toEqual([
      ['fast', 'no_data', 'trigger', null],
    ]);
    expect(file.seen[0]!.reason).toContain('monitoring is blind');
    expect(file.seen[0]!.reason).toContain('database damaged');
    expect(file.seen[0]!.started_at).toBe(minute(0).toISOString());
    expect(hook.seen).toHaveLength(1); // refused

    await blind.failed(minute(3), [spec], 'database damaged'); // the hook gets it now
    await blind.failed(minute(5), [spec], 'database damaged'); // and `slow` is due
    expect(hook.seen.map((p) => p.metric)).toEqual(['fast', 'fast', 'slow']);
    expect(file.seen.map((p) => p.metric)).toEqual(['fast', 'slow']);
    expect(lines.filter((l) => l.event === 'monitoring_blind').map((l) => l.metrics)).toEqual([
      ['spec-a/fast'],
      ['spec-a/slow'],
    ]);

    await blind.recovered(minute(6));
    expect(blind.consecutiveFailures).toBe(0);
    const resolves = file.seen.filter((p) => p.event === 'resolve');
    expect(resolves.map((p) => [p.metric, p.status, p.ended_at])).toEqual([
      ['fast', 'resolved', minute(6).toISOString()],
      ['slow', 'resolved', minute(6).toISOString()],
    ]);
    expect(hook.seen.filter((p) => p.event === 'resolve')).toHaveLength(2);

    // A later recorded cycle sends nothing more; a new streak starts from scratch.
    await blind.recovered(minute(7));
    await blind.failed(minute(8), [spec], 'disk full');
    expect(file.seen).toHaveLength(4);
  });

  it('says nothing for a short hiccup', async () => {
    const file = receiver('spec-a/file');
    const { blind, spec } = setUp({ fast: 120 }, [file]);
    await blind.failed(minute(0), [spec], 'busy');
    await blind.recovered(minute(1));
    expect(file.seen).toEqual([]);
  });
});
