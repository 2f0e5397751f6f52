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

/** Deepest block-quote or list nesting passed to the Markdown parser, whose cost grows with the square of it. */
export const MAX_NESTING = 20;

/** Longest line passed to the Markdown parser (its cost grows faster than linearly on some long lines). */
export const MAX_LINE_CHARS = 4000;

/** Longest indentation passed to the Markdown parser (deeper indentation only nests further). */
const MAX_INDENT = 4 * MAX_NESTING;

/**
 * Caps the block-quote and list nesting of every line at MAX_NESTING markers (its indentation at MAX_INDENT
 * spaces, its length at MAX_LINE_CHARS), in one pass over the text: the deeper markers are dropped and the
 * line's text kept.
 * Returns the capped text and the lines that were capped.
 */
export function limitNesting(markdown: string): { text: string; cappedLines: number[] } {
  const cappedLines: number[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    let position = 0;
    let markers = 0;
    let keepUntil = -1;
    while (position < line.length) {
      const char = line[position];
      if (char === ' ' || char === '\t') {
        position++;
        continue;
      }
      let markerEnd = -1;
      if (char === '>') markerEnd = position + 1;
      else if ((char === '-' || char === '*' || char === '+') && /\s/.test(line[position + 1] ?? ''))
        markerEnd = position + 1;
      else if (char !== undefined && char >= '0' && char <= '9') {
        let end = position;
        while (end < line.length && end - position < 9 && /\d/.test(line[end] ?? '')) end++;
        if ((line[end] === '.' || line[end] === ')') && /\s/.test(line[end + 1] ?? '')) markerEnd = end + 1;
      }
      if (markerEnd < 0) break;
      markers++;
      if (markers === MAX_NESTING) keepUntil = markerEnd;
      position = markerEnd;
    }
    let capped = line;
    if (markers > MAX_NESTING && keepUntil >= 0)
      capped = `${line.slice(0, keepUntil)} ${line.slice(position)}`;
    if (capped.length > MAX_LINE_CHARS) capped = capped.slice(0, MAX_LINE_CHARS);
    const indent = capped.length - capped.trimStart().length;
    if (indent > MAX_INDENT) capped = ' '.repeat(MAX_INDENT) + capped.trimStart();
    if (capped !== line) {
      lines[index] = capped;
      cappedLines.push(index + 1);
    }
  }
  return { text: cappedLines.length === 0 ? markdown : lines.join('\n'), cappedLines };
}
