import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import type { ConfigDiagnostic, LoadResult } from '../../src/config/index.js';

/** Absolute path of a file in test/config/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

const created: string[] = [];

/** A fresh temp folder, removed after each test of the file that calls `useTempDirs`. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smartspec-config-'));
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

export function errorsOf(result: LoadResult): ConfigDiagnostic[] {
  return result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
}

/** The only diagnostic for `field`; fails the test when there is none or several. */
export function diagnosticFor(result: LoadResult, field: string): ConfigDiagnostic {
  const found = result.diagnostics.filter((diagnostic) => diagnostic.field === field);
  expect(found, `diagnostics for ${field}: ${JSON.stringify(result.diagnostics)}`).toHaveLength(1);
  return found[0] as ConfigDiagnostic;
}

export const PROMETHEUS_HEAD = 'provider: prometheus\nurl: http://127.0.0.1:9090\n';
