import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { OutboxDraining } from '../alerting/delivery.js';
import type { AlertPayload, AlertState, OutboxEntry, OutboxRepository } from '../alerting/types.js';
import { UserError } from '../common/errors.js';
import type { NfrStatus } from '../evaluate/types.js';
import {
  asEvent,
  asKind,
  asOutboxStatus,
  asPhase,
  asSeverity,
  boundError,
  codeToStatus,
  decodeReason,
  encodeReason,
  fromMs,
  fromMsOrNull,
  statusToCode,
  toMs,
  toMsOrNull,
} from './codec.js';
import { decodeHourInto, encodeHour, hourRowCount } from './hour-columns.js';
import { decideLock, isProcessAlive, type LockDecision, type LockHolder } from './lock.js';
import { migrate, requireCurrentSchema } from './migrations.js';
import type {
  CycleCommit,
  HistorySample,
  LockOwner,
  MeasurementRow,
  SeriesColumns,
  SeriesRange,
} from './types.js';

export interface OpenStoreOptions {
  /** Open an existing, current database without writing to it (status, reports). */
  readonly?: boolean;
  /**
   * Check the file before use (see `verifyIntegrity`): the daemon does, so a damaged file is
   * refused at start with what to do, not found out by every cycle failing.
   */
  verifyIntegrity?: boolean;
}

export interface MeasurementQuery {
  specId: string;
  /** Every metric of the spec when omitted. */
  metric?: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive, so consecutive periods never count a row twice. */
  to: Date;
}

export interface OutboxFilter {
  status?: OutboxEntry['status'];
}

export interface CycleRecord {
  startedAt: Date;
  durationMs: number;
  /** The cycle overran its interval. */
  slow: boolean;
  error: string | null;
}

export interface SeriesKey {
  specId: string;
  metric: string;
}

export interface PruneResult {
  measurements: number;
  outbox: number;
  cycles: number;
}

export interface StoreStats {
  measurements: number;
  outboxPending: number;
  outboxDead: number;
  /** Database file plus its write-ahead log. */
  sizeBytes: number;
}

const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its parent folders if needed) and upgrades the database at `file`.
 * Problems a user can fix (newer schema, not a database, unwritable path) are `UserError` 'config'.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  if (readonly && !existsSync(file)) throw noDatabaseError(file);
  let db: Database.Database | undefined;
  try {
    if (!readonly) mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
    configure(db, readonly);
    if (readonly) requireCurrentSchema(db, file);
    else migrate(db, file);
    if (options.verifyIntegrity) verifyIntegrity(db, file);
    return new Store(db, file, readonly);
  } catch (error) {
    db?.close();
    throw explainOpenError(error, file);
  }
}

/** The page cache of each connection: negative = KiB (SQLite's own default). */
export const PAGE_CACHE_SIZE = -2000;

/** A database to read that does not exist. */
export function noDatabaseError(file: string): UserError {
  return new UserError('config', `no database at ${file}`, {
    hint: 'start the daemon first: it creates the database',
  });
}

function configure(db: Database.Database, readonly: boolean): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  // SQLite's own default page cache (2 MB) instead of better-sqlite3's 16 MB: a daemon's cache fills
  // as its history grows, which took a 1,000-NFR daemon from 95 to 114 MB over its first 35 minutes;
  // the bigger cache saved ~8 ms of CPU per 1,000 rows written. The OS keeps the file's pages anyway.
  db.pragma(`cache_size = ${PAGE_CACHE_SIZE}`);
  if (readonly) return;
  // WAL: readers (status page, reports) never block the daemon's writes, and commits are cheap.
  db.pragma('journal_mode = WAL');
  // NORMAL, not FULL. With WAL, a commit has reached the WAL file (the OS) when commitCycle
  // returns, so a crash of this process (kill -9, OOM) never loses a committed cycle or
  // notification. Only an OS crash or power cut can lose the last commits, and then atomically:
  // the alert state is lost together with the notifications it caused, so the next cycle sees the
  // breach again and enqueues them again; the file itself stays consistent. FULL would add an
  // fsync per commit to guard only that case.
  db.pragma('synchronous = NORMAL');
}

/** What to do with a damaged database, for every message that reports one. */
const DAMAGED_HINT =
  'stop the daemon, move the file (with its -wal and -shm files) aside, and start again: the daemon creates a new database; ' +
  'the old history can be salvaged with `sqlite3 <file> .recover`. Or point storage.path at a new file.';

function damagedError(file: string, error: { code?: string; message: string }): UserError {
  const message =
    error.code === 'SQLITE_NOTADB'
      ? `${file} is not a usable SQLite database (damaged, or not a database at all): ${error.message}`
      : `database ${file} is damaged: ${error.message}`;
  return new UserError('config', message, { hint: DAMAGED_HINT });
}

/** True for SQLite's "the file is not (or no longer) a sound database". */
export function isDamagedDatabaseError(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === 'SQLITE_NOTADB' || error.code.startsWith('SQLITE_CORRUPT'))
  );
}

/** A damaged-file SQLite error as a UserError naming the file and what to do; anything else as is. */
export function explainStoreError(error: unknown, file: string): unknown {
  return isDamagedDatabaseError(error) ? damagedError(file, error as Error & { code: string }) : error;
}

/** The tables a daemon reads at start or rewrites every cycle: small, so checked whole. */
const CHECKED_TABLES = ['sqlite_schema', 'series', 'alert_states', 'outbox', 'lock', 'cycles'];

/**
 * A full `quick_check` reads every page: seconds for months of history (measured: 6 to 9 s for
 * 1.3 M measurements, 41 MB). So the small tables are checked whole, and of the history the pages
 * every cycle writes to (the newest rows of each series, the right edge of the B-tree).
 */
function verifyIntegrity(db: Database.Database, file: string): void {
  const problems: string[] = [];
  for (const table of CHECKED_TABLES) {
    for (const row of db.pragma(`quick_check(${table})`) as Array<{ quick_check: string }>) {
      if (row.quick_check !== 'ok') problems.push(row.quick_check);
    }
  }
  if (problems.length > 0) throw damagedError(file, { message: problems.slice(0, 5).join('; ') });
  db.prepare('SELECT (SELECT max(at) FROM measurements WHERE series_id = s.id) FROM series s').all();
}

function explainOpenError(error: unknown, file: string): unknown {
  if (error instanceof UserError) return error;
  if (error instanceof Database.SqliteError) {
    if (isDamagedDatabaseError(error)) return damagedError(file, error);
    if (
      error.code.startsWith('SQLITE_CANTOPEN') ||
      error.code.startsWith('SQLITE_READONLY') ||
      error.code.startsWith('SQLITE_IOERR') ||
      error.code.startsWith('SQLITE_PERM')
    ) {
      return new UserError('config', `cannot open database ${file}: ${error.message}`, {
        hint: 'check storage.path and the permissions of its folder',
      });
    }
    return error;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new UserError(
      'config',
      `cannot create the folder of database ${file}: ${(error as Error).message}`,
      {
        hint: 'check storage.path and the permissions of its folder',
      },
    );
  }
  return error;
}

