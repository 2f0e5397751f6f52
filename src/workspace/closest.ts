import { editDistance } from '../common/closest.js';

/**
 * Up to `limit` candidates closest to `wanted` (case-insensitive). A candidate that contains the
 * wanted text, or is contained in it (`spec-core-001` vs `spec-core-001-auth`), ranks first.
 */
export function closestIds(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const target = wanted.toLowerCase();
  const seen = new Set<string>();
  const scored: { id: string; contained: number; distance: number }[] = [];
  for (const id of candidates) {
    const lowered = id.toLowerCase();
    if (lowered === target || seen.has(lowered)) continue;
    seen.add(lowered);
    const contained = lowered.includes(target) || target.includes(lowered) ? 0 : 1;
    scored.push({ id, contained, distance: editDistance(target, lowered) });
  }
  scored.sort((a, b) => a.contained - b.contained || a.distance - b.distance || a.id.localeCompare(b.id));
  return scored.slice(0, limit).map((entry) => entry.id);
}
