import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIncidentCommandReceiver,
  defaultIncidentCommand,
} from '../../src/alerting/receivers/incident-command.js';
import { findOnPath } from '../../src/common/child-process.js';
import { samplePayload } from './fixtures.js';

const SECRET = 'dd-api-key-0123456789';
const redact = (text: string) => text.split(SECRET).join('***');
const node = process.execPath;

let dir: string;

/** Writes a node script to the temp dir and returns its path. */
async function script(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'incident-cmd-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('incident command receiver', () => {
  it('passes the payload as one argv element and as a file, without a shell', async () => {
    const record = join(dir, 'argv.json');
    const recorder = await script(
      'record.mjs',
      `import { readFileSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const file = args[args.indexOf('--file') + 1];
writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args, fileContent: readFileSync(file, 'utf8') }));
console.log('incident INC-1 opened');`,
    );
    const receiver = createIncidentCommandReceiver(
      {
        argv: [
          node,
          recorder,
          '--alert-payload',
          '{payload}',
          '--file',
          '{payload_file}',
          'x=$(id);{payload_file}',
        ],
        timeoutMs: 30_000,
      },
      redact,
    );
    // a shell would expand $(...) and split on spaces and quotes; the payload carries all of those
    const payload = samplePayload('trigger', { verdict: { reason: `it's "bad" $(id) ; echo ${SECRET}` } });
    const result = await receiver.deliver(payload);
    expect(result).toEqual({ ok: true, detail: 'incident INC-1 opened' });

    const seen = JSON.parse(await readFile(record, 'utf8')) as { args: string[]; fileContent: string };
    expect(seen.args).toHaveLength(5);
    expect(seen.args[0]).toBe('--alert-payload');
    expect(JSON.parse(seen.args[1]!)).toEqual(payload);
    expect(JSON.parse(seen.fileContent)).toEqual(payload);
    expect(seen.args[4]).toBe(`x=$(id);${seen.args[3]}`);
    // the temp file is removed afterwards
    expect(await readdir(join(seen.args[3]!, '..')).catch(() => 'gone')).toBe('gone');
    expect(receiver.name).toBe('incident_command');
  });

  it('reports a non-zero exit as a retryable failure with the redacted tail of stderr', async () => {
    const failing = await script(
      'fail.mjs',
      `console.error('x'.repeat(100000)); console.error('cannot reach tracker with key ${SECRET}'); process.exit(1);`,
    );
    const result = await createIncidentCommandReceiver(
      { argv: [node, failing], timeoutMs: 30_000 },
      redact,
    ).deliver(samplePayload());
    expect(result).toMatchObject({ ok: false, permanent: false });
    const error = result.ok ? '' : result.error;
    expect(error).toMatch(/exited with code 1: …x+\ncannot reach tracker with key \*\*\*$/);
    expect(error).not.toContain(SECRET);
    expect(error.length).toBeLessThan(700);
  });

  it('kills a command that outlives its timeout, escalating to SIGKILL when SIGTERM is ignored', async () => {
    const marker = join(dir, 'sleeper-started');
    const sleeper = await script(
      'sleep.mjs',
      `import { writeFileSync } from 'node:fs';
process.on('SIGTERM', () => console.error('ignoring SIGTERM'));
writeFileSync(${JSON.stringify(marker)}, String(process.pid));
setInterval(() => {}, 1000);`,
    );
    // The timeout fires once the child has installed its SIGTERM handler (it writes the marker after),
    // however long a loaded machine takes to start it.
    const fireWhenStarted = (fire: () => void) => {
      let cancelled = false;
      const poll = () => {
        if (cancelled) return;
        if (existsSync(marker)) fire();
        else setTimeout(poll, 10);
      };
      poll();
      return () => {
        cancelled = true;
      };
    };
    const result = await createIncidentCommandReceiver({ argv: [node, sleeper], timeoutMs: 500 }, redact, {
      killGraceMs: 200,
      startTimeout: fireWhenStarted,
    }).deliver(samplePayload());
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(result.ok ? '' : result.error).toMatch(
      /did not finish within 500 ms and was killed: ignoring SIGTERM/,
    );
    const pid = Number(await readFile(marker, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('reports a missing program as a permanent failure naming PATH', async () => {
    const result = await createIncidentCommandReceiver(
      { argv: ['smartspec-no-such-program-4711', '--alert-payload', '{payload}'], timeoutMs: 5_000 },
      redact,
    ).deliver(samplePayload());
    expect(result).toEqual({
      ok: false,
      permanent: true,
      error: 'smartspec-no-such-program-4711 was not found (not on PATH, or the path is wrong)',
    });
  });

  it('reports a file that is not executable as permanent', async () => {
    const plain = await script('plain.txt', 'not a program');
    const result = await createIncidentCommandReceiver({ argv: [plain], timeoutMs: 5_000 }, redact).deliver(
      samplePayload(),
    );
    expect(result).toEqual({ ok: false, permanent: true, error: `${plain} is not executable` });
  });
});

describe('defaultIncidentCommand', () => {
  it('uses smartspec_incident_response when it is on PATH', async () => {
    const bin = join(dir, 'bin');
    await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }));
    const program = join(bin, 'smartspec_incident_response');
    await writeFile(program, '#!/bin/sh\nexit 0\n');
    await chmod(program, 0o755);
    const pathValue = [join(dir, 'missing'), bin].join(delimiter);
    expect(defaultIncidentCommand(pathValue)).toEqual({
      argv: [program, '--alert-payload', '{payload}'],
      timeoutMs: 30_000,
    });
    expect(defaultIncidentCommand(pathValue, 5_000)?.timeoutMs).toBe(5_000);
    expect(findOnPath('smartspec_incident_response', pathValue)).toBe(program);
  });

  it('is null when the program is absent or not executable', async () => {
    expect(defaultIncidentCommand(join(dir, 'nowhere'))).toBeNull();
    const bin = join(dir, 'bin-noexec');
    await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }));
    await writeFile(join(bin, 'smartspec_incident_response'), 'x');
    expect(defaultIncidentCommand(bin)).toBeNull();
    expect(defaultIncidentCommand('')).toBeNull();
  });
});
