/**
 * The daemon's embedded state (SQLite): measurement history, alert states, the notification outbox,
 * the single-daemon lock and the cycle log. Knows nothing of providers or HTTP.
 */
export { HistoryReaders, openHistoryReaders } from './history-readers.js';
export { LOCK_STALE_AFTER_MS, type LockHolder } from './lock.js';
export { SCHEMA_VERSION } from './migrations.js';
export {
  type CycleRecord,
  explainStoreError,
  isDamagedDatabaseError,
  type MeasurementQuery,
  type OpenStoreOptions,
  type OutboxFilter,
  openStore,
  type PruneResult,
  type SeriesKey,
  Store,
  type StoreStats,
} from './store.js';
export type {
  CycleCommit,
  HistorySample,
  LockOwner,
  MeasurementRow,
  NewNotification,
  SeriesColumns,
  SeriesRange,
} from './types.js';
