import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(PROJECT_ROOT, 'dist/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment (no colour, no CI noise); a variable set to undefined is left out. */
function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '',
    HOME: os.tmpdir(),
    NO_COLOR: '1',
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Runs the built CLI as a child process. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: childEnv(options.env),
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
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Workspace {
  root: string;
  write(relative: string, content: string): Promise<string>;
  read(relative: string): Promise<string>;
  /** Every summary.json written for a spec, oldest first. */
  summaries(specId: string): Promise<Array<Record<string, unknown> & { run_id: string }>>;
  cleanup(): Promise<void>;
}

export async function makeWorkspace(files: Record<string, string> = {}): Promise<Workspace> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-e2e-'));
  const ws: Workspace = {
    root,
    async write(relative, content) {
      const file = path.join(root, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
    read: (relative) => readFile(path.join(root, relative), 'utf8'),
    async summaries(specId) {
      const base = path.join(root, '.spec/reports/production-monitoring', specId);
      const runs = (await readdir(base).catch(() => [] as string[]))
        .filter((n) => /^\d{8}-\d{6}Z/.test(n))
        .sort();
      return Promise.all(
        runs.map(async (r) => JSON.parse(await readFile(path.join(base, r, 'summary.json'), 'utf8'))),
      );
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  for (const [relative, content] of Object.entries(files)) await ws.write(relative, content);
  return ws;
}

/** The guide's NFR table, with targets chosen against the standard test history. */
export const AUTH_SPEC = `# spec-core-001-authentication: Authentication

## 1. Overview

Sign-in for every product.

### Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
| Reliability | Error Rate | \`api_error_rate\` | < 5% |
| Availability | Uptime | \`api_uptime\` | > 95% |
| Security | Audit trail | \`audit_log\` | Every sign-in is logged |
`;

/** Two NFRs against the standard history: healthy outside the incident, the error rate breached in it. */
export const ERROR_RATE_AND_LATENCY_SPEC = `# Authentication

## Non-Functional Requirements

| Category | Requirement | Metric | Target |
|---|---|---|---|
| Reliability | Error Rate | \`api_error_rate\` | < 5% |
| Performance | p99 Latency | \`api_latency_p99\` | < 500ms |
`;

export const AUTH_SPEC_PATH = 'specs/core/spec-core-001-authentication/spec.md';
export const AUTH_OBS_PATH = 'specs/core/spec-core-001-authentication/observability.yaml';

export const AUTH_INDEX = JSON.stringify({
  version: '1.0.0',
  specs: [
    {
      id: 'spec-core-001-authentication',
      title: 'Authentication',
      category: 'core',
      path: 'specs/core/spec-core-001-authentication',
    },
  ],
});

export interface DaemonProcess {
  /** Parsed JSON log lines so far. */
  readonly logs: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  /** Resolves with the first log line (from now or already seen) matching the predicate. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  readonly pid: number;
}

/** Starts the built CLI as a long-running daemon; its JSON log lines are parsed as they arrive. */
export function startDaemon(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): DaemonProcess {
  const child = spawn(process.execPath, [CLI, '--daemon', ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    predicate: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }> = [];
  let buffer = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { unparsed: text };
      }
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.predicate(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    logs,
    stderr: () => stderr,
    pid: child.pid!,
    exited,
    kill: (signal) => child.kill(signal),
    waitForLog(predicate, timeoutMs = 90_000) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `no matching log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}; last logs: ${JSON.stringify(logs.slice(-5))}`,
            ),
          );
        }, timeoutMs);
        waiters.push({
          predicate,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`daemon exited (${code}) before the log line; stderr: ${stderr.slice(-2000)}`));
        });
      });
    },
  };
}

/** A fake `smartspec_incident_response` on PATH that appends each `--alert-payload` JSON to a file. */
export async function installFakeIncidentResponse(
  dir: string,
): Promise<{ pathDir: string; payloads: () => Promise<Array<Record<string, unknown>>> }> {
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'incident-response.log');
  await mkdir(bin, { recursive: true });
  const script = path.join(bin, 'smartspec_incident_response');
  await writeFile(
    script,
    `#!${process.execPath}\nconst i = process.argv.indexOf('--alert-payload');\nrequire('fs').appendFileSync(${JSON.stringify(log)}, process.argv[i + 1] + '\\n');\n`,
    { mode: 0o755 },
  );
  return {
    pathDir: bin,
    payloads: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A fake `smartspec_feedback_aggregator` on PATH that records each invocation's argv. */
export async function installFakeAggregator(
  dir: string,
): Promise<{ pathDir: string; calls: () => Promise<string[][]> }> {
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'aggregator.log');
  await mkdir(bin, { recursive: true });
  await writeFile(
    path.join(bin, 'smartspec_feedback_aggregator'),
    `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
    { mode: 0o755 },
  );
  return {
    pathDir: bin,
    calls: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
  };
}
