/**
 * The shipped systemd unit: hardened as docs/deployment.md says, stopping within the daemon's own
 * shutdown time, reloading with SIGHUP, and accepted by `systemd-analyze verify` (and rated by
 * `systemd-analyze security`) when systemd's tools are on this machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_TIMEOUT_MS } from '../../src/cli/daemon.js';
import { tempDir, useTempDirs } from '../support/temp.js';
import { onPath, parseUnit, readDeployFile, run } from './support.js';

useTempDirs();

const UNIT_NAME = 'smartspec-production-monitor.service';
const UNIT = readDeployFile(`systemd/${UNIT_NAME}`);
const INSTALLED_BINARY = '/usr/local/bin/smartspec-production-monitor';
const service = parseUnit(UNIT).get('Service') ?? new Map<string, string[]>();
const one = (key: string): string | undefined => service.get(key)?.at(-1);

function seconds(text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(s|min)?$/.exec(text ?? '');
  if (!match) throw new Error(`not a time span this test reads: ${text}`);
  return Number(match[1]) * (match[2] === 'min' ? 60 : 1);
}

/** A copy of the unit whose ExecStart names a real executable, so `verify` can check it exists. */
function unitWithRealBinary(): { file: string; binary: string } {
  const dir = tempDir('systemd-');
  const binary = path.join(dir, 'smartspec-production-monitor');
  fs.writeFileSync(binary, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const copied = UNIT.replaceAll(`ExecStart=${INSTALLED_BINARY} `, `ExecStart=${binary} `);
  expect(copied).not.toBe(UNIT);
  const file = path.join(dir, UNIT_NAME);
  fs.writeFileSync(file, copied);
  return { file, binary };
}

/** Lines of systemd-analyze's output about our unit (it also reports unrelated units of the host). */
function aboutUnit(output: string, file: string): string[] {
  return output.split('\n').filter((line) => line.includes(UNIT_NAME) || line.includes(file));
}

describe('systemd unit: invariants', () => {
  it('runs the daemon in the foreground from the documented install path', () => {
    expect(one('Type')).toBe('simple');
    const execStart = one('ExecStart') ?? '';
    expect(execStart.split(' ')[0]).toBe(INSTALLED_BINARY);
    expect(execStart.split(' ')).toContain('--daemon');
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });

  it('is hardened and writes only to its reports folder and state directory', () => {
    expect(one('DynamicUser')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(service.get('CapabilityBoundingSet')).toEqual([]);
    const stateDirectory = one('StateDirectory');
    expect(stateDirectory).toBe('smartspec-production-monitor');
    const workspace = one('WorkingDirectory');
    const reports = `${workspace}/.spec/reports`;
    // The reports folder (which holds the default state database) is the state directory, mounted
    // into the read-only workspace; it is the only writable path.
    expect(service.get('BindPaths')).toEqual([`/var/lib/${stateDirectory}:${reports}`]);
    expect(service.get('ReadWritePaths')).toEqual([reports]);
    expect(one('ExecStart')).toContain(`--root ${workspace}`);
  });

  it("stops with SIGTERM, waiting longer than the daemon's own shutdown, and restarts on failure", () => {
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(seconds(one('TimeoutStopSec'))).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS / 1000);
    expect(one('Restart')).toBe('on-failure');
    expect(seconds(one('RestartSec'))).toBeGreaterThan(0);
  });

  it('takes secrets from an optional environment file, and the example names the flags variable', () => {
    expect(service.get('EnvironmentFile')).toEqual(['-/etc/smartspec-production-monitor/env']);
    expect(one('ExecStart')).toMatch(/ \$SMARTSPEC_PM_ARGS$/);
    const example = readDeployFile('systemd/smartspec-production-monitor.env.example');
    expect(example).toMatch(/^SMARTSPEC_PM_ARGS=--all /m);
  });
});

const analyze = onPath('systemd-analyze');

describe.skipIf(analyze === null)('systemd unit: systemd-analyze', () => {
  if (analyze === null) return;

  it('verify accepts it with no warning about it', async () => {
    const { file } = unitWithRealBinary();
    const result = await run(analyze, ['verify', file]);
    expect(aboutUnit(`${result.stdout}\n${result.stderr}`, file)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('verify does report a mistake in it (the check can fail)', async () => {
    const { file } = unitWithRealBinary();
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('KillSignal=SIGTERM', 'KillSignal=SIGTREM'));
    const result = await run(analyze, ['verify', file]);
    expect(aboutUnit(`${result.stdout}\n${result.stderr}`, file).join('\n')).toMatch(/SIGTREM/);
  });

  it('the shipped path must exist for verify: without the copy it names the missing binary', async () => {
    const dir = tempDir('systemd-');
    const file = path.join(dir, UNIT_NAME);
    fs.writeFileSync(file, UNIT);
    const result = await run(analyze, ['verify', file]);
    if (fs.existsSync(INSTALLED_BINARY)) return; // installed on this machine: nothing to show
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(INSTALLED_BINARY);
  });

  it('security rates its exposure 2.0 or lower (0 is best, 10 worst)', async () => {
    const { file } = unitWithRealBinary();
    const result = await run(analyze, ['security', '--offline=true', '--no-pager', file]);
    const match = /Overall exposure level for \S+: (\d+\.\d+)/.exec(result.stdout);
    if (!match && /offline/.test(result.stderr)) return; // older systemd without --offline
    expect(match, result.stderr).not.toBeNull();
    expect(Number(match?.[1])).toBeLessThanOrEqual(2.0);
  });
});

it.runIf(analyze === null)(
  'systemd-analyze is not on PATH: the unit is only checked by its invariants',
  () => {
    expect(analyze).toBeNull();
  },
);
