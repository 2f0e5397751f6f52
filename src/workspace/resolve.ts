import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../common/errors.js';
import { closestIds } from './closest.js';
import {
  checkRelativePath,
  lookupInside,
  openRoot,
  quoteForMessage,
  toPosix,
  type WorkspaceRoot,
} from './paths.js';
import { unsafeSpecIdReason, validateSpecId } from './spec-id.js';
import { findEntry, findSpecIndex, type IndexEntry } from './spec-index.js';
import type { ResolvedSpec, SmartSpecSettings, SpecListing } from './types.js';

const SPEC_FILE = 'spec.md';
const SPECS_DIR = 'specs';
const MAX_SCAN_DEPTH = 4;
const DEFAULT_MAX_FILES_SCANNED = 20_000;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

/** Directory listings under the root, cached for one call; never lists a folder outside the root. */
class Workspace {
  private readonly listings = new Map<string, string[]>();
  readonly notes: string[] = [];

  constructor(readonly root: WorkspaceRoot) {}

  names(relativeDir: string): string[] {
    const cached = this.listings.get(relativeDir);
    if (cached) return cached;
    const found = lookupInside(this.root, relativeDir);
    let names: string[] = [];
    if (found.kind === 'outside') {
      this.notes.push(`${relativeDir} is a symlink leading outside the workspace root; not searched`);
    } else if (found.kind === 'directory') {
      try {
        names = fs.readdirSync(found.real).sort();
      } catch {
        names = [];
      }
    }
    this.listings.set(relativeDir, names);
    return names;
  }

  /** Names in `relativeDir` equal to `wanted`: the exact spelling first, then case-insensitive ones. */
  matching(relativeDir: string, wanted: string): string[] {
    const names = this.names(relativeDir);
    const lowered = wanted.toLowerCase();
    const exact = names.filter((name) => name === wanted);
    return [...exact, ...names.filter((name) => name !== wanted && name.toLowerCase() === lowered)];
  }
}

interface Found {
  specId: string;
  shown: string;
  real: string;
  category: string | null;
  via: 'index' | 'folder';
  notes: string[];
}

interface Attempt {
  found: Found | null;
  /** Places tried, relative to the root. */
  looked: string[];
  notes: string[];
  /** An index entry was refused for safety. */
  unsafeSkipped: boolean;
}

function categoryFromPath(relative: string): string | null {
  const segments = relative.split('/');
  return segments[0] === SPECS_DIR && segments.length >= 4 ? (segments[1] ?? null) : null;
}

/** Tries the folder convention for `id`; the id and category are only ever compared with listed names. */
function searchFolders(ws: Workspace, id: string, category: string | null, attempt: Attempt): Found | null {
  const tryFile = (relative: string, folderCategory: string | null, folderId: string): Found | null => {
    const found = lookupInside(ws.root, relative);
    if (found.kind === 'outside') {
      attempt.notes.push(`${relative} leads outside the workspace root (symlink); skipped`);
      attempt.unsafeSkipped = true;
      return null;
    }
    if (found.kind !== 'file') return null;
    return {
      specId: folderId,
      shown: found.shown,
      real: found.real,
      category: folderCategory,
      via: 'folder',
      notes: [],
    };
  };

  if (category !== null) {
    attempt.looked.push(`${SPECS_DIR}/${category}/${id}/${SPEC_FILE}`);
    for (const categoryName of ws.matching(SPECS_DIR, category)) {
      for (const idName of ws.matching(`${SPECS_DIR}/${categoryName}`, id)) {
        const found = tryFile(`${SPECS_DIR}/${categoryName}/${idName}/${SPEC_FILE}`, categoryName, idName);
        if (found) return found;
      }
    }
  }

  attempt.looked.push(`${SPECS_DIR}/*/${id}/${SPEC_FILE}`);
  for (const categoryName of ws.names(SPECS_DIR)) {
    if (SKIPPED_FOLDERS.has(categoryName)) continue;
    for (const idName of ws.matching(`${SPECS_DIR}/${categoryName}`, id)) {
      const found = tryFile(`${SPECS_DIR}/${categoryName}/${idName}/${SPEC_FILE}`, categoryName, idName);
      if (found) return found;
    }
  }

  attempt.looked.push(`${SPECS_DIR}/${id}/${SPEC_FILE}`);
  for (const idName of ws.matching(SPECS_DIR, id)) {
    const found = tryFile(`${SPECS_DIR}/${idName}/${SPEC_FILE}`, null, idName);
    if (found) return found;
  }
  return null;
}

