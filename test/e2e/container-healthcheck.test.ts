/**
 * The container image's start command and HEALTHCHECK, run here as child processes with the BUILT CLI
 * in place of /app/dist/cli/main.js (no container engine runs on the test machine): the image's default
 * command starts the daemon when observability.yaml sets server.token and refuses without it, the
 * HEALTHCHECK passes against the running daemon and fails once SIGTERM (the STOPSIGNAL) stopped it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execForm, healthcheckOf, run, shippedDockerfile } from '../deploy/support.js';
import { freePort } from '../support/prometheus.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  makeWorkspace,
  runCli,
  startDaemon,
  type Workspace,
} from './support.js';

const { runtime } = shippedDockerfile();
const entrypoint = execForm(runtime.findLast((i) => i.name === 'ENTRYPOINT')?.args ?? '[]');
const cmd = execForm(runtime.findLast((i) => i.name === 'CMD')?.args ?? '[]');
const health = healthcheckOf(runtime);
const TOKEN = 'container-test-token-5f1c9e';

let ws: Workspace | null = null;
afterEach(async () => {
  await ws?.cleanup();
  ws = null;
});

async function workspace(server: string): Promise<Workspace> {
  const backendPort = await freePort(); // nothing listens: every metric is unknown, the daemon runs on
  ws = await makeWorkspace({
    '.spec/SPEC_INDEX.json': AUTH_INDEX,
    [AUTH_SPEC_PATH]: AUTH_SPEC,
    [AUTH_OBS_PATH]: `provider: prometheus
url: http://127.0.0.1:${backendPort}
metrics:
  - name: api_error_rate
    query: 'vector(0)'
${server}`,
  });
  return ws;
}

/** The image's ENTRYPOINT + CMD for this machine: the built CLI, the temp workspace, a free port. */
function imageArgs(root: string, port: number): string[] {
  expect(entrypoint.slice(0, 3)).toEqual(['node', '/app/dist/cli/main.js', '--daemon']);
  const listen = cmd.indexOf('--listen');
  expect(cmd[listen + 1]).toBe('0.0.0.0:9464');
  const args = [...entrypoint.slice(3), ...cmd].map((arg) => (arg === '/workspace' ? root : arg));
  args[entrypoint.length - 3 + listen + 1] = `0.0.0.0:${port}`;
  return args;
}

function healthcheck(port: number): Promise<{ code: number }> {
  const command = health?.command ?? [];
  expect(command[0]).toBe('node');
  return run(process.execPath, command.slice(1), {
    env: { PATH: process.env.PATH ?? '', SMARTSPEC_PM_HEALTH_PORT: String(port) },
    timeoutMs: 10_000,
  });
}

describe('container image: command and HEALTHCHECK against a real daemon', () => {
  it('the default command runs the daemon, HEALTHCHECK passes, and fails once SIGTERM stopped it', async () => {
    const root = (await workspace('server:\n  token: "{{env.MONITOR_TOKEN}}"\n')).root;
    const port = await freePort();
    const args = imageArgs(root, port);
    expect(args).toEqual(['--root', root, '--all', '--listen', `0.0.0.0:${port}`]);
    const daemon = startDaemon(args, { cwd: root, env: { MONITOR_TOKEN: TOKEN } });
    try {
      const started = await daemon.waitForLog((l) => l.event === 'started');
      expect(started.listen).toBe(`0.0.0.0:${port}`);
      expect((await healthcheck(port)).code).toBe(0);
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      expect((await healthcheck(port)).code).toBe(1);
      expect(daemon.stderr()).not.toContain(TOKEN);
    } finally {
      daemon.kill('SIGKILL');
    }
  });

  it('without server.token the default command refuses to listen on every interface (exit 2, says why)', async () => {
    const root = (await workspace('')).root;
    const port = await freePort();
    const result = await runCli(['--daemon', ...imageArgs(root, port)], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/server\.token/);
  });
});
