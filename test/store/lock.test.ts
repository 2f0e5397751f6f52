import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { LOCK_STALE_AFTER_MS, openStore } from '../../src/store/index.js';
import { decideLock, isProcessAlive, type LockHolder } from '../../src/store/lock.js';
import { at, collect, deadPid, exited, self, spawnFixture, T0, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function catchUserError(fn: () => void): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

/** Writes a lock row directly, as a daemon elsewhere (or long gone) would have left it. */
function plantLock(file: string, holder: LockHolder): void {
  const db = new Database(file);
  db.prepare('DELETE FROM lock').run();
  db.prepare('INSERT INTO lock (id, pid, host, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?)').run(
    holder.pid,
    holder.host,
    holder.startedAt.getTime(),
    holder.heartbeatAt.getTime(),
  );
  db.close();
}

describe('decideLock', () => {
  const claimant = { pid: 200, host: 'a', startedAt: T0 };
  const holder = (pid: number, host: string, heartbeatAt: Date): LockHolder => ({
    pid,
    host,
    startedAt: at(-3600),
    heartbeatAt,
  });
  const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

  it('takes a free lock and its own row', () => {
    expect(decideLock(null, claimant, T0, alive([]))).toEqual({ take: true, reason: 'free' });
    expect(decideLock(holder(200, 'a', at(-9999)), claimant, T0, alive([200]))).toEqual({
      take: true,
      reason: 'own',
    });
  });

  it('on the same host, refuses a live pid and takes a dead one whatever the heartbeat', () => {
    expect(decideLock(holder(100, 'a', at(-9999)), claimant, T0, alive([100]))).toEqual({
      take: false,
      reason: 'alive',
    });
    expect(decideLock(holder(100, 'a', T0), claimant, T0, alive([]))).toEqual({
      take: true,
      reason: 'dead_pid',
    });
  });

  it('from another host, trusts the heartbeat for exactly LOCK_STALE_AFTER_MS', () => {
    const limit = new Date(T0.getTime() - LOCK_STALE_AFTER_MS);
    const never = () => {
      throw new Error('pids of another host must not be checked here');
    };
    expect(decideLock(holder(200, 'b', limit), claimant, T0, never)).toEqual({
      take: false,
      reason: 'fresh_heartbeat',
    });
    expect(decideLock(holder(200, 'b', new Date(limit.getTime() - 1)), claimant, T0, never)).toEqual({
      take: true,
      reason: 'stale_heartbeat',
    });
  });
});

describe('isProcessAlive', () => {
  it('knows this process, a dead child and nonsense pids', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(await deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
    expect(isProcessAlive(1.5)).toBe(false);
  });
});

describe('Store lock', () => {
  it('makes a second daemon (a real process) on the same file refuse to start, naming the holder', async () => {
    const file = join(dirs.make(), 'monitor.db');
    const first = openStore(file);
    first.acquireLock(self(T0));

    const child = spawnFixture('lock-child.ts', [file]);
    const output = collect(child);
    expect((await exited(child)).code).toBe(0);
    const answer = JSON.parse(output.stdout()) as {
      acquired: boolean;
      code: string;
      message: string;
      hint: string;
    };
    expect(answer.acquired).toBe(false);
    expect(answer.code).toBe('locked');
    expect(answer.message).toContain(`pid ${process.pid}`);
    expect(answer.message).toContain(`host ${hostname()}`);
    expect(answer.message).toContain(`since ${T0.toISOString()}`);
    expect(answer.hint).toContain('storage.path');
    expect(first.lockHolder()?.pid).toBe(process.pid);

    // Once the first releases the lock (close), the second daemon starts.
    first.close();
    const again = spawnFixture('lock-child.ts', [file]);
    const againOutput = collect(again);
    expect((await exited(again)).code).toBe(0);
    expect(JSON.parse(againOutput.stdout())).toEqual({ acquired: true, pid: again.pid });
    // The child closed its store, which released its lock.
    const check = openStore(file);
    expect(check.lockHolder()).toBeNull();
    check.close();
  });

  it('takes over a lock left by a dead process on this host (kill -9)', async () => {
    const file = join(dirs.make(), 'monitor.db');
    openStore(file).close();
    const pid = await deadPid();
    plantLock(file, { pid, host: hostname(), startedAt: at(-600), heartbeatAt: at(-1) });

    const store = openStore(file);
    expect(store.lockHolder()?.pid).toBe(pid);
    store.acquireLock(self(T0));
    expect(store.lockHolder()).toEqual({
      pid: process.pid,
      host: hostname(),
      startedAt: T0,
      heartbeatAt: T0,
    });
    store.close();
  });

  it('refuses a fresh lock from another host and takes a stale one over', () => {
    const file = join(dirs.make(), 'monitor.db');
    openStore(file).close();
    plantLock(file, { pid: 4242, host: 'other-host', startedAt: at(-600), heartbeatAt: at(-60) });

    const store = openStore(file);
    const error = catchUserError(() => store.acquireLock(self(T0)));
    expect(error.code).toBe('locked');
    expect(error.message).toContain('pid 4242 on host other-host');
    expect(error.message).toContain(at(-60).toISOString());
    expect(error.hint).toContain('2 minutes');
    expect(store.lockHolder()?.host).toBe('other-host');

    // Same row, judged three minutes later: the other host stopped beating, take it.
    store.acquireLock(self(T0), at(120));
    expect(store.lockHolder()).toMatchObject({ pid: process.pid, host: hostname(), heartbeatAt: at(120) });
    store.close();
  });

  it('heartbeats, notices a lost lock, and releases only its own row', () => {
    const file = join(dirs.make(), 'monitor.db');
    const store = openStore(file);
    expect(() => store.heartbeat(T0)).toThrow(/before acquireLock/);
    store.acquireLock(self(T0));
    store.heartbeat(at(30));
    expect(store.lockHolder()?.heartbeatAt).toEqual(at(30));

    // Another host took over (it judged our heartbeat stale).
    plantLock(file, { pid: 777, host: 'other-host', startedAt: at(200), heartbeatAt: at(200) });
    const lost = catchUserError(() => store.heartbeat(at(210)));
    expect(lost.code).toBe('locked');
    expect(lost.message).toContain('pid 777 on host other-host');
    // Having lost it, releasing or closing must not delete the new holder's row.
    store.releaseLock();
    store.close();
    const check = openStore(file);
    expect(check.lockHolder()?.pid).toBe(777);
    check.close();
  });
});
