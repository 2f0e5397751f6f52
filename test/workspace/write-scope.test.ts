import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import {
  checkWrite,
  defaultSmartSpecSettings,
  resolveDatabasePath,
  writeScopeOf,
} from '../../src/workspace/index.js';
import { tempDir, thrown, useTempDirs } from './support.js';

useTempDirs();

const settings = defaultSmartSpecSettings();

describe('resolveDatabasePath', () => {
  it('accepts the default storage.path under the reports folder', () => {
    const root = tempDir();
    const file = resolveDatabasePath(writeScopeOf(root, settings), {
      path: '.spec/reports/production-monitoring/.state/monitor.db',
      field: 'storage.path',
    });
    expect(file).toBe(path.join(root, '.spec/reports/production-monitoring/.state/monitor.db'));
  });

  it('refuses a storage.path that climbs out of the workspace, naming field and path', () => {
    const root = tempDir();
    const error = thrown(() =>
      resolveDatabasePath(writeScopeOf(root, settings), {
        path: '../outside/state.db',
        field: 'storage.path',
      }),
    ) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('unsafe_path');
    expect(error.field).toBe('storage.path');
    expect(error.message).toMatch(
      /^refusing to write ".*outside\/state\.db": it lies outside the workspace root$/,
    );
    expect(fs.existsSync(path.join(path.dirname(root), 'outside'))).toBe(false);
  });

  it('refuses --state outside the allowed roots and through a symlinked folder', () => {
    const root = tempDir();
    const outside = tempDir();
    const scope = writeScopeOf(root, settings);
    expect(
      (thrown(() => resolveDatabasePath(scope, { path: 'state.db', field: '--state' })) as UserError).message,
    ).toBe('refusing to write "state.db": it is not under an allowed output root');
    fs.mkdirSync(path.join(root, '.spec/reports'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, '.spec/reports/.state'));
    const error = thrown(() =>
      resolveDatabasePath(scope, { path: '.spec/reports/.state/monitor.db', field: '--state' }),
    ) as UserError;
    expect(error.field).toBe('--state');
    expect(error.message).toContain('passes through the symbolic link .spec/reports/.state');
  });
});

describe('checkWrite', () => {
  it('follows a symlink only when the config trusts them, and only to an allowed place inside', () => {
    const root = tempDir();
    const outside = tempDir();
    fs.mkdirSync(path.join(root, '.spec/reports/real'), { recursive: true });
    fs.symlinkSync(path.join(root, '.spec/reports/real'), path.join(root, '.spec/reports/alias'));
    fs.symlinkSync(outside, path.join(root, '.spec/reports/away'));
    const trusting = writeScopeOf(root, { ...settings, disallowSymlinkWrites: false });
    expect(checkWrite(trusting, '.spec/reports/alias/x.json')).toEqual({
      ok: true,
      real: path.join(fs.realpathSync(root), '.spec/reports/real/x.json'),
      relative: '.spec/reports/alias/x.json',
    });
    expect(checkWrite(trusting, '.spec/reports/away/x.json')).toMatchObject({
      ok: false,
      reason: 'leads outside the workspace root through a symbolic link',
    });
    expect(checkWrite(writeScopeOf(root, settings), '.spec/reports/alias/x.json')).toMatchObject({
      ok: false,
      reason: 'passes through the symbolic link .spec/reports/alias (safety.disallow_symlink_writes is true)',
    });
  });

  it('never admits specs/ (governed) or .smartspec/ itself', () => {
    const scope = writeScopeOf(tempDir(), settings);
    expect(checkWrite(scope, 'specs/core/x/report.md')).toMatchObject({ ok: false });
    expect(checkWrite(scope, '.smartspec/x')).toMatchObject({ ok: false });
    expect(checkWrite(scope, '.smartspec/logs/x')).toMatchObject({ ok: true });
  });
});