/** The entry's own `path` (file, or folder holding spec.md), refusing anything that leaves the root. */
function searchEntryPath(ws: Workspace, entry: IndexEntry, attempt: Attempt): Found | null {
  if (entry.path === null) {
    attempt.notes.push(`index entry ${entry.id} has no path`);
    return null;
  }
  const checked = checkRelativePath(entry.path);
  if (!checked.ok) {
    attempt.notes.push(
      `index entry ${entry.id}: path ${quoteForMessage(entry.path)} ${checked.reason}; skipped`,
    );
    attempt.unsafeSkipped = true;
    return null;
  }
  let relative = checked.relative;
  let found = lookupInside(ws.root, relative);
  if (found.kind === 'directory') {
    relative = `${relative}/${SPEC_FILE}`;
    found = lookupInside(ws.root, relative);
  } else if (found.kind === 'missing' && !relative.toLowerCase().endsWith('.md')) {
    relative = `${relative}/${SPEC_FILE}`;
  }
  attempt.looked.push(relative);
  if (found.kind === 'outside') {
    attempt.notes.push(
      `index entry ${entry.id}: path ${relative} leads outside the workspace root (symlink); skipped`,
    );
    attempt.unsafeSkipped = true;
    return null;
  }
  if (found.kind === 'missing') {
    attempt.notes.push(`index path ${relative} does not exist`);
    return null;
  }
  if (found.kind !== 'file') {
    attempt.notes.push(`index path ${relative} is not a file`);
    return null;
  }
  return {
    specId: entry.id,
    shown: found.shown,
    real: found.real,
    category: entry.category ?? categoryFromPath(relative),
    via: 'index',
    notes: [],
  };
}

function resolveEntry(ws: Workspace, entry: IndexEntry, attempt: Attempt): Found | null {
  const byPath = searchEntryPath(ws, entry, attempt);
  if (byPath) return byPath;
  const byFolder = searchFolders(ws, entry.id, entry.category, attempt);
  if (!byFolder) return null;
  const reason = attempt.notes.length > 0 ? `${attempt.notes.join('; ')}; ` : '';
  const where = toPosix(path.relative(ws.root.absolute, byFolder.shown));
  return {
    ...byFolder,
    specId: entry.id,
    category: byFolder.category ?? entry.category,
    notes: [`${reason}found by folder at ${where}`],
  };
}

function newAttempt(): Attempt {
  return { found: null, looked: [], notes: [], unsafeSkipped: false };
}

function toResolved(found: Found, indexFile: string | null, extraNotes: string[]): ResolvedSpec {
  return {
    specId: found.specId,
    specFile: found.shown,
    specDir: path.dirname(found.shown),
    category: found.category,
    via: found.via,
    indexFile,
    notes: [...extraNotes, ...found.notes],
  };
}

interface ScannedSpec {
  specId: string;
  shown: string;
  real: string;
  category: string | null;
}

/** Every `specs/**\/spec.md` (depth ≤ 4, ≤ maxFiles entries looked at), following only symlinks that stay inside. */
function scanSpecFolders(root: WorkspaceRoot, maxFiles: number): ScannedSpec[] {
  const start = lookupInside(root, SPECS_DIR);
  if (start.kind !== 'directory') return [];
  const results: ScannedSpec[] = [];
  const visited = new Set<string>([start.real]);
  const queue: { relative: string; real: string; depth: number }[] = [
    { relative: SPECS_DIR, real: start.real, depth: 0 },
  ];
  let examined = 0;
  while (queue.length > 0) {
    const folder = queue.shift()!;
    let names: string[];
    try {
      names = fs.readdirSync(folder.real).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      examined += 1;
      if (examined > maxFiles) return results;
      if (SKIPPED_FOLDERS.has(name)) continue;
      const relative = `${folder.relative}/${name}`;
      if (name === SPEC_FILE) {
        if (folder.depth === 0) continue;
        const found = lookupInside(root, relative);
        if (found.kind !== 'file') continue;
        const segments = folder.relative.split('/');
        results.push({
          specId: segments[segments.length - 1] ?? name,
          shown: found.shown,
          real: found.real,
          category: segments.length >= 3 ? (segments[1] ?? null) : null,
        });
        continue;
      }
      if (folder.depth >= MAX_SCAN_DEPTH) continue;
      const found = lookupInside(root, relative);
      if (found.kind !== 'directory' || visited.has(found.real)) continue;
      visited.add(found.real);
      queue.push({ relative, real: found.real, depth: folder.depth + 1 });
    }
  }
  return results;
}

