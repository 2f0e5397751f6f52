/**
 * One-for-one character clean-up (offsets are preserved): Unicode hyphens and dashes become `-`,
 * no-break and narrow spaces become plain spaces, so `Non‑Functional` (U+2011) reads like `Non-Functional`.
 */
export function normaliseChars(text: string): string {
  return text
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g, '-')
    .replace(/[\u00A0\u2007\u202F\u3000]/g, ' ');
}

/** Whitespace runs to one space, trimmed. */
export function squish(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Metric-name slug: lower case, runs of characters other than letters and digits become `_`, trimmed.
 * Latin accents are dropped (`Latência` → `latencia`); other scripts are kept (`เวลาตอบสนอง`).
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** Words of a text for keyword matching: lower case, anything but letters and digits as spaces. */
export function meaningWords(text: string): string {
  return ` ${normaliseChars(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/** Removes the given characters from the end (a loop: no regex back-tracking on long runs). */
export function trimEndChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1] ?? '')) end--;
  return text.slice(0, end);
}

/** Removes the given characters from both ends. */
export function trimChars(text: string, chars: string): string {
  let start = 0;
  while (start < text.length && chars.includes(text[start] ?? '')) start++;
  return trimEndChars(text.slice(start), chars);
}

/** Longest line or cell the parser reads; anything longer is prose whose tail cannot hold a target. */
export const MAX_ANALYSED_CHARS = 2000;
