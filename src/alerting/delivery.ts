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

/**
 * Optional capabilities of a repository that let one pass drain a backlog instead of one entry per
 * alert per pass: the next due entry of a chain, pending entries to collapse, and pulling forward
 * the retries of a receiver that has just accepted something.
 */
export interface OutboxDraining {
  /** The oldest pending entry of one (receiver, dedupKey), if it is due at `now`. */
  nextDue(receiver: string, dedupKey: string, now: Date): OutboxEntry | null;
  /** Every pending entry, oldest first (due or not). */
  pending(): OutboxEntry[];
  /** Marks a pending entry as superseded by a later one (ignored unless pending). */
  markSuperseded(id: number, byId: number, at: Date): void;
  /** Makes the waiting retries of `receiver` due at `now`; returns how many were waiting. */
  expedite(receiver: string, now: Date): number;
}

/** A pending notification whose news a later pending one of the same alert and receiver carries. */
export interface Supersession {
  id: number;
  by: number;
}

/**
 * What a receiver that has not been reached still needs of an alert's queued notifications
 * (entries of ONE receiver and dedupKey, oldest first). Only a backlog counts: the oldest pending
 * entry must have been tried and refused, so a receiver that answers, however slowly, gets every
 * notification in order. Within one episode (same `started_at`):
 * - a pending resolve supersedes every earlier pending entry of its episode: a trigger the receiver
 *   never got, and the reminders after it, collapse into the one resolved notice, which carries the
 *   episode's start, end, worst value and severity; no incident is opened only to be closed;
 * - otherwise a pending reminder supersedes the earlier pending reminders (it carries the latest
 *   value and severity); a pending trigger is always kept, it opens the incident.
 */
export function supersededEntries(chain: readonly OutboxEntry[]): Supersession[] {
  const pending = [...chain].filter((e) => e.status === 'pending').sort((a, b) => a.id - b.id);
  if (pending.length < 2 || pending[0]!.attempts === 0) return [];
  const byEpisode = new Map<string, OutboxEntry[]>();
  for (const entry of pending) {
    const episode = entry.payload.started_at;
    const list = byEpisode.get(episode);
    if (list) list.push(entry);
    else byEpisode.set(episode, [entry]);
  }
  const superseded: Supersession[] = [];
  for (const entries of byEpisode.values()) {
    const resolve = entries.findLast((e) => e.event === 'resolve');
    if (resolve) {
      for (const e of entries) if (e.id < resolve.id) superseded.push({ id: e.id, by: resolve.id });
      continue;
    }
    const reminders = entries.filter((e) => e.event === 'reminder');
    const latest = reminders.at(-1);
    for (const e of reminders) if (e !== latest) superseded.push({ id: e.id, by: latest!.id });
  }
  return superseded.sort((a, b) => a.id - b.id);
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
  /** Never sent: a later pending notification of the same alert carries their news. */
  superseded: number;
}

export const DEFAULT_MAX_ATTEMPTS = 12;
export const DEFAULT_BASE_DELAY_MS = 10_000;
export const DEFAULT_MAX_DELAY_MS = 60 * 60 * 1000;
/** Bounds one pass when expedited retries keep making more entries due. */
const MAX_ROUNDS_PER_PASS = 10;

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
 * trigger. Different alerts are delivered concurrently. With the `OutboxDraining` capability, queued
 * notifications that a later one supersedes are collapsed first (`supersededEntries`), each alert's
 * chain is drained in one pass, and a receiver that accepts something gets its waiting retries at once.
 */
