import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { openStore } from '../../src/store/index.js';
import { measurement, self, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

/** A closed database with some history, every page after the first then overwritten. */
function damagedDatabase(): string {
  const file = join(dirs.make(), 'monitor.db');
  const store = openStore(file);
  const rows = Array.from({ length: 500 }, (_, i) =>
    measurement({ at: new Date(Date.UTC(2026, 2, 1) + i * 60_000) }),
  );
  store.commitCycle({ at: new Date(), measurements: rows, alertStates: [], notifications: [] });
  store.checkpoint();
  store.close();
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(size - 4096, 0x5a), 0, size - 4096, 4096);
  closeSync(fd);
  return file;
}

describe('a damaged or lost database file', () => {
  it('with verifyIntegrity, a damaged file is refused at open, naming it and what to do', () => {
    const file = damagedDatabase();
    const error = thrown(() => openStore(file, { verifyIntegrity: true }));
    expect(error.code).toBe('config');
    expect(error.message).toMatch(new RegExp(`^database ${file} is damaged: `));
    expect(error.hint).toMatch(/^stop the daemon, move the file \(with its -wal and -shm files\) aside/);
  });

  it('a sound file passes the check', () => {
    const file = join(dirs.make(), 'monitor.db');
    openStore(file).close();
    const store = openStore(file, { verifyIntegrity: true });
    expect(store.stats().measurements).toBe(0);
    store.close();
  });

  it('requireSameFile notices the file deleted or replaced under the connection', () => {
    const dir = dirs.make();
    const file = join(dir, 'monitor.db');
    const store = openStore(file);
    store.acquireLock(self());
    expect(() => store.requireSameFile()).not.toThrow();

    rmSync(file);
    const deleted = thrown(() => store.requireSameFile());
    expect(deleted.code).toBe('database_lost');
    expect(deleted.message).toBe(`database ${file} was deleted while the daemon was using it`);

    const other = openStore(join(dir, 'other.db'));
    other.close();
    renameSync(join(dir, 'other.db'), file);
    expect(thrown(() => store.requireSameFile()).message).toBe(
      `database ${file} was replaced by another file while the daemon was using it`,
    );
    store.close();
  });
});
