import type { AlertEventType, AlertPayload, AlertState } from '../alerting/types.js';
import type { NfrStatus } from '../evaluate/types.js';

/** One measurement of one metric in one cycle. `value` is in the NFR's unit; null when unknown. */
export interface MeasurementRow {
  at: Date;
  specId: string;
  metric: string;
  value: number | null;
  slo: number | null;
  status: NfrStatus;
  reason: string;
}

/** A notification to commit to the outbox in the same transaction as the alert state that caused it. */
export interface NewNotification {
  receiver: string;
  dedupKey: string;
  event: AlertEventType;
  payload: AlertPayload;
  /**
   * Unique per (receiver, episode, event, sequence): committing the same key twice is a no-op,
   * so a cycle replayed after a crash never enqueues a duplicate.
   */
  idempotencyKey: string;
}

export interface CycleCommit {
  at: Date;
  measurements: MeasurementRow[];
  /** Alert states that changed (upserted by spec, metric, kind). */
  alertStates: AlertState[];
  notifications: NewNotification[];
}

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: Date;
}

/** One point of a chart series: a measurement's time (epoch ms), value (null when unknown) and status. */
export interface HistorySample {
  at: number;
  value: number | null;
  status: NfrStatus;
}

/**
 * One series over a time range as columns, oldest first: what a long read returns without an object,
 * a Date or a decoded reason per row.
 */
export interface SeriesColumns {
  length: number;
  /** Epoch milliseconds. */
  at: Float64Array;
  /** The stored value; NaN where it is NULL. */
  value: Float64Array;
  /** 1 where the status is `unknown`, else 0. */
  unknown: Uint8Array;
}

/** One series over a time range: from <= at < to. */
export interface SeriesRange {
  specId: string;
  metric: string;
  from: Date;
  to: Date;
}
