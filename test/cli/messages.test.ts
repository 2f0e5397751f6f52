import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../e2e/support.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  makeWorkspace,
  runCli,
} from '../e2e/support.js';

const TOKEN = 'prom-token-7c1e9a3b5d';
const OBS = `provider: prometheus
url: http://127.0.0.1:9
auth: { bearer: "{{env.PROM_TOKEN_FOR_TEST}}" }
metrics:
  - name: api_latency_p99
    query: 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))'
  - name: api_error_rate
    query: 'sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))'
  - name: api_uptime
    query: 'avg_over_time(up[1h])'
`;

let ws: Workspace | undefined;
let busy: net.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (busy ? busy.close(resolve) : resolve(undefined)));
  busy = undefined;
  await ws?.cleanup();
  ws = undefined;
});

async function cli(args: string[], obs = OBS) {
  ws ??= await makeWorkspace({ '.spec/SPEC_INDEX.json': AUTH_INDEX, [AUTH_SPEC_PATH]: AUTH_SPEC });
  await ws.write(AUTH_OBS_PATH, obs);
  return runCli(args, { cwd: ws.root, env: { PROM_TOKEN_FOR_TEST: TOKEN } });
}

/** A port some other process holds on loopback. */
async function busyPort(): Promise<number> {
  busy = net.createServer();
  await new Promise<void>((resolve) => busy!.listen(0, '127.0.0.1', resolve));
  return (busy.address() as net.AddressInfo).port;
}

describe('messages name the flag once, and the flag that was given', () => {
  it('report --from with a bad time names --from, not --at', async () => {
    const result = await cli([
      'report',
      'spec-core-001-authentication',
      '--from',
      'yesterday-ish',
      '--to',
      '2026-11-27T00:00:00Z',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: --from: "yesterday-ish" is not a time');
    expect(result.stderr).not.toContain('--at');
  });

  it('--at with a bad time', async () => {
    const result = await cli(['spec-core-001-authentication', '--at', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: --at: "soon" is not a time');
  });

  it('--interval 0 names the flag once', async () => {
    const result = await cli(['spec-core-001-authentication', '--daemon', '--interval', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --interval: "0" must be a number ≥ 1\n');
  });

  it('a busy --listen port names --listen and --no-server, and no key that does not exist', async () => {
    const port = await busyPort();
    const result = await cli([
      'spec-core-001-authentication',
      '--daemon',
      '--listen',
      `127.0.0.1:${port}`,
      '--state',
      '.spec/reports/production-monitoring/.state/test.db',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: --listen: cannot listen on 127.0.0.1:${port}`);
    expect(result.stderr).toMatch(/hint: .*--listen <host:port>.*--no-server/);
    expect(result.stderr).not.toContain('server.port');
  });

  it('a busy port from observability.yaml names the file and `server.listen`', async () => {
    const port = await busyPort();
    const result = await cli(
      ['spec-core-001-authentication', '--daemon'],
      `${OBS}server:\n  listen: 127.0.0.1:${port}\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: specs/core/spec-core-001-authentication/observability.yaml: server.listen: cannot listen on 127.0.0.1:${port}`,
    );
    expect(result.stderr).not.toContain('server.port');
  });
});

describe('--verbose', () => {
  it('prints each metric’s resolved query and provider host, never a secret', async () => {
    const result = await cli(['spec-core-001-authentication', '--verbose']);
    expect(result.code).toBe(3); // nothing listens on port 9: unknown, never healthy
    const lines = result.stderr.split('\n');
    expect(lines).toContain(
      'query api_latency_p99 → prometheus "default" at 127.0.0.1:9: histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))',
    );
    expect(lines).toContain(
      'query api_error_rate → prometheus "default" at 127.0.0.1:9: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))',
    );
    expect(lines).toContain('query api_uptime → prometheus "default" at 127.0.0.1:9: avg_over_time(up[1h])');
    expect(result.stderr + result.stdout).not.toContain(TOKEN);
  });
});