interface SeriesEntry {
  id: number;
  dictionary: Buffer | null;
  /** Hourly summaries are complete before this time (epoch ms); see `summarizeHours`. */
  hourlyThrough: number;
}

interface HourlyDbRow {
  count: number;
  breached: number;
  unknown: number;
  low: number | null;
  low_at: number | null;
  high: number | null;
  high_at: number | null;
  first_gap: number | null;
}

interface MeasurementDbRow {
  series_id: number;
  metric: string;
  at: number;
  value: number | null;
  slo: number | null;
  status: number;
  reason: string | Buffer;
}

interface AlertStateDbRow {
  spec_id: string;
  metric: string;
  kind: string;
  phase: string;
  since: number | null;
  bad_cycles: number;
  good_cycles: number;
  good_since: number | null;
  episode_id: string | null;
  fired_at: number | null;
  last_notified_at: number | null;
  severity: string | null;
  worst_value: number | null;
}

interface OutboxDbRow {
  id: number;
  receiver: string;
  dedup_key: string;
  event: string;
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  status: string;
  last_error: string | null;
}

interface LockDbRow {
  pid: number;
  host: string;
  started_at: number;
  heartbeat_at: number;
}

interface CycleDbRow {
  started_at: number;
  duration_ms: number;
  slow: number;
  error: string | null;
}

const MEASUREMENT_COLUMNS = 'm.series_id, s.metric, m.at, m.value, m.slo, m.status, m.reason';

interface SampleDbRow {
  at: number;
  value: number | null;
  status: number;
}

interface BucketDbRow {
  count: number;
  breached: number | null;
  unknown: number | null;
  gaps: number;
  low: number | null;
  low_at: number | null;
}

/** The value when it is a finite number, else NULL: SQLite keeps ±Infinity, which no chart can draw. */
const FINITE_VALUE = 'CASE WHEN abs(value) < 9e999 THEN value END';
/** One series' rows of a time range: a range of the primary key (series_id, at), read in time order. */
const SERIES_RANGE = 'FROM measurements WHERE series_id = ? AND at >= ? AND at < ?';

/**
 * Rows a history read covers at most, about: a few milliseconds of SQLite, so a caller that pauses
 * between reads keeps the event loop responsive.
 */
export const HISTORY_ROWS_PER_READ = 4096;
/** Reads per bucket at most: each is a statement, and 64 of them already cover 256 k rows. */
const MAX_READS_PER_BUCKET = 64;

/**
 * The reads of `downsampledHistory`; each must stay a range search of the primary key with no
 * temporary B-tree (test/store/history.test.ts checks their EXPLAIN QUERY PLAN).
 */
export const HISTORY_SQL = {
  // LIMIT: finding out that a series is long never reads all of it.
  samples: `SELECT at, value, status ${SERIES_RANGE} ORDER BY at LIMIT ?`,
  // One aggregate per bucket. With a single min() aggregate in the query, SQLite takes the bare
  // column `at` from the row that holds the minimum, so the low point keeps its real time.
  bucketLow: `SELECT count(*) AS count,
      sum(status = ${statusToCode('breached')}) AS breached,
      sum(status = ${statusToCode('unknown')}) AS unknown,
      count(*) - count(${FINITE_VALUE}) AS gaps,
      min(${FINITE_VALUE}) AS low, at AS low_at
    ${SERIES_RANGE}`,
  bucketHigh: `SELECT max(${FINITE_VALUE}) AS high, at AS high_at ${SERIES_RANGE}`,
  bucketFirstGap: `SELECT at ${SERIES_RANGE} AND ${FINITE_VALUE} IS NULL ORDER BY at LIMIT 1`,
} as const;

const HOUR_MS = 3_600_000;
/** The UTC hour a time falls in, as the epoch ms of its start (`at` is never negative here). */
const HOUR_OF = `at - at % ${HOUR_MS}`;

/**
 * How `summarizeHours` builds the hourly summaries of one series over whole hours [from, to): set-based,
 * one GROUP BY per statement. `low` is the statement's only min() aggregate, so SQLite takes the bare
 * column `at` from the row that holds it; `high` and `first_gap` follow the same way in their own
 * statements. Rows replace older summaries of the same hours.
 */
export const HOURLY_SQL = {
  summarize: `INSERT OR REPLACE INTO hourly (series_id, hour, count, breached, unknown, low, low_at)
    SELECT series_id, ${HOUR_OF} AS hour_start, count(*),
      sum(status = ${statusToCode('breached')}), sum(status = ${statusToCode('unknown')}),
      min(${FINITE_VALUE}), at
    ${SERIES_RANGE} GROUP BY hour_start`,
  high: `UPDATE hourly SET high = m.high, high_at = m.high_at
    FROM (SELECT ${HOUR_OF} AS hour_start, max(${FINITE_VALUE}) AS high, at AS high_at
          ${SERIES_RANGE} GROUP BY hour_start) AS m
    WHERE hourly.series_id = ? AND hourly.hour = m.hour_start`,
  firstGap: `UPDATE hourly SET first_gap = m.first_gap
    FROM (SELECT ${HOUR_OF} AS hour_start, min(at) AS first_gap
          ${SERIES_RANGE} AND ${FINITE_VALUE} IS NULL GROUP BY hour_start) AS m
    WHERE hourly.series_id = ? AND hourly.hour = m.hour_start`,
  read: `SELECT count, breached, unknown, low, low_at, high, high_at, first_gap FROM hourly
    WHERE series_id = ? AND hour >= ? AND hour < ? ORDER BY hour`,
} as const;

/** Hours summarized per transaction: 21,600 rows at one per second, tens of milliseconds of SQLite. */
const HOURS_PER_SUMMARY_STEP = 6;

function emptyColumns(): SeriesColumns {
  return { length: 0, at: new Float64Array(0), value: new Float64Array(0), unknown: new Uint8Array(0) };
}

/** `columns` with room for `more` rows after its `length` (doubling, so a long read copies little). */
function withRoom(columns: SeriesColumns, more: number): SeriesColumns {
  const needed = columns.length + more;
  if (needed <= columns.at.length) return columns;
  const size = Math.max(needed, 2 * columns.at.length);
  const grown = {
    length: columns.length,
    at: new Float64Array(size),
    value: new Float64Array(size),
    unknown: new Uint8Array(size),
  };
  grown.at.set(columns.at.subarray(0, columns.length));
  grown.value.set(columns.value.subarray(0, columns.length));
  grown.unknown.set(columns.unknown.subarray(0, columns.length));
  return grown;
}

/**
 * The reads of `seriesColumns`, each a range search of the primary key in time order. Each returns one
 * number per row (`pluck`), the cheapest thing better-sqlite3 can hand over; the time and the unknown
 * flag share one: `(at − start) × 2 + unknown`, exact. Counted from the read's start, a chunk of rows
 * a few days long stays a small integer, which V8 keeps unboxed (epoch ms × 2 would be a heap number
 * per row, millions of them for a long report).
 */
