import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ConfigDiagnostic, LoadResult } from '../../src/config/index.js';
import { tempDir as sharedTempDir, useTempDirs, writeTree } from '../support/temp.js';

/** Absolute path of a file in test/config/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A fresh temp folder, removed after each test of the file that calls `useTempDirs`. */
export function tempDir(): string {
  return sharedTempDir('config-');
}

export { useTempDirs, writeTree };

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
