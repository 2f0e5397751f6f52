import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/prometheus.js';
import type { DaemonProcess, Workspace } from './support.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  makeWorkspace,
  runCli,
  startDaemon,
} from './support.js';

const SPEC_ID = 'spec-core-001-authentication';
const REPORTS = '.spec/reports/production-monitoring';
/** Port 9 (discard) on loopback: refused at once, so every metric is simply unknown. */
const OBS = `provider: prometheus
url: http://127.0.0.1:9
metrics:
  - name: api_latency_p99
    query: 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))'
`;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function workspace(files: Record<string, string> = {}): Promise<Workspace> {
  const ws = await makeWorkspace({
    '.spec/SPEC_INDEX.json': AUTH_INDEX,
    [AUTH_SPEC_PATH]: AUTH_SPEC,
    [AUTH_OBS_PATH]: OBS,
    ...files,
  });
  cleanups.push(() => ws.cleanup());
  return ws;
}

/** A folder beside the workspace, holding a file a leak would expose. */
async function outsideFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-outside-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'secret.json'), '{"secret":"OUTSIDE-THE-WORKSPACE"}\n');
  return dir;
}

function daemon(args: string[], cwd: string): DaemonProcess {
  const child = startDaemon(['--spec-id', SPEC_ID, '--interval', '3600', ...args], { cwd });
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await child.exited;
  });
  return child;
}

/** A GET to 127.0.0.1 with the Host header given: no name is ever resolved. */
function get(port: number, rawPath: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: rawPath, headers: { Host: host }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * SIGTERM once the first cycle has run: the CLI installs its signal handlers only after start-up,
 * so a signal sent right after the `started` line could still meet the default handler.
 */
async function stop(run: DaemonProcess): Promise<void> {
  await run.waitForLog((l) => l.event === 'spec_status');
  run.kill('SIGTERM');
  expect(await run.exited).toBe(0);
}

function expectExit2(result: { code: number | null; stderr: string }, ...fragments: string[]): void {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

describe('paths that escape the workspace', () => {
  it('run-once refuses a report folder that is a symlink leaving the workspace (exit 2, path named)', async () => {
    const ws = await workspace();
    const outside = await outsideFolder();
    await mkdir(path.join(ws.root, REPORTS), { recursive: true });
    await symlink(outside, path.join(ws.root, REPORTS, SPEC_ID));
    const result = await runCli(['--spec-id', SPEC_ID, '--run-once'], { cwd: ws.root });
    expectExit2(
      result,
      `${REPORTS}/${SPEC_ID}`,
      `passes through the symbolic link ${REPORTS}/${SPEC_ID} (safety.disallow_symlink_writes is true)`,
    );
    expect(await readdir(outside)).toEqual(['secret.json']);
  });

  it('refuses an observability.yaml found by search that is a symlink leaving the workspace', async () => {
    const ws = await workspace();
    const outside = await outsideFolder();
    await writeFile(path.join(outside, 'observability.yaml'), OBS);
    await rm(path.join(ws.root, AUTH_OBS_PATH));
    await symlink(path.join(outside, 'observability.yaml'), path.join(ws.root, AUTH_OBS_PATH));
    const result = await runCli(['--spec-id', SPEC_ID, '--run-once'], { cwd: ws.root });
    expectExit2(result, `${AUTH_OBS_PATH} leads outside the workspace root through a symbolic link`);
    expect(result.stderr).toContain('--obs-config');
  });

  it('the daemon refuses a storage.path outside the workspace and creates nothing there', async () => {
    const ws = await workspace();
    const outsideName = `${path.basename(ws.root)}-outside`;
    cleanups.push(() => rm(path.join(path.dirname(ws.root), outsideName), { recursive: true, force: true }));
    await ws.write(AUTH_OBS_PATH, `${OBS}storage: { path: ../${outsideName}/state.db }\n`);
    const run = daemon(['--no-server'], ws.root);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('storage.path: refusing to write');
    expect(run.stderr()).toContain('lies outside the workspace root');
    expect(existsSync(path.join(path.dirname(ws.root), outsideName))).toBe(false);
  });
});

describe('the HTTP listener', () => {
  it('refuses --listen 0.0.0.0 without a token (exit 2), before binding or opening the database', async () => {
    const ws = await workspace();
    const port = await freePort();
    const run = daemon(['--listen', `0.0.0.0:${port}`], ws.root);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(`refusing to listen on 0.0.0.0:${port} without a token`);
    expect(run.stderr()).toContain('--allow-unauthenticated');
    expect(existsSync(path.join(ws.root, REPORTS, '.state'))).toBe(false);
  });

  it('with --allow-unauthenticated it starts, warns, and logs the address it is bound to', async () => {
    const ws = await workspace();
    const port = await freePort();
    const run = daemon(['--listen', `0.0.0.0:${port}`, '--allow-unauthenticated'], ws.root);
    const warning = await run.waitForLog((l) => l.event === 'listen_unauthenticated');
    expect(warning.listen).toBe(`0.0.0.0:${port}`);
    const started = await run.waitForLog((l) => l.event === 'started');
    expect(started.listen).toBe(`0.0.0.0:${port}`);
    await stop(run);
  });

  it('answers 421 to a DNS-rebinding Host and never serves a symlink that leaves the reports folder', async () => {
    const ws = await workspace();
    const outside = await outsideFolder();
    const port = await freePort();
    await mkdir(path.join(ws.root, REPORTS, SPEC_ID, 'daily'), { recursive: true });
    await writeFile(path.join(ws.root, REPORTS, SPEC_ID, 'daily/2026-11-26.json'), '{"report":true}\n');
    await symlink(path.join(outside, 'secret.json'), path.join(ws.root, REPORTS, 'leak.json'));
    // A newer "report" that is a symlink: never listed, so the page links nothing it would refuse.
    await symlink(
      path.join(outside, 'secret.json'),
      path.join(ws.root, REPORTS, SPEC_ID, 'daily/2026-11-27.json'),
    );
    const run = daemon(['--listen', `127.0.0.1:${port}`], ws.root);
    const started = await run.waitForLog((l) => l.event === 'started');
    expect(started.listen).toBe(`127.0.0.1:${port}`);

    const rebound = await get(port, '/api/status', `evil.example:${port}`);
    expect(rebound.status).toBe(421);
    expect((await get(port, '/', 'evil.example')).status).toBe(421);
    expect((await get(port, '/api/status', `localhost:${port}`)).status).toBe(200);

    const host = `127.0.0.1:${port}`;
    const report = await get(port, `/reports/${REPORTS}/${SPEC_ID}/daily/2026-11-26.json`, host);
    expect(report).toEqual({ status: 200, text: '{"report":true}\n' });
    const status = JSON.parse((await get(port, '/api/status', host)).text) as {
      specs: Array<{ reports: { daily: string[] } }>;
    };
    expect(status.specs[0]!.reports.daily).toEqual([`${REPORTS}/${SPEC_ID}/daily/2026-11-26.json`]);
    const leak = await get(port, `/reports/${REPORTS}/leak.json`, host);
    expect(leak.status).toBe(404);
    expect(leak.text).not.toContain('OUTSIDE-THE-WORKSPACE');
    await stop(run);
  });
});
