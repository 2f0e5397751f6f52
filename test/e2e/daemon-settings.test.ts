import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/prometheus.js';
import type { DaemonProcess, Workspace } from './support.js';
import { makeWorkspace, runCli, startDaemon } from './support.js';

const SPEC = `# Checkout

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
`;
// Nothing listens on port 9: every cycle is unknown, which is all these tests need.
const OBS =
  'provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_latency_p99\n    query: up\n';
const A = 'specs/core/spec-a/observability.yaml';
const B = 'specs/core/spec-b/observability.yaml';

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

function twoSpecs(obsA: string, obsB: string): Promise<Workspace> {
  return makeWorkspace({
    'specs/core/spec-a/spec.md': SPEC,
    'specs/core/spec-b/spec.md': SPEC,
    [A]: obsA,
    [B]: obsB,
  });
}

describe('settings of the whole daemon process, from every spec’s file', () => {
  it('files that disagree on the listener refuse the start (exit 2), naming both files and lines', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    ws = await twoSpecs(
      `${OBS}server:\n  listen: "127.0.0.1:${portA}"\n`,
      `${OBS}server:\n  listen: "127.0.0.1:${portB}"\n`,
    );
    const result = await runCli(['--daemon', '--spec-id', 'spec-a', '--spec-id', 'spec-b'], { cwd: ws.root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${B}:7: server.listen: \`server.listen\` is 127.0.0.1:${portA} in ${A}:7 but 127.0.0.1:${portB} in ${B}:7`,
    );
    expect(result.stderr).toContain('hint: write it once in a shared .spec/observability.yaml');
    expect(result.stderr).not.toContain('    at ');

    // The flag wins over every file.
    const port = await freePort();
    daemon = startDaemon(['--spec-id', 'spec-a', '--spec-id', 'spec-b', '--listen', `127.0.0.1:${port}`], {
      cwd: ws.root,
    });
    const started = await daemon.waitForLog((l) => l.event === 'started');
    expect(started.listen).toBe(`127.0.0.1:${port}`);
  });

  it('a key only the second spec’s file writes is used (not the first file’s default)', async () => {
    const port = await freePort();
    ws = await twoSpecs(OBS, `${OBS}server:\n  listen: "127.0.0.1:${port}"\n`);
    daemon = startDaemon(['--spec-id', 'spec-a', '--spec-id', 'spec-b'], { cwd: ws.root });
    const started = await daemon.waitForLog((l) => l.event === 'started');
    expect(started.listen).toBe(`127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('a reload into files that disagree is logged and the previous configuration keeps running', async () => {
    ws = await twoSpecs(`${OBS}storage:\n  retention: 90d\n`, OBS);
    daemon = startDaemon(['--spec-id', 'spec-a', '--spec-id', 'spec-b', '--no-server'], { cwd: ws.root });
    await daemon.waitForLog((l) => l.event === 'started');
    await ws.write(B, `${OBS}storage:\n  retention: 30d\n`);
    const failed = await daemon.waitForLog((l) => l.event === 'reload_failed');
    expect(failed.where).toBe(`${B}:7`);
    expect(String(failed.msg)).toContain('previous one keeps running');
    expect(String(failed.msg)).toContain(`\`storage.retention\` is 90d in ${A}:7 but 30d in ${B}:7`);
    // Agreeing again, the new configuration takes over.
    await ws.write(B, `${OBS}storage:\n  retention: 90d\n`);
    const reloaded = await daemon.waitForLog((l) => l.event === 'reloaded');
    expect(reloaded.specs).toEqual(['spec-a', 'spec-b']);
    expect(daemon.logs.some((l) => l.event === 'restart_needed')).toBe(false);
    // The database cannot change under a running daemon: it says so, and keeps the one it opened.
    await ws.write(A, `${OBS}storage:\n  retention: 90d\n  path: .spec/other.db\n`);
    const restart = await daemon.waitForLog((l) => l.event === 'restart_needed');
    expect(restart.settings).toEqual(['the database']);
  });
});
