import type Database from 'better-sqlite3';
import { UserError } from '../common/errors.js';

export interface Migration {
  /** The `PRAGMA user_version` the database has once this migration ran. */
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/**
 * Measurements are the only table that grows, so their row is kept narrow (~45 bytes per row
 * measured, against ~300 with text keys and an index):
 * - `series` interns (spec_id, metric) as a small integer; text keys would repeat ~40 bytes per row
 *   and again in the index;
 * - WITHOUT ROWID with PRIMARY KEY (series_id, at) clusters each series' rows by time, so the
 *   primary key is the only index (a rowid table needs a second copy of the keys in an index) and a
 *   time-range read of one series is one contiguous scan;
 * - `at` is integer milliseconds, `status` a small integer;
 * - `reason` is deflated against the series' `reason_dictionary` (see codec.ts `encodeReason`).
 * A replayed cycle hits the primary key and is ignored (first write wins), like the outbox.
 */
const INITIAL_SCHEMA = `
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  spec_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  reason_dictionary BLOB NOT NULL,
  UNIQUE (spec_id, metric)
) STRICT;

CREATE TABLE measurements (
  series_id INTEGER NOT NULL REFERENCES series (id),
  at INTEGER NOT NULL,
  value REAL,
  slo REAL,
  status INTEGER NOT NULL CHECK (status IN (0, 1, 2)),
  reason ANY NOT NULL CHECK (typeof(reason) IN ('text', 'blob')),
  PRIMARY KEY (series_id, at)
) STRICT, WITHOUT ROWID;

CREATE TABLE alert_states (
  spec_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('slo', 'no_data')),
  phase TEXT NOT NULL CHECK (phase IN ('inactive', 'pending', 'firing')),
  since INTEGER,
  bad_cycles INTEGER NOT NULL CHECK (bad_cycles >= 0),
  good_cycles INTEGER NOT NULL CHECK (good_cycles >= 0),
  good_since INTEGER,
  episode_id TEXT,
  fired_at INTEGER,
  last_notified_at INTEGER,
  severity TEXT CHECK (severity IN ('SEV-1', 'SEV-2', 'SEV-3', 'SEV-4')),
  worst_value REAL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (spec_id, metric, kind)
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  receiver TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('trigger', 'reminder', 'resolve')),
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  last_error TEXT,
  last_attempt_at INTEGER,
  finished_at INTEGER,
  CHECK ((status = 'pending') = (finished_at IS NULL))
) STRICT;
CREATE INDEX outbox_pending_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_pending_chain ON outbox (receiver, dedup_key, id) WHERE status = 'pending';
CREATE INDEX outbox_finished ON outbox (finished_at) WHERE status <> 'pending';

CREATE TABLE lock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) STRICT;
`;

/** One row per daemon cycle: when it started, how long it took, whether it overran its interval. */
const CYCLES = `
CREATE TABLE cycles (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  slow INTEGER NOT NULL CHECK (slow IN (0, 1)),
  error TEXT
) STRICT;
CREATE INDEX cycles_started_at ON cycles (started_at);
`;

/**
 * Adds the `superseded` outbox status (a notification never sent because a later one of the same
 * alert carries its news). A CHECK constraint cannot be altered, so the table is rebuilt; ids and
 * the AUTOINCREMENT sequence are kept, so delivery order and idempotency keys are unchanged.
 */
function outboxSuperseded(db: Database.Database): void {
  const sequence = db
    .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
    .pluck()
    .get();
  db.exec(`
CREATE TABLE outbox_next (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  receiver TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('trigger', 'reminder', 'resolve')),
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'superseded')),
  last_error TEXT,
  last_attempt_at INTEGER,
  finished_at INTEGER,
  CHECK ((status = 'pending') = (finished_at IS NULL))
) STRICT;
INSERT INTO outbox_next (id, idempotency_key, receiver, dedup_key, event, payload, created_at, attempts,
  next_attempt_at, status, last_error, last_attempt_at, finished_at)
SELECT id, idempotency_key, receiver, dedup_key, event, payload, created_at, attempts,
  next_attempt_at, status, last_error, last_attempt_at, finished_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_pending_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_pending_chain ON outbox (receiver, dedup_key, id) WHERE status = 'pending';
CREATE INDEX outbox_finished ON outbox (finished_at) WHERE status <> 'pending';
`);
  if (sequence !== undefined) {
    db.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'").run(sequence);
  }
}

/**
 * Hourly summaries of each series, for reading long histories: per completed UTC hour the row count,
 * the breached and unknown counts, the earliest lowest and highest finite values with their times, and
 * the first row without a finite value. Built after the fact by `Store.summarizeHours` (nothing on the
 * write path); `series.hourly_through` says up to where they are complete.
 */
const HOURLY = `
CREATE TABLE hourly (
  series_id INTEGER NOT NULL REFERENCES series (id),
  hour INTEGER NOT NULL,
  count INTEGER NOT NULL,
  breached INTEGER NOT NULL,
  unknown INTEGER NOT NULL,
  low REAL,
  low_at INTEGER,
  high REAL,
  high_at INTEGER,
  first_gap INTEGER,
  PRIMARY KEY (series_id, hour)
) STRICT, WITHOUT ROWID;
ALTER TABLE series ADD COLUMN hourly_through INTEGER NOT NULL DEFAULT 0;
`;

/**
 * Each whole hour of each series as one blob of columns (hour-columns.ts), for long reads: built with the
 * hourly summaries, under the same `series.hourly_through`. A rowid table: its rows are large (a
 * WITHOUT ROWID table keeps them in the key's B-tree). Every series is summarized again from its first
 * hour, so the hours summarized before this version get their blob too.
 */
const HOUR_COLUMNS = `
CREATE TABLE hour_columns (
  series_id INTEGER NOT NULL REFERENCES series (id),
  hour INTEGER NOT NULL,
  columns BLOB NOT NULL,
  PRIMARY KEY (series_id, hour)
) STRICT;
UPDATE series SET hourly_through = 0;
`;

/**
 * Ordered; append only. A released migration is never edited: change the schema with a new one.
 * Each runs inside the upgrade transaction (so no `PRAGMA foreign_keys` or `journal_mode` here).
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', up: (db) => db.exec(INITIAL_SCHEMA) },
  { version: 2, description: 'cycles table', up: (db) => db.exec(CYCLES) },
  { version: 3, description: 'superseded outbox status', up: outboxSuperseded },
  { version: 4, description: 'hourly summaries', up: (db) => db.exec(HOURLY) },
  { version: 5, description: 'hour columns', up: (db) => db.exec(HOUR_COLUMNS) },
];

export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function newerVersionError(file: string, version: number): UserError {
  return new UserError(
    'config',
    `database ${file} was written by a newer version of smartspec-production-monitor (schema ${version}; this version knows up to ${SCHEMA_VERSION})`,
    { hint: 'upgrade smartspec-production-monitor, or point storage.path at another file' },
  );
}

/** Fails unless `db` is at exactly the schema this code uses (read-only opens cannot upgrade). */
export function requireCurrentSchema(db: Database.Database, file: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) throw newerVersionError(file, version);
  if (version < SCHEMA_VERSION) {
    throw new UserError(
      'config',
      `database ${file} has schema ${version} and needs an upgrade to ${SCHEMA_VERSION}, which a read-only open cannot do`,
      { hint: 'start the daemon (or open the store read-write) once; it upgrades the file in place' },
    );
  }
}

/**
 * Brings `db` up to SCHEMA_VERSION in one IMMEDIATE transaction: either every pending migration
 * applies, or none does. The version is read again inside the transaction, so two processes
 * opening the same old file at once do not both migrate.
 */
export function migrate(db: Database.Database, file: string): void {
  const upgrade = db.transaction(() => {
    const version = schemaVersion(db);
    if (version > SCHEMA_VERSION) throw newerVersionError(file, version);
    if (version === SCHEMA_VERSION) return;
    if (version === 0) refuseForeignDatabase(db, file);
    for (const migration of MIGRATIONS) {
      if (migration.version > version) migration.up(db);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  upgrade.immediate();
}

/** Version 0 with tables in it is some other program's database: never write our tables into it. */
function refuseForeignDatabase(db: Database.Database, file: string): void {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 5",
    )
    .all()
    .map((row) => row.name);
  if (tables.length > 0) {
    throw new UserError(
      'config',
      `${file} is not a smartspec-production-monitor database (it already has tables: ${tables.join(', ')})`,
      { hint: 'point storage.path at a new file' },
    );
  }
}
