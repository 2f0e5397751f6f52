import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerAlerts, createAlertmanagerReceiver } from '../../src/alerting/receivers/alertmanager.js';
import { type FakeWebhook, startFakeWebhook } from '../fakes/webhook.js';
import { samplePayload } from './fixtures.js';

const BINARY = '/usr/bin/prometheus-alertmanager';
const haveAlertmanager = existsSync(BINARY);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls until `probe` returns a value (not undefined); a deadline only guards against a hang. */
async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

interface WebhookNotification {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

describe('pure Alertmanager body', () => {
  const now = new Date('2026-11-27T04:06:00.000Z');

  it('labels identify the alert; annotations explain it; a firing alert expires after the TTL', () => {
    const [alert, ...rest] = alertmanagerAlerts(samplePayload('trigger'), now, 3600);
    expect(rest).toHaveLength(0);
    expect(alert).toEqual({
      labels: {
        alertname: 'SmartSpecSLOBreach',
        spec_id: 'spec-core-001-authentication',
        metric: 'api_latency_p99',
        kind: 'slo',
        severity: 'sev-2',
        service: 'auth-api',
        source: 'smartspec-production-monitor',
      },
      annotations: expect.objectContaining({
        summary:
          '[SEV-2] spec-core-001-authentication api_latency_p99 = 350 ms breaches < 200ms (p99 latency)',
        value: '350 ms',
        slo: '200 ms',
        target: '< 200ms',
        provider: 'prom',
        report: 'http://127.0.0.1:9999/reports/spec-core-001-authentication/latest',
        status_page: 'http://127.0.0.1:9999/status',
      }),
      startsAt: '2026-11-27T04:00:00.000Z',
      endsAt: '2026-11-27T05:06:00.000Z',
      generatorURL: 'http://127.0.0.1:9999/status',
    });
  });

  it('names a no-data alert SmartSpecMonitoringBlind and omits generatorURL without a status page', () => {
    const [alert] = alertmanagerAlerts(
      samplePayload('trigger', { kind: 'no_data', statusPage: null }),
      now,
      60,
    );
    expect(alert?.labels.alertname).toBe('SmartSpecMonitoringBlind');
    expect(alert?.labels.kind).toBe('no_data');
    expect(alert).not.toHaveProperty('generatorURL');
    expect(alert?.annotations).not.toHaveProperty('status_page');
  });

  it('resolves exactly the severities posted when the episode history is known', () => {
    const posted = { severities: new Set(['SEV-3', 'SEV-2'] as const), complete: true };
    const alerts = alertmanagerAlerts(samplePayload('resolve'), now, 60, posted);
    expect(alerts.map((a) => a.labels.severity)).toEqual(['sev-2', 'sev-3']);
    expect(new Set(alerts.map((a) => a.endsAt))).toEqual(new Set(['2026-11-27T04:05:00.000Z']));
  });

  it('without the history (after a restart) resolves the episode severity and every less severe one', () => {
    const alerts = alertmanagerAlerts(samplePayload('resolve'), now, 60);
    expect(alerts.map((a) => a.labels.severity)).toEqual(['sev-2', 'sev-3', 'sev-4']);
    const partial = { severities: new Set(['SEV-1'] as const), complete: false };
    expect(
      alertmanagerAlerts(samplePayload('resolve'), now, 60, partial).map((a) => a.labels.severity),
    ).toEqual(['sev-1', 'sev-2', 'sev-3', 'sev-4']);
  });

  it('never sends endsAt before startsAt, which Alertmanager rejects', () => {
    const sameInstant = samplePayload('resolve', {
      verdict: { checkedAt: new Date('2026-11-27T04:00:00.000Z') },
    });
    const [alert] = alertmanagerAlerts(sameInstant, now, 60);
    expect(Date.parse(alert?.endsAt ?? '')).toBeGreaterThan(Date.parse(alert?.startsAt ?? ''));
  });
});

describe.skipIf(!haveAlertmanager)('Alertmanager receiver against a real Alertmanager', () => {
  let dir: string;
  let child: ChildProcess;
  let baseUrl: string;
  let hook: FakeWebhook;
  let log = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'am-test-'));
    hook = await startFakeWebhook();
    const config = [
      'route:',
      '  receiver: hook',
      '  group_by: [alertname, spec_id, metric]',
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: hook',
      '    webhook_configs:',
      `      - url: '${hook.url}'`,
      '        send_resolved: true',
      '',
    ].join('\n');
    await writeFile(join(dir, 'am.yml'), config);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(
      BINARY,
      [
        `--config.file=${join(dir, 'am.yml')}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    await eventually(
      async () => ((await fetch(`${baseUrl}/-/ready`)).ok ? true : undefined),
      `Alertmanager ready\n${log}`,
    );
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await hook?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const activeAlerts = async (): Promise<ApiAlert[]> => {
    const response = await fetch(
      `${baseUrl}/api/v2/alerts?filter=spec_id%3D%22spec-core-001-authentication%22`,
    );
    return (await response.json()) as ApiAlert[];
  };

  const notifications = () => hook.requests.map((r) => r.body as WebhookNotification);

  it('creates the alert with stable labels, notifies, and resolves it', async () => {
    const receiver = createAlertmanagerReceiver({
      type: 'alertmanager',
      name: 'am',
      url: `${baseUrl}/`,
      headers: {},
    });
    const now = Date.now();
    const started = new Date(now - 120_000);
    const trigger = samplePayload('trigger', { state: { since: started } });
    expect(await receiver.deliver(trigger)).toEqual({ ok: true, detail: 'HTTP 200' });

    const [alert] = await eventually(async () => {
      const alerts = await activeAlerts();
      return alerts.length > 0 ? alerts : undefined;
    }, 'the alert in GET /api/v2/alerts');
    expect(alert?.labels).toEqual({
      alertname: 'SmartSpecSLOBreach',
      spec_id: 'spec-core-001-authentication',
      metric: 'api_latency_p99',
      kind: 'slo',
      severity: 'sev-2',
      service: 'auth-api',
      source: 'smartspec-production-monitor',
    });
    expect(alert?.status.state).toBe('active');
    expect(alert?.annotations.summary).toBe(
      '[SEV-2] spec-core-001-authentication api_latency_p99 = 350 ms breaches < 200ms (p99 latency)',
    );
    expect(alert?.generatorURL).toBe('http://127.0.0.1:9999/status');
    expect(Date.parse(alert?.startsAt ?? '')).toBe(started.getTime());

    const firing = await eventually(
      async () => notifications().find((n) => n.status === 'firing'),
      'a firing webhook notification',
    );
    expect(firing.alerts.map((a) => a.labels.severity)).toEqual(['sev-2']);

    // A reminder re-posts the same labels: still one alert.
    expect(await receiver.deliver(samplePayload('reminder', { state: { since: started } }))).toMatchObject({
      ok: true,
    });
    expect(await activeAlerts()).toHaveLength(1);

    const resolve = samplePayload('resolve', {
      state: { since: started },
      verdict: { value: 150, status: 'healthy', checkedAt: new Date(now - 1000) },
    });
    expect(await receiver.deliver(resolve)).toEqual({ ok: true, detail: 'HTTP 200' });
    await eventually(
      async () => ((await activeAlerts()).length === 0 ? true : undefined),
      'the alert to leave the active list',
    );
    const resolved = await eventually(
      async () => notifications().find((n) => n.status === 'resolved'),
      'a resolved webhook notification',
    );
    expect(resolved.alerts.map((a) => [a.status, a.labels.severity])).toEqual([['resolved', 'sev-2']]);
  });

  it('after an escalation, the resolve closes both severities of the episode', async () => {
    const receiver = createAlertmanagerReceiver({
      type: 'alertmanager',
      name: 'am',
      url: baseUrl,
      headers: {},
    });
    const started = new Date(Date.now() - 60_000);
    const episode = { metric: 'api_error_rate' };
    const byMetric = async () => (await activeAlerts()).filter((a) => a.labels.metric === 'api_error_rate');
    await receiver.deliver(
      samplePayload('trigger', { verdict: episode, state: { since: started, severity: 'SEV-3' } }),
    );
    await receiver.deliver(
      samplePayload('reminder', { verdict: episode, state: { since: started, severity: 'SEV-1' } }),
    );
    const both = await eventually(async () => {
      const alerts = await byMetric();
      return alerts.length === 2 ? alerts : undefined;
    }, 'two severities of the escalated alert');
    expect(both.map((a) => a.labels.severity).sort()).toEqual(['sev-1', 'sev-3']);

    const resolve = samplePayload('resolve', {
      verdict: { ...episode, value: 150, status: 'healthy', checkedAt: new Date(Date.now() - 1000) },
      state: { since: started, severity: 'SEV-1' },
    });
    expect(await receiver.deliver(resolve)).toMatchObject({ ok: true });
    await eventually(
      async () => ((await byMetric()).length === 0 ? true : undefined),
      'both alerts resolved',
    );
    const resolved = await eventually(
      async () =>
        notifications().find(
          (n) => n.status === 'resolved' && n.alerts.some((a) => a.labels.metric === 'api_error_rate'),
        ),
      'the resolved notification of the escalated alert',
    );
    expect(resolved.alerts.map((a) => a.labels.severity).sort()).toEqual(['sev-1', 'sev-3']);
  });

  it('reports a rejected alert as a permanent failure with Alertmanager’s message', async () => {
    const receiver = createAlertmanagerReceiver({
      type: 'alertmanager',
      name: 'am',
      url: baseUrl,
      headers: {},
    });
    // Our builder never produces an invalid alert; a corrupted payload (bad timestamp) shows the path.
    const broken = { ...samplePayload('trigger'), started_at: 'not a time' };
    const result = await receiver.deliver(broken);
    expect(result).toMatchObject({
      ok: false,
      permanent: true,
      error: expect.stringContaining('HTTP 400: parsing alerts body'),
    });
    expect(result.ok ? '' : result.error).toContain('not a time');
  });
});
