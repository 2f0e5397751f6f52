import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../common/errors.js';
import { hasControlChars, openRoot, quoteForMessage, toPosix } from './paths.js';
import type { SmartSpecSettings } from './types.js';
import { assertWritable, checkWrite, type WriteScope } from './write-scope.js';

export { allowedOutputRoot } from './write-scope.js';

export const OUTPUT_AREA = 'production-monitoring';

/**
 * The base folder for run folders: `<root>/<reportsRoot>/production-monitoring`, or `--out` resolved
 * against the root. Either must lie under `safety.allow_writes_only_under` once the existing part of
 * the path is resolved through symlinks; otherwise UserError('unsafe_path'). Creates nothing.
 */
export function resolveOutputBase(
  root: string,
  out: string | undefined,
  settings: SmartSpecSettings,
): string {
  const ws = openRoot(root);
  const given = out ?? `${settings.reportsRoot}/${OUTPUT_AREA}`;
  const label = out === undefined ? 'default output folder' : '--out';
  const allowed = settings.allowWritesOnlyUnder;
  const hint =
    `write under one of the allowed output roots (safety.allow_writes_only_under): ` +
    `${allowed.length > 0 ? allowed.join(', ') : 'none are configured'}; ` +
    `the default is ${settings.reportsRoot}/${OUTPUT_AREA}`;
  const refuse = (reason: string) =>
    new UserError('unsafe_path', `${label} ${quoteForMessage(given, 200)} ${reason}`, {
      field: out === undefined ? 'output.reports_root' : 'out',
      hint,
    });

  if (given.trim() === '') throw refuse('is empty');
  if (hasControlChars(given)) throw refuse('contains control characters');
  const posix = toPosix(given);
  if (posix.split('/').includes('..'))
    throw refuse('contains ".."; output paths may not climb out of a folder');
  const absolute = path.resolve(ws.absolute, posix);
  const check = checkWrite({ root: ws, allowed, disallowSymlinks: settings.disallowSymlinkWrites }, absolute);
  if (!check.ok) throw refuse(check.reason);
  if (fs.statSync(check.real, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw refuse('is not a folder');
  }
  return absolute;
}

/**
 * A file a command writes where the user says (`rules --out`, `--format-out`), relative to the workspace
 * root, checked like every report write (inside the workspace, under `safety.allow_writes_only_under`,
 * no symlink on the way) before any work is done; the write checks it again. An existing file is
 * replaced; a folder is refused.
 */
export function resolveOutputFile(scope: WriteScope, given: string, flag: string, example: string): string {
  const refuse = (reason: string) =>
    new UserError('unsafe_path', `${flag} ${quoteForMessage(given, 200)} ${reason}`, {
      field: flag,
      hint: `name a file under an allowed output root, e.g. ${example}`,
    });
  if (given.trim() === '') throw refuse('is empty');
  if (hasControlChars(given)) throw refuse('contains control characters');
  const target = path.resolve(scope.root.absolute, toPosix(given));
  const real = assertWritable(scope, target, flag);
  if (fs.statSync(real, { throwIfNoEntry: false })?.isDirectory()) throw refuse('is a folder; name a file');
  return target;
}