export const SERIES_COLUMNS_SQL = {
  // Parameters: start, then series, from (= start), to, limit.
  timeAndUnknown: `SELECT (at - ?) * 2 + (status = ${statusToCode('unknown')}) ${SERIES_RANGE} ORDER BY at LIMIT ?`,
  values: `SELECT value ${SERIES_RANGE} ORDER BY at`,
  // Columns of the right size from the start: no copy as they fill, none wasted when handed over.
  count: `SELECT count(*) ${SERIES_RANGE}`,
} as const;

const OUTBOX_COLUMNS =
  'id, receiver, dedup_key, event, payload, created_at, attempts, next_attempt_at, status, last_error';

/** Every statement, prepared once per connection. */
function prepareStatements(db: Database.Database) {
  return {
    findSeries: db.prepare<
      [string, string],
      { id: number; reason_dictionary: Buffer; hourly_through: number }
    >('SELECT id, reason_dictionary, hourly_through FROM series WHERE spec_id = ? AND metric = ?'),
    insertSeries: db.prepare<[string, string, Buffer]>(
      'INSERT INTO series (spec_id, metric, reason_dictionary) VALUES (?, ?, ?)',
    ),
    seriesDictionary: db.prepare<[number], { reason_dictionary: Buffer }>(
      'SELECT reason_dictionary FROM series WHERE id = ?',
    ),
    allSeries: db.prepare<[], { id: number; spec_id: string; metric: string }>(
      'SELECT id, spec_id, metric FROM series ORDER BY spec_id, metric',
    ),
    insertMeasurement: db.prepare<[number, number, number | null, number | null, number, string | Buffer]>(
      `INSERT INTO measurements (series_id, at, value, slo, status, reason) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_id, at) DO NOTHING`,
    ),
    measurementsOfSpec: db.prepare<[string, number, number], MeasurementDbRow>(
      `SELECT ${MEASUREMENT_COLUMNS} FROM series s JOIN measurements m ON m.series_id = s.id
       WHERE s.spec_id = ? AND m.at >= ? AND m.at < ? ORDER BY m.at, s.metric`,
    ),
    measurementsOfMetric: db.prepare<[string, string, number, number], MeasurementDbRow>(
      `SELECT ${MEASUREMENT_COLUMNS} FROM series s JOIN measurements m ON m.series_id = s.id
       WHERE s.spec_id = ? AND s.metric = ? AND m.at >= ? AND m.at < ? ORDER BY m.at`,
    ),
    // One index probe per series (the primary key is series, time), not a scan of the spec's rows.
    firstOfSpec: db.prepare<[string], { at: number | null }>(
      `SELECT min((SELECT min(at) FROM measurements WHERE series_id = s.id)) AS at
       FROM series s WHERE s.spec_id = ?`,
    ),
    latestOfSpec: db.prepare<[string], MeasurementDbRow>(
      `SELECT ${MEASUREMENT_COLUMNS} FROM series s JOIN measurements m ON m.series_id = s.id
       WHERE s.spec_id = ? AND m.at = (SELECT max(at) FROM measurements WHERE series_id = s.id)
       ORDER BY s.metric`,
    ),
    deleteMeasurementsBefore: db.prepare<[number, number]>(
      'DELETE FROM measurements WHERE series_id = ? AND at < ?',
    ),
    countMeasurements: db.prepare<[], number>('SELECT count(*) FROM measurements').pluck(),
    samplesOfSeries: db.prepare<[number, number, number, number], SampleDbRow>(HISTORY_SQL.samples),
    timeAndUnknownOfSeries: db
      .prepare<[number, number, number, number, number], number>(SERIES_COLUMNS_SQL.timeAndUnknown)
      .pluck(),
    valuesOfSeries: db.prepare<[number, number, number], number | null>(SERIES_COLUMNS_SQL.values).pluck(),
    countOfSeries: db.prepare<[number, number, number], number>(SERIES_COLUMNS_SQL.count).pluck(),
    bucketLow: db.prepare<[number, number, number], BucketDbRow>(HISTORY_SQL.bucketLow),
    bucketHigh: db.prepare<[number, number, number], { high: number | null; high_at: number | null }>(
      HISTORY_SQL.bucketHigh,
    ),
    bucketFirstGap: db.prepare<[number, number, number], number>(HISTORY_SQL.bucketFirstGap).pluck(),
    summarizeHours: db.prepare<[number, number, number]>(HOURLY_SQL.summarize),
    summarizeHigh: db.prepare<[number, number, number, number]>(HOURLY_SQL.high),
    summarizeFirstGap: db.prepare<[number, number, number, number]>(HOURLY_SQL.firstGap),
    hourlyOfSeries: db.prepare<[number, number, number], HourlyDbRow>(HOURLY_SQL.read),
    deleteHourlyBefore: db.prepare<[number, number]>('DELETE FROM hourly WHERE series_id = ? AND hour < ?'),
    hourColumnsOfSeries: db.prepare<[number, number, number], { hour: number; columns: Buffer }>(
      'SELECT hour, columns FROM hour_columns WHERE series_id = ? AND hour >= ? AND hour < ? ORDER BY hour',
    ),
    insertHourColumns: db.prepare<[number, number, Buffer]>(
      'INSERT OR REPLACE INTO hour_columns (series_id, hour, columns) VALUES (?, ?, ?)',
    ),
    deleteHourColumnsBefore: db.prepare<[number, number]>(
      'DELETE FROM hour_columns WHERE series_id = ? AND hour < ?',
    ),
    deleteHourColumnsFrom: db.prepare<[number, number, number]>(
      'DELETE FROM hour_columns WHERE series_id = ? AND hour >= ? AND hour < ?',
    ),
    deleteHourlyFrom: db.prepare<[number, number, number]>(
      'DELETE FROM hourly WHERE series_id = ? AND hour >= ? AND hour < ?',
    ),
    hourlyThrough: db.prepare<[number], number>('SELECT hourly_through FROM series WHERE id = ?').pluck(),
    setHourlyThrough: db.prepare<[number, number]>('UPDATE series SET hourly_through = ? WHERE id = ?'),
    lastMeasurementOf: db
      .prepare<[number], number | null>('SELECT max(at) FROM measurements WHERE series_id = ?')
      .pluck(),
    firstMeasurementOf: db
      .prepare<[number], number | null>('SELECT min(at) FROM measurements WHERE series_id = ?')
      .pluck(),
    upsertAlertState: db.prepare<[AlertStateDbRow & { updated_at: number }]>(
      `INSERT INTO alert_states (spec_id, metric, kind, phase, since, bad_cycles, good_cycles, good_since,
         episode_id, fired_at, last_notified_at, severity, worst_value, updated_at)
       VALUES (@spec_id, @metric, @kind, @phase, @since, @bad_cycles, @good_cycles, @good_since,
         @episode_id, @fired_at, @last_notified_at, @severity, @worst_value, @updated_at)
       ON CONFLICT (spec_id, metric, kind) DO UPDATE SET
         phase = excluded.phase, since = excluded.since, bad_cycles = excluded.bad_cycles,
         good_cycles = excluded.good_cycles, good_since = excluded.good_since,
         episode_id = excluded.episode_id, fired_at = excluded.fired_at,
         last_notified_at = excluded.last_notified_at, severity = excluded.severity,
         worst_value = excluded.worst_value, updated_at = excluded.updated_at`,
    ),
    allAlertStates: db.prepare<[], AlertStateDbRow>(
      `SELECT spec_id, metric, kind, phase, since, bad_cycles, good_cycles, good_since, episode_id,
         fired_at, last_notified_at, severity, worst_value
       FROM alert_states ORDER BY spec_id, metric, kind`,
    ),
    enqueue: db.prepare<[string, string, string, string, string, number, number]>(
      `INSERT INTO outbox (idempotency_key, receiver, dedup_key, event, payload, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
    ),
    // FIFO per (receiver, dedup_key): an entry waits while an older one of the same alert is still
    // pending, so a resolve is never delivered before the trigger it resolves.
    due: db.prepare<[number, number], OutboxDbRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox o
       WHERE o.status = 'pending' AND o.next_attempt_at <= ?
         AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.status = 'pending' AND p.receiver = o.receiver
                         AND p.dedup_key = o.dedup_key AND p.id < o.id)
       ORDER BY o.id LIMIT ?`,
    ),
    markDelivered: db.prepare<[{ id: number; at: number }]>(
      `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_attempt_at = @at, finished_at = @at
       WHERE id = @id AND status = 'pending'`,
    ),
    markFailed: db.prepare<[{ id: number; error: string; at: number; next: number | null }]>(
      `UPDATE outbox SET attempts = attempts + 1, last_error = @error, last_attempt_at = @at,
         next_attempt_at = coalesce(@next, next_attempt_at),
         status = CASE WHEN @next IS NULL THEN 'dead' ELSE 'pending' END,
         finished_at = CASE WHEN @next IS NULL THEN @at ELSE NULL END
       WHERE id = @id AND status = 'pending'`,
    ),
    headOfChain: db.prepare<[string, string], OutboxDbRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE status = 'pending' AND receiver = ? AND dedup_key = ?
       ORDER BY id LIMIT 1`,
    ),
    markSuperseded: db.prepare<[{ id: number; why: string; at: number }]>(
      `UPDATE outbox SET status = 'superseded', last_error = @why, finished_at = @at
       WHERE id = @id AND status = 'pending'`,
    ),
    expedite: db.prepare<[{ receiver: string; now: number }]>(
      `UPDATE outbox SET next_attempt_at = @now
       WHERE status = 'pending' AND receiver = @receiver AND next_attempt_at > @now`,
    ),
    oldestPending: db
      .prepare<[string, string], number | null>(
        "SELECT min(id) FROM outbox WHERE status = 'pending' AND receiver = ? AND dedup_key = ?",
      )
      .pluck(),
    countOutbox: db.prepare<[string], number>('SELECT count(*) FROM outbox WHERE status = ?').pluck(),
    outboxAll: db.prepare<[], OutboxDbRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox ORDER BY id`),
    outboxByStatus: db.prepare<[string], OutboxDbRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE status = ? ORDER BY id`,
    ),
    deleteFinishedOutbox: db.prepare<[number]>(
      "DELETE FROM outbox WHERE status <> 'pending' AND finished_at < ?",
    ),
    readLock: db.prepare<[], LockDbRow>('SELECT pid, host, started_at, heartbeat_at FROM lock WHERE id = 1'),
    writeLock: db.prepare<[number, string, number, number]>(
      `INSERT INTO lock (id, pid, host, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
    ),
    heartbeat: db.prepare<[number, number, string]>(
      'UPDATE lock SET heartbeat_at = ? WHERE id = 1 AND pid = ? AND host = ?',
    ),
    releaseLock: db.prepare<[number, string]>('DELETE FROM lock WHERE id = 1 AND pid = ? AND host = ?'),
    insertCycle: db.prepare<[number, number, number, string | null]>(
      'INSERT INTO cycles (started_at, duration_ms, slow, error) VALUES (?, ?, ?, ?)',
    ),
    recentCycles: db.prepare<[number], CycleDbRow>(
      'SELECT started_at, duration_ms, slow, error FROM cycles ORDER BY started_at DESC, id DESC LIMIT ?',
    ),
    deleteCyclesBefore: db.prepare<[number]>('DELETE FROM cycles WHERE started_at < ?'),
  };
}

