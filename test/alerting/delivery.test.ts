import { describe, expect, it } from 'vitest';
import { deliverDue, retryDelayMs, supersededEntries } from '../../src/alerting/delivery.js';
import type {
  AlertEventType,
  AlertPayload,
  DeliveryResult,
  OutboxEntry,
  OutboxRepository,
  Receiver,
} from '../../src/alerting/types.js';
import { samplePayload } from './fixtures.js';

/** The outbox semantics the store promises, in memory. */
class MemoryOutbox implements OutboxRepository {
  entries: OutboxEntry[] = [];
  private nextId = 1;

  add(receiver: string, event: AlertEventType, createdAt: Date, dedupKey = 'k1'): OutboxEntry {
    const entry: OutboxEntry = {
      id: this.nextId++,
      receiver,
      dedupKey,
      event,
      payload: samplePayload(event),
      createdAt,
      attempts: 0,
      nextAttemptAt: createdAt,
      status: 'pending',
      lastError: null,
    };
    this.entries.push(entry);
    return entry;
  }
  get(id: number): OutboxEntry {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) throw new Error(`no entry ${id}`);
    return entry;
  }
  due(now: Date, limit: number): OutboxEntry[] {
    return this.entries
      .filter((e) => e.status === 'pending' && e.nextAttemptAt.getTime() <= now.getTime())
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }
  markDelivered(id: number, _at: Date): void {
    Object.assign(this.get(id), {
      status: 'delivered',
      attempts: this.get(id).attempts + 1,
      lastError: null,
    });
  }
  markFailed(id: number, error: string, _at: Date, nextAttemptAt: Date | null): void {
    const entry = this.get(id);
    entry.attempts++;
    entry.lastError = error;
    if (nextAttemptAt === null) entry.status = 'dead';
    else entry.nextAttemptAt = nextAttemptAt;
  }
  depth(): number {
    return this.entries.filter((e) => e.status === 'pending').length;
  }
}

/** Adds the optional ordering capability. */
class OrderedOutbox extends MemoryOutbox {
  oldestPendingId(receiver: string, dedupKey: string): number | null {
    const pending = this.entries
      .filter((e) => e.status === 'pending' && e.receiver === receiver && e.dedupKey === dedupKey)
      .sort((a, b) => a.id - b.id);
    return pending[0]?.id ?? null;
  }
}

/** A receiver that answers from a script and records what it was given. */
function scripted(name: string, answers: DeliveryResult[]): Receiver & { seen: AlertPayload[] } {
  const seen: AlertPayload[] = [];
  return {
    name,
    type: 'test',
    seen,
    async deliver(payload) {
      seen.push(payload);
      return answers.shift() ?? { ok: true };
    },
  };
}

const T0 = new Date('2026-11-27T04:00:00.000Z');
const clockAt = (ms: number) => () => new Date(T0.getTime() + ms);
const noJitter = { random: () => 0.5, baseDelayMs: 1000, maxDelayMs: 60_000 };

