/**
 * The daemon as a real process against a real Prometheus, under failures: kill -9 around a
 * notification, a receiver that is down, a backend that goes away, real Alertmanager/PagerDuty/Slack
 * delivery with secrets kept out of logs and files, and SIGTERM during a slow cycle.
 *
 * The clock replays the standard history (`--replay-from`, `--replay-speed 600`: one 60 s cycle
 * every 0.1 s); retries and backoff run on the same clock.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakePagerDuty } from '../fakes/pagerduty.js';
import { startFakeSlack } from '../fakes/slack.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import type { DatabaseSnapshot, ScriptedReceiver } from './daemon-support.js';
import {
  alertmanagerSkipReason,
  DATABASE,
  eventually,
  filesContaining,
  integrityCheck,
  sampleValue,
  snapshot,
  startAlertmanager,
  startScriptedReceiver,
  startSwitchableProxy,
} from './daemon-support.js';
import type { DaemonProcess, Workspace } from './support.js';
import { makeWorkspace, ERROR_RATE_AND_LATENCY_SPEC as SPEC, startDaemon } from './support.js';

const skip = prometheusSkipReason();
const history = standardHistory();
const SPEC_ID = 'spec-core-001-authentication';
const METRICS = ['api_error_rate', 'api_latency_p99'];
/** The error rate breaches during the incident (10% > 5%); the latency never does. */
const ERROR_RATE_KEY = `smartspec-production-monitor/${SPEC_ID}/api_error_rate/slo`;
const HOOK = `${SPEC_ID}/hook`;
const SPEED = 600;

const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

function obsYaml(
  prometheusUrl: string,
  receivers: string,
  alerting = '  for: 2\n  resolve_after: 3\n',
): string {
  return `provider: prometheus
url: ${prometheusUrl}
metrics:
  - name: api_error_rate
    query: '${history.queries.errorRatio5m}'
  - name: api_latency_p99
    query: '${history.queries.p99Latency5m}'
alerting:
${alerting}incident_command: false
receivers:
${receivers}`;
}

const webhookReceiver = (url: string) => `  - type: webhook\n    name: hook\n    url: ${url}\n`;

function replayArgs(from: Date, extra: string[] = [], speed = SPEED): string[] {
  return [
    '--spec-id',
    SPEC_ID,
    '--interval',
    '60',
    '--replay-from',
    from.toISOString(),
    '--replay-speed',
    String(speed),
    ...extra,
  ];
}

/** Just after the last cycle the crashed daemon recorded (its cycle log, or its last measurement). */
function resumeAfter(before: DatabaseSnapshot): Date {
  const lastMeasured = Math.max(0, ...before.measurements.map((m) => m.at.getTime()));
  const lastCycle = before.lastCycle?.startedAt.getTime() ?? 0;
  return new Date(Math.max(lastMeasured, lastCycle) + 1000);
}

const rowsOf = (s: DatabaseSnapshot, until = Number.POSITIVE_INFINITY) =>
  s.measurements
    .filter((m) => m.at.getTime() <= until)
    .map((m) => ({ at: m.at.toISOString(), metric: m.metric, value: m.value, status: m.status }));

