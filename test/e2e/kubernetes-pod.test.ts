/**
 * What the Kubernetes pod of deploy/kubernetes would run, run here with the BUILT CLI: the workspace its
 * ConfigMap mounts passes `validate` with the Secret's keys as environment, and the daemon started with
 * the Deployment's arguments answers the liveness probe (/healthz, no token) and, once its first cycle
 * is done, the readiness probe's own command (/readyz with the token); /readyz without it is refused,
 * which is why that probe is an exec probe.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type DeploymentSpec, kubernetesObjects, only, podWorkspaceFiles, run } from '../deploy/support.js';
import { freePort } from '../support/prometheus.js';
import { makeWorkspace, runCli, startDaemon, type Workspace } from './support.js';

const objects = kubernetesObjects();
const pod = only<DeploymentSpec>(objects, 'Deployment').spec.template.spec;
const container = pod.containers[0]!;
const secretEnv = only<unknown>(objects, 'Secret').stringData ?? {};
const OBS = 'specs/core/spec-core-001-authentication/observability.yaml';

let ws: Workspace | null = null;
afterEach(async () => {
  await ws?.cleanup();
  ws = null;
});

/** The pod's env: each variable the container takes from the Secret, with the Secret's value. */
function podEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const key = variable.valueFrom?.secretKeyRef?.key;
    if (key !== undefined && secretEnv[key] !== undefined) env[variable.name] = secretEnv[key];
  }
  return env;
}

describe('kubernetes pod: its workspace and probes against the built CLI', () => {
  it('the ConfigMap workspace passes validate with the Secret as environment', async () => {
    ws = await makeWorkspace(podWorkspaceFiles(objects));
    const result = await runCli(['validate', 'spec-core-001-authentication'], {
      cwd: ws.root,
      env: podEnv(),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Without the Secret the config names what is missing: the env really is needed.
    const bare = await runCli(['validate', 'spec-core-001-authentication'], { cwd: ws.root });
    expect(bare.code).toBe(2);
    expect(`${bare.stdout}${bare.stderr}`).toMatch(/PROMETHEUS_TOKEN|MONITOR_TOKEN/);
  });

  it('the daemon with the Deployment args answers liveness, then readiness with the token', async () => {
    const files = podWorkspaceFiles(objects);
    // The in-cluster Prometheus is not here: point it at a closed loopback port (metrics unknown).
    const backendPort = await freePort();
    files[OBS] = (files[OBS] ?? '').replace(/^url: .*$/m, `url: http://127.0.0.1:${backendPort}`);
    ws = await makeWorkspace(files);
    const port = await freePort();
    const args = (container.args ?? []).map((arg) => arg.replace(/^0\.0\.0\.0:9464$/, `0.0.0.0:${port}`));
    expect(args).toContain(`0.0.0.0:${port}`);
    const env = podEnv();
    const daemon = startDaemon(['--root', ws.root, ...args], { cwd: ws.root, env });
    try {
      await daemon.waitForLog((l) => l.event === 'started');
      const liveness = container.livenessProbe?.httpGet?.path ?? '';
      expect((await fetch(`http://127.0.0.1:${port}${liveness}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(401);

      const command = (container.readinessProbe?.exec?.command ?? []).map((part) =>
        part.replace('127.0.0.1:9464', `127.0.0.1:${port}`),
      );
      expect(command[0]).toBe('node');
      const probe = () =>
        run(process.execPath, command.slice(1), { env: { ...env, PATH: process.env.PATH } });
      // Ready once the first cycle is recorded: poll with a bounded deadline.
      const deadline = Date.now() + 30_000;
      let code = (await probe()).code;
      while (code !== 0 && Date.now() < deadline) {
        // Ask again after the daemon's next log line (a cycle ends with one), not in a tight loop.
        const seen = daemon.logs.length;
        await daemon.waitForLog((line) => daemon.logs.indexOf(line) >= seen, 5_000).catch(() => null);
        code = (await probe()).code;
      }
      expect(code).toBe(0);
      // With a wrong token the same probe fails: it is not a probe that cannot fail.
      expect((await run(process.execPath, command.slice(1), { env: { MONITOR_TOKEN: 'wrong' } })).code).toBe(
        1,
      );
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
    }
  });
});