describe('deliverDue', () => {
  it('delivers due entries and marks them delivered', async () => {
    const repo = new MemoryOutbox();
    repo.add('pager', 'trigger', T0, 'a');
    repo.add('pager', 'trigger', T0, 'b');
    const pager = scripted('pager', []);
    expect(await deliverDue(repo, [pager], clockAt(0))).toEqual({
      delivered: 2,
      failed: 0,
      dead: 0,
      superseded: 0,
    });
    expect(repo.entries.map((e) => e.status)).toEqual(['delivered', 'delivered']);
    expect(pager.seen.map((p) => p.event)).toEqual(['trigger', 'trigger']);
  });

  it('schedules a retry with exponential backoff, honouring Retry-After when longer', async () => {
    const repo = new MemoryOutbox();
    const entry = repo.add('pager', 'trigger', T0);
    const pager = scripted('pager', [
      { ok: false, permanent: false, error: 'HTTP 503' },
      { ok: false, permanent: false, error: 'HTTP 503' },
      { ok: false, permanent: false, error: 'rate limited', retryAfterMs: 30_000 },
    ]);
    expect(await deliverDue(repo, [pager], clockAt(0), noJitter)).toEqual({
      delivered: 0,
      failed: 1,
      dead: 0,
      superseded: 0,
    });
    expect(repo.get(entry.id)).toMatchObject({ attempts: 1, lastError: 'HTTP 503', status: 'pending' });
    expect(repo.get(entry.id).nextAttemptAt.getTime() - T0.getTime()).toBe(1000); // base · 2^0

    // not due yet: nothing happens
    expect(await deliverDue(repo, [pager], clockAt(999), noJitter)).toEqual({
      delivered: 0,
      failed: 0,
      dead: 0,
      superseded: 0,
    });

    await deliverDue(repo, [pager], clockAt(1000), noJitter);
    expect(repo.get(entry.id).nextAttemptAt.getTime() - T0.getTime()).toBe(1000 + 2000); // base · 2^1

    await deliverDue(repo, [pager], clockAt(3000), noJitter);
    expect(repo.get(entry.id).nextAttemptAt.getTime() - T0.getTime()).toBe(3000 + 30_000); // Retry-After wins

    expect(await deliverDue(repo, [pager], clockAt(33_000), noJitter)).toEqual({
      delivered: 1,
      failed: 0,
      dead: 0,
      superseded: 0,
    });
    expect(repo.get(entry.id)).toMatchObject({ status: 'delivered', attempts: 4 });
  });

  it('dead-letters permanent failures at once', async () => {
    const repo = new MemoryOutbox();
    const entry = repo.add('pager', 'trigger', T0);
    const pager = scripted('pager', [{ ok: false, permanent: true, error: 'HTTP 400: invalid event' }]);
    expect(await deliverDue(repo, [pager], clockAt(0))).toEqual({
      delivered: 0,
      failed: 0,
      dead: 1,
      superseded: 0,
    });
    expect(repo.get(entry.id)).toMatchObject({ status: 'dead', lastError: 'HTTP 400: invalid event' });
  });

  it('dead-letters after maxAttempts', async () => {
    const repo = new MemoryOutbox();
    const entry = repo.add('hook', 'trigger', T0);
    const hook = scripted(
      'hook',
      Array.from({ length: 5 }, () => ({
        ok: false as const,
        permanent: false,
        error: 'network error: ECONNREFUSED',
      })),
    );
    let now = 0;
    const totals = { delivered: 0, failed: 0, dead: 0, superseded: 0 };
    for (let round = 0; round < 10 && repo.get(entry.id).status === 'pending'; round++) {
      const counts = await deliverDue(repo, [hook], () => new Date(T0.getTime() + now), {
        ...noJitter,
        maxAttempts: 3,
      });
      totals.failed += counts.failed;
      totals.dead += counts.dead;
      now = repo.get(entry.id).nextAttemptAt.getTime() - T0.getTime();
    }
    expect(totals).toEqual({ delivered: 0, failed: 2, dead: 1, superseded: 0 });
    expect(hook.seen).toHaveLength(3);
    expect(repo.get(entry.id)).toMatchObject({
      status: 'dead',
      lastError: 'network error: ECONNREFUSED (gave up after 3 attempts)',
    });
  });

  it('dead-letters entries for a receiver that is no longer configured', async () => {
    const repo = new MemoryOutbox();
    const entry = repo.add('old-slack', 'trigger', T0);
    expect(await deliverDue(repo, new Map(), clockAt(0))).toEqual({
      delivered: 0,
      failed: 0,
      dead: 1,
      superseded: 0,
    });
    expect(repo.get(entry.id).lastError).toBe(
      'receiver "old-slack" is no longer configured; the notification was dropped',
    );
  });

  it('never sends a resolve before its trigger in the same round', async () => {
    const repo = new MemoryOutbox();
    const trigger = repo.add('pager', 'trigger', T0);
    const resolve = repo.add('pager', 'resolve', new Date(T0.getTime() + 60_000));
    const other = repo.add('pager', 'trigger', new Date(T0.getTime() + 60_000), 'other-key');
    const pager = scripted('pager', [{ ok: false, permanent: false, error: 'HTTP 502' }]);
    const counts = await deliverDue(repo, [pager], clockAt(120_000), noJitter);
    expect(counts).toEqual({ delivered: 1, failed: 1, dead: 0, superseded: 0 });
    expect(repo.get(resolve.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(repo.get(other.id).status).toBe('delivered');
    expect(pager.seen.map((p) => p.event)).toEqual(['trigger', 'trigger']);
    // next round: trigger first, then the resolve
    await deliverDue(repo, [pager], clockAt(10 * 60_000), noJitter);
    expect(repo.get(trigger.id).status).toBe('delivered');
    expect(repo.get(resolve.id).status).toBe('delivered');
    expect(pager.seen.slice(2).map((p) => p.event)).toEqual(['trigger', 'resolve']);
  });

  it('with the ordering capability, holds a due resolve while its trigger waits for a retry', async () => {
    const repo = new OrderedOutbox();
    const trigger = repo.add('pager', 'trigger', T0);
    const pager = scripted('pager', [{ ok: false, permanent: false, error: 'HTTP 502' }]);
    await deliverDue(repo, [pager], clockAt(0), noJitter); // trigger now waits until T0 + 1 s
    const resolve = repo.add('pager', 'resolve', new Date(T0.getTime() + 100));
    expect(await deliverDue(repo, [pager], clockAt(500), noJitter)).toEqual({
      delivered: 0,
      failed: 0,
      dead: 0,
      superseded: 0,
    });
    expect(repo.get(resolve.id).status).toBe('pending');
    expect(await deliverDue(repo, [pager], clockAt(1000), noJitter)).toEqual({
      delivered: 2,
      failed: 0,
      dead: 0,
      superseded: 0,
    });
    expect(pager.seen.map((p) => p.event)).toEqual(['trigger', 'trigger', 'resolve']);
    expect(repo.get(trigger.id).status).toBe('delivered');
  });

  it('keeps order per receiver: one receiver failing does not hold back another', async () => {
    const repo = new MemoryOutbox();
    repo.add('pager', 'trigger', T0);
    repo.add('slack', 'trigger', T0);
    repo.add('pager', 'resolve', new Date(T0.getTime() + 1));
    repo.add('slack', 'resolve', new Date(T0.getTime() + 1));
    const pager = scripted('pager', [{ ok: false, permanent: false, error: 'HTTP 500' }]);
    const slack = scripted('slack', []);
    expect(await deliverDue(repo, [pager, slack], clockAt(1), noJitter)).toEqual({
      delivered: 2,
      failed: 1,
      dead: 0,
      superseded: 0,
    });
    expect(slack.seen.map((p) => p.event)).toEqual(['trigger', 'resolve']);
    expect(pager.seen.map((p) => p.event)).toEqual(['trigger']);
  });

  it('treats a receiver that throws as a retryable failure', async () => {
    const repo = new MemoryOutbox();
    const entry = repo.add('broken', 'trigger', T0);
    const broken: Receiver = {
      name: 'broken',
      type: 'test',
      deliver: async () => {
        throw new Error('boom');
      },
    };
    expect(await deliverDue(repo, [broken], clockAt(0), noJitter)).toEqual({
      delivered: 0,
      failed: 1,
      dead: 0,
      superseded: 0,
    });
    expect(repo.get(entry.id).lastError).toBe('receiver failed: boom');
  });

  it('stops starting deliveries once the signal is aborted', async () => {
    const repo = new MemoryOutbox();
    repo.add('pager', 'trigger', T0, 'a');
    const controller = new AbortController();
    controller.abort();
    expect(
      await deliverDue(repo, [scripted('pager', [])], clockAt(0), { signal: controller.signal }),
    ).toEqual({
      delivered: 0,
      failed: 0,
      dead: 0,
      superseded: 0,
    });
    expect(repo.depth()).toBe(1);
  });

  it('respects the limit', async () => {
    const repo = new MemoryOutbox();
    for (const key of ['a', 'b', 'c']) repo.add('pager', 'trigger', T0, key);
    expect(await deliverDue(repo, [scripted('pager', [])], clockAt(0), { limit: 2 })).toMatchObject({
      delivered: 2,
    });
    expect(repo.depth()).toBe(1);
  });
});

describe('supersededEntries (what a receiver that was not reached still needs)', () => {
  const EPISODE_1 = '2026-11-27T04:00:00.000Z';
  const EPISODE_2 = '2026-11-27T06:00:00.000Z';
  let id = 0;
  /** Pending entries; the first of a chain has been refused once (a backlog), unless said otherwise. */
  const entry = (
    event: AlertEventType,
    startedAt = EPISODE_1,
    status: OutboxEntry['status'] = 'pending',
    attempts = 1,
  ) => ({
    id: ++id,
    receiver: 'pager',
    dedupKey: 'k1',
    event,
    payload: { ...samplePayload(event), started_at: startedAt },
    createdAt: T0,
    attempts,
    nextAttemptAt: T0,
    status,
    lastError: null,
  });

  it('collapses a trigger, its reminders and its resolve into the resolve', () => {
    const chain = [entry('trigger'), entry('reminder'), entry('reminder'), entry('resolve')];
    const resolve = chain[3]!.id;
    expect(supersededEntries(chain)).toEqual(chain.slice(0, 3).map((e) => ({ id: e.id, by: resolve })));
  });

  it('keeps a pending trigger and only the latest reminder of an open episode', () => {
    const chain = [entry('trigger'), entry('reminder'), entry('reminder'), entry('reminder')];
    const latest = chain[3]!.id;
    expect(supersededEntries(chain)).toEqual([
      { id: chain[1]!.id, by: latest },
      { id: chain[2]!.id, by: latest },
    ]);
  });

  it('treats episodes apart: a closed one collapses to its resolve, the next one keeps its trigger', () => {
    const chain = [
      entry('trigger'),
      entry('resolve'),
      entry('trigger', EPISODE_2),
      entry('reminder', EPISODE_2),
    ];
    expect(supersededEntries(chain)).toEqual([{ id: chain[0]!.id, by: chain[1]!.id }]);
  });

  it('changes nothing for a receiver that was not refusing: a slow one gets every notification in order', () => {
    const chain = [entry('trigger', EPISODE_1, 'pending', 0), entry('reminder'), entry('resolve')];
    expect(supersededEntries(chain)).toEqual([]);
  });

  it('changes nothing for a single notification, or when only the resolve is left', () => {
    expect(supersededEntries([entry('trigger')])).toEqual([]);
    expect(supersededEntries([entry('trigger', EPISODE_1, 'delivered'), entry('resolve')])).toEqual([]);
  });
});

describe('retryDelayMs', () => {
  it('doubles per attempt, caps, and jitters within ±20%', () => {
    const base = { baseDelayMs: 10_000, maxDelayMs: 3_600_000 };
    expect(retryDelayMs(0, { ...base, random: () => 0.5 })).toBe(10_000);
    expect(retryDelayMs(3, { ...base, random: () => 0.5 })).toBe(80_000);
    expect(retryDelayMs(20, { ...base, random: () => 0.5 })).toBe(3_600_000);
    expect(retryDelayMs(0, { ...base, random: () => 0 })).toBe(8_000);
    expect(retryDelayMs(0, { ...base, random: () => 0.999999 })).toBe(12_000);
    expect(retryDelayMs(0, { ...base, random: () => 0.5, retryAfterMs: 90_000 })).toBe(90_000);
  });
});
