import fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../common/errors.js';
import { isInside, openRoot, quoteForMessage, toPosix, type WorkspaceRoot } from './paths.js';
import type { SmartSpecSettings } from './types.js';

// Handbook §0.5: never write to .smartspec/ itself, only to the subfolders the config lists.
const READ_ONLY_TREE = '.smartspec';
// Handbook §4: specs/** is governed (needs --apply and a Change Plan); a monitor writes reports only.
const GOVERNED_TREE = 'specs';

/**
 * Where this process may write: the workspace root and the SmartSpec safety settings. Every file and
 * folder the monitor writes (run reports, period reports and charts, alert files, the database) is
 * checked against it at the moment of the write, not only at start.
 */
export interface WriteScope {
  readonly root: WorkspaceRoot;
  /** `safety.allow_writes_only_under`, root-relative POSIX folders. */
  readonly allowed: readonly string[];
  /** `safety.disallow_symlink_writes`: refuse any symlink on the way, even one that stays inside. */
  readonly disallowSymlinks: boolean;
}

export function writeScopeOf(
  root: string,
  settings: Pick<SmartSpecSettings, 'allowWritesOnlyUnder' | 'disallowSymlinkWrites'>,
): WriteScope {
  return {
    root: openRoot(root),
    allowed: settings.allowWritesOnlyUnder,
    disallowSymlinks: settings.disallowSymlinkWrites,
  };
}

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

function admitted(relative: string, allowed: readonly string[]): string | null {
  if (isUnder(relative, GOVERNED_TREE) && relative !== '.') {
    return `is under ${GOVERNED_TREE}/, which is governed; this tool writes reports only`;
  }
  return allowedOutputRoot(relative, allowed) === null ? 'is not under an allowed output root' : null;
}

export type WriteCheck =
  | { ok: true; real: string; relative: string }
  | { ok: false; reason: string; relative: string };

/**
 * Whether `target` (absolute, or relative to the root) may be written now. The part of the path that
 * exists is walked from the root's real path segment by segment: a symlink is refused when the scope
 * disallows them, otherwise followed, and the place it leads to must again be inside the root and
 * under an allowed root. Reads the disk; creates nothing.
 */
export function checkWrite(scope: WriteScope, target: string): WriteCheck {
  const { root } = scope;
  const absolute = path.resolve(root.absolute, target);
  // A path already resolved through the root's own symlinks is as good as one under the root.
  const base = isInside(root.absolute, absolute) ? root.absolute : root.real;
  const relative = toPosix(path.relative(base, absolute)) || '.';
  const fail = (reason: string): WriteCheck => ({ ok: false, reason, relative });
  if (!isInside(base, absolute)) return fail('lies outside the workspace root');
  const notAdmitted = admitted(relative, scope.allowed);
  if (notAdmitted !== null) return fail(notAdmitted);

  const segments = relative === '.' ? [] : relative.split('/');
  let current = root.real;
  let index = 0;
  for (; index < segments.length; index++) {
    const next = path.join(current, segments[index] ?? '');
    const stat = fs.lstatSync(next, { throwIfNoEntry: false });
    if (!stat) break;
    const shown = segments.slice(0, index + 1).join('/');
    const last = index === segments.length - 1;
    if (stat.isSymbolicLink()) {
      if (scope.disallowSymlinks) {
        return fail(`passes through the symbolic link ${shown} (safety.disallow_symlink_writes is true)`);
      }
      try {
        current = fs.realpathSync(next);
      } catch {
        return fail(`passes through the broken symbolic link ${shown}`);
      }
      if (!last && !fs.statSync(current).isDirectory()) {
        return fail(`passes through ${shown}, which is not a folder`);
      }
    } else if (!last && !stat.isDirectory()) {
      return fail(`passes through ${shown}, which is not a folder`);
    } else {
      current = next;
    }
  }
  const real = path.join(current, ...segments.slice(index));
  if (!isInside(root.real, real)) return fail('leads outside the workspace root through a symbolic link');
  const realRelative = toPosix(path.relative(root.real, real)) || '.';
  if (admitted(realRelative, scope.allowed) !== null) {
    return fail(`leads through a symbolic link to ${realRelative}, which is not an allowed output root`);
  }
  return { ok: true, real, relative };
}

function allowedHint(scope: WriteScope): string {
  return (
    'the monitor writes only inside the workspace, under safety.allow_writes_only_under ' +
    `(${scope.allowed.length > 0 ? scope.allowed.join(', ') : 'none are configured'}), ` +
    'and never through a symbolic link while safety.disallow_symlink_writes is true; ' +
    'replace the link with a real folder or point the output elsewhere'
  );
}

/** `checkWrite`, throwing UserError('unsafe_path') that names the path and the reason. */
export function assertWritable(scope: WriteScope, target: string, field?: string): string {
  const check = checkWrite(scope, target);
  if (check.ok) return check.real;
  throw new UserError(
    'unsafe_path',
    `refusing to write ${quoteForMessage(check.relative, 300)}: it ${check.reason}`,
    { ...(field ? { field } : {}), hint: allowedHint(scope) },
  );
}

/**
 * Creates `dir` and its missing parents, checking the path before and after: what is created is
 * a real folder, and a symlink put in place meanwhile is caught by the second check.
 */
export async function makeWritableDir(scope: WriteScope, dir: string): Promise<void> {
  assertWritable(scope, dir);
  await mkdir(path.resolve(scope.root.absolute, dir), { recursive: true });
  assertWritable(scope, dir);
}

/**
 * The daemon's database file: `--state` or `storage.path`, relative to the root. Like every other
 * write it must stay inside the workspace, under an allowed root and off symlinks (exit 2 otherwise).
 */
export function resolveDatabasePath(
  scope: WriteScope,
  given: { path: string; field: '--state' | 'storage.path' },
): string {
  const absolute = path.resolve(scope.root.absolute, given.path);
  assertWritable(scope, absolute, given.field);
  return absolute;
}
