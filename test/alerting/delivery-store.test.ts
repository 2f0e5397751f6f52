import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDue } from '../../src/alerting/delivery.js';
import { buildAlertPayload } from '../../src/alerting/payload.js';
import { createPagerDutyReceiver } from '../../src/alerting/receivers/pagerduty.js';
import { advanceAlert, initialAlertState } from '../../src/alerting/state.js';
import type { AlertState } from '../../src/alerting/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';
import { latencyVerdict, samplePayload } from './fixtures.js';

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const T0 = Date.parse('2026-11-27T04:00:00.000Z');

/**
 * The whole path on real parts: state machine → payload → SQLite outbox (src/store) → delivery →
 * PagerDuty fake, with PagerDuty failing at first.
 */
describe('alert delivery through the real SQLite outbox', () => {
  let dir: string;
  let store: Store;
  let pagerduty: FakePagerDuty;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alert-outbox-'));
    store = openStore(join(dir, 'monitor.db'));
    pagerduty = await startFakePagerDuty();
  });
  afterAll(async () => {
    store?.close();
    await pagerduty?.close();
    await rm(dir, { recursive: true, force: true });
  });

  function cycle(state: AlertState, bad: boolean, minute: number) {
    const at = new Date(T0 + minute * 60_000);
    const step = advanceAlert(
      state,
      { bad, at, intervalSeconds: 60, severity: bad ? 'SEV-2' : null, value: bad ? 350 : 150 },
      { for: { cycles: 1 }, resolveAfter: { cycles: 1 }, repeatIntervalSeconds: null },
    );
    const notifications = [];
    if (step.event) {
      const payload = buildAlertPayload({
        verdict: latencyVerdict({
          value: bad ? 350 : 150,
          status: bad ? 'breached' : 'healthy',
          checkedAt: at,
        }),
        state: step.state,
        event: step.event,
        kind: 'slo',
        service: 'auth-api',
        links: { report: null, status_page: null },
        version: '0.1.0',
        host: 'test',
      });
      notifications.push({
        receiver: 'pager',
        dedupKey: payload.dedup_key,
        event: step.event,
        payload,
        idempotencyKey: `pager/${step.state.episodeId}/${step.event}`,
      });
    }
    store.commitCycle({ at, measurements: [], alertStates: [step.state], notifications });
    return step.state;
  }

  const pagerReceiver = () =>
    createPagerDutyReceiver({
      type: 'pagerduty',
      name: 'pager',
      url: pagerduty.url,
      routingKey: ROUTING_KEY,
    });
  const actions = () => pagerduty.requests.map((r) => (r.body as { event_action: string }).event_action);
  const options = { baseDelayMs: 1000, maxDelayMs: 60_000, random: () => 0.5 };

  it('a trigger that failed and the resolve queued behind it collapse into one resolved notice', async () => {
    let state = initialAlertState('spec-core-001-authentication', 'api_latency_p99', 'slo');
    state = cycle(state, true, 0); // trigger enqueued
    pagerduty.failNext(1, { status: 500, body: 'internal error' });
    const first = await deliverDue(store, [pagerReceiver()], () => new Date(T0 + 60_000), options);
    expect(first).toEqual({ delivered: 0, failed: 1, dead: 0, superseded: 0 });

    state = cycle(state, false, 1); // resolve enqueued while the trigger waits for its retry
    // Before the trigger's retry is due, the receiver never got the trigger: it and the resolve collapse
    // into the one resolved notice, sent at once (nothing is ahead of it any more).
    const next = await deliverDue(store, [pagerReceiver()], () => new Date(T0 + 60_500), options);
    expect(next).toEqual({ delivered: 1, failed: 0, dead: 0, superseded: 1 });
    expect(actions()).toEqual(['trigger', 'resolve']);
    expect(store.outbox().map((e) => [e.event, e.status])).toEqual([
      ['trigger', 'superseded'],
      ['resolve', 'delivered'],
    ]);
    expect(store.depth()).toBe(0);
    state = cycle(state, false, 2);
    pagerduty.requests.length = 0;
  });

  it('after a long outage, one pass sends each alert only what it needs, in order, without waiting out backoff', async () => {
    const file = join(dir, 'outage.db');
    const outage = openStore(file);
    try {
      const key = (n: number) => `smartspec-production-monitor/spec-core-001-authentication/m${n}/slo`;
      const started = (n: number) => new Date(T0 + n * 1000);
      const enqueue = (n: number, event: 'trigger' | 'reminder' | 'resolve', minute: number) => {
        const payload = {
          ...samplePayload(event, { state: { since: started(n), firedAt: started(n) } }),
          dedup_key: key(n),
          metric: `m${n}`,
        };
        outage.commitCycle({
          at: new Date(T0 + minute * 60_000),
          measurements: [],
          alertStates: [],
          notifications: [
            {
              receiver: 'pager',
              dedupKey: key(n),
              event,
              payload,
              idempotencyKey: `pager/m${n}/${event}@${minute}`,
            },
          ],
        });
      };
      // Three alerts fire while PagerDuty is down; every trigger is tried and fails (backoff grows).
      for (const n of [1, 2, 3]) enqueue(n, 'trigger', 0);
      pagerduty.failNext(3, { status: 503, body: 'unavailable' });
      const down = await deliverDue(outage, [pagerReceiver()], () => new Date(T0), options);
      expect(down).toEqual({ delivered: 0, failed: 3, dead: 0, superseded: 0 });
      // The outage goes on: reminders pile up; m1 and m2 recover, m3 is still breached.
      for (const minute of [30, 60, 90]) for (const n of [1, 2, 3]) enqueue(n, 'reminder', minute);
      enqueue(1, 'resolve', 100);
      enqueue(2, 'resolve', 110);
      expect(outage.depth()).toBe(14);
      // PagerDuty is back; m3's trigger is in a long backoff (as after hours of failed retries).
      const waiting = outage.pending().find((e) => e.dedupKey === key(3) && e.event === 'trigger')!;
      outage.markFailed(waiting.id, 'HTTP 503', new Date(T0), new Date(T0 + 6 * 3_600_000));
      pagerduty.requests.length = 0;

      const back = await deliverDue(outage, [pagerReceiver()], () => new Date(T0 + 120 * 60_000), options);
      // m1, m2: one resolve each (trigger and reminders superseded); m3: its trigger, then the latest
      // reminder only, right away although the trigger's retry was hours away.
      expect(back).toEqual({ delivered: 4, failed: 0, dead: 0, superseded: 10 });
      expect(outage.depth()).toBe(0);
      const sent = pagerduty.requests.map((r) => {
        const body = r.body as { event_action: string; dedup_key: string };
        return `${body.dedup_key.split('/').at(-2)} ${body.event_action}`;
      });
      expect(sent.filter((s) => s.startsWith('m3'))).toEqual(['m3 trigger', 'm3 trigger']);
      expect(sent.filter((s) => !s.startsWith('m3')).sort()).toEqual(['m1 resolve', 'm2 resolve']);
      const m3 = outage.outbox().filter((e) => e.dedupKey === key(3));
      expect(m3.map((e) => [e.event, e.status])).toEqual([
        ['trigger', 'delivered'],
        ['reminder', 'superseded'],
        ['reminder', 'superseded'],
        ['reminder', 'delivered'],
      ]);
      // PagerDuty opened an incident for m3 only: a resolve for an alert it never saw opens nothing.
      expect(pagerduty.alerts.get(key(3))?.status).toBe('triggered');
      expect(pagerduty.alerts.has(key(1))).toBe(false);
    } finally {
      outage.close();
    }
  });
});
