import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Child processes of SmartSpec commands (the incident command, the feedback aggregator): no shell, a
 * timeout that stops the whole process group (SIGTERM, then SIGKILL), bounded and redacted output.
 */

/** What running a command came to; permanent failures (not found, not executable) are not retried. */
export type CommandResult =
  | { ok: true; detail?: string }
  | { ok: false; error: string; permanent: boolean; retryAfterMs?: number };

/** Output kept per stream: enough for a useful error, bounded against a chatty child. */
const MAX_CAPTURE_BYTES = 64 * 1024;
const ERROR_TAIL_CHARS = 500;

export interface ChildProcessOptions {
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

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError: NodeJS.ErrnoException | null;
  stdout: string;
  stderr: string;
}

export function runChild(
  argv: string[],
  timeoutMs: number,
  options: ChildProcessOptions,
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

/** The result of a finished child, its output redacted and cut to its tail. */
export function describeOutcome(
  outcome: ChildOutcome,
  program: string,
  timeoutMs: number,
  redact: (text: string) => string,
): CommandResult {
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
 * Runs a SmartSpec workflow command the same way as the incident command receiver (no shell, timeout with
 * SIGTERM then SIGKILL of its process group, redacted output): also used for
 * `smartspec_feedback_aggregator --run-once` after reports.
 */
export async function runWorkflowCommand(
  argv: string[],
  timeoutMs: number,
  redact: (text: string) => string,
  options: ChildProcessOptions = {},
): Promise<CommandResult> {
  const outcome = await runChild(argv, timeoutMs, options, undefined);
  return describeOutcome(outcome, argv[0] ?? '', timeoutMs, redact);
}