function notFound(
  specId: string,
  looked: string[],
  notes: string[],
  unsafeSkipped: boolean,
  candidates: string[],
): UserError {
  const unsafe = unsafeSkipped ? '; a path was skipped because it is unsafe (see below)' : '';
  const closest = closestIds(specId, candidates);
  return new UserError(
    'spec_not_found',
    `spec ${quoteForMessage(specId)} not found; looked in: ${[...new Set(looked)].join(', ')}${unsafe}`,
    {
      field: 'spec-id',
      details: notes,
      hint:
        closest.length > 0
          ? `closest existing spec-ids: ${closest.join(', ')}`
          : `no specs found; a spec lives at ${SPECS_DIR}/<category>/<spec-id>/${SPEC_FILE} and is listed in .spec/SPEC_INDEX.json`,
    },
  );
}

/**
 * Finds the spec file of `specId`: through the spec index (first found of the fallback order),
 * then by the folder convention. Validates the id first; never reads outside the root.
 */
export function resolveSpec(root: string, specId: string, settings: SmartSpecSettings): ResolvedSpec {
  validateSpecId(specId, settings);
  const ws = new Workspace(openRoot(root));
  const search = findSpecIndex(ws.root, settings.specIndexPath);
  const attempt = newAttempt();
  const entry = search.index ? findEntry(search.index.entries, specId) : undefined;
  const indexFile = search.index?.file ?? null;

  if (entry) {
    const found = resolveEntry(ws, entry, attempt);
    if (found) return toResolved(found, indexFile, search.notes);
  } else {
    const found = searchFolders(ws, specId, null, attempt);
    if (found) {
      const missing = search.index ? [`not listed in ${search.index.relative}; found by folder`] : [];
      return toResolved(found, indexFile, [...search.notes, ...missing]);
    }
  }

  const indexLooked = search.looked.map((place) =>
    search.index && place === search.index.relative
      ? `${place} (${entry ? 'entry unresolved' : 'no entry'})`
      : place,
  );
  const candidates = [
    ...(search.index?.entries.map((item) => item.id) ?? []),
    ...scanSpecFolders(ws.root, settings.maxFilesScanned ?? DEFAULT_MAX_FILES_SCANNED).map(
      (item) => item.specId,
    ),
  ];
  throw notFound(
    specId,
    [...indexLooked, ...attempt.looked],
    [...search.notes, ...attempt.notes, ...ws.notes],
    attempt.unsafeSkipped,
    candidates,
  );
}

/** Every spec of the index that resolves, plus every `specs/**\/spec.md` not in it; sorted by id. */
export function listSpecs(root: string, settings: SmartSpecSettings): SpecListing[] {
  const ws = new Workspace(openRoot(root));
  const search = findSpecIndex(ws.root, settings.specIndexPath);
  const byRealFile = new Map<string, SpecListing>();

  for (const entry of search.index?.entries ?? []) {
    if (unsafeSpecIdReason(entry.id) !== null) continue;
    const found = resolveEntry(ws, entry, newAttempt());
    if (found && !byRealFile.has(found.real)) {
      byRealFile.set(found.real, { specId: found.specId, specFile: found.shown, category: found.category });
    }
  }
  for (const scanned of scanSpecFolders(ws.root, settings.maxFilesScanned ?? DEFAULT_MAX_FILES_SCANNED)) {
    if (!byRealFile.has(scanned.real)) {
      byRealFile.set(scanned.real, {
        specId: scanned.specId,
        specFile: scanned.shown,
        category: scanned.category,
      });
    }
  }
  return [...byRealFile.values()].sort(
    (a, b) =>
      a.specId.toLowerCase().localeCompare(b.specId.toLowerCase(), 'en') ||
      (a.specId < b.specId ? -1 : a.specId > b.specId ? 1 : 0) ||
      (a.specFile < b.specFile ? -1 : a.specFile > b.specFile ? 1 : 0),
  );
}
