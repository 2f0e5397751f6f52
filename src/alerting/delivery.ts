import pLimit from 'p-limit';
import type { DeliveryResult, OutboxEntry, OutboxRepository, Receiver } from './types.js';

/**
 * Optional capability of a repository: the oldest still-pending entry of a (receiver, dedupKey) pair,
 * due or not. With it, a resolve is never sent while its trigger waits for a retry; without it,
 * ordering is only kept among the entries that are due in the same round.
 */
export interface OutboxOrdering {
  oldestPendingId(receiver: string, dedupKey: string): number | null;
}

export interface DeliverOptions {
  /** Entries read per round. Default 100. */
  limit?: number;
  /** Attempts before an entry becomes a dead letter. Default 12. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. Default 10 s. */
  baseDelayMs?: number;
  /** Cap of the exponential delay (not of Retry-After). Default 1 h. */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Different (receiver, dedupKey) pairs delivered at once. Default 4. */
  concurrency?: number;
  /** For the ±20% jitter; tests pass a fixed one. */
  random?: () => number;
}

export interface DeliveryCounts {
  delivered: number;
  /** Failed, retry scheduled. */
  failed: number;
  /** Given up: permanent failure, attempts exhausted, or unknown receiver. */
  dead: number;
}

export const DEFAULT_MAX_ATTEMPTS = 12;
export const DEFAULT_BASE_DELAY_MS = 10_000;
export const DEFAULT_MAX_DELAY_MS = 60 * 60 * 1000;

/** `base·2^attempts`, capped, ±20% jitter (so retries of many alerts do not arrive in lockstep), at least Retry-After. */
export function retryDelayMs(
  attempts: number,
  options: { baseDelayMs: number; maxDelayMs: number; random: () => number; retryAfterMs?: number },
): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempts));
  const jittered = Math.round(exponential * (0.8 + 0.4 * options.random()));
  return Math.max(options.retryAfterMs ?? 0, jittered);
}

function byName(receivers: Map<string, Receiver> | readonly Receiver[]): Map<string, Receiver> {
  if (receivers instanceof Map) return receivers;
  return new Map(receivers.map((receiver) => [receiver.name, receiver]));
}

async function attempt(
  receiver: Receiver,
  entry: OutboxEntry,
  signal: AbortSignal | undefined,
): Promise<DeliveryResult> {
  try {
    return await receiver.deliver(entry.payload, signal);
  } catch (error) {
    // The contract says receivers never throw; one that does is treated as a transient failure.
    return {
      ok: false,
      permanent: false,
      error: `receiver failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * Delivers the outbox entries that are due. Entries of one (receiver, dedupKey) go strictly in order:
 * once one is not delivered, the later ones wait for the next round, so a resolve never overtakes its
 * trigger.
 */
export async function deliverDue(
  repo: OutboxRepository & Partial<OutboxOrdering>,
  receivers: Map<string, Receiver> | readonly Receiver[],
  now: () => Date,
  opts: DeliverOptions = {},
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { delivered: 0, failed: 0, dead: 0 };
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = {
    baseDelayMs: opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    maxDelayMs: opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    random: opts.random ?? Math.random,
  };
  const named = byName(receivers);
  // Ids are the insertion order, the same order `oldestPendingId` uses (clocks can step back, ids cannot).
  const entries = [...repo.due(now(), opts.limit ?? 100)].sort((a, b) => a.id - b.id);

  const groups = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const key = `${entry.receiver}\u0000${entry.dedupKey}`;
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }

  const deliverGroup = async (group: OutboxEntry[]) => {
    for (const entry of group) {
      if (opts.signal?.aborted) return;
      const oldest = repo.oldestPendingId?.(entry.receiver, entry.dedupKey) ?? null;
      if (oldest !== null && oldest !== entry.id) return; // an earlier one is still waiting for a retry
      const receiver = named.get(entry.receiver);
      if (!receiver) {
        repo.markFailed(
          entry.id,
          `receiver "${entry.receiver}" is no longer configured; the notification was dropped`,
          now(),
          null,
        );
        counts.dead++;
        continue;
      }
      const result = await attempt(receiver, entry, opts.signal);
      const at = now();
      if (result.ok) {
        repo.markDelivered(entry.id, at);
        counts.delivered++;
        continue;
      }
      const attemptsMade = entry.attempts + 1;
      if (result.permanent || attemptsMade >= maxAttempts) {
        const why = result.permanent
          ? result.error
          : `${result.error} (gave up after ${attemptsMade} attempts)`;
        repo.markFailed(entry.id, why, at, null);
        counts.dead++;
        continue;
      }
      const delay = retryDelayMs(entry.attempts, {
        ...backoff,
        ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
      });
      repo.markFailed(entry.id, result.error, at, new Date(at.getTime() + delay));
      counts.failed++;
      return;
    }
  };

  const limit = pLimit(Math.max(1, opts.concurrency ?? 4));
  await Promise.all([...groups.values()].map((group) => limit(() => deliverGroup(group))));
  return counts;
}
