/**
 * Pure conversions between the records of `types.ts` and their stored form. No database here.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AlertEventType, AlertKind, AlertPhase, OutboxEntry } from '../alerting/types.js';
import type { Severity } from '../config/types.js';
import type { NfrStatus } from '../evaluate/types.js';

/** Status as a small integer: SQLite stores 0 and 1 in the record header alone (no payload byte). */
const STATUS_TO_CODE: Readonly<Record<NfrStatus, number>> = { healthy: 0, breached: 1, unknown: 2 };
const CODE_TO_STATUS: readonly NfrStatus[] = ['healthy', 'breached', 'unknown'];

export function statusToCode(status: NfrStatus): number {
  const code = STATUS_TO_CODE[status];
  if (code === undefined) throw new Error(`unknown measurement status ${JSON.stringify(status)}`);
  return code;
}

export function codeToStatus(code: number): NfrStatus {
  const status = CODE_TO_STATUS[code];
  if (status === undefined) throw new Error(`unknown stored measurement status code ${code}`);
  return status;
}

/** Times are stored as integer milliseconds since the epoch: exact, compact, and ordered. */
export function toMs(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new Error('cannot store an invalid Date');
  return ms;
}

export function toMsOrNull(date: Date | null): number | null {
  return date === null ? null : toMs(date);
}

export function fromMs(ms: number): Date {
  return new Date(ms);
}

export function fromMsOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/**
 * A 4 KB window and a small hash table: a reason and its dictionary fit in it, so rows come out as
 * small as with zlib's defaults (32 KB window, memLevel 8), while each row's compressor takes ~24 KB
 * instead of ~270 KB of native memory and a fifth of the time (a 1,000-NFR cycle compresses 1,000
 * rows). Any window decodes with inflate's default one, so older rows read as before.
 */
const REASON_DEFLATE = { level: 9, windowBits: 12, memLevel: 4 } as const;

/**
 * Reasons are the bulk of a measurement row (~150-300 bytes: value, target, comparator, full query,
 * provider) and differ from cycle to cycle only in the value. Each is deflated with the first reason
 * of its series as a preset dictionary, which leaves ~12 bytes. A reason that would not shrink
 * (short, or a series without a dictionary) is stored as plain text; the column is `ANY`, so the
 * stored type (TEXT or BLOB) says which.
 */
export function encodeReason(reason: string, dictionary: Buffer | null): string | Buffer {
  if (dictionary === null || dictionary.length === 0 || reason.length === 0) return reason;
  const compressed = deflateRawSync(reason, { dictionary, ...REASON_DEFLATE });
  return compressed.length < Buffer.byteLength(reason) ? compressed : reason;
}

export function decodeReason(stored: string | Buffer, dictionary: Buffer | null): string {
  if (typeof stored === 'string') return stored;
  if (dictionary === null) throw new Error('a compressed reason has no dictionary');
  return inflateRawSync(stored, { dictionary }).toString('utf8');
}

/** Errors from receivers can be long (HTML error pages); keep rows bounded. */
export const MAX_ERROR_LENGTH = 2000;

export function boundError(error: string): string {
  return error.length <= MAX_ERROR_LENGTH ? error : `${error.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

// The stored text of the enumerations is checked by CHECK constraints; these casts only narrow types.
export const asKind = (text: string): AlertKind => text as AlertKind;
export const asPhase = (text: string): AlertPhase => text as AlertPhase;
export const asSeverity = (text: string | null): Severity | null => text as Severity | null;
export const asEvent = (text: string): AlertEventType => text as AlertEventType;
export const asOutboxStatus = (text: string): OutboxEntry['status'] => text as OutboxEntry['status'];
