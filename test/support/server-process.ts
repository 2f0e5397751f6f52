/**
 * One real server binary (Prometheus, InfluxDB, graphite-web, VictoriaMetrics) run by a test: started in its own temp
 * folder on a free loopback port, polled until it answers, stopped by its own PID, folder removed after.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const READY_TIMEOUT_MS = 60_000;

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  port: number;
  /** The server's temp folder (storage, config, log); `stop()` removes it. */
  root: string;
  /** The server's own stdout and stderr (its access log, where it writes one). */
  logFile: string;
  /** Kills the server by its own PID and removes its temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ServerSpec {
  /** For messages and the temp folder's name. */
  name: string;
  binary: string;
  /** Arguments for a root folder and a port; may write config files into root first. */
  args(root: string, port: number): Promise<string[]> | string[];
  env?(root: string): Record<string, string>;
  /** Path (with query) polled until it answers 2xx. */
  readyPath: string;
}

/** The first of `names` found in /usr/bin or on PATH. */
export function findBinary(...names: string[]): string | null {
  for (const name of names) {
    const candidates = [
      join('/usr/bin', name),
      ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)),
    ];
    const found = candidates.find((path) => existsSync(path));
    if (found) return found;
  }
  return null;
}

/** Starts the server, retrying on a new port if another process took the first one meanwhile. */
export async function startServer(spec: ServerSpec, root?: string): Promise<RunningServer> {
  const folder = root ?? (await mkdtemp(join(tmpdir(), `ssm-${spec.name}-`)));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(spec, folder, attempt);
    } catch (error) {
      lastError = error;
      if (!/address already in use/i.test(String(error))) break;
    }
  }
  await rm(folder, { recursive: true, force: true });
  throw lastError;
}

async function launch(spec: ServerSpec, root: string, attempt: number): Promise<RunningServer> {
  const port = await freePort();
  const args = await spec.args(root, port);
  const logFile = join(root, `${spec.name}-${attempt}.log`);
  const log = await open(logFile, 'w');
  const child = spawn(spec.binary, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: root, ...(spec.env?.(root) ?? {}) },
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  const pid = child.pid;
  let exited = child.exitCode !== null;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  // If the test process dies without calling stop(), do not leave the server behind.
  const killOnExit = (): void => {
    if (!exited && pid !== undefined) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (!exited && pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) process.kill(pid, 'SIGKILL');
      }, 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    await rm(root, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      stopped = true;
      process.removeListener('exit', killOnExit);
      throw new Error(`${spec.name} exited before it was ready: ${text.slice(-2000)}`);
    }
    try {
      const response = await fetch(`${url}${spec.readyPath}`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return { url, port, root, logFile, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const text = await readFile(logFile, 'utf8').catch(() => '');
  await stop();
  throw new Error(`${spec.name} was not ready within ${READY_TIMEOUT_MS} ms: ${text.slice(-2000)}`);
}

/** Runs a helper command to completion; rejects with its stderr on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...(options.env ?? {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`)),
    );
    child.stdin.end(options.input ?? '');
  });
}