/**
 * The daemon's embedded state: measurement history, alert states, the notification outbox, the
 * single-daemon lock and the cycle log. Synchronous; one instance per process and file.
 */
export class Store implements OutboxRepository, OutboxDraining {
  readonly file: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** Series known to exist in the database, by `seriesKey`. */
  private readonly seriesByKey = new Map<string, SeriesEntry>();
  /** Reason dictionaries by series id, for reads. Series are never deleted, so entries never go stale. */
  private readonly dictionaryById = new Map<number, Buffer | null>();
  private lockOwner: LockOwner | null = null;
  /** The file this connection writes, as opened: a file deleted or replaced under it is detected. */
  private readonly identity: { dev: number; ino: number } | null;
  private readonly commitTransaction: Database.Transaction<(commit: CycleCommit) => { enqueued: number }>;

  /** Use `openStore`, which configures and migrates the connection first. */
  constructor(db: Database.Database, file: string, readonly: boolean) {
    this.db = db;
    this.file = file;
    this.readonly = readonly;
    this.sql = prepareStatements(db);
    this.identity = fileIdentity(file);
    this.commitTransaction = db.transaction((commit: CycleCommit) => this.writeCycle(commit));
  }

  // ---- lock -------------------------------------------------------------------------------------

  /**
   * Claims the database for one daemon, or throws UserError 'locked' naming the holder.
   * `now` (default: `owner.startedAt`) judges the heartbeat of a holder on another host.
   */
  acquireLock(owner: LockOwner, now: Date = owner.startedAt): void {
    this.requireWritable();
    const claim = this.db.transaction(() => {
      const holder = this.lockHolder();
      const decision = decideLock(holder, owner, now, isProcessAlive);
      if (!decision.take) throw lockedError(this.file, holder!, decision);
      this.sql.writeLock.run(owner.pid, owner.host, toMs(owner.startedAt), toMs(now));
    });
    claim.immediate();
    this.lockOwner = owner;
  }

  /** Proves the holder is alive to daemons on other hosts; throws UserError 'locked' if the lock was lost. */
  heartbeat(at: Date): void {
    const owner = this.requireLockOwner();
    if (this.sql.heartbeat.run(toMs(at), owner.pid, owner.host).changes === 1) return;
    this.lockOwner = null;
    const holder = this.lockHolder();
    const now = holder ? `; it is now held by pid ${holder.pid} on host ${holder.host}` : '';
    throw new UserError('locked', `lost the lock on database ${this.file}${now}`, {
      hint: 'another daemon took over after this one looked dead (heartbeat older than 2 minutes); stop one of them',
    });
  }

  releaseLock(): void {
    if (this.lockOwner === null) return;
    this.sql.releaseLock.run(this.lockOwner.pid, this.lockOwner.host);
    this.lockOwner = null;
  }

  /** Who holds the lock, if anyone (for status output). */
  lockHolder(): LockHolder | null {
    const row = this.sql.readLock.get();
    if (row === undefined) return null;
    return {
      pid: row.pid,
      host: row.host,
      startedAt: fromMs(row.started_at),
      heartbeatAt: fromMs(row.heartbeat_at),
    };
  }

