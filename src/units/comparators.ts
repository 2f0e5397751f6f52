import type { Comparator } from './types.js';

/** Relative tolerance under which two numbers count as equal. */
const RELATIVE_TOLERANCE = 1e-9;

/** Comparators written before a number in Spanish, Portuguese, German, Vietnamese, Chinese, Japanese and Thai. */
export const OTHER_LANGUAGE_LEADING: ReadonlyArray<readonly [string, Comparator]> = [
  // Spanish / Portuguese
  ['menos de', '<'],
  ['menor que', '<'],
  ['menor a', '<'],
  ['inferior a', '<'],
  ['abaixo de', '<'],
  ['por debajo de', '<'],
  ['en menos de', '<'],
  ['em menos de', '<'],
  ['hasta', '<='],
  ['até', '<='],
  ['em até', '<='],
  ['no máximo', '<='],
  ['como máximo', '<='],
  ['máximo', '<='],
  ['máximo de', '<='],
  ['dentro de', '<='],
  ['más de', '>'],
  ['mais de', '>'],
  ['mayor que', '>'],
  ['maior que', '>'],
  ['superior a', '>'],
  ['acima de', '>'],
  ['por encima de', '>'],
  ['al menos', '>='],
  ['por lo menos', '>='],
  ['pelo menos', '>='],
  ['no mínimo', '>='],
  ['mínimo', '>='],
  ['mínimo de', '>='],
  // German
  ['unter', '<'],
  ['weniger als', '<'],
  ['kleiner als', '<'],
  ['höchstens', '<='],
  ['maximal', '<='],
  ['bis zu', '<='],
  ['innerhalb von', '<='],
  ['innerhalb', '<='],
  ['über', '>'],
  ['mehr als', '>'],
  ['größer als', '>'],
  ['mindestens', '>='],
  // Vietnamese
  ['dưới', '<'],
  ['ít hơn', '<'],
  ['nhỏ hơn', '<'],
  ['tối đa', '<='],
  ['không quá', '<='],
  ['trong vòng', '<='],
  ['trên', '>'],
  ['lớn hơn', '>'],
  ['tối thiểu', '>='],
  ['ít nhất', '>='],
  // Chinese
  ['小于', '<'],
  ['低于', '<'],
  ['少于', '<'],
  ['不超过', '<='],
  ['不高于', '<='],
  ['最多', '<='],
  ['最大', '<='],
  ['最长', '<='],
  ['大于', '>'],
  ['高于', '>'],
  ['超过', '>'],
  ['至少', '>='],
  ['不低于', '>='],
  ['不少于', '>='],
  ['最少', '>='],
  ['最低', '>='],
  // Japanese
  ['最大', '<='],
  ['最小', '>='],
  ['少なくとも', '>='],
  // Thai
  ['น้อยกว่า', '<'],
  ['ต่ำกว่า', '<'],
  ['ไม่เกิน', '<='],
  ['ภายใน', '<='],
  ['สูงสุด', '<='],
  ['มากกว่า', '>'],
  ['อย่างน้อย', '>='],
  ['ขั้นต่ำ', '>='],
];

/** Comparators written after the quantity in those languages (`2 秒以内`, `99.5% 以上`, `o menos`). */
export const OTHER_LANGUAGE_TRAILING: ReadonlyArray<readonly [string, Comparator]> = [
  ['ou menos', '<='],
  ['ou mais', '>='],
  ['o menos', '<='],
  ['o más', '>='],
  ['oder weniger', '<='],
  ['oder mehr', '>='],
  ['trở xuống', '<='],
  ['trở lên', '>='],
  ['以内', '<='],
  ['以下', '<='],
  ['以上', '>='],
  ['未満', '<'],
  ['超', '>'],
  ['ขึ้นไป', '>='],
];

/**
 * Comparator spellings written before a number (`< 200ms`, `at most 200ms`, `within 2 seconds`), in every
 * language read; both spec readers use this table.
 */
export const LEADING_COMPARATORS: ReadonlyArray<readonly [string, Comparator]> = [
  ['<=', '<='],
  ['=<', '<='],
  ['≤', '<='],
  ['⩽', '<='],
  ['≦', '<='],
  ['<', '<'],
  ['＜', '<'],
  ['>=', '>='],
  ['=>', '>='],
  ['≥', '>='],
  ['⩾', '>='],
  ['≧', '>='],
  ['>', '>'],
  ['＞', '>'],
  ['==', '='],
  ['=', '='],
  // upper bounds, strict
  ['under', '<'],
  ['below', '<'],
  ['less than', '<'],
  ['lower than', '<'],
  ['fewer than', '<'],
  ['shorter than', '<'],
  ['faster than', '<'],
  // upper bounds, inclusive
  ['less than or equal to', '<='],
  ['lower than or equal to', '<='],
  ['at most', '<='],
  ['at or below', '<='],
  ['at or under', '<='],
  ['within', '<='],
  ['no more than', '<='],
  ['not more than', '<='],
  ['no greater than', '<='],
  ['not greater than', '<='],
  ['no higher than', '<='],
  ['no longer than', '<='],
  ['not exceed', '<='],
  ['not exceeding', '<='],
  ['not to exceed', '<='],
  ['up to', '<='],
  ['max', '<='],
  ['max.', '<='],
  ['maximum', '<='],
  ['maximum of', '<='],
  ['a maximum of', '<='],
  // lower bounds, strict
  ['above', '>'],
  ['over', '>'],
  ['more than', '>'],
  ['greater than', '>'],
  ['higher than', '>'],
  ['exceeds', '>'],
  ['exceed', '>'],
  ['exceeding', '>'],
  // lower bounds, inclusive
  ['greater than or equal to', '>='],
  ['more than or equal to', '>='],
  ['at least', '>='],
  ['at or above', '>='],
  ['no less than', '>='],
  ['not less than', '>='],
  ['no lower than', '>='],
  ['no fewer than', '>='],
  ['not below', '>='],
  ['min', '>='],
  ['min.', '>='],
  ['minimum', '>='],
  ['minimum of', '>='],
  ['a minimum of', '>='],
  // equality
  ['equal to', '='],
  ['equals', '='],
  ['exactly', '='],
  ...OTHER_LANGUAGE_LEADING,
];

