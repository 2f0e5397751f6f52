/** Levenshtein distance (insert, delete, substitute), two rows of memory; for short names. */
export function editDistance(a: string, b: string): number {
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

/** `apiKey`, `API-KEY` and `api_key` are the same word to a reader. */
function fold(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The candidate a typo most likely meant, or null when none is close enough to be a useful guess
 * ("did you mean"). Spelling variants (case, `-`/`_`) win outright; otherwise up to 1 edit for short
 * words, 2 for longer ones.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | null {
  const folded = fold(input);
  const sameWord = candidates.find((candidate) => fold(candidate) === folded);
  if (sameWord !== undefined) return sameWord;
  const allowed = folded.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : null;
}
