import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import {
  defaultSmartSpecSettings,
  resolveOutputBase,
  type SmartSpecSettings,
} from '../../src/workspace/index.js';
import { tempDir, thrown, useTempDirs, writeTree } from './support.js';

useTempDirs();

const settings = defaultSmartSpecSettings();

function refusal(root: string, out: string | undefined, with_: SmartSpecSettings = settings): UserError {
  const error = thrown(() => resolveOutputBase(root, out, with_));
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).code).toBe('unsafe_path');
  return error as UserError;
}

describe('resolveOutputBase', () => {
  it('defaults to <root>/.spec/reports/production-monitoring without creating it', () => {
    const root = tempDir();
    const base = resolveOutputBase(root, undefined, settings);
    expect(base).toBe(path.join(root, '.spec/reports/production-monitoring'));
    expect(fs.existsSync(base)).toBe(false);
  });

  it('follows output.reports_root', () => {
    const root = tempDir();
    const custom = { ...settings, reportsRoot: '.spec/out', allowWritesOnlyUnder: ['.spec/out'] };
    expect(resolveOutputBase(root, undefined, custom)).toBe(
      path.join(root, '.spec/out/production-monitoring'),
    );
  });

  it('accepts --out under an allowed root, relative or absolute', () => {
    const root = tempDir();
    expect(resolveOutputBase(root, '.spec/reports/nightly', settings)).toBe(
      path.join(root, '.spec/reports/nightly'),
    );
    expect(resolveOutputBase(root, './.spec/reports/x/', settings)).toBe(path.join(root, '.spec/reports/x'));
    const absolute = path.join(root, '.spec/reports/abs');
    expect(resolveOutputBase(root, absolute, settings)).toBe(absolute);
    expect(resolveOutputBase(root, '.smartspec/logs/monitor', settings)).toBe(
      path.join(root, '.smartspec/logs/monitor'),
    );
  });

  it.each([
    ['../../etc', 'contains ".."'],
    ['.spec/reports/../../../etc', 'contains ".."'],
    ['..\\..\\etc', 'contains ".."'],
    ['..%2f..%2fetc', 'is not under an allowed output root'],
    ['/etc', 'lies outside the workspace root'],
    ['src/reports', 'is not under an allowed output root'],
    ['.smartspec/reports', 'is not under an allowed output root'],
    ['.smartspec', 'is not under an allowed output root'],
    ['specs/core/reports', 'is governed'],
    ['.spec/reports/\u0000x', 'control characters'],
    ['', 'is empty'],
  ])('refuses --out %j (%s) with the allowed roots as hint', (out, reason) => {
    const root = tempDir();
    const error = refusal(root, out);
    expect(error.message).toContain(reason);
    expect(error.field).toBe('out');
    expect(error.hint).toBe(
      'write under one of the allowed output roots (safety.allow_writes_only_under): specs, .spec, .spec/reports, ' +
        '.smartspec/prompts, .smartspec/generated-scripts, .smartspec/cache, .smartspec/logs; ' +
        'the default is .spec/reports/production-monitoring',
    );
  });

  it('never allows .smartspec/ itself, even when the config lists it', () => {
    const root = tempDir();
    const listed = { ...settings, allowWritesOnlyUnder: ['.smartspec', '.smartspec/logs'] };
    expect(refusal(root, '.smartspec/reports', listed).message).toContain('not under an allowed output root');
    expect(resolveOutputBase(root, '.smartspec/logs/a', listed)).toBe(path.join(root, '.smartspec/logs/a'));
  });

  it('checks the default against the allowlist too', () => {
    const root = tempDir();
    const error = refusal(root, undefined, { ...settings, allowWritesOnlyUnder: ['build'] });
    expect(error.field).toBe('output.reports_root');
    expect(error.hint).toContain('allowed output roots (safety.allow_writes_only_under): build;');
  });

  it('refuses a symlinked reports folder that leads outside, whatever disallow_symlink_writes says', () => {
    const parent = tempDir('out-');
    const root = path.join(parent, 'project');
    const outside = path.join(parent, 'elsewhere');
    fs.mkdirSync(path.join(root, '.spec'), { recursive: true });
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(root, '.spec/reports'));
    expect(refusal(root, undefined).message).toContain('passes through the symbolic link .spec/reports');
    const trusting = { ...settings, disallowSymlinkWrites: false };
    expect(refusal(root, undefined, trusting).message).toContain('leads outside the workspace root');
    expect(refusal(root, '.spec/reports/x/y', trusting).message).toContain(
      'leads outside the workspace root',
    );
  });

  it('refuses symlinks inside the root unless the config trusts them, then checks where they lead', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, '.spec/reports'), { recursive: true });
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.symlinkSync(path.join(root, '.spec/reports'), path.join(root, '.spec/alias'));
    fs.symlinkSync(path.join(root, 'src'), path.join(root, '.spec/to-src'));
    expect(refusal(root, '.spec/alias/run').message).toContain('symbolic link .spec/alias');
    const trusting = { ...settings, disallowSymlinkWrites: false };
    expect(resolveOutputBase(root, '.spec/alias/run', trusting)).toBe(path.join(root, '.spec/alias/run'));
    expect(refusal(root, '.spec/to-src/run', trusting).message).toContain(
      'leads through a symbolic link to src/run, which is not an allowed output root',
    );
  });

  it('refuses a path through a file', () => {
    const root = tempDir();
    writeTree(root, { '.spec/reports': 'a file' });
    expect(refusal(root, undefined).message).toContain('passes through .spec/reports, which is not a folder');
  });

  it('fails as usage when the root does not exist', () => {
    const root = path.join(tempDir(), 'missing');
    const error = thrown(() => resolveOutputBase(root, undefined, settings));
    expect((error as UserError).code).toBe('usage');
  });
});