  // ---- cycles -----------------------------------------------------------------------------------

  /**
   * Commits one cycle atomically: measurements, changed alert states and the notifications they
   * caused, in ONE transaction. Notifications whose idempotency key is already in the outbox are
   * skipped, so a replayed cycle enqueues nothing twice. Returns how many were enqueued.
   */
  commitCycle(commit: CycleCommit): { enqueued: number } {
    this.requireWritable();
    try {
      return this.commitTransaction.immediate(commit);
    } catch (error) {
      // Series created inside the rolled-back transaction do not exist: forget what was cached.
      this.seriesByKey.clear();
      this.dictionaryById.clear();
      throw error;
    }
  }

  private writeCycle(commit: CycleCommit): { enqueued: number } {
    for (const row of commit.measurements) {
      const series = this.seriesFor(row.specId, row.metric, row.reason);
      const at = toMs(row.at);
      // A row older than the summaries (a replay into an existing database): its hour is read from
      // the rows again until housekeeping summarizes it anew. Rare; one comparison otherwise.
      if (at < series.hourlyThrough) {
        series.hourlyThrough = at - (at % HOUR_MS);
        this.sql.setHourlyThrough.run(series.hourlyThrough, series.id);
      }
      this.sql.insertMeasurement.run(
        series.id,
        at,
        row.value,
        row.slo,
        statusToCode(row.status),
        encodeReason(row.reason, series.dictionary),
      );
    }
    const updatedAt = toMs(commit.at);
    for (const state of commit.alertStates) {
      this.sql.upsertAlertState.run({ ...alertStateToRow(state), updated_at: updatedAt });
    }
    let enqueued = 0;
    for (const n of commit.notifications) {
      const payload = JSON.stringify(n.payload);
      enqueued += this.sql.enqueue.run(
        n.idempotencyKey,
        n.receiver,
        n.dedupKey,
        n.event,
        payload,
        updatedAt,
        updatedAt,
      ).changes;
    }
    return { enqueued };
  }

  /** Logs one daemon cycle (shown on the status page; slow cycles explain gaps in history). */
  recordCycle(cycle: CycleRecord): void {
    this.requireWritable();
    this.sql.insertCycle.run(
      toMs(cycle.startedAt),
      Math.max(0, Math.round(cycle.durationMs)),
      cycle.slow ? 1 : 0,
      cycle.error,
    );
  }

  /** The latest cycles, newest first. */
  recentCycles(limit: number): CycleRecord[] {
    return this.sql.recentCycles.all(limit).map((row) => ({
      startedAt: fromMs(row.started_at),
      durationMs: row.duration_ms,
      slow: row.slow === 1,
      error: row.error,
    }));
  }

  // ---- history ----------------------------------------------------------------------------------

  /**
   * Measurements of a spec (or one of its metrics) with from <= at < to, by time then metric.
   * `withReasons: false` leaves `reason` empty: decoding reasons is most of the cost of a long read,
   * and reports and charts do not need them.
   */
  measurements(query: MeasurementQuery, options: { withReasons?: boolean } = {}): MeasurementRow[] {
    const from = toMs(query.from);
    const to = toMs(query.to);
    const rows =
      query.metric === undefined
        ? this.sql.measurementsOfSpec.all(query.specId, from, to)
        : this.sql.measurementsOfMetric.all(query.specId, query.metric, from, to);
    if (options.withReasons === false) {
      return rows.map((row) => ({
        at: fromMs(row.at),
        specId: query.specId,
        metric: row.metric,
        value: row.value,
        slo: row.slo,
        status: codeToStatus(row.status),
        reason: '',
      }));
    }
    return rows.map((row) => this.toMeasurement(query.specId, row));
  }

  /** The last measurement of each metric of a spec, by metric name. */
  latestMeasurements(specId: string): MeasurementRow[] {
    return this.sql.latestOfSpec.all(specId).map((row) => this.toMeasurement(specId, row));
  }

  /** When the spec was first measured (kept history), or null; reports start there. */
  firstMeasurementAt(specId: string): Date | null {
    const row = this.sql.firstOfSpec.get(specId);
    return row?.at == null ? null : fromMs(row.at);
  }

  /**
   * One series over [from, to) reduced in SQL to at most `maxPoints` samples, oldest first, for a
   * chart. A series of at most `maxPoints` rows comes back as it is. A longer one is cut into
   * `floor(maxPoints / 3)` equal time buckets, and each bucket gives its lowest and its highest value
   * (so a spike survives) and its first unknown row (so a gap stays visible), each at its real time
   * and with the worst status of the bucket (so a short breach is still shaded).
   *
   * Each bucket is read as one or more ranges of the primary key (series_id, at): no sort, no
   * temporary table, and the rows never reach JavaScript. A read covers about `rowsPerRead` rows
   * (judged from the density of the range's first rows), and the generator yields after each (an
   * empty chunk when a bucket is not complete yet), so a caller on the event loop can let other work
   * in between reads of a long series.
   */
  *downsampledHistory(
    range: SeriesRange,
    maxPoints: number,
    rowsPerRead = HISTORY_ROWS_PER_READ,
  ): Generator<HistorySample[], void, undefined> {
    if (!Number.isInteger(maxPoints) || maxPoints < 3) throw new Error('maxPoints must be an integer >= 3');
    const series = this.sql.findSeries.get(range.specId, range.metric);
    const from = toMs(range.from);
    const to = toMs(range.to);
    if (!series || to <= from) return;
    const rows = this.sql.samplesOfSeries.all(series.id, from, to, maxPoints + 1);
    if (rows.length <= maxPoints) {
      yield rows.map((row) => sample(row.at, row.value, codeToStatus(row.status)));
      return;
    }
    const layout = bucketLayout(from, to, Math.floor(maxPoints / 3));
    const rowsPerMs = rows.length / (rows[rows.length - 1]!.at - rows[0]!.at + 1);
    const reads = Math.min(
      MAX_READS_PER_BUCKET,
      Math.max(1, Math.ceil((layout.width * rowsPerMs) / Math.max(1, rowsPerRead))),
    );
    const readWidth = Math.ceil(layout.width / reads);
    const through = this.sql.hourlyThrough.get(series.id) ?? 0;
    for (let bucketStart = layout.start; bucketStart < to; bucketStart += layout.width) {
      const start = Math.max(from, bucketStart);
      const end = Math.min(to, bucketStart + layout.width);
      const bucket = new BucketSummary();
      // Whole hours already summarized come from `hourly`; the rest (the range's first and last
      // partial hours, and what housekeeping has not summarized yet) from the rows, in time order.
      const firstHour = Math.ceil(start / HOUR_MS) * HOUR_MS;
      const lastHour = Math.min(Math.floor(end / HOUR_MS) * HOUR_MS, through);
      const summarized = lastHour > firstHour;
      const segments: [number, number][] = summarized
        ? [
            [start, firstHour],
            [lastHour, end],
          ]
        : [[start, end]];
      for (const [index, [segmentStart, segmentEnd]] of segments.entries()) {
        if (summarized && index === 1) {
          for (const hour of this.sql.hourlyOfSeries.all(series.id, firstHour, lastHour)) {
            bucket.add(hour);
          }
        }
        for (let part = segmentStart; part < segmentEnd; part += readWidth) {
          const partEnd = Math.min(segmentEnd, part + readWidth);
          this.summarize(bucket, series.id, part, partEnd);
          if (partEnd < end) yield [];
        }
      }
      const points = bucket.samples();
      if (points.length > 0) yield points;
    }
  }

