import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { findObservabilityConfig } from '../../src/config/index.js';
import { thrown } from '../workspace/support.js';
import { tempDir, useTempDirs, writeTree } from './support.js';

useTempDirs();

const SPEC_DIR = 'specs/core/spec-core-001-authentication';
const SPEC_ID = 'spec-core-001-authentication';

function find(root: string, explicit?: string) {
  return findObservabilityConfig({
    root,
    specDir: SPEC_DIR,
    specId: SPEC_ID,
    ...(explicit ? { explicit } : {}),
  });
}

describe('findObservabilityConfig', () => {
  it('refuses a discovered config that is a symlink leading outside the workspace', () => {
    const root = tempDir();
    const outside = tempDir();
    writeTree(outside, { 'observability.yaml': 'provider: prometheus\n' });
    writeTree(root, { [`${SPEC_DIR}/spec.md`]: '# spec\n' });
    fs.symlinkSync(path.join(outside, 'observability.yaml'), path.join(root, SPEC_DIR, 'observability.yaml'));
    const error = thrown(() => find(root)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('unsafe_path');
    expect(error.message).toBe(
      `${SPEC_DIR}/observability.yaml leads outside the workspace root through a symbolic link; it is not read`,
    );
    // The same file named explicitly is the user's choice.
    expect(find(root, path.join(outside, 'observability.yaml')).file).toBe(
      path.join(outside, 'observability.yaml'),
    );
  });

  it('refuses a config reached through a symlinked folder, and accepts a symlink that stays inside', () => {
    const root = tempDir();
    const outside = tempDir();
    writeTree(outside, { 'observability.yaml': 'provider: prometheus\n' });
    fs.symlinkSync(outside, path.join(root, '.spec'));
    expect((thrown(() => find(root)) as UserError).message).toContain(
      '.spec/observability.yaml leads outside',
    );
    const inside = tempDir();
    writeTree(inside, { 'shared/obs.yaml': 'provider: prometheus\n' });
    fs.symlinkSync(path.join(inside, 'shared/obs.yaml'), path.join(inside, 'observability.yaml'));
    expect(find(inside).file).toBe(path.join(inside, 'observability.yaml'));
  });

  it('searches the spec folder, .spec/observability/<id>, .spec, then the root, in that order', () => {
    const root = tempDir();
    const expected = [
      path.join(root, SPEC_DIR, 'observability.yaml'),
      path.join(root, SPEC_DIR, 'observability.yml'),
      path.join(root, '.spec', 'observability', `${SPEC_ID}.yaml`),
      path.join(root, '.spec', 'observability', `${SPEC_ID}.yml`),
      path.join(root, '.spec', 'observability.yaml'),
      path.join(root, '.spec', 'observability.yml'),
      path.join(root, 'observability.yaml'),
      path.join(root, 'observability.yml'),
    ];
    expect(find(root)).toEqual({ file: null, searched: expected });

    // Each candidate, written alone (from last to first), is found; earlier ones win once written.
    for (let index = expected.length - 1; index >= 0; index--) {
      const candidate = expected[index] as string;
      writeTree(root, { [path.relative(root, candidate)]: 'provider: prometheus\n' });
      expect(find(root)).toEqual({ file: candidate, searched: expected.slice(0, index + 1) });
    }
  });

  it('takes an explicit file relative to the root, or absolute, and searches nothing else', () => {
    const root = tempDir();
    writeTree(root, { 'observability.yaml': '', 'ops/obs.yaml': '' });
    expect(find(root, 'ops/obs.yaml')).toEqual({
      file: path.join(root, 'ops', 'obs.yaml'),
      searched: [path.join(root, 'ops', 'obs.yaml')],
    });
    const absolute = path.join(root, 'ops', 'obs.yaml');
    expect(find(root, absolute).file).toBe(absolute);
    expect(find(root, 'ops/missing.yaml')).toEqual({
      file: null,
      searched: [path.join(root, 'ops', 'missing.yaml')],
    });
  });

  it('ignores folders named like the file', () => {
    const root = tempDir();
    writeTree(root, { 'observability.yaml/keep': '', '.spec/observability.yml': '' });
    expect(find(root).file).toBe(path.join(root, '.spec', 'observability.yml'));
  });

  it('never builds a path from an unsafe spec id', () => {
    const root = tempDir();
    writeTree(root, { 'secret.yaml': '' });
    const found = findObservabilityConfig({ root, specDir: SPEC_DIR, specId: '../../secret' });
    expect(found.file).toBeNull();
    expect(found.searched.some((candidate) => candidate.includes('secret'))).toBe(false);
  });
});
