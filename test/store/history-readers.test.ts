/**
 * History reader threads (src/store/history-readers.ts): the columns Store.seriesColumns reads, read
 * by worker threads with their own connections, on real SQLite files; the calling thread's event
 * loop stays free meanwhile; a failing read gives the error a read on the calling thread gives.
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import type { HistoryReaders, SeriesColumns } from '../../src/store/index.js';
import { explainStoreError, openHistoryReaders, openStore } from '../../src/store/index.js';
import { collect, exited, measurement, spawnFixture, T0, tempDirs } from './support.js';

const dirs = tempDirs();
const opened: HistoryReaders[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((readers) => readers.close()));
  dirs.cleanup();
});

const MINUTE = 60_000;
const ALL_TIME = { from: new Date(0), to: new Date(Date.UTC(2100, 0, 1)) };

/** A closed database with `minutes` one-minute rows of p95_latency and of error_rate (some unknown). */
function databaseWith(minutes: number): string {
  const file = join(dirs.make(), 'monitor.db');
  const store = openStore(file);
  for (let start = 0; start < minutes; start += 1000) {
    const measurements = Array.from({ length: Math.min(1000, minutes - start) }, (_, k) => {
      const i = start + k;
      const at = new Date(T0.getTime() + i * MINUTE);
      return i % 97 === 0
        ? measurement({ at, value: null, status: 'unknown' })
        : measurement({ at, value: 400 + (i % 50), status: i % 50 > 45 ? 'breached' : 'healthy' });
    });
    const rates = measurements.map((m, k) => ({ ...m, metric: 'error_rate', value: (start + k) % 7 }));
    store.commitCycle({
      at: new Date(),
      measurements: [...measurements, ...rates],
      alertStates: [],
      notifications: [],
    });
  }
  store.checkpoint();
  store.close();
  return file;
}

/** The file with its second half overwritten: the schema at its start is sound, the rows after it are not. */
function damaged(file: string): string {
  const size = statSync(file).size;
  const half = Math.floor(size / 4096 / 2) * 4096;
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(size - half, 0x5a), 0, size - half, half);
  closeSync(fd);
  return file;
}

function readersOf(file: string, threads: number): HistoryReaders {
  const readers = openHistoryReaders(file, { threads });
  opened.push(readers);
  return readers;
}