  /**
   * Builds the hourly summaries of every series for the whole hours before `before`, six hours
   * per transaction, yielding after each so a caller on the event loop can pause; what it summarized
   * is kept even if it stops early. Returns (as the generator's value) how many hours it summarized.
   * Only hours ending before the series' last row are summarized: a later row can still arrive in
   * the hour being measured.
   */
  *summarizeHours(before: Date): Generator<void, number, undefined> {
    this.requireWritable();
    const limit = toMs(before) - (toMs(before) % HOUR_MS);
    let hours = 0;
    for (const { id } of this.sql.allSeries.all()) {
      for (;;) {
        const step = this.db.transaction((): number => {
          const through = this.sql.hourlyThrough.get(id) ?? 0;
          const last = this.sql.lastMeasurementOf.get(id);
          if (last === null || last === undefined) return 0;
          const end = Math.min(limit, last - (last % HOUR_MS));
          // The first summary starts at the series' first hour, not at 1970.
          const first = through > 0 ? through : (this.sql.firstMeasurementOf.get(id) ?? end);
          const start = first - (first % HOUR_MS);
          if (start >= end) return 0;
          const stepEnd = Math.min(end, start + HOURS_PER_SUMMARY_STEP * HOUR_MS);
          this.rebuildHours(id, start, stepEnd);
          this.sql.setHourlyThrough.run(stepEnd, id);
          this.rememberHourlyThrough(id, stepEnd);
          return (stepEnd - start) / HOUR_MS;
        });
        const done = step.immediate();
        if (done === 0) break;
        hours += done;
        yield;
      }
    }
    return hours;
  }

  /**
   * Replaces the hourly summaries and the hour columns of [from, to), whole hours, with what the rows
   * say now.
   */
  private rebuildHours(seriesId: number, from: number, to: number): void {
    this.sql.deleteHourlyFrom.run(seriesId, from, to);
    this.sql.summarizeHours.run(seriesId, from, to);
    this.sql.summarizeHigh.run(seriesId, from, to, seriesId);
    this.sql.summarizeFirstGap.run(seriesId, from, to, seriesId);
    this.sql.deleteHourColumnsFrom.run(seriesId, from, to);
    const rows = this.appendRows(emptyColumns(), seriesId, from, to, HISTORY_ROWS_PER_READ);
    for (let start = 0; start < rows.length; ) {
      const hour = rows.at[start]! - (rows.at[start]! % HOUR_MS);
      let end = start + 1;
      while (end < rows.length && rows.at[end]! < hour + HOUR_MS) end++;
      this.sql.insertHourColumns.run(seriesId, hour, encodeHour(rows, start, end, hour));
      start = end;
    }
  }

  private rememberHourlyThrough(seriesId: number, through: number): void {
    for (const entry of this.seriesByKey.values()) {
      if (entry.id === seriesId) entry.hourlyThrough = through;
    }
  }

  /**
   * One series over [from, to) as columns, oldest first, for reports over long periods: no object,
   * Date or reason per row (a 30-day report of 100 one-minute series reads 4.32 M rows). Empty
   * columns for a series never measured.
   */
  seriesColumns(range: SeriesRange, rowsPerRead = HISTORY_ROWS_PER_READ): SeriesColumns {
    const series = this.sql.findSeries.get(range.specId, range.metric);
    const from = toMs(range.from);
    const to = toMs(range.to);
    let columns = emptyColumns();
    if (!series || to <= from) return columns;
    // One transaction: the rows, the hour columns and hourly_through seen together, even with a
    // daemon writing meanwhile.
    const read = this.db.transaction(() => {
      // Whole hours before hourly_through come from their blobs; the range's partial first and last
      // hours, what housekeeping has not summarized yet and any blob that does not decode, from the rows.
      const through = this.sql.hourlyThrough.get(series.id) ?? 0;
      const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
      const lastHour = Math.min(Math.floor(to / HOUR_MS) * HOUR_MS, through);
      if (lastHour <= firstHour) {
        columns = withRoom(columns, this.sql.countOfSeries.get(series.id, from, to) ?? 0);
        columns = this.appendRows(columns, series.id, from, to, rowsPerRead);
        return;
      }
      const hours = this.sql.hourColumnsOfSeries.all(series.id, firstHour, lastHour);
      let rows =
        (this.sql.countOfSeries.get(series.id, from, firstHour) ?? 0) +
        (this.sql.countOfSeries.get(series.id, lastHour, to) ?? 0);
      const counts = hours.map(({ columns: blob }) => hourRowCount(blob));
      for (const count of counts) rows += count ?? 0;
      // Columns of the right size from the start: no copy as they fill, none wasted when handed over.
      columns = withRoom(columns, rows);
      columns = this.appendRows(columns, series.id, from, firstHour, rowsPerRead);
      for (const [index, { hour, columns: blob }] of hours.entries()) {
        const count = counts[index] ?? null;
        if (count === null) {
          columns = this.appendRows(columns, series.id, hour, hour + HOUR_MS, rowsPerRead);
          continue;
        }
        columns = withRoom(columns, count);
        decodeHourInto(blob, hour, columns, columns.length);
        columns.length += count;
      }
      columns = this.appendRows(columns, series.id, lastHour, to, rowsPerRead);
    });
    read.deferred();
    return {
      length: columns.length,
      at: columns.at.subarray(0, columns.length),
      value: columns.value.subarray(0, columns.length),
      unknown: columns.unknown.subarray(0, columns.length),
    };
  }

  /**
   * Appends the rows of [from, to) to `columns`, in time order, read in chunks of `rowsPerRead`:
   * short-lived arrays of a few thousand numbers cost the garbage collector little, one array of a
   * whole month would survive into the old generation. Returns the columns (grown when needed).
   */
  private appendRows(
    into: SeriesColumns,
    seriesId: number,
    from: number,
    to: number,
    rowsPerRead: number,
  ): SeriesColumns {
    let columns = into;
    let start = from;
    while (start < to) {
      const times = this.sql.timeAndUnknownOfSeries.all(start, seriesId, start, to, rowsPerRead);
      if (times.length === 0) break;
      const last = start + Math.floor(times[times.length - 1]! / 2);
      const values = this.sql.valuesOfSeries.all(seriesId, start, last + 1);
      columns = withRoom(columns, times.length);
      const { at, value, unknown } = columns;
      let i = columns.length;
      for (let k = 0; k < times.length; k++, i++) {
        const packed = times[k]!;
        const flag = packed & 1; // ToInt32 keeps the parity of any integer
        at[i] = start + (packed - flag) / 2;
        unknown[i] = flag;
        value[i] = values[k] ?? Number.NaN;
      }
      columns.length = i;
      if (times.length < rowsPerRead) break;
      start = last + 1;
    }
    return columns;
  }

