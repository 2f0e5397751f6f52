/**
 * docs/deployment.md's recipe for running the daemon without a supervisor, taken from the document
 * and run with bash and the BUILT CLI: the pid file names the daemon itself (in a session of its own),
 * its JSON log lines land in the log file, `kill -HUP` reloads it and `kill -TERM` stops it cleanly.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { onPath, run } from '../deploy/support.js';
import { eventually } from './daemon-support.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  CLI,
  makeWorkspace,
  PROJECT_ROOT,
  type Workspace,
} from './support.js';

/** The shell block that follows the "Without a supervisor" heading, as separate commands. */
function recipe(): { start: string; reload: string; stop: string } {
  const doc = readFileSync(path.join(PROJECT_ROOT, 'docs/deployment.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Without a supervisor'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = block.split('\n').map((line) => line.replace(/\s+#.*$/, ''));
  const reload = lines.find((line) => line.startsWith('kill -HUP')) ?? '';
  const stop = lines.find((line) => line.startsWith('kill -TERM')) ?? '';
  const start = lines.filter((line) => line !== '' && line !== reload && line !== stop).join('\n');
  return { start, reload, stop };
}

const STATE = '.local/state/smartspec-production-monitor';
const skip = onPath('setsid') === null ? 'setsid (util-linux) is not on PATH' : null;

let ws: Workspace | null = null;
afterEach(async () => {
  await ws?.cleanup();
  ws = null;
});

/** Waits until the log file has a JSON line with this event (bounded), and returns it. */
/** Waits for the daemon's JSON log file to hold a line with `event`. */
function logLine(file: string, event: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return eventually(
    async () =>
      (await readFile(file, 'utf8'))
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.event === event),
    `"${event}" in ${file}`,
    timeoutMs,
    100,
  );
}

describe.skipIf(skip !== null)('the daemon without a supervisor (docs/deployment.md)', () => {
  it('starts in its own session with a pid file and a log file, reloads on HUP, stops on TERM', async () => {
    const { start, reload, stop } = recipe();
    expect(start).toContain('setsid smartspec-production-monitor --all --daemon');
    ws = await makeWorkspace({
      '.spec/SPEC_INDEX.json': AUTH_INDEX,
      [AUTH_SPEC_PATH]: AUTH_SPEC,
      // No backend is needed to show the process management: nothing listens on port 9 of loopback.
      [AUTH_OBS_PATH]:
        'provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n  - name: api_error_rate\n    query: vector(0)\n',
    });
    const bin = path.join(ws.root, '.bin');
    await mkdir(bin);
    await writeFile(
      path.join(bin, 'smartspec-production-monitor'),
      `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`,
      { mode: 0o755 },
    );
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: ws.root, NO_COLOR: '1' };
    const shell = (script: string) =>
      run('bash', ['--noprofile', '--norc', '-c', script], { cwd: ws!.root, env });

    // With job control on (`set -m`), as in a shell typed at a terminal: each background job leads
    // its own process group, so a bare `setsid … &` would fork and `$!` would name the wrong process.
    const started = await shell(`set -m\n${start}`);
    expect(started.code).toBe(0);
    const log = path.join(ws.root, STATE, 'daemon.log');
    const pid = Number((await ws.read(`${STATE}/daemon.pid`)).trim());
    const pids = new Set([pid]);
    try {
      const first = await logLine(log, 'started');
      pids.add(Number(first.pid));
      expect(first.pid).toBe(pid);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // Fields after the command: state, ppid, pgrp, session. Its own session: it leads it.
      expect(Number(stat[3])).toBe(pid);

      expect((await shell(reload)).code).toBe(0);
      await logLine(log, 'reloaded');
      expect((await shell(stop)).code).toBe(0);
      await logLine(log, 'stopped');
      await eventually(
        async () => ((await shell(`kill -0 ${pid}`)).code !== 0 ? true : undefined),
        `process ${pid} to exit`,
        10_000,
      );
    } finally {
      // Whatever happened, no daemon is left behind: the pid file's and the one that logged.
      await shell(`kill -KILL ${[...pids].join(' ')} 2>/dev/null`);
    }
  });
});

it.runIf(skip !== null)(`prerequisite missing: ${skip ?? 'none'}`, () => {
  expect(skip).not.toBeNull();
});
