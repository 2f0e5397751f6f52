import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonProcess, Workspace } from '../e2e/support.js';
import { AUTH_SPEC, makeWorkspace, startDaemon } from '../e2e/support.js';
import { freePort } from '../support/prometheus.js';

const SPEC_ID = 'spec-core-001-authentication';

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  if (daemon) {
    daemon.kill('SIGTERM');
    await daemon.exited;
  }
  daemon = undefined;
  await ws?.cleanup();
  ws = undefined;
});

describe('the daemon shares the unmapped rule', () => {
  it('/api/status and the spec status list an unmapped NFR and count it', async () => {
    // api_uptime (> 95%) has no query; the backend is down, so the measured NFRs are unknown.
    ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: AUTH_SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]:
        'provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_latency_p99\n    query: up\n  - name: api_error_rate\n    query: up\n',
    });
    const port = await freePort();
    daemon = startDaemon(['--spec-id', SPEC_ID, '--interval', '60', '--listen', `127.0.0.1:${port}`], {
      cwd: ws.root,
    });
    const status = await daemon.waitForLog((l) => l.event === 'spec_status');
    expect(status.to).toBe('degraded');
    const api = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
      specs: Array<{
        status: string;
        counts: Record<string, number>;
        unmonitored: Array<{ name: string; kind: string }>;
      }>;
    };
    expect(api.specs[0]).toMatchObject({
      status: 'degraded',
      counts: { unmonitored: 2, unmapped: 1 },
    });
    expect(api.specs[0]!.unmonitored.map((u) => [u.name, u.kind])).toEqual([
      ['api_uptime', 'unmapped'],
      ['audit_log', 'no_numeric_target'],
    ]);
  });
});
