import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeWebhook } from '../fakes/webhook.js';
import { startFakeWebhook } from '../fakes/webhook.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import { DATABASE, eventually } from './daemon-support.js';
import type { Workspace } from './support.js';
import {
  installFakeIncidentResponse,
  makeWorkspace,
  ERROR_RATE_AND_LATENCY_SPEC as SPEC,
  startDaemon,
} from './support.js';

const skip = prometheusSkipReason();
const history = standardHistory();
const SPEC_ID = 'spec-core-001-authentication';

function obsYaml(prometheusUrl: string, hookUrl: string): string {
  return `provider: prometheus
url: ${prometheusUrl}
metrics:
  - name: api_error_rate
    query: '${history.queries.errorRatio5m}'
  - name: api_latency_p99
    query: '${history.queries.p99Latency5m}'
alerting:
  for: 2
  resolve_after: 3
receivers:
  - type: webhook
    name: hook
    url: ${hookUrl}
`;
}

/** /api/status once it lists `count` specs. */
function eventuallyStatus(
  port: number,
  count: number,
): Promise<{ specs: Array<{ spec_id: string; status: string }> }> {
  return eventually(async () => {
    const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
      specs: Array<{ spec_id: string; status: string }>;
    };
    return status.specs.length >= count ? status : undefined;
  }, `/api/status to list ${count} specs`);
}

/** A sample of the daemon's /metrics (unlabelled), or NaN when absent. */
async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

