/** Where in a user's file a problem was found. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/**
 * What kind of problem a UserError is; `--json` prints it as `code` (docs/cli.md). One snake_case
 * word each, a closed list, so scripts can rely on it.
 */
export type UserErrorCode =
  | 'usage'
  | 'config'
  | 'spec_not_found'
  | 'unsafe_path'
  | 'network_denied'
  | 'locked'
  | 'database_lost'
  | 'listen_failed'
  | 'unauthenticated_listener';

/**
 * A problem the user can fix (bad flag, bad config, unknown spec, unsafe path...).
 * Raised where it is detected, rendered once by the CLI, always exit code 2.
 */
export class UserError extends Error {
  readonly code: UserErrorCode;
  readonly location: SourceLocation | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;
  /** Further problems of the same kind, one per line (e.g. every schema issue of a file). */
  readonly details: readonly string[];

  constructor(
    code: UserErrorCode,
    message: string,
    options: { location?: SourceLocation; field?: string; hint?: string; details?: readonly string[] } = {},
  ) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.location = options.location;
    this.field = options.field;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

/** `file:line:col: field: message` followed by details and a `hint:` line. */
export function formatUserError(error: UserError): string {
  const head = [
    error.location ? formatLocation(error.location) : undefined,
    error.field ? `${error.field}` : undefined,
    error.message,
  ]
    .filter(Boolean)
    .join(': ');
  const lines = [head, ...error.details.map((d) => `  - ${d}`)];
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  return lines.join('\n');
}
