import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { createRunDir, writeFileAtomic } from '../../src/workspace/index.js';
import { openWriteScope } from '../support/temp.js';
import { rejected, tempDir, useTempDirs } from './support.js';

useTempDirs();

describe('writeFileAtomic', () => {
  it('writes, replaces, and leaves no temp file behind', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'summary.json');
    await writeFileAtomic(target, '{"status":"healthy"}\n', openWriteScope(dir));
    expect(fs.readFileSync(target, 'utf8')).toBe('{"status":"healthy"}\n');
    await writeFileAtomic(target, Buffer.from('second'), openWriteScope(dir));
    expect(fs.readFileSync(target, 'utf8')).toBe('second');
    expect(fs.readdirSync(dir)).toEqual(['summary.json']);
  });

  it('replaces a symlink at the target instead of writing through it', async () => {
    const dir = tempDir();
    const elsewhere = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(elsewhere, 'keep me');
    fs.symlinkSync(elsewhere, path.join(dir, 'report.md'));
    await writeFileAtomic(path.join(dir, 'report.md'), 'new', openWriteScope(dir));
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('keep me');
    expect(fs.lstatSync(path.join(dir, 'report.md')).isSymbolicLink()).toBe(false);
  });

  it('on failure rejects and removes its temp file', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'taken'));
    fs.writeFileSync(path.join(dir, 'taken/inside'), 'x');
    const error = await rejected(() => writeFileAtomic(path.join(dir, 'taken'), 'data', openWriteScope(dir)));
    expect((error as NodeJS.ErrnoException).code).toMatch(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(fs.readdirSync(dir)).toEqual(['taken']);
    const missing = await rejected(() =>
      writeFileAtomic(path.join(dir, 'no/such/dir/file'), 'data', openWriteScope(dir)),
    );
    expect((missing as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('refuses a folder that is, or passes through, a symlink, at the moment of the write', async () => {
    const dir = tempDir();
    const outside = tempDir();
    fs.mkdirSync(path.join(dir, 'reports'));
    const scope = openWriteScope(dir);
    await writeFileAtomic(path.join(dir, 'reports/a.json'), '1', scope);
    fs.rmSync(path.join(dir, 'reports'), { recursive: true });
    fs.symlinkSync(outside, path.join(dir, 'reports'));
    const error = await rejected(() => writeFileAtomic(path.join(dir, 'reports/a.json'), '2', scope));
    expect((error as UserError).code).toBe('unsafe_path');
    expect((error as UserError).message).toBe(
      'refusing to write "reports": it passes through the symbolic link reports (safety.disallow_symlink_writes is true)',
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('refuses a file outside the workspace root', async () => {
    const dir = tempDir();
    const outside = tempDir();
    const error = await rejected(() =>
      writeFileAtomic(path.join(outside, 'a.json'), '1', openWriteScope(dir)),
    );
    expect((error as UserError).message).toContain('lies outside the workspace root');
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('createRunDir', () => {
  it('refuses a spec folder that is a symlink leaving the workspace, creating nothing there', async () => {
    const root = tempDir();
    const outside = tempDir();
    const reports = path.join(root, '.spec/reports/production-monitoring');
    fs.mkdirSync(reports, { recursive: true });
    fs.symlinkSync(outside, path.join(reports, 'spec-a'));
    const error = await rejected(() =>
      createRunDir(path.join(reports, 'spec-a'), 'r1', 'new_run_id', openWriteScope(root)),
    );
    expect((error as UserError).code).toBe('unsafe_path');
    expect((error as UserError).message).toContain(
      'passes through the symbolic link .spec/reports/production-monitoring/spec-a',
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('creates <base>/<runId>, making the base as needed', async () => {
    const root = tempDir();
    const base = path.join(root, '.spec/reports/production-monitoring');
    const run = await createRunDir(base, '20250101-120000Z', 'new_run_id', openWriteScope(root));
    expect(run).toEqual({ dir: path.join(base, '20250101-120000Z'), runId: '20250101-120000Z' });
    expect(fs.readdirSync(run.dir)).toEqual([]);
  });

  it('never reuses an existing run folder: -2, -3…', async () => {
    const base = tempDir();
    fs.mkdirSync(path.join(base, 'r1'));
    fs.writeFileSync(path.join(base, 'r1/summary.json'), 'old');
    const second = await createRunDir(base, 'r1', 'new_run_id', openWriteScope(base));
    const third = await createRunDir(base, 'r1', 'new_run_id', openWriteScope(base));
    expect([second.runId, third.runId]).toEqual(['r1-2', 'r1-3']);
    expect(fs.readFileSync(path.join(base, 'r1/summary.json'), 'utf8')).toBe('old');
    expect(fs.readdirSync(base).sort()).toEqual(['r1', 'r1-2', 'r1-3']);
  });

  it('gives each concurrent caller its own folder', async () => {
    const base = tempDir();
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => createRunDir(base, 'same', 'new_run_id', openWriteScope(base))),
    );
    expect(new Set(runs.map((run) => run.dir)).size).toBe(6);
    expect(runs.map((run) => run.runId).sort()).toEqual([
      'same',
      'same-2',
      'same-3',
      'same-4',
      'same-5',
      'same-6',
    ]);
  });

  it("with on_collision 'fail' refuses as unsafe_path", async () => {
    const base = tempDir();
    fs.mkdirSync(path.join(base, 'r1'));
    const error = await rejected(() => createRunDir(base, 'r1', 'fail', openWriteScope(base)));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('unsafe_path');
    expect((error as UserError).message).toContain('already exists');
    expect((error as UserError).hint).toContain('on_collision: new_run_id');
    expect(fs.readdirSync(base)).toEqual(['r1']);
  });

  it.each(['../escape', 'a/b', '..', '', 'x\u0000'])('refuses the run id %j', async (runId) => {
    const base = tempDir();
    const error = await rejected(() => createRunDir(base, runId, 'new_run_id', openWriteScope(base)));
    expect((error as UserError).code).toBe('unsafe_path');
    expect(fs.readdirSync(path.dirname(base)).includes('escape')).toBe(false);
  });
});
