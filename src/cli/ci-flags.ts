import { UserError } from '../common/errors.js';

/** Run-once output for CI systems (docs/cli.md#ci): `--format junit`, optionally into `--format-out`. */
export const RUN_FORMATS = ['table', 'junit'] as const;
export type RunFormat = (typeof RUN_FORMATS)[number];

export interface CiFlags {
  format?: string;
  formatOut?: string;
  daemon?: boolean;
  json?: boolean;
}

/** The run-once output format; contradictions and daemon use are usage errors (exit 2). */
export function checkCiFlags(flags: CiFlags): RunFormat {
  const given = [
    ...(flags.format !== undefined ? ['--format'] : []),
    ...(flags.formatOut !== undefined ? ['--format-out'] : []),
  ];
  if (flags.daemon && given.length > 0) {
    throw new UserError(
      'usage',
      `${given.join(' and ')} belong${given.length === 1 ? 's' : ''} to run-once`,
      {
        hint: 'the daemon reports through /api/status, /metrics and its alerts; drop the flag or --daemon',
      },
    );
  }
  const format = flags.format ?? 'table';
  if (!(RUN_FORMATS as readonly string[]).includes(format)) {
    throw new UserError('usage', `unknown format "${format}"`, {
      field: '--format',
      hint: `one of ${RUN_FORMATS.join(', ')} (--json prints the summary as JSON)`,
    });
  }
  if (flags.formatOut !== undefined && format === 'table') {
    throw new UserError('usage', '--format-out needs a file format', {
      field: '--format-out',
      hint: 'add --format junit; the table is printed on the terminal',
    });
  }
  if (format !== 'table' && flags.json && flags.formatOut === undefined) {
    throw new UserError('usage', `--json and --format ${format} both want stdout`, {
      hint: `write the ${format} output to a file with --format-out <file>, or drop --json`,
    });
  }
  return format as RunFormat;
}
