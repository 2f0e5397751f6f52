import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../common/errors.js';

// C0, DEL, C1 and the Unicode line/paragraph separators: never valid in ids or paths we accept.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function hasControlChars(text: string): boolean {
  return CONTROL_CHARS.test(text);
}

/** Quotes user text for a message: control characters escaped, long text cut. */
export function quoteForMessage(text: string, maxLength = 80): string {
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  const escaped = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\]/g, (char) =>
    char === '"' || char === '\\' ? `\\${char}` : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

/** Path separators unified to `/` (index files written on Windows use `\`). */
export function toPosix(text: string): string {
  return text.replace(/\\/g, '/');
}

export type RelativePathCheck = { ok: true; relative: string } | { ok: false; reason: string };

/**
 * Checks a path that is meant to be relative to the workspace root, without touching the disk.
 * Rejects absolute paths (POSIX, drive letters, UNC), control characters and `..` that climbs out.
 */
export function checkRelativePath(raw: string): RelativePathCheck {
  if (raw.trim() === '') return { ok: false, reason: 'is empty' };
  if (hasControlChars(raw)) return { ok: false, reason: 'contains control characters' };
  const posix = toPosix(raw);
  if (posix.startsWith('/') || /^[A-Za-z]:/.test(posix)) return { ok: false, reason: 'is absolute' };
  const normalized = path.posix.normalize(posix).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) {
    return { ok: false, reason: 'climbs out of the workspace root with ".."' };
  }
  return { ok: true, relative: normalized === '' ? '.' : normalized };
}

export function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  const withSep = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(withSep);
}

/** The workspace root: absolute as given, and its real path (all symlinks resolved). */
export interface WorkspaceRoot {
  absolute: string;
  real: string;
}

export function openRoot(root: string): WorkspaceRoot {
  const absolute = path.resolve(root);
  try {
    const real = fs.realpathSync(absolute);
    if (!fs.statSync(real).isDirectory()) throw new Error('not a directory');
    return { absolute, real };
  } catch {
    throw new UserError(
      'usage',
      `workspace root ${quoteForMessage(absolute, 200)} is not an existing folder`,
      {
        hint: 'run from the project folder that holds specs/ and .spec/, or pass its path',
      },
    );
  }
}

export type InsideLookup =
  | { kind: 'missing' }
  | { kind: 'outside'; real: string }
  | { kind: 'file' | 'directory' | 'other'; real: string; shown: string };

/**
 * Resolves `relative` under the root through every symlink. A path whose real location lies
 * outside the root is reported as 'outside' and must not be read. `shown` is the same place
 * expressed under the root as the caller gave it (so relative paths stay meaningful).
 */
export function lookupInside(root: WorkspaceRoot, relative: string): InsideLookup {
  let real: string;
  try {
    real = fs.realpathSync(path.join(root.real, relative));
  } catch {
    return { kind: 'missing' };
  }
  if (!isInside(root.real, real)) return { kind: 'outside', real };
  const shown = path.join(root.absolute, path.relative(root.real, real));
  const stat = fs.statSync(real, { throwIfNoEntry: false });
  if (!stat) return { kind: 'missing' };
  return { kind: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other', real, shown };
}