export async function deliverDue(
  repo: OutboxRepository & Partial<OutboxOrdering> & Partial<OutboxDraining>,
  receivers: Map<string, Receiver> | readonly Receiver[],
  now: () => Date,
  opts: DeliverOptions = {},
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { delivered: 0, failed: 0, dead: 0, superseded: 0 };
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = {
    baseDelayMs: opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    maxDelayMs: opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    random: opts.random ?? Math.random,
  };
  const named = byName(receivers);
  counts.superseded = collapseSuperseded(repo, now);
  const drain = repo.nextDue && repo.expedite ? (repo as OutboxDraining) : null;
  /** Receivers that accepted something in this pass: their queued retries need not wait. */
  const reachable = new Set<string>();

  /** Delivers `first` and, when the repository can, the rest of its chain; false once one is held back. */
  const deliverChain = async (first: OutboxEntry): Promise<boolean> => {
    let entry: OutboxEntry | null = first;
    while (entry !== null) {
      if (opts.signal?.aborted) return false;
      const oldest = repo.oldestPendingId?.(entry.receiver, entry.dedupKey) ?? null;
      if (oldest !== null && oldest !== entry.id) return false; // an earlier one is still waiting for a retry
      const receiver = named.get(entry.receiver);
      if (!receiver) {
        repo.markFailed(
          entry.id,
          `receiver "${entry.receiver}" is no longer configured; the notification was dropped`,
          now(),
          null,
        );
        counts.dead++;
      } else {
        const result = await attempt(receiver, entry, opts.signal);
        const at = now();
        if (result.ok) {
          repo.markDelivered(entry.id, at);
          counts.delivered++;
          reachable.add(entry.receiver);
        } else {
          const attemptsMade = entry.attempts + 1;
          if (result.permanent || attemptsMade >= maxAttempts) {
            const why = result.permanent
              ? result.error
              : `${result.error} (gave up after ${attemptsMade} attempts)`;
            repo.markFailed(entry.id, why, at, null);
            counts.dead++;
          } else {
            const delay = retryDelayMs(entry.attempts, {
              ...backoff,
              ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
            });
            repo.markFailed(entry.id, result.error, at, new Date(at.getTime() + delay));
            counts.failed++;
            return false;
          }
        }
      }
      // The next entry of the same alert follows at once, in order, rather than a pass later.
      entry = drain ? drain.nextDue(entry.receiver, entry.dedupKey, now()) : null;
    }
    return true;
  };

  const limit = pLimit(Math.max(1, opts.concurrency ?? 4));
  const heads = (entries: OutboxEntry[]): OutboxEntry[] => {
    // Ids are the insertion order, the same order `oldestPendingId` uses (clocks can step back, ids cannot).
    const first = new Map<string, OutboxEntry>();
    for (const entry of [...entries].sort((a, b) => a.id - b.id)) {
      const key = `${entry.receiver}\u0000${entry.dedupKey}`;
      if (!first.has(key)) first.set(key, entry);
    }
    return [...first.values()];
  };

  let round = repo.due(now(), opts.limit ?? 100);
  // Without the draining capability, later entries of a chain wait for the next pass; keep them in
  // this round behind their head, as before.
  const groups = (entries: OutboxEntry[]) => {
    const byChain = new Map<string, OutboxEntry[]>();
    for (const entry of [...entries].sort((a, b) => a.id - b.id)) {
      const key = `${entry.receiver}\u0000${entry.dedupKey}`;
      const group = byChain.get(key);
      if (group) group.push(entry);
      else byChain.set(key, [entry]);
    }
    return [...byChain.values()];
  };
  for (let pass = 0; pass < MAX_ROUNDS_PER_PASS && round.length > 0; pass++) {
    if (drain) {
      await Promise.all(heads(round).map((head) => limit(() => deliverChain(head))));
    } else {
      await Promise.all(
        groups(round).map((group) =>
          limit(async () => {
            for (const entry of group) if (!(await deliverChain(entry))) return;
          }),
        ),
      );
    }
    if (!drain || opts.signal?.aborted) break;
    // A receiver that is back: its other alerts' retries are due now, not at the end of their backoff.
    let expedited = 0;
    for (const receiver of reachable) expedited += drain.expedite(receiver, now());
    reachable.clear();
    if (expedited === 0) break;
    round = repo.due(now(), opts.limit ?? 100);
  }
  return counts;
}

/** Collapses superseded pending entries (when the repository can), before anything is sent. */
function collapseSuperseded(repo: Partial<OutboxDraining>, now: () => Date): number {
  if (!repo.pending || !repo.markSuperseded) return 0;
  const chains = new Map<string, OutboxEntry[]>();
  for (const entry of repo.pending()) {
    const key = `${entry.receiver}\u0000${entry.dedupKey}`;
    const chain = chains.get(key);
    if (chain) chain.push(entry);
    else chains.set(key, [entry]);
  }
  let count = 0;
  const at = now();
  for (const chain of chains.values()) {
    for (const { id, by } of supersededEntries(chain)) {
      repo.markSuperseded(id, by, at);
      count++;
    }
  }
  return count;
}