/** Waits until the daemon has run `count` more cycles (on its own clock, whatever the machine's load). */
async function cyclesLater(port: number, count: number): Promise<void> {
  const from = await metric(port, 'smartspec_pm_cycles_total');
  await eventually(
    async () => ((await metric(port, 'smartspec_pm_cycles_total')) >= from + count ? true : undefined),
    `${count} more cycles`,
  );
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();
const eventsOf = (hook: FakeWebhook) =>
  hook.requests.map((r) => (r.body as { event: string; metric: string }).event);

describe.skipIf(skip !== null)(
  'the daemon against a real Prometheus whose data goes from healthy to breached and back',
  () => {
    let prometheus: RunningPrometheus;
    beforeAll(async () => {
      prometheus = await startPrometheus(history);
    });
    afterAll(async () => {
      await prometheus?.stop();
    });

    let ws: Workspace;
    let hook: FakeWebhook;
    afterAll(async () => {
      await hook?.close();
      await ws?.cleanup();
    });

    it('opens exactly one incident per episode, resolves it once, and exits 0 on SIGTERM', async () => {
      hook = await startFakeWebhook();
      ws = await makeWorkspace({
        [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
        [`specs/core/${SPEC_ID}/observability.yaml`]: obsYaml(prometheus.url, hook.url),
      });
      const incident = await installFakeIncidentResponse(ws.root);
      const port = await freePort();
      const daemon = startDaemon(
        [
          '--spec-id',
          SPEC_ID,
          '--interval',
          '60',
          '--replay-from',
          iso(history.INC0 - 600),
          '--replay-speed',
          '600',
          '--listen',
          `127.0.0.1:${port}`,
        ],
        { cwd: ws.root, env: { PATH: `${incident.pathDir}:${process.env.PATH}` } },
      );
      try {
        await daemon.waitForLog((l) => l.event === 'started');
        const trigger = await daemon.waitForLog((l) => l.event === 'alert_trigger');
        expect(trigger.msg).toBe('api_error_rate slo trigger');
        // About 80 cycles of the replay: each runs whole (the replay clock waits for it), so a loaded
        // machine takes longer to get there, never to a different instant.
        await daemon.waitForLog((l) => l.event === 'alert_resolve', 150_000);
        // Every notification accepted, then ten more cycles after the recovery: nothing more may be sent.
        await eventually(
          async () => ((await metric(port, 'smartspec_pm_outbox_depth')) === 0 ? true : undefined),
          'the outbox to drain',
        );
        await cyclesLater(port, 10);

        const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
          specs: Array<{ status: string }>;
        };
        expect(status.specs[0]!.status).toBe('healthy');
        // The error budget is added up from the recorded history after the cycles, off the request path:
        // the incident spent part of it, so less than all of it is left.
        const budget = await eventually(async () => {
          const answer = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
            specs: Array<{
              budgets: Array<{ metric: string; window_days: number; remaining: number | null }>;
            }>;
          };
          return answer.specs[0]!.budgets.find((b) => b.metric === 'api_error_rate' && b.remaining !== null);
        }, 'the error budget of api_error_rate');
        expect(budget.window_days).toBe(30);
        expect(budget.remaining).toBeLessThan(1);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toMatch(
          /smartspec_pm_slo_healthy\{spec_id="spec-core-001-authentication",metric="api_error_rate"\} 1/,
        );
        expect(metrics).toMatch(/smartspec_pm_cycles_total \d+/);

        daemon.kill('SIGTERM');
        expect(await daemon.exited).toBe(0);
      } finally {
        daemon.kill('SIGKILL');
      }

      // Housekeeping summarized the hours the replay completed, the incident's hour among them (it
      // starts at INC0 and holds the breach), as the measurements of that hour say.
      const db = new Database(path.join(ws.root, DATABASE), { readonly: true });
      try {
        const hour = history.INC0 * 1000;
        const summary = db
          .prepare<[number], { count: number; breached: number }>(
            `SELECT h.count, h.breached FROM hourly h JOIN series s ON s.id = h.series_id
             WHERE s.metric = 'api_error_rate' AND h.hour = ?`,
          )
          .get(hour);
        const rows = db
          .prepare<[number, number], { count: number; breached: number }>(
            `SELECT count(*) AS count, sum(m.status = 1) AS breached FROM measurements m
             JOIN series s ON s.id = m.series_id
             WHERE s.metric = 'api_error_rate' AND m.at >= ? AND m.at < ?`,
          )
          .get(hour, hour + 3_600_000);
        expect(rows!.breached).toBeGreaterThan(0);
        expect(summary).toEqual(rows);
      } finally {
        db.close();
      }

      await hook.waitForRequests(2);
      // One trigger and one resolve for the episode. Between them at most one escalation: the error
      // ratio rises from 8% (60% over target: SEV-2) to 10% (100% over: SEV-1) as the 5 m window
      // fills; a cycle that runs late on a loaded machine may first see it at SEV-1 already.
      const events = eventsOf(hook);
      expect([
        ['trigger', 'resolve'],
        ['trigger', 'reminder', 'resolve'],
      ]).toContainEqual(events);
      const bodies = hook.requests.map((r) => r.body as Record<string, unknown>);
      const fired = bodies[0]!;
      const resolved = bodies.at(-1)!;
      if (events.length === 3) {
        expect(fired.severity).toBe('SEV-2');
        expect(bodies[1]).toMatchObject({ severity: 'SEV-1', dedup_key: fired.dedup_key, status: 'firing' });
      } else {
        expect(fired.severity).toBe('SEV-1');
      }
      expect(resolved.severity).toBe('SEV-1');
      expect(fired).toMatchObject({
        source: 'production_monitor',
        spec_id: SPEC_ID,
        metric: 'api_error_rate',
        slo: 5,
        unit: '%',
        status: 'firing',
        kind: 'slo',
      });
      expect(fired!.value as number).toBeGreaterThan(5);
      expect(resolved).toMatchObject({
        status: 'resolved',
        dedup_key: fired!.dedup_key,
        started_at: fired!.started_at,
      });
      // The episode starts inside the incident and ends after it.
      const started = Date.parse(fired!.started_at as string) / 1000;
      const ended = Date.parse(resolved!.ended_at as string) / 1000;
      expect(started).toBeGreaterThan(history.INC0);
      expect(started).toBeLessThan(history.INC0 + 600);
      expect(ended).toBeGreaterThan(history.INC1);
      expect(ended).toBeLessThan(history.INC1 + 900);

      const payloads = await incident.payloads();
      expect(payloads.map((p) => p.event)).toEqual(events);
      const alertFiles = await readdir(
        path.join(ws.root, '.spec/reports/production-monitoring', SPEC_ID, 'alerts'),
      );
      expect(alertFiles.filter((f) => f.endsWith('.json'))).toHaveLength(events.length);
    });

    it('monitors several specs in one daemon (--all), skipping one without monitorable NFRs', async () => {
      const dir = await makeWorkspace({
        [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
        [`specs/core/${SPEC_ID}/observability.yaml`]: obsYaml(prometheus.url, 'http://127.0.0.1:9/hook'),
        'specs/api/spec-api-002-checkout/spec.md': SPEC.replace('< 5%', '< 1%'),
        'specs/api/spec-api-002-checkout/observability.yaml': obsYaml(
          prometheus.url,
          'http://127.0.0.1:9/hook',
        ),
        'specs/ui/spec-ui-003-theme/spec.md':
          '# Theme\n\n## Non-Functional Requirements\n\n- Looks consistent everywhere\n',
      });
      const port = await freePort();
      const daemon = startDaemon(
        ['--all', '--listen', `127.0.0.1:${port}`, '--replay-from', iso(history.END - 600)],
        {
          cwd: dir.root,
        },
      );
      try {
        const skipped = await daemon.waitForLog((l) => l.event === 'spec_skipped');
        expect(skipped.spec_id).toBe('spec-ui-003-theme');
        const started = await daemon.waitForLog((l) => l.event === 'started');
        expect(started.specs).toEqual(['spec-api-002-checkout', SPEC_ID]);
        const status = await eventuallyStatus(port, 2);
        const byId = Object.fromEntries(status.specs.map((s) => [s.spec_id, s.status]));
        // The same 2% error ratio: within < 5%, a breach of < 1%.
        expect(byId).toEqual({ [SPEC_ID]: 'healthy', 'spec-api-002-checkout': 'unhealthy' });
        daemon.kill('SIGTERM');
        expect(await daemon.exited).toBe(0);
      } finally {
        daemon.kill('SIGKILL');
        await dir.cleanup();
      }
    });

    it('a second daemon on the same database refuses to start', async () => {
      const dir = await makeWorkspace({
        [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
        [`specs/core/${SPEC_ID}/observability.yaml`]: obsYaml(prometheus.url, 'http://127.0.0.1:9/hook'),
      });
      const first = startDaemon(['--spec-id', SPEC_ID, '--no-server'], { cwd: dir.root });
      try {
        await first.waitForLog((l) => l.event === 'started');
        const second = startDaemon(['--spec-id', SPEC_ID, '--no-server'], { cwd: dir.root });
        expect(await second.exited).toBe(2);
        expect(second.stderr()).toMatch(/error: .*(lock|another daemon|running)/i);
        expect(second.stderr()).toContain(String(first.pid));
        first.kill('SIGTERM');
        expect(await first.exited).toBe(0);
      } finally {
        first.kill('SIGKILL');
        await dir.cleanup();
      }
    });

    it('an invalid config on reload is reported and the old one keeps running', async () => {
      const dir = await makeWorkspace({
        [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
        [`specs/core/${SPEC_ID}/observability.yaml`]: obsYaml(prometheus.url, 'http://127.0.0.1:9/hook'),
      });
      const port = await freePort();
      const daemon = startDaemon(
        [
          '--spec-id',
          SPEC_ID,
          '--listen',
          `127.0.0.1:${port}`,
          '--interval',
          '60',
          '--replay-from',
          iso(history.END - 3600),
          '--replay-speed',
          '120',
        ],
        { cwd: dir.root },
      );
      try {
        await daemon.waitForLog((l) => l.event === 'started');
        // A changed file reloads by itself; this one is invalid.
        await dir.write(`specs/core/${SPEC_ID}/observability.yaml`, 'provider: prometheus\nurl: [broken\n');
        const failed = await daemon.waitForLog((l) => l.event === 'reload_failed');
        expect(String(failed.msg)).toContain('previous one keeps running');
        expect(String(failed.trigger)).toContain('observability.yaml');
        // Cycles go on with the old configuration.
        await cyclesLater(port, 2);
        const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
          specs: Array<{ metrics: unknown[] }>;
        };
        expect(status.specs[0]!.metrics).toHaveLength(2);
        // SIGHUP reloads too; a valid config then takes over.
        daemon.kill('SIGHUP');
        await daemon.waitForLog((l) => l.event === 'reload_failed' && l.trigger === 'SIGHUP');
        await dir.write(
          `specs/core/${SPEC_ID}/observability.yaml`,
          obsYaml(prometheus.url, 'http://127.0.0.1:9/hook').replace(/ {2}- name: api_latency_p99\n.*\n/, ''),
        );
        await daemon.waitForLog((l) => l.event === 'reloaded');
        // The first cycle after the reload shows the new configuration's metrics.
        const names = await eventually(async () => {
          const after = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
            specs: Array<{ metrics: Array<{ name: string }> }>;
          };
          const listed = after.specs[0]!.metrics.map((m) => m.name);
          return listed.length === 1 ? listed : undefined;
        }, 'a cycle with the reloaded configuration');
        expect(names).toEqual(['api_error_rate']);
        daemon.kill('SIGTERM');
        expect(await daemon.exited).toBe(0);
        expect(daemon.logs.some((l) => l.event === 'cycle_failed')).toBe(false);
      } finally {
        daemon.kill('SIGKILL');
        await dir.cleanup();
      }
    });
  },
);