/** Comparator spellings written after a number (`200 ms or less`, `99.9% minimum`); both spec readers use it. */
export const TRAILING_COMPARATORS: ReadonlyArray<readonly [string, Comparator]> = [
  ['or less', '<='],
  ['or lower', '<='],
  ['or fewer', '<='],
  ['or below', '<='],
  ['or under', '<='],
  ['or faster', '<='],
  ['at most', '<='],
  ['max', '<='],
  ['max.', '<='],
  ['maximum', '<='],
  ['or more', '>='],
  ['or higher', '>='],
  ['or greater', '>='],
  ['or above', '>='],
  ['at least', '>='],
  ['min', '>='],
  ['min.', '>='],
  ['minimum', '>='],
  ...OTHER_LANGUAGE_TRAILING,
];

const LEADING_TABLE = new Map(LEADING_COMPARATORS);

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Symbols (`<=`), words that need a word boundary (Latin script: `under`), words that do not (`不超过`, `ไม่เกิน`). */
type Script = 'symbol' | 'latin' | 'other';
const scriptOf = (spelling: string): Script =>
  !/\p{L}/u.test(spelling)
    ? 'symbol'
    : /[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]/.test(spelling)
      ? 'latin'
      : 'other';

/** Longest spellings first so that `<=` wins over `<` and `no more than` over `more than`. */
function alternation(entries: ReadonlyArray<readonly [string, Comparator]>, script: Script): string {
  return entries
    .map(([spelling]) => spelling)
    .filter((spelling) => scriptOf(spelling) === script)
    .sort((a, b) => b.length - a.length)
    .map((spelling) => escapeRegExp(spelling).replace(/ /g, '\\s+'))
    .join('|');
}

// Latin words must not be glued to a preceding letter (`cover 5` is not `over 5`); symbols may be
// (`latency<200`), and so may Chinese, Japanese and Thai words, written without spaces (`时间不超过200`).
const AT_END = new RegExp(
  `(${alternation(LEADING_COMPARATORS, 'symbol')}|(?<![\\p{L}])(?:${alternation(LEADING_COMPARATORS, 'latin')})|${alternation(LEADING_COMPARATORS, 'other')})\\s*$`,
  'iu',
);
const AT_START = new RegExp(
  `^\\s*(?:(${alternation(TRAILING_COMPARATORS, 'latin')})(?![\\p{L}])|(${alternation(TRAILING_COMPARATORS, 'other')}))`,
  'iu',
);

/**
 * Reads a comparator written on its own: symbols `< <= ≤ > >= ≥ = == =<` or words
 * (`under`, `at most`, `within`, `max`, `at least`, `above`...). Returns null when unknown.
 */
export function parseComparator(text: string): Comparator | null {
  return LEADING_TABLE.get(normalise(text)) ?? null;
}

/** A comparator that ends `text` (the text just before a number), with the index where it starts. */
export function comparatorAtEnd(text: string): { comparator: Comparator; index: number } | null {
  const match = AT_END.exec(text);
  if (!match || match[1] === undefined) return null;
  const comparator = LEADING_TABLE.get(normalise(match[1]));
  return comparator ? { comparator, index: match.index } : null;
}

/** A comparator that starts `text` (the text just after a quantity: `or less`, `max`), with its length. */
export function comparatorAtStart(text: string): { comparator: Comparator; length: number } | null {
  const match = AT_START.exec(text);
  const written = match?.[1] ?? match?.[2];
  if (!match || written === undefined) return null;
  const spelling = normalise(written);
  const entry = TRAILING_COMPARATORS.find(([candidate]) => candidate === spelling);
  return entry ? { comparator: entry[1], length: match[0].length } : null;
}

function approximatelyEqual(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * True when `value comparator threshold` holds. Equality uses a relative tolerance of 1e-9, and the
 * inclusive/strict comparators agree with it (`<=` is `<` or `=`), so float noise never flips a verdict.
 * NaN satisfies nothing.
 */
export function compare(value: number, comparator: Comparator, threshold: number): boolean {
  if (Number.isNaN(value) || Number.isNaN(threshold)) return false;
  const equal = approximatelyEqual(value, threshold);
  switch (comparator) {
    case '=':
      return equal;
    case '<':
      return value < threshold && !equal;
    case '<=':
      return value < threshold || equal;
    case '>':
      return value > threshold && !equal;
    case '>=':
      return value > threshold || equal;
  }
}
