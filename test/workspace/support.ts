import { fileURLToPath } from 'node:url';
import { tempDir, useTempDirs, writeTree } from '../support/temp.js';

/** Absolute path of a file in test/workspace/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export { tempDir, useTempDirs, writeTree };

/** Runs `action` and returns the error it throws (fails the test when it does not throw). */
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

export async function rejected(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
