import fs from 'node:fs';
import { checkRelativePath, lookupInside, quoteForMessage, type WorkspaceRoot } from './paths.js';

/** Legacy fallback order, "first hit wins" (smartspec_nfr_perf_planner §8.1). */
export const SPEC_INDEX_CANDIDATES: readonly string[] = [
  '.spec/SPEC_INDEX.json',
  'SPEC_INDEX.json',
  '.smartspec/SPEC_INDEX.json',
  'specs/SPEC_INDEX.json',
];

// Real indexes hold a few hundred entries; anything this big is not an index.
const MAX_INDEX_BYTES = 32 * 1024 * 1024;

/** One spec entry, whatever the index variant: only the fields the resolver needs. */
export interface IndexEntry {
  id: string;
  path: string | null;
  category: string | null;
}

export interface LoadedIndex {
  /** Absolute, under the root as given. */
  file: string;
  relative: string;
  entries: IndexEntry[];
}

export interface IndexSearch {
  index: LoadedIndex | null;
  /** Index files tried, with what was found, e.g. "SPEC_INDEX.json (not found)". */
  looked: string[];
  notes: string[];
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** Lenient: every known variant keeps its entries in `specs` (and the v6.3.5 template in `ui_specs`). */
export function readIndexEntries(data: unknown): IndexEntry[] | null {
  let lists: unknown[];
  if (Array.isArray(data)) lists = [data];
  else if (data !== null && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    lists = [record.specs, record.ui_specs].filter(Array.isArray);
    if (lists.length === 0) return null;
  } else return null;

  const entries: IndexEntry[] = [];
  for (const list of lists as unknown[][]) {
    for (const item of list) {
      if (item === null || typeof item !== 'object') continue;
      const record = item as Record<string, unknown>;
      const id = optionalString(record.id) ?? optionalString(record.spec_id);
      if (id === null) continue;
      entries.push({ id, path: optionalString(record.path), category: optionalString(record.category) });
    }
  }
  return entries;
}

/** The first index of the fallback order that exists inside the root and parses. */
export function findSpecIndex(root: WorkspaceRoot, configured: string | null): IndexSearch {
  const looked: string[] = [];
  const notes: string[] = [];
  const candidates =
    configured === null ? [...SPEC_INDEX_CANDIDATES] : [configured, ...SPEC_INDEX_CANDIDATES];
  const tried = new Set<string>();

  for (const candidate of candidates) {
    const checked = checkRelativePath(candidate);
    if (!checked.ok) {
      notes.push(`spec index ${quoteForMessage(candidate)} ${checked.reason}; ignored`);
      continue;
    }
    const relative = checked.relative;
    if (tried.has(relative)) continue;
    tried.add(relative);
    const found = lookupInside(root, relative);
    if (found.kind === 'missing') {
      looked.push(`${relative} (not found)`);
      if (relative === configured)
        notes.push(`configured spec index ${relative} (registries.spec_index) does not exist`);
      continue;
    }
    if (found.kind === 'outside') {
      looked.push(`${relative} (leads outside the workspace root)`);
      notes.push(`spec index ${relative} is a symlink leading outside the workspace root; ignored`);
      continue;
    }
    if (found.kind !== 'file') {
      looked.push(`${relative} (not a file)`);
      notes.push(`spec index ${relative} is not a file; ignored`);
      continue;
    }
    const size = fs.statSync(found.real).size;
    if (size > MAX_INDEX_BYTES) {
      looked.push(`${relative} (too large)`);
      notes.push(`spec index ${relative} is ${size} bytes, more than ${MAX_INDEX_BYTES}; ignored`);
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(found.real, 'utf8').replace(/^\uFEFF/, ''));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      looked.push(`${relative} (not valid JSON)`);
      notes.push(`spec index ${relative} is not valid JSON (${detail}); ignored`);
      continue;
    }
    const entries = readIndexEntries(data);
    if (entries === null) {
      looked.push(`${relative} (no specs list)`);
      notes.push(`spec index ${relative} has no "specs" list; ignored`);
      continue;
    }
    looked.push(relative);
    return { index: { file: found.shown, relative, entries }, looked, notes };
  }
  return { index: null, looked, notes };
}

/** Exact id first, then case-insensitive. */
export function findEntry(entries: readonly IndexEntry[], specId: string): IndexEntry | undefined {
  const lowered = specId.toLowerCase();
  return (
    entries.find((entry) => entry.id === specId) ??
    entries.find((entry) => entry.id.toLowerCase() === lowered)
  );
}
