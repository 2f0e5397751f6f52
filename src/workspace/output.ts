import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../common/errors.js';
import { hasControlChars, isInside, openRoot, quoteForMessage, toPosix } from './paths.js';
import type { SmartSpecSettings } from './types.js';

export const OUTPUT_AREA = 'production-monitoring';

// Handbook §0.5: never write to .smartspec/ itself, only to the subfolders the config lists.
const READ_ONLY_TREE = '.smartspec';
// Handbook §4: specs/** is governed (needs --apply and a Change Plan); a monitor writes reports only.
const GOVERNED_TREE = 'specs';

function isUnder(relative: string, folder: string): boolean {
  return folder === '.' || relative === folder || relative.startsWith(`${folder}/`);
}

/** The allowlist entry that admits `relative`, or null. */
export function allowedOutputRoot(relative: string, allowWritesOnlyUnder: readonly string[]): string | null {
  if (isUnder(relative, READ_ONLY_TREE)) {
    return (
      allowWritesOnlyUnder.find((root) => root.startsWith(`${READ_ONLY_TREE}/`) && isUnder(relative, root)) ??
      null
    );
  }
  return allowWritesOnlyUnder.find((root) => isUnder(relative, root)) ?? null;
}

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
  if (!isInside(ws.absolute, absolute)) throw refuse('lies outside the workspace root');
  const relative = toPosix(path.relative(ws.absolute, absolute)) || '.';
  if (isUnder(relative, GOVERNED_TREE) && relative !== '.') {
    throw refuse(`is under ${GOVERNED_TREE}/, which is governed; this tool writes reports only`);
  }
  if (allowedOutputRoot(relative, allowed) === null) throw refuse('is not under an allowed output root');

  // Walk the part that exists: symlinks are refused (or followed, when the config trusts them).
  const segments = relative === '.' ? [] : relative.split('/');
  let current = ws.real;
  let index = 0;
  for (; index < segments.length; index++) {
    const next = path.join(current, segments[index] ?? '');
    const stat = fs.lstatSync(next, { throwIfNoEntry: false });
    if (!stat) break;
    const shown = segments.slice(0, index + 1).join('/');
    if (stat.isSymbolicLink()) {
      if (settings.disallowSymlinkWrites) {
        throw refuse(`passes through the symbolic link ${shown} (safety.disallow_symlink_writes is true)`);
      }
      current = fs.realpathSync(next);
      if (!fs.statSync(current).isDirectory()) throw refuse(`passes through ${shown}, which is not a folder`);
    } else if (!stat.isDirectory()) {
      throw refuse(`passes through ${shown}, which is not a folder`);
    } else {
      current = next;
    }
  }
  const realTarget = path.join(current, ...segments.slice(index));
  if (!isInside(ws.real, realTarget))
    throw refuse('leads outside the workspace root through a symbolic link');
  const realRelative = toPosix(path.relative(ws.real, realTarget)) || '.';
  if (allowedOutputRoot(realRelative, allowed) === null || isUnder(realRelative, GOVERNED_TREE)) {
    throw refuse(`leads through a symbolic link to ${realRelative}, which is not an allowed output root`);
  }
  return absolute;
}
