import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../e2e/support.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  CLI,
  makeWorkspace,
  runCli,
} from '../e2e/support.js';

let ws: Workspace | undefined;
let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await ws?.cleanup();
  ws = undefined;
});

function obsFor(url: string): string {
  return `provider: prometheus\nurl: ${url}\nmetrics:\n${['api_latency_p99', 'api_error_rate', 'api_uptime']
    .map((name) => `  - name: ${name}\n    query: up\n`)
    .join('')}`;
}

async function workspace(files: Record<string, string>): Promise<Workspace> {
  ws = await makeWorkspace({ '.spec/SPEC_INDEX.json': AUTH_INDEX, [AUTH_SPEC_PATH]: AUTH_SPEC, ...files });
  return ws;
}

interface JsonErrorShape {
  workflow: string;
  status: string;
  exit_code: number;
  error: {
    code: string;
    message: string;
    hint: string | null;
    file: string | null;
    line: number | null;
    column: number | null;
    field: string | null;
    details: string[];
  };
}

describe('--json on an error prints one JSON error object on stdout', () => {
  it('a config error: code, message, hint, file, line and field', async () => {
    const dir = await workspace({
      [AUTH_OBS_PATH]:
        'provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_latency_p99\n    query: 42\n',
    });
    const result = await runCli(['spec-core-001-authentication', '--json'], { cwd: dir.root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /); // the human message is still on stderr
    const parsed = JSON.parse(result.stdout) as JsonErrorShape;
    expect(parsed).toEqual({
      workflow: 'smartspec_production_monitor',
      status: 'error',
      exit_code: 2,
      error: {
        code: 'config',
        message: 'expected text, got an integer',
        hint: 'quote the value',
        file: expect.stringMatching(/observability\.yaml$/),
        line: 5,
        column: expect.any(Number),
        field: 'metrics[0].query',
        details: [],
      },
    });
  });

  it('a usage error found by the program and one found by the flag parser', async () => {
    const dir = await workspace({ [AUTH_OBS_PATH]: obsFor('http://127.0.0.1:9') });
    const unknownSpec = await runCli(['spec-core-001-authenticaton', '--json'], { cwd: dir.root });
    expect(unknownSpec.code).toBe(2);
    expect((JSON.parse(unknownSpec.stdout) as JsonErrorShape).error).toMatchObject({
      message: expect.stringContaining('spec-core-001-authenticaton'),
    });

    const badFlag = await runCli(['spec-core-001-authentication', '--json', '--frobnicate'], {
      cwd: dir.root,
    });
    expect(badFlag.code).toBe(2);
    expect(JSON.parse(badFlag.stdout) as JsonErrorShape).toMatchObject({
      exit_code: 2,
      error: { code: 'usage', message: "unknown option '--frobnicate'" },
    });

    const validate = await runCli(['validate', 'no-such-spec', '--json'], { cwd: dir.root });
    expect(validate.code).toBe(2);
    expect((JSON.parse(validate.stdout) as JsonErrorShape).status).toBe('error');
  });

  it('without --json stdout stays empty on an error', async () => {
    const dir = await workspace({ [AUTH_OBS_PATH]: obsFor('http://127.0.0.1:9') });
    const result = await runCli(['spec-core-001-authenticaton'], { cwd: dir.root });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});

/** A backend that receives queries and never answers; `arrived` resolves on the first request. */
async function holdingBackend(): Promise<{ url: string; arrived: Promise<void> }> {
  let arrive: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  server = http.createServer(() => arrive()); // no response: the request is held open
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, arrived };
}

function startRunOnce(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [CLI, 'spec-core-001-authentication', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('Ctrl-C during run-once', () => {
  it('exits 130 with one line on stderr and leaves no report', async () => {
    const backend = await holdingBackend();
    const dir = await workspace({ [AUTH_OBS_PATH]: obsFor(backend.url) });
    const run = startRunOnce(dir.root, []);
    await backend.arrived; // the run is waiting on the backend
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(130);
    const { stdout, stderr } = run.output();
    expect(stdout).toBe('');
    expect(stderr).toBe('interrupted (Ctrl-C): stopped before any report was written (exit 130)\n');
    expect(existsSync(path.join(dir.root, '.spec/reports/production-monitoring'))).toBe(false);
  });

  it('with --json, the interruption is a JSON error object on stdout', async () => {
    const backend = await holdingBackend();
    const dir = await workspace({ [AUTH_OBS_PATH]: obsFor(backend.url) });
    const run = startRunOnce(dir.root, ['--json']);
    await backend.arrived;
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    expect(JSON.parse(run.output().stdout) as JsonErrorShape).toMatchObject({
      status: 'error',
      exit_code: 130,
      error: { code: 'interrupted' },
    });
  });
});
