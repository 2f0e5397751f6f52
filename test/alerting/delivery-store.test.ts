import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceAlert,
  buildAlertPayload,
  createPagerDutyReceiver,
  deliverDue,
  initialAlertState,
} from '../../src/alerting/index.js';
import type { AlertState } from '../../src/alerting/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';
import { latencyVerdict } from './fixtures.js';

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

  it('delivers the trigger before the resolve even when the trigger first fails', async () => {
    let state = initialAlertState('spec-core-001-authentication', 'api_latency_p99', 'slo');
    state = cycle(state, true, 0); // trigger enqueued
    state = cycle(state, false, 1); // resolve enqueued
    expect(store.depth()).toBe(2);

    const receiver = createPagerDutyReceiver({
      type: 'pagerduty',
      name: 'pager',
      url: pagerduty.url,
      routingKey: ROUTING_KEY,
    });
    const options = { baseDelayMs: 1000, maxDelayMs: 60_000, random: () => 0.5 };
    pagerduty.failNext(1, { status: 500, body: 'internal error' });

    const first = await deliverDue(store, [receiver], () => new Date(T0 + 2 * 60_000), options);
    expect(first).toEqual({ delivered: 0, failed: 1, dead: 0 });
    expect(pagerduty.requests.map((r) => (r.body as { event_action: string }).event_action)).toEqual([
      'trigger',
    ]);

    const second = await deliverDue(store, [receiver], () => new Date(T0 + 3 * 60_000), options);
    expect(second).toEqual({ delivered: 1, failed: 0, dead: 0 }); // the resolve was still held back
    const third = await deliverDue(store, [receiver], () => new Date(T0 + 3 * 60_000), options);
    expect(third).toEqual({ delivered: 1, failed: 0, dead: 0 });

    expect(pagerduty.requests.map((r) => (r.body as { event_action: string }).event_action)).toEqual([
      'trigger',
      'trigger',
      'resolve',
    ]);
    expect(store.depth()).toBe(0);
    expect(
      pagerduty.alerts.get('smartspec-production-monitor/spec-core-001-authentication/api_latency_p99/slo'),
    ).toMatchObject({
      status: 'resolved',
    });
  });
});
