import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { createRunDir, writeFileAtomic } from '../../src/workspace/index.js';
import { rejected, tempDir, useTempDirs } from './support.js';

useTempDirs();

describe('writeFileAtomic', () => {
  it('writes, replaces, and leaves no temp file behind', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'summary.json');
    await writeFileAtomic(target, '{"status":"healthy"}\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('{"status":"healthy"}\n');
    await writeFileAtomic(target, Buffer.from('second'));
    expect(fs.readFileSync(target, 'utf8')).toBe('second');
    expect(fs.readdirSync(dir)).toEqual(['summary.json']);
  });

  it('replaces a symlink at the target instead of writing through it', async () => {
    const dir = tempDir();
    const elsewhere = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(elsewhere, 'keep me');
    fs.symlinkSync(elsewhere, path.join(dir, 'report.md'));
    await writeFileAtomic(path.join(dir, 'report.md'), 'new');
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('keep me');
    expect(fs.lstatSync(path.join(dir, 'report.md')).isSymbolicLink()).toBe(false);
  });

  it('on failure rejects and removes its temp file', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'taken'));
    fs.writeFileSync(path.join(dir, 'taken/inside'), 'x');
    const error = await rejected(() => writeFileAtomic(path.join(dir, 'taken'), 'data'));
    expect((error as NodeJS.ErrnoException).code).toMatch(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(fs.readdirSync(dir)).toEqual(['taken']);
    const missing = await rejected(() => writeFileAtomic(path.join(dir, 'no/such/dir/file'), 'data'));
    expect((missing as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});

describe('createRunDir', () => {
  it('creates <base>/<runId>, making the base as needed', async () => {
    const base = path.join(tempDir(), '.spec/reports/production-monitoring');
    const run = await createRunDir(base, '20250101-120000Z', 'new_run_id');
    expect(run).toEqual({ dir: path.join(base, '20250101-120000Z'), runId: '20250101-120000Z' });
    expect(fs.readdirSync(run.dir)).toEqual([]);
  });

  it('never reuses an existing run folder: -2, -3…', async () => {
    const base = tempDir();
    fs.mkdirSync(path.join(base, 'r1'));
    fs.writeFileSync(path.join(base, 'r1/summary.json'), 'old');
    const second = await createRunDir(base, 'r1', 'new_run_id');
    const third = await createRunDir(base, 'r1', 'new_run_id');
    expect([second.runId, third.runId]).toEqual(['r1-2', 'r1-3']);
    expect(fs.readFileSync(path.join(base, 'r1/summary.json'), 'utf8')).toBe('old');
    expect(fs.readdirSync(base).sort()).toEqual(['r1', 'r1-2', 'r1-3']);
  });

  it('gives each concurrent caller its own folder', async () => {
    const base = tempDir();
    const runs = await Promise.all(Array.from({ length: 6 }, () => createRunDir(base, 'same', 'new_run_id')));
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
    const error = await rejected(() => createRunDir(base, 'r1', 'fail'));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('unsafe_path');
    expect((error as UserError).message).toContain('already exists');
    expect((error as UserError).hint).toContain('on_collision: new_run_id');
    expect(fs.readdirSync(base)).toEqual(['r1']);
  });

  it.each(['../escape', 'a/b', '..', '', 'x\u0000'])('refuses the run id %j', async (runId) => {
    const base = tempDir();
    const error = await rejected(() => createRunDir(base, runId, 'new_run_id'));
    expect((error as UserError).code).toBe('unsafe_path');
    expect(fs.readdirSync(path.dirname(base)).includes('escape')).toBe(false);
  });
});
