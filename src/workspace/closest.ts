/** Edit distance (insert, delete, substitute), two rows of memory. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

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
    scored.push({ id, contained, distance: levenshtein(target, lowered) });
  }
  scored.sort((a, b) => a.contained - b.contained || a.distance - b.distance || a.id.localeCompare(b.id));
  return scored.slice(0, limit).map((entry) => entry.id);
}