function plain(columns: SeriesColumns) {
  return {
    length: columns.length,
    at: Array.from(columns.at),
    value: Array.from(columns.value),
    unknown: Array.from(columns.unknown),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

describe('history reader threads', () => {
  it('read what Store.seriesColumns reads, two threads at most, ended by close', async () => {
    const file = databaseWith(5000);
    const store = openStore(file, { readonly: true });
    const readers = readersOf(file, 2);
    const ranges = [
      { specId: 'checkout', metric: 'p95_latency', ...ALL_TIME },
      { specId: 'checkout', metric: 'error_rate', ...ALL_TIME },
      {
        specId: 'checkout',
        metric: 'p95_latency',
        from: new Date(T0.getTime() + 90 * MINUTE),
        to: new Date(T0.getTime() + 3001 * MINUTE),
      },
      { specId: 'checkout', metric: 'never_measured', ...ALL_TIME },
      { specId: 'other-spec', metric: 'p95_latency', ...ALL_TIME },
      { specId: 'checkout', metric: 'p95_latency', from: T0, to: T0 },
    ];
    const read = await Promise.all(ranges.map((range) => readers.seriesColumns(range)));
    expect(readers.running).toBe(2);
    expect(read.map(plain)).toEqual(ranges.map((range) => plain(store.seriesColumns(range))));
    expect(read.map((columns) => columns.length)).toEqual([5000, 5000, 2911, 0, 0, 0]);
    // Moved, not copied: each column owns a buffer of its own (no SharedArrayBuffer, no view into another's).
    expect(read[0]!.at.buffer).not.toBe(read[0]!.value.buffer);
    await readers.close();
    expect(readers.running).toBe(0);
    await expect(readers.seriesColumns(ranges[0]!)).rejects.toThrow('the history readers are closed');
    store.close();
  });

  it('leave the event loop free: a request is answered while a read waits on a locked database', async () => {
    const file = databaseWith(3000);
    // The rows cannot be read until this connection lets go of its exclusive lock.
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('BEGIN EXCLUSIVE');
    const server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const readers = readersOf(file, 1);
      let settled = false;
      const read = readers.seriesColumns({ specId: 'checkout', metric: 'p95_latency', ...ALL_TIME });
      void read.then(
        () => (settled = true),
        () => (settled = true),
      );
      // A read on this thread would hold it here until SQLite's busy timeout, then fail.
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await answer.text()).toBe('ok');
      expect(settled).toBe(false);
      holder.exec('COMMIT');
      expect((await read).length).toBe(3000);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a damaged file: the UserError a read on the calling thread gives (exit 2), not a crash or a hang', async () => {
    const file = damaged(databaseWith(20_000));
    // The schema is intact: the file opens, and only reading the rows finds the damage.
    const store = openStore(file, { readonly: true });
    let direct: unknown;
    try {
      store.seriesColumns({ specId: 'checkout', metric: 'p95_latency', ...ALL_TIME });
    } catch (error) {
      direct = explainStoreError(error, file);
    }
    store.close();
    expect(direct).toBeInstanceOf(UserError);

    const error = await rejection(
      readersOf(file, 1).seriesColumns({ specId: 'checkout', metric: 'p95_latency', ...ALL_TIME }),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({
      code: 'config',
      message: (direct as UserError).message,
      hint: (direct as UserError).hint,
    });
    expect(error.message).toMatch(new RegExp(`^database ${file} is damaged: `));
  });

  it('a file deleted or replaced after the readers were opened is refused, naming it', async () => {
    const deletedFile = databaseWith(10);
    const deleted = readersOf(deletedFile, 1);
    rmSync(deletedFile);
    const gone = await rejection(
      deleted.seriesColumns({ specId: 'checkout', metric: 'p95_latency', ...ALL_TIME }),
    );
    expect(gone).toBeInstanceOf(UserError);
    expect(gone).toMatchObject({ code: 'config', message: `no database at ${deletedFile}` });

    const file = databaseWith(10);
    const replaced = readersOf(file, 1);
    renameSync(databaseWith(20), file);
    const other = await rejection(
      replaced.seriesColumns({ specId: 'checkout', metric: 'p95_latency', ...ALL_TIME }),
    );
    expect(other).toBeInstanceOf(UserError);
    expect(other).toMatchObject({
      code: 'database_lost',
      message: `database ${file} was replaced or deleted while it was being read`,
    });

    expect(() => openHistoryReaders(join(dirs.make(), 'none.db'), { threads: 1 })).toThrow(
      /^no database at /,
    );
  });

  it('close while a read waits: the read fails at once instead of waiting forever', async () => {
    const file = databaseWith(100);
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const readers = readersOf(file, 1);
      const read = readers.seriesColumns({ specId: 'checkout', metric: 'p95_latency', ...ALL_TIME });
      const closing = readers.close();
      holder.exec('COMMIT');
      await closing;
      expect((await rejection(read)).message).toBe('the history readers were closed before the read ended');
      expect(readers.running).toBe(0);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('idle threads keep no process alive, even when nobody closes them', async () => {
    const file = databaseWith(50);
    const child = spawnFixture('idle-readers.ts', [file]);
    const output = collect(child);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(output.stdout()).toBe('read 50 on 1 thread\n');
  });

  it('close holds the process until an idle thread has ended', async () => {
    const child = spawnFixture('idle-readers.ts', [databaseWith(50), 'read-close']);
    const output = collect(child);
    // Exit 13 would be Node giving up on an await that nothing keeps alive.
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(output.stdout()).toBe('closed, 0 running\n');
  });

  it('close holds the process until the threads have ended, even with a read unanswered', async () => {
    const file = databaseWith(50);
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const child = spawnFixture('idle-readers.ts', [file, 'close']);
      const output = collect(child);
      // Exit 13 would be Node giving up on an await that nothing keeps alive.
      expect(await exited(child)).toEqual({ code: 0, signal: null });
      expect(output.stdout()).toBe(
        'the history readers were closed before the read ended\nclosed, 0 running\n',
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