  /** Every (spec, metric) that has ever been measured. */
  series(): SeriesKey[] {
    return this.sql.allSeries.all().map((row) => ({ specId: row.spec_id, metric: row.metric }));
  }

  // ---- alert state ------------------------------------------------------------------------------

  loadAlertStates(): AlertState[] {
    return this.sql.allAlertStates.all().map(rowToAlertState);
  }

  // ---- outbox -----------------------------------------------------------------------------------

  due(now: Date, limit: number): OutboxEntry[] {
    return this.sql.due.all(toMs(now), limit).map(rowToOutboxEntry);
  }

  /** Ignored unless the entry is pending, so a late or repeated call cannot rewrite history. */
  markDelivered(id: number, at: Date): void {
    this.requireWritable();
    this.sql.markDelivered.run({ id, at: toMs(at) });
  }

  /** attempts + 1; `nextAttemptAt` null = dead letter. Ignored unless the entry is pending. */
  markFailed(id: number, error: string, at: Date, nextAttemptAt: Date | null): void {
    this.requireWritable();
    this.sql.markFailed.run({ id, error: boundError(error), at: toMs(at), next: toMsOrNull(nextAttemptAt) });
  }

  /**
   * The oldest pending entry of one alert for one receiver, due or not (null when none): lets
   * delivery hold back later entries of that alert (the `OutboxOrdering` capability of src/alerting).
   */
  oldestPendingId(receiver: string, dedupKey: string): number | null {
    return this.sql.oldestPending.get(receiver, dedupKey) ?? null;
  }

  /** The oldest pending entry of one alert for one receiver, when it is due (`OutboxDraining`). */
  nextDue(receiver: string, dedupKey: string, now: Date): OutboxEntry | null {
    const row = this.sql.headOfChain.get(receiver, dedupKey);
    return row !== undefined && row.next_attempt_at <= toMs(now) ? rowToOutboxEntry(row) : null;
  }

  /** Every pending entry, oldest first, due or not. */
  pending(): OutboxEntry[] {
    return this.outbox({ status: 'pending' });
  }

  /** A pending entry that a later one of the same alert makes unnecessary; ignored unless pending. */
  markSuperseded(id: number, byId: number, at: Date): void {
    this.requireWritable();
    this.sql.markSuperseded.run({ id, why: `superseded by #${byId}`, at: toMs(at) });
  }

  /** The receiver answered again: its entries waiting for a retry become due at `now`. */
  expedite(receiver: string, now: Date): number {
    this.requireWritable();
    return this.sql.expedite.run({ receiver, now: toMs(now) }).changes;
  }

  depth(): number {
    return this.sql.countOutbox.get('pending')!;
  }

  /** Outbox entries in creation order, optionally of one status. */
  outbox(filter: OutboxFilter = {}): OutboxEntry[] {
    const rows =
      filter.status === undefined ? this.sql.outboxAll.all() : this.sql.outboxByStatus.all(filter.status);
    return rows.map(rowToOutboxEntry);
  }

  // ---- housekeeping -----------------------------------------------------------------------------

  /**
   * Deletes measurements and cycle records older than `before`, and delivered or dead outbox
   * entries that finished before it. Pending entries are never deleted.
   */
  prune(before: Date): PruneResult {
    this.requireWritable();
    const cutoff = toMs(before);
    const run = this.db.transaction((): PruneResult => {
      let measurements = 0;
      // Per series: each delete is a range of the primary key instead of a scan of the table.
      for (const series of this.sql.allSeries.all()) {
        measurements += this.sql.deleteMeasurementsBefore.run(series.id, cutoff).changes;
        // Summaries go with their rows; the hour the cutoff falls in is summarized again from what is left.
        const cutHour = cutoff - (cutoff % HOUR_MS);
        this.sql.deleteHourlyBefore.run(series.id, cutHour);
        this.sql.deleteHourColumnsBefore.run(series.id, cutHour);
        if (cutHour < cutoff && cutHour < (this.sql.hourlyThrough.get(series.id) ?? 0)) {
          this.rebuildHours(series.id, cutHour, cutHour + HOUR_MS);
        }
      }
      const outbox = this.sql.deleteFinishedOutbox.run(cutoff).changes;
      const cycles = this.sql.deleteCyclesBefore.run(cutoff).changes;
      return { measurements, outbox, cycles };
    });
    return run.immediate();
  }

  stats(): StoreStats {
    return {
      measurements: this.sql.countMeasurements.get()!,
      outboxPending: this.sql.countOutbox.get('pending')!,
      outboxDead: this.sql.countOutbox.get('dead')!,
      sizeBytes: fileSize(this.file) + fileSize(`${this.file}-wal`),
    };
  }

  /** Moves the write-ahead log into the database file and truncates it (before measuring size, or backups). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Throws UserError 'database_lost' when the path no longer names the file this connection writes:
   * deleted (the connection would go on writing to an unlinked file, and its lock row with it) or
   * replaced. A daemon checks this before each cycle and delivery.
   */
  requireSameFile(): void {
    if (this.identity === null) return;
    const now = fileIdentity(this.file);
    if (now !== null && now.dev === this.identity.dev && now.ino === this.identity.ino) return;
    this.lockOwner = null; // the lock row went with the old file
    throw new UserError(
      'database_lost',
      now === null
        ? `database ${this.file} was deleted while the daemon was using it`
        : `database ${this.file} was replaced by another file while the daemon was using it`,
      {
        hint: 'start the daemon again: it opens the file now at that path (or creates a new one); restore the old file first to keep its history and alert states',
      },
    );
  }

  /**
   * Releases the lock if this store holds it, then closes the connection. Safe to call twice, and on
   * a damaged file (the release is then skipped: a later daemon takes over a dead process's lock).
   */
  close(): void {
    if (!this.db.open) return;
    try {
      this.releaseLock();
    } catch (error) {
      if (!isDamagedDatabaseError(error)) throw error;
    } finally {
      this.db.close();
    }
  }

  // ---- internals --------------------------------------------------------------------------------

  private requireWritable(): void {
    if (this.readonly) throw new Error(`store ${this.file} was opened read-only`);
  }

  private requireLockOwner(): LockOwner {
    if (this.lockOwner === null) throw new Error('heartbeat() before acquireLock()');
    return this.lockOwner;
  }

  /** Finds or creates a series; the first reason seen becomes its compression dictionary. */
  private seriesFor(specId: string, metric: string, firstReason: string): SeriesEntry {
    const key = seriesKey(specId, metric);
    const cached = this.seriesByKey.get(key);
    if (cached) return cached;
    const found = this.sql.findSeries.get(specId, metric);
    let entry: SeriesEntry;
    if (found) {
      entry = {
        id: found.id,
        dictionary: nonEmpty(found.reason_dictionary),
        hourlyThrough: found.hourly_through,
      };
    } else {
      const dictionary = Buffer.from(firstReason, 'utf8');
      const id = Number(this.sql.insertSeries.run(specId, metric, dictionary).lastInsertRowid);
      entry = { id, dictionary: nonEmpty(dictionary), hourlyThrough: 0 };
    }
    this.seriesByKey.set(key, entry);
    return entry;
  }