describe.skipIf(skip !== null)('the daemon under failures (real processes, real Prometheus)', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(history);
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  // Everything a test starts is stopped here too, so a failing assertion leaves nothing running.
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const daemon = (args: string[], ws: Workspace, env?: Record<string, string>): DaemonProcess => {
    const started = startDaemon(args, { cwd: ws.root, ...(env ? { env } : {}) });
    cleanups.push(() => started.kill('SIGKILL'));
    return started;
  };
  const workspace = async (obs: string): Promise<Workspace> => {
    const ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]: obs,
    });
    cleanups.push(() => ws.cleanup());
    return ws;
  };
  const receiver = async (...args: Parameters<typeof startScriptedReceiver>): Promise<ScriptedReceiver> => {
    const started = await startScriptedReceiver(...args);
    cleanups.push(() => started.close());
    return started;
  };

  /** Kills the first daemon with SIGKILL and reads what it left in the database. */
  async function crash(first: DaemonProcess, ws: Workspace): Promise<DatabaseSnapshot> {
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const before = snapshot(path.join(ws.root, DATABASE), SPEC_ID);
    expect(before.measurements.length).toBeGreaterThan(0);
    return before;
  }

  /** Lets the restarted daemon run the episode to its resolve, then stops it with SIGTERM. */
  async function finishEpisode(second: DaemonProcess, hook: ScriptedReceiver, ws: Workspace): Promise<void> {
    await second.waitForLog((l) => l.event === 'started');
    await second.waitForLog((l) => l.event === 'alert_resolve' && l.msg === 'api_error_rate slo resolve');
    const resolve = await hook.waitFor((n) => n.event === 'resolve' && n.answered === 200);
    // Run on for ten more cycles (on the daemon's clock): nothing more may be sent.
    await cyclesRecordedUntil(ws, Date.parse(String(resolve.body.ended_at)) + 10 * 60_000);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.logs.filter((l) => l.event === 'cycle_failed')).toEqual([]);
  }

  /** Waits until the daemon has recorded a cycle at or after `instant` (daemon time). */
  async function cyclesRecordedUntil(ws: Workspace, instant: number): Promise<void> {
    await eventually(
      () => {
        const last = snapshot(path.join(ws.root, DATABASE), SPEC_ID).lastCycle;
        return last && last.startedAt.getTime() >= instant ? true : undefined;
      },
      `a cycle recorded at ${new Date(instant).toISOString()} or later`,
    );
  }

  /** The database is sound, every row of the first run is still there, and the outbox is drained. */
  function expectHistoryIntact(ws: Workspace, before: DatabaseSnapshot): DatabaseSnapshot {
    const file = path.join(ws.root, DATABASE);
    expect(integrityCheck(file)).toBe('ok');
    const after = snapshot(file, SPEC_ID);
    const lastOfFirstRun = Math.max(...before.measurements.map((m) => m.at.getTime()));
    expect(rowsOf(after, lastOfFirstRun)).toEqual(rowsOf(before));
    expect(after.measurements.length).toBeGreaterThan(before.measurements.length);
    expect(after.pending).toBe(0);
    expect(after.dead).toBe(0);
    // One outbox entry per event of the episode, whatever happened to the process.
    const hookEntries = after.outbox.filter((e) => e.receiver === HOOK && e.dedupKey === ERROR_RATE_KEY);
    expect(hookEntries.filter((e) => e.event === 'trigger')).toHaveLength(1);
    expect(hookEntries.filter((e) => e.event === 'resolve')).toHaveLength(1);
    return after;
  }

  describe('kill -9 never loses nor duplicates a notification', () => {
    it('before the send: a trigger committed but never accepted is sent once after the restart', async () => {
      const hook = await receiver({ kind: 'fail', status: 500 });
      const ws = await workspace(obsYaml(prometheus.url, webhookReceiver(hook.url)));
      const first = daemon(replayArgs(at(history.INC0 - 300), ['--no-server']), ws);
      await first.waitForLog((l) => l.event === 'alert_trigger' && l.msg === 'api_error_rate slo trigger');
      await hook.waitFor((n) => n.event === 'trigger' && n.answered === 500);
      await first.waitForLog((l) => l.event === 'delivery_failed');
      const before = await crash(first, ws);
      expect(before.outbox).toContainEqual({
        receiver: HOOK,
        event: 'trigger',
        dedupKey: ERROR_RATE_KEY,
        status: 'pending',
      });
      expect(hook.accepted()).toEqual([]);

      hook.mode = { kind: 'ok' };
      const second = daemon(replayArgs(resumeAfter(before), ['--no-server']), ws);
      await finishEpisode(second, hook, ws);

      expect(hook.accepted({ dedupKey: ERROR_RATE_KEY, event: 'trigger' })).toHaveLength(1);
      expect(hook.accepted({ dedupKey: ERROR_RATE_KEY, event: 'resolve' })).toHaveLength(1);
      expect(hook.received.filter((n) => n.event === 'resolve')).toHaveLength(1);
      // The refused attempts and the accepted one are the same notification.
      const triggerKeys = new Set(
        hook.received.filter((n) => n.event === 'trigger').map((n) => n.idempotencyKey),
      );
      expect(triggerKeys.size).toBe(1);
      expectHistoryIntact(ws, before);
    });

    it('during the send: the trigger is sent again, with the same idempotency key', async () => {
      const hook = await receiver({ kind: 'hold', ms: 2000 });
      const ws = await workspace(obsYaml(prometheus.url, webhookReceiver(hook.url)));
      const first = daemon(replayArgs(at(history.INC0 - 300), ['--no-server']), ws);
      const inFlight = await hook.waitFor((n) => n.event === 'trigger');
      const before = await crash(first, ws);
      await eventually(() => (inFlight.abandoned ? true : undefined), 'the held request to be abandoned');
      expect(inFlight.answered).toBeNull();
      expect(before.outbox).toContainEqual({
        receiver: HOOK,
        event: 'trigger',
        dedupKey: ERROR_RATE_KEY,
        status: 'pending',
      });

      hook.mode = { kind: 'ok' };
      const second = daemon(replayArgs(resumeAfter(before), ['--no-server']), ws);
      await finishEpisode(second, hook, ws);

      const triggers = hook.received.filter((n) => n.event === 'trigger' && n.dedupKey === ERROR_RATE_KEY);
      expect(triggers.length).toBeGreaterThanOrEqual(2);
      expect(hook.accepted({ dedupKey: ERROR_RATE_KEY, event: 'trigger' }).length).toBeGreaterThanOrEqual(1);
      // A receiver that deduplicates on Idempotency-Key sees one trigger.
      expect(inFlight.idempotencyKey).not.toBe('');
      expect(new Set(triggers.map((n) => n.idempotencyKey))).toEqual(new Set([inFlight.idempotencyKey]));
      for (const event of ['trigger', 'reminder', 'resolve']) {
        const keys = new Set(hook.received.filter((n) => n.event === event).map((n) => n.idempotencyKey));
        expect(keys.size, `${event} idempotency keys`).toBeLessThanOrEqual(1);
      }
      expect(hook.accepted({ dedupKey: ERROR_RATE_KEY, event: 'resolve' })).toHaveLength(1);
      expectHistoryIntact(ws, before);
    });

    it('after the send: a delivered trigger is never sent again; the resolve arrives once', async () => {
      const hook = await receiver({ kind: 'ok' });
      const ws = await workspace(obsYaml(prometheus.url, webhookReceiver(hook.url)));
      const file = path.join(ws.root, DATABASE);
      const first = daemon(replayArgs(at(history.INC0 - 300), ['--no-server']), ws);
      await hook.waitFor((n) => n.event === 'trigger' && n.answered === 200);
      // Kill once the delivery is on record: from then on, the trigger is done.
      await eventually(
        () =>
          snapshot(file, SPEC_ID).outbox.some(
            (e) => e.receiver === HOOK && e.event === 'trigger' && e.status === 'delivered',
          ) || undefined,
        'the trigger to be marked delivered',
        20_000,
        5,
      );
      const before = await crash(first, ws);

      const second = daemon(replayArgs(resumeAfter(before), ['--no-server']), ws);
      await finishEpisode(second, hook, ws);

      expect(hook.received.filter((n) => n.event === 'trigger')).toHaveLength(1);
      expect(hook.received.filter((n) => n.event === 'resolve')).toHaveLength(1);
      expect(hook.accepted({ dedupKey: ERROR_RATE_KEY, event: 'resolve' })).toHaveLength(1);
      expectHistoryIntact(ws, before);
    });
  });

  it('a receiver that is down for the whole episode gets the one resolved notice it needs when it is back, at once', async () => {
    const hook = await receiver({ kind: 'fail', status: 503 });
    const ws = await workspace(obsYaml(prometheus.url, webhookReceiver(hook.url)));
    const file = path.join(ws.root, DATABASE);
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const outboxDepth = async () =>
      sampleValue(await (await fetch(metricsUrl)).text(), 'smartspec_pm_outbox_depth');
    const hookEntries = () => snapshot(file, SPEC_ID).outbox.filter((e) => e.receiver === HOOK);
    const run = daemon(replayArgs(at(history.INC0 - 300), ['--listen', `127.0.0.1:${port}`]), ws);
    await run.waitForLog(
      (l) => l.event === 'alert_resolve' && l.msg === 'api_error_rate slo resolve',
      30_000,
    );
    // The hook refused the trigger (and any escalation reminder); once the resolve is queued, what
    // the hook never got collapses into it: one notification is left waiting, whatever the timing.
    const waiting = await eventually(() => {
      const entries = hookEntries();
      return entries.some((e) => e.event === 'resolve') &&
        entries.filter((e) => e.status === 'pending').length === 1
        ? entries
        : undefined;
    }, 'the queued notifications to collapse into the resolve');
    expect(waiting.filter((e) => e.status === 'pending').map((e) => e.event)).toEqual(['resolve']);
    expect(waiting.filter((e) => e.event !== 'resolve').every((e) => e.status === 'superseded')).toBe(true);
    expect(waiting.filter((e) => e.event === 'trigger')).toHaveLength(1);
    expect(hook.received.filter((n) => n.event === 'trigger').length).toBeGreaterThan(0);
    expect(hook.accepted()).toEqual([]);
    await eventually(async () => ((await outboxDepth()) === 1 ? true : undefined), 'outbox depth 1');

    hook.mode = { kind: 'ok' };
    const resolved = await hook.waitFor((n) => n.event === 'resolve' && n.answered === 200, 30_000);
    await eventually(
      async () => ((await outboxDepth()) === 0 ? true : undefined),
      'the outbox depth to return to 0',
    );
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/smartspec_pm_notifications_total\{result="failed"\} [1-9]/);
    expect(metrics).toMatch(/smartspec_pm_notifications_total\{result="superseded"\} [1-9]/);
    run.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    // The one resolved notice describes the whole episode: when it started and ended, its worst severity.
    expect(hook.accepted().map((n) => n.event)).toEqual(['resolve']);
    expect(resolved.dedupKey).toBe(ERROR_RATE_KEY);
    expect(resolved.body).toMatchObject({ status: 'resolved', kind: 'slo', severity: 'SEV-1' });
    expect(Date.parse(String(resolved.body.ended_at))).toBeGreaterThan(
      Date.parse(String(resolved.body.started_at)),
    );
    // Every refused attempt was one of the episode's queued notifications; the resolve went out once.
    expect(hook.received.filter((n) => n.event === 'resolve').length).toBeGreaterThanOrEqual(1);
    expect(hook.received.filter((n) => n.event === 'resolve' && n.answered === 200)).toHaveLength(1);
    expect(integrityCheck(file)).toBe('ok');
    const after = snapshot(file, SPEC_ID);
    expect(after.pending).toBe(0);
    expect(after.dead).toBe(0);
    const entries = after.outbox.filter((e) => e.receiver === HOOK);
    expect(entries.filter((e) => e.status === 'delivered').map((e) => e.event)).toEqual(['resolve']);
    expect(entries.filter((e) => e.status !== 'delivered').every((e) => e.status === 'superseded')).toBe(
      true,
    );
    // The always-on alert file receiver was never down: it got every event.
    const files = await filesContaining(
      path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'alerts'),
      ERROR_RATE_KEY,
    );
    expect(files.some((f) => f.endsWith('-trigger.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('-resolve.json'))).toBe(true);
  });

  it('a backend that goes away: unknown (never healthy), a SEV-4 no_data alert, and recovery', async () => {
    const proxy = await startSwitchableProxy(prometheus.url);
    cleanups.push(() => proxy.close());
    const hook = await receiver({ kind: 'ok' });
    const ws = await workspace(
      obsYaml(proxy.url, webhookReceiver(hook.url), '  for: 2\n  resolve_after: 2\n  no_data_for: 3m\n'),
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    type Status = { status: string; metrics: Array<{ name: string; status: string; value: number | null }> };
    const status = async () =>
      ((await (await fetch(`${base}/api/status`)).json()) as { specs: Status[] }).specs[0]!;
    const run = daemon(replayArgs(at(history.END - 7200), ['--listen', `127.0.0.1:${port}`]), ws);
    await run.waitForLog((l) => l.event === 'spec_status' && l.to === 'healthy');

    await proxy.down();
    const downAt = run.logs.length;
    for (const metric of METRICS) {
      await run.waitForLog(
        (l) =>
          l.event === 'status_changed' &&
          l.metric === metric &&
          l.to === 'unknown' &&
          run.logs.indexOf(l) >= downAt,
      );
    }
    const trigger = await hook.waitFor((n) => n.event === 'trigger' && n.kind === 'no_data');
    expect(trigger.body).toMatchObject({
      kind: 'no_data',
      severity: 'SEV-4',
      status: 'firing',
      value: null,
      spec_id: SPEC_ID,
    });
    expect(trigger.dedupKey).toMatch(/\/no_data$/);
    // While the backend is away, nothing reads as healthy: at three successive cycles.
    let seenCycle = '';
    for (let i = 0; i < 3; i++) {
      seenCycle = await eventually(async () => {
        const cycle = (
          (await (await fetch(`${base}/api/status`)).json()) as { last_cycle: { started_at: string } }
        ).last_cycle.started_at;
        return cycle !== seenCycle ? cycle : undefined;
      }, 'the next cycle');
      const current = await status();
      expect(current.status).toBe('degraded');
      expect(current.metrics.map((m) => [m.name, m.status, m.value])).toEqual(
        expect.arrayContaining(METRICS.map((name) => [name, 'unknown', null])),
      );
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).not.toMatch(/smartspec_pm_slo_healthy\{[^}]*\} 1/);
      expect(metrics).toMatch(/smartspec_pm_slo_unknown\{spec_id="[^"]+",metric="api_error_rate"\} 1/);
    }
    // It fired only once the metric had been unknown for no_data_for (3 min; 1 s of timer tolerance).
    const blind = (
      (await (await fetch(`${base}/api/status`)).json()) as {
        specs: Array<{
          alerts: Array<{ metric: string; kind: string; phase: string; since: string; fired_at: string }>;
        }>;
      }
    ).specs[0]!.alerts.find((a) => a.metric === trigger.body.metric && a.kind === 'no_data');
    expect(blind?.phase).toBe('firing');
    expect(Date.parse(blind!.fired_at) - Date.parse(blind!.since)).toBeGreaterThanOrEqual(179_000);

    const upAt = run.logs.length;
    await proxy.up();
    await run.waitForLog((l) => l.event === 'alert_resolve' && String(l.msg).endsWith('no_data resolve'));
    const resolved = await hook.waitFor(
      (n) => n.event === 'resolve' && n.kind === 'no_data' && n.dedupKey === trigger.dedupKey,
    );
    expect(resolved.answered).toBe(200);
    await run.waitForLog(
      (l) => l.event === 'spec_status' && l.to === 'healthy' && run.logs.indexOf(l) >= upAt,
    );
    run.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    const firstUnknown = run.logs.findIndex(
      (l, i) => i >= downAt && l.event === 'status_changed' && l.to === 'unknown',
    );
    const healthyWhileDown = run.logs
      .slice(firstUnknown, upAt)
      .filter((l) => (l.event === 'status_changed' || l.event === 'spec_status') && l.to === 'healthy');
    expect(healthyWhileDown).toEqual([]);
    // Blind monitoring is not a breach: no SLO alert, and each metric got one no_data trigger and resolve.
    expect(hook.received.filter((n) => n.kind === 'slo')).toEqual([]);
    for (const metric of METRICS) {
      const ofMetric = hook.received.filter((n) => n.body.metric === metric).map((n) => n.event);
      expect(ofMetric, metric).toEqual(['trigger', 'resolve']);
    }
    const unknownRows = snapshot(path.join(ws.root, DATABASE), SPEC_ID).measurements.filter(
      (m) => m.status === 'unknown',
    );
    expect(unknownRows.length).toBeGreaterThan(0);
    expect(unknownRows.every((m) => m.value === null)).toBe(true);
  });

  it.skipIf(alertmanagerSkipReason() !== null)(
    'delivers to a real Alertmanager, PagerDuty and Slack, and keeps their secrets out of logs and files',
    async () => {
      const alertmanager = await startAlertmanager();
      cleanups.push(() => alertmanager.stop());
      const pagerduty = await startFakePagerDuty();
      cleanups.push(() => pagerduty.close());
      const slack = await startFakeSlack();
      cleanups.push(() => slack.close());
      const routingKey = randomBytes(16).toString('hex');
      const receivers = [
        `  - type: alertmanager\n    name: am\n    url: ${alertmanager.url}\n`,
        `  - type: pagerduty\n    name: pd\n    routing_key: "{{env.PD_ROUTING_KEY}}"\n    url: ${pagerduty.url}\n`,
        '  - type: slack\n    name: chat\n    url: "{{env.SLACK_URL}}"\n',
      ].join('');
      const ws = await workspace(obsYaml(prometheus.url, receivers));
      const run = daemon(replayArgs(at(history.INC0 - 300), ['--no-server']), ws, {
        PD_ROUTING_KEY: routingKey,
        SLACK_URL: slack.url,
      });

      const firing = await eventually(async () => {
        const alerts = await alertmanager.alerts({ spec_id: SPEC_ID });
        return alerts.length > 0 ? alerts : undefined;
      }, 'the alert in Alertmanager');
      expect(firing[0]).toMatchObject({
        labels: {
          alertname: 'SmartSpecSLOBreach',
          spec_id: SPEC_ID,
          metric: 'api_error_rate',
          kind: 'slo',
          severity: expect.stringMatching(/^sev-[12]$/),
        },
        status: { state: 'active' },
      });
      await run.waitForLog(
        (l) => l.event === 'alert_resolve' && l.msg === 'api_error_rate slo resolve',
        30_000,
      );
      await eventually(
        async () => ((await alertmanager.alerts({ spec_id: SPEC_ID })).length === 0 ? true : undefined),
        'the alert to be resolved in Alertmanager',
      );
      await eventually(
        () =>
          pagerduty.requests.find((r) => (r.body as { event_action?: string }).event_action === 'resolve'),
        'the resolve at PagerDuty',
      );
      await eventually(
        () => slack.requests.find((r) => (r.body as { text: string }).text.startsWith('[RESOLVED]')),
        'the resolve in Slack',
      );
      // Every notification is on record as accepted before the stop.
      await eventually(
        () => (snapshot(path.join(ws.root, DATABASE), SPEC_ID).pending === 0 ? true : undefined),
        'the outbox to drain',
      );
      run.kill('SIGTERM');
      expect(await run.exited).toBe(0);

      // PagerDuty: a trigger, maybe an escalation (a trigger PagerDuty folds into the same alert), a
      // resolve; one dedup_key; each trigger's severity mapped from the alert's.
      const events = pagerduty.requests.map(
        (r) =>
          r.body as {
            event_action: string;
            dedup_key: string;
            routing_key: string;
            payload?: { severity: string; custom_details: { severity: string } };
          },
      );
      const actions = events.map((e) => e.event_action);
      expect(actions.at(-1)).toBe('resolve');
      expect(actions.slice(0, -1)).toEqual(Array(events.length - 1).fill('trigger'));
      expect(events.length).toBeGreaterThanOrEqual(2);
      expect(new Set(events.map((e) => e.dedup_key))).toEqual(new Set([ERROR_RATE_KEY]));
      const mapped = { 'SEV-1': 'critical', 'SEV-2': 'error', 'SEV-3': 'warning', 'SEV-4': 'info' } as const;
      for (const e of events.slice(0, -1)) {
        const severity = e.payload!.custom_details.severity as keyof typeof mapped;
        expect(severity).toMatch(/^SEV-[12]$/);
        expect(e.payload!.severity).toBe(mapped[severity]);
      }
      expect(events.at(-2)!.payload!.severity).toBe('critical');
      expect(events.every((e) => e.routing_key === routingKey)).toBe(true);
      expect(pagerduty.alerts.get(ERROR_RATE_KEY)).toMatchObject({
        status: 'resolved',
        events: events.length,
      });

      const texts = slack.requests.map((r) => (r.body as { text: string }).text);
      expect(texts).toHaveLength(events.length);
      for (const text of texts) expect(text).toContain('api_error_rate');
      expect(texts[0]).toMatch(/^\[SEV-[12]\] spec-core-001-authentication api_error_rate = /);
      expect(texts.at(-1)).toMatch(/^\[RESOLVED\]/);

      // Every delivery succeeded at once: nothing failed, nothing is left.
      expect(run.logs.filter((l) => l.event === 'delivery_failed')).toEqual([]);
      const after = snapshot(path.join(ws.root, DATABASE), SPEC_ID);
      expect(after.pending).toBe(0);
      expect(after.dead).toBe(0);

      const output = `${JSON.stringify(run.logs)}\n${run.stderr()}`;
      expect(output).not.toContain(routingKey);
      expect(output).not.toContain(slack.url);
      const reports = path.join(ws.root, '.spec/reports');
      expect(await filesContaining(reports, routingKey)).toEqual([]);
      expect(await filesContaining(reports, new URL(slack.url).pathname)).toEqual([]);
    },
  );

  it('SIGTERM during a slow cycle exits 0 after committing that cycle whole', async () => {
    const proxy = await startSwitchableProxy(prometheus.url);
    cleanups.push(() => proxy.close());
    const ws = await workspace(obsYaml(proxy.url, webhookReceiver('http://127.0.0.1:9/hook')));
    proxy.delayMs = 1000;
    const run = daemon(replayArgs(at(history.END - 7200), ['--no-server'], 60), ws);
    await run.waitForLog((l) => l.event === 'spec_status');
    // A cycle's own query (the objectives' window queries in the background are not cycles).
    const cycleQueries = new Set([history.queries.errorRatio5m, history.queries.p99Latency5m]);
    const inFlight = await new Promise<{ time: string }>((resolve) => {
      proxy.onRequest = (request) => {
        if (!cycleQueries.has(request.params.query ?? '')) return;
        proxy.onRequest = null;
        resolve({ time: request.params.time ?? '' });
      };
    });
    run.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const events = run.logs.map((l) => l.event);
    expect(events).toContain('stopping');
    expect(events).toContain('stopped');
    expect(events).not.toContain('shutdown_timeout');
    expect(events).not.toContain('cycle_failed');

    const file = path.join(ws.root, DATABASE);
    expect(integrityCheck(file)).toBe('ok');
    const after = snapshot(file, SPEC_ID);
    const byInstant = new Map<number, string[]>();
    for (const m of after.measurements) {
      byInstant.set(m.at.getTime(), [...(byInstant.get(m.at.getTime()) ?? []), m.metric]);
    }
    expect(byInstant.size).toBeGreaterThanOrEqual(2);
    // No partial cycle: every instant has every metric.
    for (const metrics of byInstant.values()) expect(metrics.sort()).toEqual(METRICS);
    // The cycle that was waiting on the backend finished and was committed before the exit.
    const inFlightMs = Math.round(Number(inFlight.time) * 1000);
    expect(byInstant.get(inFlightMs)?.sort()).toEqual(METRICS);
    expect(after.lastCycle?.startedAt.getTime()).toBe(inFlightMs);
  });

  it('SIGTERM during a cycle that fires: its notification is delivered exactly once across a restart', async () => {
    const proxy = await startSwitchableProxy(prometheus.url);
    cleanups.push(() => proxy.close());
    // A receiver that takes a while: the delivery the last cycle starts outlives the shutdown's first steps.
    const hook = await receiver({ kind: 'hold', ms: 1000 });
    const ws = await workspace(
      obsYaml(proxy.url, webhookReceiver(hook.url), '  for: 1\n  resolve_after: 3\n'),
    );
    proxy.delayMs = 500;
    // The first cycle is already inside the incident (8% errors > 5%) and fires at once (for: 1).
    const first = daemon(replayArgs(at(history.INC0 + 240), ['--no-server'], 60), ws);
    await new Promise<void>((resolve) => {
      proxy.onRequest = () => {
        proxy.onRequest = null;
        resolve();
      };
    });
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.logs.map((l) => l.event)).toContain('alert_trigger');
    const file = path.join(ws.root, DATABASE);
    const before = snapshot(file, SPEC_ID);

    proxy.delayMs = 0;
    hook.mode = { kind: 'ok' };
    const second = daemon(replayArgs(resumeAfter(before), ['--no-server']), ws);
    await second.waitForLog((l) => l.event === 'started');
    const trigger = await hook.waitFor((n) => n.event === 'trigger' && n.answered === 200);
    // The delivery is on record, and five more cycles ran: a repeat would have been sent by now.
    await eventually(
      () =>
        snapshot(file, SPEC_ID).outbox.every((e) => e.event !== 'trigger' || e.status === 'delivered')
          ? true
          : undefined,
      'the trigger to be marked delivered',
    );
    await cyclesRecordedUntil(ws, Date.parse(String(trigger.body.started_at)) + 5 * 60_000);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    expect(integrityCheck(file)).toBe('ok');
    // Whichever run sent it, the receiver accepted the trigger once, and the shutdown reported no error.
    expect(hook.accepted({ dedupKey: ERROR_RATE_KEY, event: 'trigger' })).toHaveLength(1);
    expect(first.logs.filter((l) => l.event === 'delivery_error')).toEqual([]);
    // So did the always-on file receiver: one alert file for the trigger.
    const alertFiles = await filesContaining(
      path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'alerts'),
      '"event": "trigger"',
    );
    expect(alertFiles).toHaveLength(1);
  });
});
