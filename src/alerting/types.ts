import type { Severity } from '../config/types.js';
import type { NfrStatus } from '../evaluate/types.js';
import type { Comparator, Unit } from '../units/types.js';

/** `slo`: the objective is breached. `no_data`: monitoring is blind (metric unknown for too long). */
export type AlertKind = 'slo' | 'no_data';

export type AlertPhase = 'inactive' | 'pending' | 'firing';

/** Persisted per (spec, metric, kind). Everything needed to continue after a restart. */
export interface AlertState {
  specId: string;
  metric: string;
  kind: AlertKind;
  phase: AlertPhase;
  /** When the current bad streak (pending/firing) began; null when inactive. */
  since: Date | null;
  /** Consecutive bad observations in the current streak. */
  badCycles: number;
  /** Consecutive good observations while firing (toward resolve). */
  goodCycles: number;
  /** When the current good streak while firing began. */
  goodSince: Date | null;
  /** Stable id of the current incident episode; null when none is open. */
  episodeId: string | null;
  firedAt: Date | null;
  lastNotifiedAt: Date | null;
  severity: Severity | null;
  /** Worst value seen in the episode, in the NFR's unit. */
  worstValue: number | null;
}

/** One observation fed to the state machine per cycle. */
export interface Observation {
  specId: string;
  metric: string;
  status: NfrStatus;
  at: Date;
}

export type AlertEventType = 'trigger' | 'reminder' | 'resolve';

/** The structured alert payload: SmartSpec's incident contract plus what a responder needs. Never a secret. */
export interface AlertPayload {
  source: 'production_monitor';
  spec_id: string;
  metric: string;
  /** Measured value in `unit`; null for a no-data alert. */
  value: number | null;
  /** Threshold in `unit`. */
  slo: number;
  severity: Severity;
  status: 'firing' | 'resolved';
  event: AlertEventType;
  kind: AlertKind;
  service: string;
  unit: Unit;
  comparator: Comparator;
  target: string;
  requirement: string;
  category: string | null;
  started_at: string;
  ended_at: string | null;
  dedup_key: string;
  query: string;
  provider: string;
  reason: string;
  links: { report: string | null; status_page: string | null };
  monitor: { name: 'smartspec-production-monitor'; version: string; host: string };
  /** What holds this cycle: the threshold held for `for`, a burn-rate rule, or both; null on a resolve and for no-data alerts. */
  trigger: 'threshold' | 'burn_rate' | 'both' | null;
  /** Burn rates (bad share ÷ allowed) at 5m…3d from the objective measured this cycle; null when not measured. */
  burn_rates: Record<string, number | null> | null;
  /** Error budget left over the objective's window (a fraction, negative when overspent), or null. */
  budget_remaining: number | null;
  /** The objective's window (`30d`, `month`, …), or null. */
  window: string | null;
  /** The burn-rate rules firing this cycle. */
  firing_rules: { severity: 'page' | 'ticket'; long: string; short: string; factor: number }[];
}

/** A notification waiting in (or delivered from) the durable outbox. */
export interface OutboxEntry {
  id: number;
  receiver: string;
  dedupKey: string;
  event: AlertEventType;
  payload: AlertPayload;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  /** `superseded`: never sent, a later notification of the same alert carries its news. */
  status: 'pending' | 'delivered' | 'dead' | 'superseded';
  lastError: string | null;
}

/** What a receiver answered. `retryAfterMs` honours 429/Retry-After; `permanent` stops retries (e.g. 400). */
export type DeliveryResult =
  | { ok: true; detail?: string }
  | { ok: false; error: string; permanent: boolean; retryAfterMs?: number };

/** One configured destination. Receivers never throw: they return a DeliveryResult. */
export interface Receiver {
  readonly name: string;
  readonly type: string;
  deliver(payload: AlertPayload, signal?: AbortSignal): Promise<DeliveryResult>;
}

/** The slice of the store that delivery needs; implemented by `src/store`. */
export interface OutboxRepository {
  /** Pending entries whose next attempt is due, oldest first. */
  due(now: Date, limit: number): OutboxEntry[];
  markDelivered(id: number, at: Date): void;
  /** `nextAttemptAt` null = give up (dead letter). */
  markFailed(id: number, error: string, at: Date, nextAttemptAt: Date | null): void;
  /** Count of pending entries. */
  depth(): number;
}
