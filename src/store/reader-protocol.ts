/**
 * The messages between the history reader threads (reader-thread.ts) and their pool
 * (history-readers.ts). Errors cross as plain data: a structured clone keeps an Error's message but
 * drops a UserError's code and hint, which decide the exit code and what the user reads.
 */
import { type SourceLocation, UserError, type UserErrorCode } from '../common/errors.js';
import type { SeriesColumns } from './types.js';

/** What a thread is started with: the database, and the file it must still be when opened. */
export interface ReaderSetup {
  /** As the user named it (messages name it so). */
  file: string;
  /** Identity of the file when the pool was opened: a file replaced since is refused. */
  dev: number;
  ino: number;
}

/** One series over [from, to), epoch ms. */
export interface ReaderRequest {
  id: number;
  specId: string;
  metric: string;
  from: number;
  to: number;
}

export type ReaderResponse =
  | { id: number; ok: true; columns: SeriesColumns }
  | { id: number; ok: false; error: ReaderError };

export type ReaderError =
  | {
      kind: 'user';
      code: UserErrorCode;
      message: string;
      location: SourceLocation | undefined;
      field: string | undefined;
      hint: string | undefined;
      details: readonly string[];
    }
  | { kind: 'other'; name: string; message: string; code: string | undefined };

export function toReaderError(error: unknown): ReaderError {
  if (error instanceof UserError) {
    const { code, message, location, field, hint, details } = error;
    return { kind: 'user', code, message, location, field, hint, details };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      kind: 'other',
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : undefined,
    };
  }
  return { kind: 'other', name: 'Error', message: String(error), code: undefined };
}

/** The error as the thread threw it: a UserError stays one (same code, message and hint). */
export function fromReaderError(error: ReaderError): Error {
  if (error.kind === 'user') {
    const { location, field, hint, details } = error;
    return new UserError(error.code, error.message, {
      ...(location ? { location } : {}),
      ...(field !== undefined ? { field } : {}),
      ...(hint !== undefined ? { hint } : {}),
      details,
    });
  }
  const rebuilt = new Error(error.message) as Error & { code?: string };
  rebuilt.name = error.name;
  if (error.code !== undefined) rebuilt.code = error.code;
  return rebuilt;
}
