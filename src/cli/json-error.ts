import type { UserError, UserErrorCode } from '../common/errors.js';

/** A user error's code, or what stopped a run that was no user's mistake. */
export type JsonErrorCode = UserErrorCode | 'interrupted' | 'internal';

/**
 * What `--json` prints on stdout when a run fails before it has a summary, so a pipeline reading stdout
 * always gets one JSON document (docs/cli.md#--json-errors). The human message still goes to stderr.
 */
export interface JsonError {
  workflow: 'smartspec_production_monitor';
  status: 'error';
  exit_code: number;
  error: {
    code: JsonErrorCode;
    message: string;
    hint: string | null;
    file: string | null;
    line: number | null;
    column: number | null;
    field: string | null;
    details: string[];
  };
}

export function jsonErrorOf(
  error: { code: JsonErrorCode; message: string } & Partial<
    Pick<UserError, 'hint' | 'location' | 'field' | 'details'>
  >,
  exitCode: number,
): JsonError {
  return {
    workflow: 'smartspec_production_monitor',
    status: 'error',
    exit_code: exitCode,
    error: {
      code: error.code,
      message: error.message,
      hint: error.hint ?? null,
      file: error.location?.file ?? null,
      line: error.location?.line ?? null,
      column: error.location?.column ?? null,
      field: error.field ?? null,
      details: [...(error.details ?? [])],
    },
  };
}

export function formatJsonError(error: JsonError): string {
  return `${JSON.stringify(error, null, 2)}\n`;
}
