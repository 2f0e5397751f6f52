import type { LockOwner } from './types.js';

/** A lock row from another host is trusted only while its heartbeat is younger than this. */
export const LOCK_STALE_AFTER_MS = 2 * 60_000;

export interface LockHolder extends LockOwner {
  heartbeatAt: Date;
}

export type LockDecision =
  | { take: true; reason: 'free' | 'own' | 'dead_pid' | 'stale_heartbeat' }
  | { take: false; reason: 'alive' | 'fresh_heartbeat' };

/**
 * Whether `claimant` may take the lock held by `holder`. Pure: liveness is asked of `isAlive`.
 * - no holder: take it;
 * - same host, same pid: ours (e.g. a restarted container that got the same pid again);
 * - same host: take it only when that pid is gone (a daemon killed with -9 leaves its row behind);
 * - another host: pids mean nothing here, so trust the heartbeat for LOCK_STALE_AFTER_MS.
 */
export function decideLock(
  holder: LockHolder | null,
  claimant: LockOwner,
  now: Date,
  isAlive: (pid: number) => boolean,
): LockDecision {
  if (holder === null) return { take: true, reason: 'free' };
  if (holder.host === claimant.host) {
    if (holder.pid === claimant.pid) return { take: true, reason: 'own' };
    return isAlive(holder.pid) ? { take: false, reason: 'alive' } : { take: true, reason: 'dead_pid' };
  }
  const age = now.getTime() - holder.heartbeatAt.getTime();
  return age > LOCK_STALE_AFTER_MS
    ? { take: true, reason: 'stale_heartbeat' }
    : { take: false, reason: 'fresh_heartbeat' };
}

/** Signal 0 checks existence only. EPERM means it exists but belongs to another user: alive. */
export function isProcessAlive(pid: number): boolean {
  // kill(0) or a negative pid would address a process group, never a single process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
