import { describe, expect, it } from 'vitest';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  makeWorkspace,
  startDaemon,
} from './support.js';

// Nothing listens on port 9 of loopback: every query is "unknown", which is all this test needs.
const OBS = `provider: prometheus
url: http://127.0.0.1:9
metrics:
  - name: api_latency_p99
    query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
  - name: api_error_rate
    query: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
  - name: api_uptime
    query: avg_over_time(up[1d])
`;

describe('daemon signals (built CLI)', () => {
  it('a SIGTERM sent the moment `started` is logged stops it cleanly (exit 0, `stopped` logged)', async () => {
    const ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: AUTH_SPEC,
      [AUTH_OBS_PATH]: OBS,
    });
    const daemon = startDaemon(['--spec-id', 'spec-core-001-authentication', '--no-server'], {
      cwd: ws.root,
    });
    try {
      await daemon.waitForLog((line) => line.event === 'started');
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      expect(daemon.logs.some((line) => line.event === 'stopped')).toBe(true);
    } finally {
      daemon.kill('SIGKILL');
      await ws.cleanup();
    }
  });
});
