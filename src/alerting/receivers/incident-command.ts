import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { IncidentCommandConfig } from '../../config/types.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../types.js';

export const INCIDENT_COMMAND_RECEIVER_NAME = 'incident_command';
export const INCIDENT_RESPONSE_PROGRAM = 'smartspec_incident_response';
/** Same default as `incident_command.timeout` in observability.yaml. */
export const DEFAULT_INCIDENT_TIMEOUT_MS = 30_000;

/** Output kept per stream: enough for a useful error, bounded against a chatty child. */
const MAX_CAPTURE_BYTES = 64 * 1024;
const ERROR_TAIL_CHARS = 500;

export interface IncidentCommandOptions {
  /** Between SIGTERM and SIGKILL after a timeout. */
  killGraceMs?: number;
  /** Environment of the child; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Starts the timeout; returns its cancel. Defaults to a timer of `ms`; tests fire it on a state instead. */
  startTimeout?: StartTimeout;
}

export type StartTimeout = (fire: () => void, ms: number) => () => void;

const realTimeout: StartTimeout = (fire, ms) => {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
};

/** Keeps the last `limit` bytes of a stream. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
      this.truncated = true;
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function tail(text: string, chars: number): string {
  const trimmed = text.trim();
  return trimmed.length > chars ? `…${trimmed.slice(-chars)}` : trimmed;
}

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError: NodeJS.ErrnoException | null;
  stdout: string;
  stderr: string;
}

function runChild(
  argv: string[],
  timeoutMs: number,
  options: IncidentCommandOptions,
  signal: AbortSignal | undefined,
): Promise<ChildOutcome> {
  const killGraceMs = options.killGraceMs ?? 5_000;
  const env = options.env ?? process.env;
  const startTimeout = options.startTimeout ?? realTimeout;
  return new Promise((resolve) => {
    const stdout = new TailBuffer(MAX_CAPTURE_BYTES);
    const stderr = new TailBuffer(MAX_CAPTURE_BYTES);
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;
    // No shell: the payload is one argv element and can never be interpreted as shell syntax.
    // Own process group, so a timeout also stops whatever the command started.
    const child = spawn(argv[0]!, argv.slice(1), {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      detached: true,
    });
    const signalGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const stop = () => {
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), killGraceMs);
      killTimer.unref();
    };
    const cancelTimeout = startTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = () => stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const finish = (code: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      cancelTimeout();
      if (killTimer) clearTimeout(killTimer);
      if (drainTimer) clearTimeout(drainTimer);
      signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        code,
        signal: exitSignal,
        timedOut,
        spawnError,
        stdout: stdout.text(),
        stderr: stderr.text(),
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      if (child.pid === undefined) finish(null, null);
    });
    // A grandchild may keep the pipes open after the command itself exited: do not wait on it forever.
    child.on('exit', (code, exitSignal) => {
      drainTimer = setTimeout(() => finish(code, exitSignal), 1_000);
      drainTimer.unref();
    });
    child.on('close', (code, exitSignal) => finish(code, exitSignal));
  });
}

/**
 * Runs the incident command (by default `smartspec_incident_response --alert-payload {payload}`).
 * `{payload}` in any argv element becomes the JSON payload, `{payload_file}` the path of a private temp
 * file holding it (for payloads too large for argv). Output is captured (last 64 KiB), redacted, and
 * only its tail reaches errors.
 */
export function createIncidentCommandReceiver(
  cfg: IncidentCommandConfig,
  redact: (text: string) => string,
  options: IncidentCommandOptions = {},
): Receiver {
  const program = cfg.argv[0] ?? '';
  return {
    name: INCIDENT_COMMAND_RECEIVER_NAME,
    type: 'command',
    async deliver(payload: AlertPayload, signal?: AbortSignal): Promise<DeliveryResult> {
      if (!program) return { ok: false, permanent: true, error: 'incident command is empty' };
      const json = JSON.stringify(payload);
      const needsFile = cfg.argv.some((arg) => arg.includes('{payload_file}'));
      let tempDir: string | null = null;
      try {
        let payloadFile = '';
        if (needsFile) {
          tempDir = await mkdtemp(join(tmpdir(), 'smartspec-alert-'));
          payloadFile = join(tempDir, 'payload.json');
          await writeFile(payloadFile, json, { mode: 0o600 });
        }
        const argv = cfg.argv.map((arg) =>
          arg.replaceAll('{payload_file}', payloadFile).replaceAll('{payload}', json),
        );
        const outcome = await runChild(argv, cfg.timeoutMs, options, signal);
        return interpret(outcome, program, cfg.timeoutMs, redact);
      } catch (error) {
        return { ok: false, permanent: false, error: redact(`could not run ${program}: ${String(error)}`) };
      } finally {
        if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}

function interpret(
  outcome: ChildOutcome,
  program: string,
  timeoutMs: number,
  redact: (text: string) => string,
): DeliveryResult {
  const stderrTail = tail(redact(outcome.stderr), ERROR_TAIL_CHARS);
  const suffix = stderrTail ? `: ${stderrTail}` : '';
  if (outcome.spawnError) {
    const code = outcome.spawnError.code;
    if (code === 'ENOENT') {
      return {
        ok: false,
        permanent: true,
        error: `${program} was not found (not on PATH, or the path is wrong)`,
      };
    }
    if (code === 'EACCES') return { ok: false, permanent: true, error: `${program} is not executable` };
    return {
      ok: false,
      permanent: false,
      error: redact(`could not start ${program}: ${outcome.spawnError.message}`),
    };
  }
  if (outcome.timedOut) {
    return {
      ok: false,
      permanent: false,
      error: `${program} did not finish within ${timeoutMs} ms and was killed${suffix}`,
    };
  }
  if (outcome.code === 0) {
    const stdoutTail = tail(redact(outcome.stdout), ERROR_TAIL_CHARS);
    return stdoutTail ? { ok: true, detail: stdoutTail } : { ok: true };
  }
  const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
  return { ok: false, permanent: false, error: `${program} ${how}${suffix}` };
}

/** Finds an executable on PATH without a shell. */
export function findOnPath(program: string, pathValue: string | undefined = process.env.PATH): string | null {
  if (isAbsolute(program)) return isExecutableFile(program) ? program : null;
  for (const dir of (pathValue ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `smartspec_incident_response --alert-payload {payload}` when that program is on PATH (argv[0] is its
 * resolved path), else null.
 */
export function defaultIncidentCommand(
  pathValue: string | undefined = process.env.PATH,
  timeoutMs: number = DEFAULT_INCIDENT_TIMEOUT_MS,
): IncidentCommandConfig | null {
  const found = findOnPath(INCIDENT_RESPONSE_PROGRAM, pathValue);
  if (!found) return null;
  return { argv: [found, '--alert-payload', '{payload}'], timeoutMs };
}

/**
 * Runs a SmartSpec workflow command the same way as the incident command (no shell, timeout with
 * SIGTERM then SIGKILL of its process group, redacted output): also used for
 * `smartspec_feedback_aggregator --run-once` after reports.
 */
export async function runWorkflowCommand(
  argv: string[],
  timeoutMs: number,
  redact: (text: string) => string,
  options: IncidentCommandOptions = {},
): Promise<DeliveryResult> {
  const outcome = await runChild(argv, timeoutMs, options, undefined);
  return interpret(outcome, argv[0] ?? '', timeoutMs, redact);
}
