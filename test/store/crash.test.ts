import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { cycleTime, MEASUREMENTS_PER_CYCLE } from './fixtures/crash-cycle.js';
import { collect, exited, self, spawnFixture, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/**
 * Starts the crash child from cycle `start`, lets it commit `atLeast` more cycles, kills it with
 * SIGKILL and returns the last cycle it reported as committed.
 */
async function runAndKill(file: string, start: number, atLeast: number): Promise<number> {
  const child = spawnFixture('crash-child.ts', [file, String(start)]);
  const output = collect(child);
  let lastReported = start - 1;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    const early = (code: number | null, signal: string | null) =>
      reject(new Error(`child exited early (${code ?? signal}): ${output.stderr()}`));
    child.once('exit', early);
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const match = /^committed (\d+)$/.exec(line);
        if (match) lastReported = Number(match[1]);
      }
      if (lastReported >= start + atLeast - 1 && child.signalCode === null) {
        child.off('exit', early);
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  const { signal } = await exited(child);
  expect(signal).toBe('SIGKILL');
  // Lines written before the kill may still sit in the pipe.
  for (const match of (buffered + output.stdout()).matchAll(/committed (\d+)/g)) {
    lastReported = Math.max(lastReported, Number(match[1]));
  }
  return lastReported;
}

describe('a daemon killed with SIGKILL mid-commit', () => {
  it('leaves an intact database holding every committed cycle and no partial one', async () => {
    const file = join(dirs.make(), 'state', 'monitor.db');
    let committed = 0;
    for (let round = 0; round < 3; round++) {
      const reported = await runAndKill(file, committed + 1, 25);
      expect(reported).toBeGreaterThanOrEqual(committed + 25);

      const raw = new Database(file);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(raw.pragma('foreign_key_check')).toEqual([]);
      raw.close();

      const store = openStore(file);
      // The child's lock row names a dead pid on this host: it is taken over.
      expect(store.lockHolder()?.pid).not.toBe(process.pid);
      store.acquireLock(self());
      expect(store.lockHolder()?.pid).toBe(process.pid);

      const outbox = store.outbox();
      const stored = outbox.length;
      // Every cycle reported committed is there; at most one more was committed before the print.
      expect(stored === reported || stored === reported + 1).toBe(true);
      expect(outbox.map((entry) => entry.dedupKey)).toEqual(
        Array.from({ length: stored }, (_, i) => `crash/${i + 1}`),
      );
      expect(store.stats().measurements).toBe(stored * MEASUREMENTS_PER_CYCLE);
      for (const cycle of [1, reported, stored]) {
        const rows = store.measurements({
          specId: 'spec-3',
          from: cycleTime(cycle),
          to: cycleTime(cycle + 1),
        });
        expect(rows).toHaveLength(MEASUREMENTS_PER_CYCLE / 6);
        expect(rows[0]!.value).toBe(cycle + 3 / 1000);
      }
      // The alert state is the one of the last committed cycle, never of a rolled-back one.
      expect(store.loadAlertStates().map((state) => state.badCycles)).toEqual([stored]);
      store.close();
      committed = stored;
    }
  });
});
