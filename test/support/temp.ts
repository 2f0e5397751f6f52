import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { type WriteScope, writeScopeOf } from '../../src/workspace/index.js';

const created: string[] = [];

/** A fresh temp folder, removed after each test of the file that calls `useTempDirs`. */
export function tempDir(prefix = 'test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `smartspec-${prefix}`));
  created.push(dir);
  return dir;
}

export function useTempDirs(): void {
  afterEach(() => {
    for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(root, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

/**
 * A write scope whose workspace is `root` and which admits any folder in it (symlinks still refused),
 * for tests of writers that are not about the allowlist itself.
 */
export function openWriteScope(root: string): WriteScope {
  return writeScopeOf(root, { allowWritesOnlyUnder: ['.'], disallowSymlinkWrites: true });
}