  /** Adds the rows of [from, to), which follow every row already in `bucket`, to its summary. */
  private summarize(bucket: BucketSummary, seriesId: number, from: number, to: number): void {
    const part = this.sql.bucketLow.get(seriesId, from, to);
    if (!part || part.count === 0) return;
    bucket.breached += part.breached ?? 0;
    bucket.unknown += part.unknown ?? 0;
    if (part.low !== null && part.low_at !== null) {
      // Strictly lower or higher only: on a tie the earlier row, already kept, stays.
      if (bucket.low === null || part.low < bucket.low.value!)
        bucket.low = { at: part.low_at, value: part.low };
      const high = this.sql.bucketHigh.get(seriesId, from, to);
      if (high && high.high !== null && high.high_at !== null) {
        if (bucket.high === null || high.high > bucket.high.value!) {
          bucket.high = { at: high.high_at, value: high.high };
        }
      }
    }
    if (part.gaps > 0 && bucket.firstGap === null) {
      bucket.firstGap = this.sql.bucketFirstGap.get(seriesId, from, to) ?? null;
    }
  }

  private dictionaryOf(seriesId: number): Buffer | null {
    if (this.dictionaryById.has(seriesId)) return this.dictionaryById.get(seriesId)!;
    const row = this.sql.seriesDictionary.get(seriesId);
    const dictionary = row ? nonEmpty(row.reason_dictionary) : null;
    this.dictionaryById.set(seriesId, dictionary);
    return dictionary;
  }

  private toMeasurement(specId: string, row: MeasurementDbRow): MeasurementRow {
    return {
      at: fromMs(row.at),
      specId,
      metric: row.metric,
      value: row.value,
      slo: row.slo,
      status: codeToStatus(row.status),
      reason: decodeReason(
        row.reason,
        typeof row.reason === 'string' ? null : this.dictionaryOf(row.series_id),
      ),
    };
  }
}

/**
 * The buckets of a downsampled read: `count` at most, equal width, from `start` (the first may begin
 * before `from`; it is cut there). A bucket an hour wide or wider starts on a UTC hour and spans whole
 * hours, so it can be read from the hourly summaries except at the range's two ends.
 */
export function bucketLayout(from: number, to: number, count: number): { start: number; width: number } {
  const width = Math.ceil((to - from) / count);
  if (width < HOUR_MS) return { start: from, width };
  const start = from - (from % HOUR_MS);
  return { start, width: Math.ceil((to - start) / count / HOUR_MS) * HOUR_MS };
}

/** What a bucket of a downsampled series keeps while its rows are read, one range after another. */
class BucketSummary {
  breached = 0;
  unknown = 0;
  low: { at: number; value: number } | null = null;
  high: { at: number; value: number } | null = null;
  firstGap: number | null = null;

  /** Adds an hourly summary, which follows every row already in the bucket. */
  add(hour: HourlyDbRow): void {
    this.breached += hour.breached;
    this.unknown += hour.unknown;
    // Strictly lower or higher only: on a tie the earlier row, already kept, stays.
    if (hour.low !== null && hour.low_at !== null && (this.low === null || hour.low < this.low.value)) {
      this.low = { at: hour.low_at, value: hour.low };
    }
    if (hour.high !== null && hour.high_at !== null && (this.high === null || hour.high > this.high.value)) {
      this.high = { at: hour.high_at, value: hour.high };
    }
    if (this.firstGap === null && hour.first_gap !== null) this.firstGap = hour.first_gap;
  }

  /** Its low, high and first unknown samples, in time order, with the worst status of the bucket. */
  samples(): HistorySample[] {
    const status: NfrStatus = this.breached > 0 ? 'breached' : this.unknown > 0 ? 'unknown' : 'healthy';
    const byTime = new Map<number, HistorySample>();
    for (const kept of [this.low, this.high]) {
      if (kept && !byTime.has(kept.at)) byTime.set(kept.at, sample(kept.at, kept.value, status));
    }
    if (this.firstGap !== null) byTime.set(this.firstGap, sample(this.firstGap, null, status));
    return [...byTime.values()].sort((a, b) => a.at - b.at);
  }
}

function sample(at: number, value: number | null, status: NfrStatus): HistorySample {
  return { at, value: value !== null && Number.isFinite(value) ? value : null, status };
}

function seriesKey(specId: string, metric: string): string {
  return `${specId}\u0000${metric}`;
}

function nonEmpty(buffer: Buffer): Buffer | null {
  return buffer.length === 0 ? null : buffer;
}

function fileIdentity(path: string): { dev: number; ino: number } | null {
  try {
    const info = statSync(path);
    return { dev: info.dev, ino: info.ino };
  } catch {
    return null;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function lockedError(file: string, holder: LockHolder, decision: LockDecision): UserError {
  const who = `pid ${holder.pid} on host ${holder.host}, running since ${holder.startedAt.toISOString()}`;
  const beat = `last heartbeat ${holder.heartbeatAt.toISOString()}`;
  const hint =
    decision.reason === 'fresh_heartbeat'
      ? `stop the daemon on ${holder.host}, or point storage.path elsewhere; a lock from a host that is gone expires 2 minutes after its last heartbeat`
      : `stop the other daemon (pid ${holder.pid}), or point storage.path elsewhere`;
  return new UserError('locked', `database ${file} is in use by another daemon: ${who} (${beat})`, { hint });
}

function alertStateToRow(state: AlertState): AlertStateDbRow {
  return {
    spec_id: state.specId,
    metric: state.metric,
    kind: state.kind,
    phase: state.phase,
    since: toMsOrNull(state.since),
    bad_cycles: state.badCycles,
    good_cycles: state.goodCycles,
    good_since: toMsOrNull(state.goodSince),
    episode_id: state.episodeId,
    fired_at: toMsOrNull(state.firedAt),
    last_notified_at: toMsOrNull(state.lastNotifiedAt),
    severity: state.severity,
    worst_value: state.worstValue,
  };
}

function rowToAlertState(row: AlertStateDbRow): AlertState {
  return {
    specId: row.spec_id,
    metric: row.metric,
    kind: asKind(row.kind),
    phase: asPhase(row.phase),
    since: fromMsOrNull(row.since),
    badCycles: row.bad_cycles,
    goodCycles: row.good_cycles,
    goodSince: fromMsOrNull(row.good_since),
    episodeId: row.episode_id,
    firedAt: fromMsOrNull(row.fired_at),
    lastNotifiedAt: fromMsOrNull(row.last_notified_at),
    severity: asSeverity(row.severity),
    worstValue: row.worst_value,
  };
}

function rowToOutboxEntry(row: OutboxDbRow): OutboxEntry {
  return {
    id: row.id,
    receiver: row.receiver,
    dedupKey: row.dedup_key,
    event: asEvent(row.event),
    payload: JSON.parse(row.payload) as AlertPayload,
    createdAt: fromMs(row.created_at),
    attempts: row.attempts,
    nextAttemptAt: fromMs(row.next_attempt_at),
    status: asOutboxStatus(row.status),
    lastError: row.last_error,
  };
}
