/**
 * The document reader: every measurable runtime target a requirement document states, wherever it states it
 * (tables, lists, prose, headings, checklists, diagrams), in English and the other languages of
 * src/spec/lexicon.ts. Line by line, one pass, no Markdown parser: linear in the size of the document.
 *
 * It is what `smartspec-production-monitor nfrs` lists. The monitor itself keeps reading the SmartSpec NFR
 * tables and lists with parseNfrs (src/spec/parse.ts): the document reader lists candidates for people, it
 * does not decide what run-once queries.
 */
import type { Comparator } from '../units/index.js';
import {
  CAPACITY_WORDS,
  CONCURRENCY_WORDS,
  LEADING_WORDS,
  LIMIT_NOUNS,
  LOWER_HEADERS,
  NFR_HEADING_WORDS,
  NON_REQUIREMENT_HEADINGS,
  NOT_RUNTIME_SUBJECTS,
  NOT_TARGET_COLUMNS,
  NOT_TARGET_CONTEXT,
  PER_WORDS,
  PERCENT_LOWER,
  PERCENT_UPPER,
  RATE_BY_PERIOD,
  RELATIVE_WORDS,
  singleUnit,
  TRAILING_WORDS,
  timeUnitOf,
  type UnitKind,
  UPPER_HEADERS,
  unitSpellings,
} from './lexicon.js';
import { findPercentiles } from './meaning.js';
import { normaliseChars, slugify, squish } from './text.js';

/** A target read from the document. */
export interface DocumentTarget {
  /** 1-based line. */
  line: number;
  /** The source line, trimmed (at most 300 characters). */
  text: string;
  /** What the target is about: a table row's label, a `Label:` or the words before the quantity. */
  requirement: string;
  /** The spec's own name (a Metric column's identifier), else derived; unique within the document (see `nameMetrics`). */
  metric: string;
  comparator: Comparator;
  /** True when no comparator was written and the direction comes from the meaning. */
  comparatorInferred: boolean;
  value: number;
  /** As written, canonical: ms, s, min, h, d, w, y, %, rps, rpm, rph, rpd, fps, B, KB, MB, GB, TB, KiB..., Mbps, MB/s, count. */
  unit: string;
  kind: UnitKind;
  /** 95, 99.9, 50 (median), or null. */
  percentile: number | null;
  /** The heading the target sits under (innermost), or null. */
  section: string | null;
}

export type RejectReason = 'no number' | 'ambiguous bound' | 'unsupported unit' | 'not a runtime target';

/** A number the reader looked at and did not take, with why. */
export interface RejectedCandidate {
  line: number;
  text: string;
  /** The quantity as written (`850 ms`). */
  quantity: string;
  reason: RejectReason;
  detail: string;
}

export interface DocumentReading {
  targets: DocumentTarget[];
  rejected: RejectedCandidate[];
  /** Headings of NFR-like sections found (`Non-Functional Requirements`, `非機能要件`, `Success Criteria`). */
  sections: Array<{ line: number; title: string }>;
  warnings: string[];
}

export interface DocumentLimits {
  /** Characters of a line that are read; the rest is ignored with a warning. */
  maxLineChars: number;
  /** Lines read; the rest is ignored with a warning. */
  maxLines: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxLineChars: 4000, maxLines: 200_000 };

// ---- small text helpers -------------------------------------------------------------------------------------

const LATIN = /[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]/;

function isLatinLetter(char: string | undefined): boolean {
  return char !== undefined && LATIN.test(char);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Lower-case text with single spaces, for word look-ups. */
function lower(text: string): string {
  return normaliseChars(text).toLowerCase().replace(/\s+/g, ' ');
}

/** The last few texts looked up, lower-cased once: word lists are checked against the same clause many times. */
const lowerCache = new Map<string, string>();
function lowerCached(text: string): string {
  let cached = lowerCache.get(text);
  if (cached === undefined) {
    if (lowerCache.size >= 64) lowerCache.clear();
    cached = lower(text);
    lowerCache.set(text, cached);
  }
  return cached;
}

/** True when `word` occurs in `text` as a word (Latin words need boundaries; other scripts do not). */
function hasWord(text: string, word: string): boolean {
  const haystack = lowerCached(text);
  const needle = word.toLowerCase();
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at < 0) return false;
    const before = haystack[at - 1];
    const after = haystack[at + needle.length];
    const latinWord = LATIN.test(needle[0] ?? '');
    if (!latinWord || (!isLatinLetter(before) && !isLatinLetter(after) && !/\d/.test(after ?? '')))
      return true;
    from = at + 1;
  }
}

function hasAnyWord(text: string, words: readonly string[]): boolean {
  return words.some((word) => hasWord(text, word));
}

/** Markdown inline markup removed, keeping the text: `**x**`, `` `x` ``, `[x](url)`, bare URLs. */
function plainText(text: string): string {
  return normaliseChars(text)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\bhttps?:\/\/\S+/g, (url) => ' '.repeat(url.length))
    .replace(/\blocalhost:\d+\S*/g, (host) => ' '.repeat(host.length))
    .replace(/\*\*|__|`|<br\s*\/?>/gi, ' ');
}

// ---- quantities ---------------------------------------------------------------------------------------------

interface Quantity {
  /** Start of the number. */
  start: number;
  /** End of the unit (or trailing comparator). */
  end: number;
  value: number;
  unit: string | null;
  kind: UnitKind | null;
  /** A unit that is written but not read (`MB/month`, `clicks`). */
  unsupported: string | null;
  comparator: Comparator | null;
  /** Where a written leading comparator starts. */
  comparatorStart: number;
  /** A range `A-B`: the lower end (the number is the upper end). */
  rangeLow: number | null;
  /** Nouns counted after a plain number (`500 concurrent users`). */
  countNoun: string;
  /** Written as a compound adjective (`24-hour degree`, `5-second timeout`). */
  hyphenated: boolean;
  /** The leading comparator word ends a label (`Maximum capacity: 200 TPS`). */
  comparatorInLabel: boolean;
}

const UNIT_ALTERNATION = unitSpellings().map(escapeRegExp).join('|');
/** A unit right after the number: optional space or hyphen (`5-second`), then a spelling. */
// A Latin unit ends at a word boundary (`5 shards` is not `5 s`); CJK and Thai units need none (`3秒以内`).
const UNIT_AFTER = new RegExp(`^(?:\\s?-?\\s?)(${UNIT_ALTERNATION})(?![A-Za-z\\u00C0-\\u024F])`, 'iu');
// `1,000` (thousands), `99.9`, and `99,9` / `2,5` (a decimal comma: one or two digits after it).
const NUMBER = /(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+|,\d{1,2}(?!\d))?/g;
const PER_ALTERNATION = PER_WORDS.map(escapeRegExp).join('|');
/** `requests per second`, `次/秒`, `req/10s`, `events/min`, `100 requests per 10 seconds`: a count per period. */
const RATE_AFTER = new RegExp(
  `^\\s?((?:[\\p{L}][\\p{L}.'-]*\\s){0,3}[\\p{L}][\\p{L}.'-]*|[^\\s\\d/]{0,3})\\s?(?:${PER_ALTERNATION})\\s?(\\d+(?:\\.\\d+)?)?\\s?(${UNIT_ALTERNATION})(?![A-Za-z\\u00C0-\\u024F])`,
  'iu',
);
const LEADING_ALTERNATION = [...LEADING_WORDS]
  .map(([spelling]) => spelling)
  .sort((a, b) => b.length - a.length)
  .map((spelling) => escapeRegExp(spelling).replace(/ /g, '\\s+'))
  .join('|');
// Latin words must not be glued to a letter (`cover 5` is not `over 5`); CJK and Thai words may be (`时间不超过200`).
// `within a 5-second window`: an article may follow a word comparator.
const LEADING_AT_END = new RegExp(
  `(?:(?:^|[^\\p{L}])(${LEADING_ALTERNATION})|(${LEADING_ALTERNATION.split('|')
    .filter((spelling) => !/[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]/.test(spelling))
    .join('|')}))(?:\\s+(?:a|an)(?=\\s))?\\s*[:~≈(]?\\s*$`,
  'iu',
);
const LEADING_TABLE = new Map(LEADING_WORDS.map(([spelling, comparator]) => [spelling, comparator]));
const TRAILING_ALTERNATION = [...TRAILING_WORDS]
  .map(([spelling]) => spelling)
  .sort((a, b) => b.length - a.length)
  .map((spelling) => escapeRegExp(spelling).replace(/ /g, '\\s+'))
  .join('|');
const TRAILING_AT_START = new RegExp(`^\\s*\\(?(${TRAILING_ALTERNATION})(?![A-Za-z])`, 'iu');
const TRAILING_TABLE = new Map(TRAILING_WORDS.map(([spelling, comparator]) => [spelling, comparator]));
/** `512 MB RAM or less`, `50 connections or more`: an `or …` comparator after the noun the quantity counts. */
const TRAILING_AFTER_NOUN = new RegExp(
  `^\\s+\\p{L}[\\p{L}\\p{N}-]*\\s+(${[...TRAILING_WORDS]
    .map(([spelling]) => spelling)
    .filter((spelling) => spelling.startsWith('or '))
    .map((spelling) => escapeRegExp(spelling).replace(/ /g, '\\s+'))
    .join('|')})(?![\\p{L}])`,
  'iu',
);

function readNumber(whole: string, decimals: string | undefined): number {
  return Number(whole.replace(/,/g, '') + (decimals ?? '').replace(',', '.'));
}

/** The unit written at `from`, if any. */
function unitAt(
  text: string,
  from: number,
): { unit: string | null; kind: UnitKind | null; end: number; unsupported: string | null; divisor: number } {
  const none = { unit: null, kind: null, end: from, unsupported: null, divisor: 1 };
  const window = text.slice(from, from + 80);
  const single = UNIT_AFTER.exec(window);
  let singleUnitRead = null as ReturnType<typeof singleUnit>;
  let singleEnd = from;
  if (single?.[1] !== undefined) {
    const end = from + single[0].length;
    const spelling = single[1];
    // Latin units end at a word boundary: `5 shards` is not `5 s`.
    const ok = !LATIN.test(spelling[spelling.length - 1] ?? '') || !isLatinLetter(text[end]);
    if (ok) {
      singleUnitRead = singleUnit(spelling);
      singleEnd = end;
    }
  }
  // A count per period (`req/s`, `events per second`, `次/秒`, `100 requests per 10 seconds`).
  const rate = RATE_AFTER.exec(window);
  if (rate?.[3] !== undefined && (singleUnitRead === null || singleUnitRead.kind !== 'time')) {
    const end = from + rate[0].length;
    const period = timeUnitOf(rate[3]);
    const counted = (rate[1] ?? '').trim().toLowerCase();
    if (period && !isLatinLetter(text[end])) {
      const countedUnit = counted === '' ? null : singleUnit(counted);
      if (countedUnit?.kind === 'size') {
        if (period === 's') return { ...none, unit: `${countedUnit.unit}/s`, kind: 'bandwidth', end };
        return { ...none, end, unsupported: squish(window.slice(0, rate[0].length)) };
      }
      if (countedUnit === null || countedUnit.kind === 'count') {
        const divisor = rate[2] === undefined ? 1 : Number(rate[2]);
        const rateUnit = RATE_BY_PERIOD[period];
        if (rateUnit && divisor > 0) return { ...none, unit: rateUnit, kind: 'rate', end, divisor };
        return { ...none, end, unsupported: squish(window.slice(0, rate[0].length)) };
      }
    }
  }
  if (singleUnitRead) {
    // `3.6時間/月`, `99.0%/月`: a per-period qualifier after a complete unit.
    const qualifier = /^\s?\/\s?(?:月|month|mo|年|year|day|日|week|週)/iu.exec(
      text.slice(singleEnd, singleEnd + 12),
    );
    if (qualifier && singleUnitRead.kind === 'size') {
      return {
        ...none,
        end: singleEnd + qualifier[0].length,
        unsupported: squish(text.slice(from, singleEnd + qualifier[0].length)),
      };
    }
    return { ...none, unit: singleUnitRead.unit, kind: singleUnitRead.kind, end: singleEnd };
  }
  return none;
}

/** Every quantity in a (plain, masked) text, in order. */
function findQuantities(text: string): Quantity[] {
  const found: Quantity[] = [];
  NUMBER.lastIndex = 0;
  let skipUntil = -1;
  for (let match = NUMBER.exec(text); match; match = NUMBER.exec(text)) {
    const start = match.index;
    if (start < skipUntil) continue;
    const before = text[start - 1];
    const before2 = text.slice(Math.max(0, start - 2), start);
    // Part of a name, version, date, time or path: `NFR-001`, `P001`, `v2`, `2026-02-03`, `10:30`, `4.5:1`.
    if (isLatinLetter(before) || /[\d_.#/\\$€£¥@]/.test(before ?? '')) continue;
    if (/[\p{L}\d]-$/u.test(before2) || /\d[:.]$/.test(before2)) continue;
    let position = start + match[0].length;
    const after = text.slice(position, position + 3);
    if (/^(?::(?!\d)|：)/.test(after)) continue;
    if (/^(?:[:.]\d|-\d{2}-|\/\d)/.test(after) && !/^\/\d+\s?[a-z秒分]/i.test(after)) continue;
    let value = readNumber(match[1] ?? '0', match[2]);
    if (/^[kK](?![A-Za-z])/.test(text.slice(position, position + 2))) {
      value *= 1000;
      position += 1;
    }
    let rangeLow: number | null = null;
    // `5-8ms`, `30-50 users`, `1-2s`: the upper end carries the unit.
    const range = /^\s?(?:-|–|~|to|a|bis|đến)\s?(\d+(?:\.\d+)?)([kK](?![A-Za-z]))?/.exec(
      text.slice(position, position + 16),
    );
    // `1000+ rps`: the plus sits between the number and its unit.
    let plusBeforeUnit = false;
    if (text[position] === '+' && /^\+\s?\p{L}/u.test(text.slice(position, position + 3))) {
      const afterPlus = unitAt(text, position + 1);
      if (afterPlus.unit !== null) {
        plusBeforeUnit = true;
        position += 1;
      }
    }
    let unit = unitAt(text, position);
    if (range && unit.unit === null) {
      const upperEnd = position + range[0].length;
      const upperUnit = unitAt(text, upperEnd);
      const upper = Number(range[1]) * (range[2] ? 1000 : 1);
      if (upper > value) {
        rangeLow = value;
        value = upper;
        position = upperEnd;
        unit = upperUnit;
      }
    }
    if (unit.unit === null && unit.unsupported === null && isLatinLetter(text[position])) {
      // Glued to a word that is no unit (`5xx`, `2FA`, `10x`).
      if (!/\s/.test(text[position] ?? '')) {
        skipUntil = position;
        continue;
      }
    }
    value /= unit.divisor;
    let end = unit.end;
    let comparator: Comparator | null = null;
    let comparatorInLabel = false;
    let comparatorStart = start;
    const windowStart = Math.max(0, start - 40);
    const leading = LEADING_AT_END.exec(text.slice(windowStart, start));
    const spelling = leading?.[1] ?? leading?.[2];
    if (leading && spelling !== undefined) {
      comparator = LEADING_TABLE.get(spelling.toLowerCase().replace(/\s+/g, ' ')) ?? null;
      comparatorStart = windowStart + (leading.index ?? 0) + leading[0].indexOf(spelling);
      comparatorInLabel = /[:：]\s*$/.test(leading[0]) && /\p{L}/u.test(spelling);
    }
    if (plusBeforeUnit) comparator ??= '>=';
    else if (text[end] === '+' && !/\d/.test(text[end + 1] ?? '')) {
      comparator ??= '>=';
      end += 1;
    } else {
      const trailing =
        TRAILING_AT_START.exec(text.slice(end, end + 24)) ??
        TRAILING_AFTER_NOUN.exec(text.slice(end, end + 40));
      if (trailing?.[1] !== undefined) {
        const trailingComparator = TRAILING_TABLE.get(trailing[1].toLowerCase().replace(/\s+/g, ' '));
        if (trailingComparator && comparator === null) {
          comparator = trailingComparator;
          end += trailing[0].length;
        }
      }
    }
    const countNoun = unit.unit === null ? text.slice(end, end + 40).trim() : '';
    found.push({
      start,
      end,
      value,
      unit: unit.unit,
      kind: unit.kind,
      unsupported: unit.unsupported,
      comparator,
      comparatorStart,
      rangeLow,
      countNoun,
      hyphenated: unit.kind === 'time' && /^\s?-/.test(text.slice(position, position + 2)),
      comparatorInLabel,
    });
    skipUntil = end;
  }
  return found;
}

/** Replaces percentiles with spaces so that `p95 < 500 ms` reads 500; returns them with their positions. */
function maskPercentiles(text: string): {
  masked: string;
  percentiles: Array<{ start: number; end: number; value: number; ofCount: boolean }>;
} {
  const percentiles: Array<{ start: number; end: number; value: number; ofCount: boolean }> = [];
  let masked = text;
  for (const span of findPercentiles(text)) {
    if (percentiles.some((p) => span.start < p.end)) continue;
    const value = Number(span.percentile.slice(1));
    if (!Number.isFinite(value)) continue;
    const ofCount = /%/.test(text.slice(span.start, span.end));
    // `less than 0.1% of calls` bounds a share of calls (an error rate): a target, not a percentile.
    if (ofCount && LEADING_AT_END.test(text.slice(Math.max(0, span.start - 40), span.start))) continue;
    percentiles.push({ start: span.start, end: span.end, value, ofCount });
    masked = masked.slice(0, span.start) + ' '.repeat(span.end - span.start) + masked.slice(span.end);
  }
  // `95th` alone (a Percentile column), `P99` glued to CJK text (`P99レイテンシ`).
  for (const match of masked.matchAll(
    /(?<![A-Za-z\d.])(?:(\d{2}(?:\.\d+)?)(?:th|st|nd|rd)|[pP](\d{2}(?:\.\d+)?))(?![A-Za-z\d])/g,
  )) {
    const start = match.index ?? 0;
    const value = Number(match[1] ?? match[2]);
    percentiles.push({ start, end: start + match[0].length, value, ofCount: false });
    masked = masked.slice(0, start) + ' '.repeat(match[0].length) + masked.slice(start + match[0].length);
  }
  return { masked, percentiles };
}

// ---- decisions ----------------------------------------------------------------------------------------------

interface Segment {
  /** The text read (a prose line, a heading, a table cell). */
  text: string;
  line: number;
  sourceLine: string;
  inCode: boolean;
  /** Table cell: header of its column and the other cells of the row. */
  cell: {
    /** The spec's own name for the row's metric (a Metric column's identifier). */
    metric: string | null;
    header: string;
    headerRow: string;
    rowLabel: string;
    rowText: string;
    percentile: number | null;
  } | null;
  section: string | null;
}

function natural(
  kind: UnitKind | null,
  meaning: string,
  upperHeader: boolean,
  lowerHeader: boolean,
): Comparator | null {
  if (upperHeader) return '<=';
  if (lowerHeader) return '>=';
  switch (kind) {
    case 'time':
      return '<=';
    case 'rate':
      return hasAnyWord(meaning, ['rate limit', 'rate limiting', 'throttle']) ? '<=' : '>=';
    case 'size':
    case 'bandwidth':
      return '<=';
    case 'percent': {
      const upper = hasAnyWord(meaning, PERCENT_UPPER);
      const lowerBound = hasAnyWord(meaning, PERCENT_LOWER);
      if (upper && !lowerBound) return '<=';
      if (lowerBound && !upper) return '>=';
      if (lowerBound && upper)
        return hasAnyWord(meaning, ['error', 'errors', 'failure', 'lỗi', 'エラー', '错误']) ? '<=' : '>=';
      return null;
    }
    case 'count':
      return '>=';
    default:
      return null;
  }
}

const CONDITION_START =
  /(?:^|[\s*(,.;])(?:given|when|whenever|if|where|while|during|dado|cuando|quando|wenn|khi|当|如果)(?=[\s*,:])/giu;
const OUTCOME_START =
  /(?:^|[\s*(,.;])(?:then|shall|must|should|will|entonces|então|dann|thì|则|那么)(?=[\s*,:])/giu;

/** Spans of a line that state conditions of a Given/When/If step, not targets. */
function conditionSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const conditions = [...text.matchAll(CONDITION_START)].map((m) => m.index ?? 0);
  if (conditions.length === 0) return spans;
  const outcomes = [...text.matchAll(OUTCOME_START)].map((m) => m.index ?? 0);
  for (const start of conditions) {
    const outcome = outcomes.find((o) => o > start) ?? text.length;
    const stop = /[,?:;()→]|\.\s/.exec(text.slice(start + 1));
    const end = Math.min(outcome, stop ? start + 1 + stop.index : text.length);
    spans.push([start, end]);
  }
  return spans;
}

/** The sentence part before `position` (back to `.`, `;`, `。`, a line start). */
function clauseBefore(text: string, position: number): string {
  const head = text.slice(0, position);
  const cut = Math.max(
    head.lastIndexOf('. '),
    head.lastIndexOf('; '),
    head.lastIndexOf('。'),
    head.lastIndexOf('；'),
    head.lastIndexOf('|'),
  );
  return head.slice(cut + 1);
}

/** Words of the label of a `Label: value` text, or null when the quantity is not the first thing after a colon. */
function labelBefore(text: string, quantityStart: number): string | null {
  const head = text.slice(0, quantityStart);
  const colon = Math.max(head.lastIndexOf(':'), head.lastIndexOf('：'), head.lastIndexOf('→'));
  if (colon < 0) return null;
  const between = head.slice(colon + 1);
  if (
    /[\p{L}\p{N}]/u.test(
      between.replace(/\b(?:of|is|be|about|around|approximately|khoảng|cerca de|aprox\.?|ca\.?)\b/gi, ''),
    )
  ) {
    return null;
  }
  const labelStart = Math.max(
    head.lastIndexOf(',', colon),
    head.lastIndexOf('(', colon),
    head.lastIndexOf(';', colon),
    head.lastIndexOf('→', colon - 1),
  );
  const label = squish(head.slice(labelStart + 1, colon).replace(/^[\s\-*#>\d.)[\]x]+/, ''));
  if (label.split(' ').length > 10) return null;
  return label;
}

const MODAL =
  /(?<![\p{L}\p{N}-])(?:the system|system|the|it|they|must|shall|should|will|can|may|needs? to|to|be|is|are|remain|remains|stay|stays|achieve|achieves|have|has|of|with|at|in|for|and|or|a|an|given|when|then|but|if)(?![\p{L}\p{N}-])/giu;

/** A short subject for a target from the words before it (`p95 latency of <20ms` → `p95 latency`). */
function subjectBefore(text: string, position: number, from = 0): string {
  const clause = clauseBefore(text, position)
    .slice(Math.max(0, from - (position - clauseBefore(text, position).length)))
    .slice(lastSeparator(clauseBefore(text, position)) + 1);
  const words = squish(
    clause
      .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, ' ')
      .replace(MODAL, ' ')
      .replace(/[*_`#>[\]]|(?<!\p{L})-|-(?!\p{L})/gu, ' '),
  )
    .split(' ')
    .filter(Boolean);
  return words.slice(-6).join(' ');
}

/** Index of the last `:`, `→`, `(`, `、` or a comma that is no thousands separator; -1 when none. */
function lastSeparator(text: string): number {
  for (let index = text.length - 1; index >= 0; index--) {
    const char = text[index] ?? '';
    if (':：→，、('.includes(char)) return index;
    if (char === ',' && !/\d/.test(text[index + 1] ?? '')) return index;
  }
  return -1;
}

/** The words of a line without its numbers (`99.5% of requests < 500ms` → `of requests`), for a name. */
function subjectAround(text: string): string {
  return squish(
    withoutQuantities(text)
      .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, ' ')
      .replace(MODAL, ' ')
      .replace(/[*_`#>[\]%-]/g, ' '),
  )
    .split(' ')
    .slice(0, 6)
    .join(' ');
}

/** Verbs of capacity: `support/handle up to N users` is a lower bound. */
const SUPPORT_VERBS = [
  'support',
  'supports',
  'handle',
  'handles',
  'serve',
  'serves',
  'soportar',
  'suportar',
  'admitir',
  'unterstützen',
  'hỗ trợ',
  'รองรับ',
  '支持',
  '支撑',
  '対応',
  'サポート',
];

/** The percentile nearest to a quantity: right before it (after the previous quantity), else right after it. */
function nearestPercentile(
  percentiles: ReadonlyArray<{ start: number; end: number; value: number; ofCount: boolean }>,
  quantity: Quantity,
  previousEnd: number,
): number | null {
  let best: { distance: number; value: number } | null = null;
  for (const p of percentiles) {
    if (p.ofCount) continue;
    const distance =
      p.end <= quantity.comparatorStart
        ? p.start >= previousEnd
          ? quantity.comparatorStart - p.end
          : Number.POSITIVE_INFINITY
        : p.start >= quantity.end
          ? p.start - quantity.end + 1
          : Number.POSITIVE_INFINITY;
    const limit = p.end <= quantity.comparatorStart ? 40 : 30;
    if (distance <= limit && (best === null || distance < best.distance)) best = { distance, value: p.value };
  }
  return best?.value ?? null;
}

// ---- the reader ---------------------------------------------------------------------------------------------

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  let inCode = false;
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (char === '\\' && body[index + 1] === '|') {
      current += '|';
      index++;
    } else if (char === '`') {
      inCode = !inCode;
      current += char;
    } else if (char === '|' && !inCode) {
      cells.push(current.trim());
      current = '';
    } else current += char;
  }
  cells.push(current.trim());
  return cells;
}

function isNfrHeadingText(title: string): boolean {
  return hasAnyWord(title, NFR_HEADING_WORDS);
}

/** Reads every target of a document. Never throws; never slower than linear in its size. */
export function readDocument(
  markdown: string,
  limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS,
): DocumentReading {
  const reading: DocumentReading = { targets: [], rejected: [], sections: [], warnings: [] };
  const lines = markdown.split('\n');
  if (lines.length > limits.maxLines) {
    reading.warnings.push(
      `only the first ${limits.maxLines} lines are read (the document has ${lines.length})`,
    );
    lines.length = limits.maxLines;
  }
  let fence: string | null = null;
  let frontMatter = lines[0]?.trim() === '---';
  const headings: Array<{ depth: number; title: string }> = [];
  let skippedDepth: number | null = null;
  let header: string[] | null = null;
  let previousRow: string[] | null = null;
  let contextPercentile: number | null = null;
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    let raw = lines[index] ?? '';
    if (raw.length > limits.maxLineChars) {
      reading.warnings.push(
        `line ${lineNumber} is ${raw.length} characters long; only the first ${limits.maxLineChars} are read`,
      );
      raw = raw.slice(0, limits.maxLineChars);
    }
    if (frontMatter) {
      if (index > 0 && /^(?:---|\.\.\.)\s*$/.test(raw)) frontMatter = false;
      continue;
    }
    const fenceMatch = FENCE.exec(raw);
    if (fenceMatch?.[1]) {
      const marker = fenceMatch[1][0] ?? '`';
      if (fence === null) fence = marker;
      else if (fence === marker) fence = null;
      header = null;
      continue;
    }
    // Block quote markers, however deep, are stripped in one linear pass.
    let line = raw;
    let quoteEnd = 0;
    while (quoteEnd < line.length && (line[quoteEnd] === '>' || line[quoteEnd] === ' ')) quoteEnd++;
    if (quoteEnd > 0 && line.slice(0, quoteEnd).includes('>')) line = line.slice(quoteEnd);
    const section = headings[headings.length - 1]?.title ?? null;
    if (fence === null) {
      const heading = HEADING.exec(line);
      if (heading?.[1] && heading[2] !== undefined) {
        const depth = heading[1].length;
        const title = squish(plainText(heading[2]));
        while ((headings[headings.length - 1]?.depth ?? 0) >= depth) headings.pop();
        headings.push({ depth, title });
        if (skippedDepth !== null && depth <= skippedDepth) skippedDepth = null;
        if (
          skippedDepth === null &&
          hasAnyWord(title, NON_REQUIREMENT_HEADINGS) &&
          !isNfrHeadingText(title)
        ) {
          skippedDepth = depth;
        }
        if (isNfrHeadingText(title)) reading.sections.push({ line: lineNumber, title });
        contextPercentile = percentileIn(title);
        header = null;
        if (skippedDepth === null)
          readSegment(reading, {
            text: title,
            line: lineNumber,
            sourceLine: raw,
            inCode: false,
            cell: null,
            section: title,
          });
        continue;
      }
    }
    if (skippedDepth !== null) continue;
    const trimmed = line.trim();
    if (fence === null && trimmed.startsWith('|')) {
      if (TABLE_SEPARATOR.test(trimmed)) {
        header = previousRow;
        continue;
      }
      const cells = splitRow(trimmed);
      previousRow = cells;
      const nextIsSeparator = TABLE_SEPARATOR.test((lines[index + 1] ?? '').trim());
      if (nextIsSeparator) continue;
      readRow(reading, cells, header, {
        line: lineNumber,
        sourceLine: raw,
        section,
        percentile: contextPercentile,
      });
      continue;
    }
    header = null;
    previousRow = null;
    if (trimmed === '') continue;
    // `**Metric**: response time (p95)` above a table: the percentile of the table's rows.
    if (fence === null) contextPercentile = percentileIn(plainText(trimmed)) ?? contextPercentile;
    readSegment(reading, {
      text: line,
      line: lineNumber,
      sourceLine: raw,
      inCode: fence !== null,
      cell: null,
      section,
    });
  }
  nameMetrics(reading);
  return reading;
}

const ID_CELL = /^[A-Z][A-Z0-9]*(?:[-_.][A-Z0-9]+)*[-_.]?\d+[A-Za-z]?$/;

function readRow(
  reading: DocumentReading,
  cells: string[],
  header: string[] | null,
  where: { line: number; sourceLine: string; section: string | null; percentile: number | null },
): void {
  const plainCells = cells.map((cell) => squish(plainText(cell)));
  const headers = (header ?? []).map((text) => lower(plainText(text)).trim());
  // The spec's own metric name: an identifier in a Metric (SLI, KPI) column.
  const metricColumn = headers.findIndex(
    (text) =>
      /\b(?:metric|metrics|metric name|sli|kpi|indicator)\b/.test(text) &&
      !/\b(?:target|value|threshold)\b/.test(text),
  );
  const metricCell = metricColumn >= 0 ? (plainCells[metricColumn] ?? '') : '';
  const metricName =
    /^[A-Za-z_:][A-Za-z0-9_:.]*$/.test(metricCell) && /[_.:]|^[a-z0-9]+$/.test(metricCell)
      ? metricCell
      : null;
  // The row's label: the first cell with words that is not only an id or a number, nor a category.
  const labels = plainCells
    .filter(
      (_, column) =>
        !/^(?:category|type|area|kind|class|group|id|#)$/.test(headers[column] ?? '') &&
        (metricName === null || column !== metricColumn),
    )
    .map((cell) =>
      /^[pP]\d/.test(cell) ? cell : cell.replace(/^[A-Z][A-Z0-9]*(?:[-_.][A-Z0-9]+)*[-_.]?\d+\s+/, ''),
    )
    .filter((cell) => /\p{L}{2,}/u.test(withoutQuantities(cell)) && !ID_CELL.test(cell));
  const rowLabel =
    labels.find((cell) =>
      findQuantities(maskPercentiles(cell).masked).every((q) => q.unit === null && q.comparator === null),
    ) ??
    labels[0] ??
    '';
  if (rowLabel === '') {
    for (const cell of plainCells) {
      if (/\d/.test(cell))
        reading.rejected.push({
          line: where.line,
          text: clip(where.sourceLine),
          quantity: cell,
          reason: 'not a runtime target',
          detail: 'a table row of numbers without a subject (a calculation or lookup table)',
        });
    }
    return;
  }
  // A Percentile column (`95th`) applies to the whole row.
  let rowPercentile: number | null = null;
  plainCells.forEach((cell, column) => {
    const head = lower(header?.[column] ?? '');
    if (/percentile|百分位|パーセンタイル/.test(head)) {
      const match = /(\d{1,2}(?:\.\d+)?)/.exec(cell);
      if (match) rowPercentile = Number(match[1]);
    }
  });
  plainCells.forEach((cell, column) => {
    const head = plainText(header?.[column] ?? '');
    if (/percentile|百分位|パーセンタイル/i.test(head)) return;
    readSegment(reading, {
      text: cell,
      line: where.line,
      sourceLine: where.sourceLine,
      inCode: false,
      cell: {
        header: head,
        headerRow: plainText((header ?? []).join(' | ')),
        rowLabel,
        rowText: plainCells.filter((_, i) => i !== column).join(' | '),
        percentile:
          rowPercentile ?? percentileIn(rowLabel) ?? percentileIn(plainCells.join(' | ')) ?? where.percentile,
        metric: metricName,
      },
      section: where.section,
    });
  });
}

/** The text with its quantities (and their comparators and units) blanked out. */
function withoutQuantities(text: string): string {
  let masked = maskPercentiles(text).masked;
  for (const quantity of findQuantities(masked)) {
    masked =
      masked.slice(0, quantity.comparatorStart) +
      ' '.repeat(quantity.end - quantity.comparatorStart) +
      masked.slice(quantity.end);
  }
  return masked;
}

function clip(text: string, length = 300): string {
  const flat = squish(text);
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

function readSegment(reading: DocumentReading, segment: Segment): void {
  const plain = plainText(segment.text);
  if (!/\d/.test(plain)) return;
  const { masked, percentiles } = maskPercentiles(plain);
  const quantities = findQuantities(masked);
  if (quantities.length === 0) return;
  const conditions = segment.cell ? [] : conditionSpans(masked);
  const cell = segment.cell;
  const headerText = cell ? lower(cell.header) : '';
  const skipColumn =
    cell !== null &&
    hasAnyWord(headerText, NOT_TARGET_COLUMNS) &&
    !/target|threshold|objective|slo|目標/.test(headerText);
  let previous: { comparator: Comparator; end: number } | null = null;
  let skipPercentOf = -1;
  let previousRequirement = '';
  for (const quantity of quantities) {
    if (quantity.start < skipPercentOf) continue;
    const written = squish(plain.slice(quantity.comparatorStart, quantity.end));
    const reject = (reason: RejectReason, detail: string) => {
      reading.rejected.push({
        line: segment.line,
        text: clip(segment.sourceLine),
        quantity: written,
        reason,
        detail,
      });
    };
    const before = clauseBefore(masked, quantity.comparatorStart);
    const after = masked.slice(quantity.end, quantity.end + 40);
    const label = labelBefore(masked, quantity.comparatorStart);
    const meaning = [
      cell?.rowLabel ?? '',
      cell?.header ?? '',
      label ?? '',
      before,
      after.slice(0, 30),
      segment.section ?? '',
    ].join(' ');
    if (quantity.unsupported !== null) {
      reject('unsupported unit', `unit "${quantity.unsupported}" cannot be read as a runtime target`);
      continue;
    }
    if (skipColumn) {
      reject('not a runtime target', `column "${cell?.header}" does not hold targets`);
      continue;
    }
    if (conditions.some(([from, to]) => quantity.start >= from && quantity.start < to)) {
      reject('not a runtime target', 'a condition of a Given/When/If step, not what it requires');
      continue;
    }
    const context = `${label ?? ''} ${before} ${cell?.rowLabel ?? ''}`;
    const negative =
      NOT_TARGET_CONTEXT.find(
        (word) => hasWord(context, word) && !(word === 'takes' && quantity.comparator),
      ) ?? /^\s*(ago|atrás|zuvor|trước)(?![\p{L}])/iu.exec(after)?.[1];
    if (negative) {
      reject('not a runtime target', `"${negative}" marks a measurement or a reference, not a target`);
      continue;
    }
    const near = `${label ?? ''} ${before.slice(-60)} ${after.slice(0, 24)} ${cell?.rowLabel ?? ''} ${cell?.header ?? ''}`;
    const notRuntime = NOT_RUNTIME_SUBJECTS.find((word) => hasWord(near, word));
    if (notRuntime) {
      reject('not a runtime target', `"${notRuntime}" is not a runtime quantity`);
      continue;
    }
    if (quantity.kind === 'percent') {
      const relative = RELATIVE_WORDS.find((word) =>
        hasWord(`${before.slice(-30)} ${after.slice(0, 20)}`, word),
      );
      if (relative) {
        reject(
          'not a runtime target',
          `"${relative}": a change relative to a baseline, not a level to monitor`,
        );
        continue;
      }
    }
    if (quantity.hyphenated && quantity.comparator === null && !hasAnyWord(after.slice(0, 16), LIMIT_NOUNS)) {
      reject('not a runtime target', 'a duration used as a window or a period (`24-hour`), not a limit');
      continue;
    }
    // `> 90% for > 5 minutes`: the duration is how long the previous target is measured over.
    if (
      previous !== null &&
      quantity.kind === 'time' &&
      /^\s*(?:for|during|over|in|trong|durante|für|持续)\s*$/iu.test(
        masked.slice(previous.end, quantity.comparatorStart),
      )
    ) {
      reject('not a runtime target', 'the window of the previous target, not a target of its own');
      continue;
    }
    // `99.5% of requests < 500ms`: the percentage is the percentile of the next quantity.
    const ofCount = percentiles.find(
      (p) => p.ofCount && p.end <= quantity.start && masked.slice(p.end, quantity.start).length < 60,
    );
    let percentile = nearestPercentile(percentiles, quantity, previous?.end ?? 0);
    if (ofCount) percentile = ofCount.value;
    // `within 500ms for 99% of queries`.
    const ofCountAfter = percentiles.find(
      (p) =>
        p.ofCount &&
        p.start >= quantity.end &&
        /^\s*(?:for|in|of|across|para|em|en|bei|für)\s*$/i.test(masked.slice(quantity.end, p.start)),
    );
    if (ofCountAfter) percentile = ofCountAfter.value;
    const ofWhat =
      /^\s*(?:for|in|of|para|em|en|bei)\s+(\d{1,2}(?:\.\d+)?)\s?%\s+(?:of|de|dos|das|der|aller)\s+\p{L}/iu.exec(
        after,
      );
    if (ofWhat) {
      percentile = Number(ofWhat[1]);
      skipPercentOf = quantity.end + ofWhat[0].length;
    }
    percentile ??= cell?.percentile ?? percentileIn(cell?.header ?? '') ?? percentileIn(cell?.rowLabel ?? '');
    let kind = quantity.kind;
    let unit = quantity.unit;
    if (unit === null) {
      // A plain number: a count of concurrent things, or a number whose unit the table header or row gives.
      const inherited = cell ? unitFromLabel(`${cell.header} ${cell.rowLabel}`) : null;
      const nouns = `${quantity.countNoun.split(/[,.;(|]/)[0] ?? ''}`;
      const closeBefore = before.slice(-30);
      const concurrency =
        hasAnyWord(nouns, CONCURRENCY_WORDS) ||
        (hasAnyWord(`${nouns} ${closeBefore}`, CAPACITY_WORDS) && quantity.comparator !== null) ||
        (hasAnyWord(closeBefore, CONCURRENCY_WORDS) && hasAnyWord(nouns.slice(0, 12), CAPACITY_WORDS));
      const capacityCell =
        cell !== null &&
        bareCell(cell, plain, quantity) &&
        hasAnyWord(
          `${cell.header} ${cell.rowLabel} ${cell.headerRow} ${segment.section ?? ''}`,
          CAPACITY_WORDS,
        );
      if (inherited && cell !== null && bareCell(cell, plain, quantity)) {
        unit = inherited.unit;
        kind = inherited.kind;
      } else if (
        concurrency ||
        capacityCell ||
        (/^(?:名|人|個|台|users?)/iu.test(nouns.trim()) && hasAnyWord(nouns, CONCURRENCY_WORDS))
      ) {
        unit = 'count';
        kind = 'count';
      } else {
        const word = /^[\p{L}][\p{L}-]*/u.exec(nouns.trim())?.[0];
        if (segment.inCode) continue;
        // A written unit is never dropped: `< 4 clicks` is not a bare count.
        if (quantity.comparator !== null && word !== undefined)
          reject('unsupported unit', `unit "${word}" is not one the reader measures`);
        else reject('no number', 'a plain number without a unit or a counted runtime noun');
        continue;
      }
    }
    let comparator = quantity.comparator;
    let inferred = false;
    // `Maximum capacity: 200 TPS`: the word belongs to the label; a capacity is a lower bound.
    if (quantity.comparatorInLabel && (kind === 'rate' || kind === 'count')) comparator = null;
    // `p95 < 800 ms under 200 RPS`: a load the target holds under, i.e. a throughput to sustain.
    if (
      (kind === 'rate' || kind === 'count') &&
      /^under\b/i.test(masked.slice(quantity.comparatorStart, quantity.start))
    )
      comparator = null;
    // `support up to 500 concurrent users`: a capacity the system must reach.
    if (
      kind === 'count' &&
      comparator !== null &&
      comparator.startsWith('<') &&
      hasAnyWord(before.slice(-40), SUPPORT_VERBS)
    )
      comparator = '>=';
    const bare = cell !== null && bareCell(cell, plain, quantity);
    const timeoutAfter = /^\s*(?:\)?\s*)?(?:timeout|time-out|tempo limite|超时|タイムアウト)/i.test(after);
    const inheritable =
      previous !== null &&
      /^(?:\s*(?:,|and|or|e|y|und|và|ou|o|、|，|和|或)\s*)+$/iu.test(
        masked.slice(previous.end, quantity.comparatorStart).replace(/\bfor\b.*$/i, ''),
      );
    const enumerated =
      previous !== null &&
      /^[^.;]*$/.test(masked.slice(previous.end, quantity.comparatorStart)) &&
      /(?:,|\bor\b|\band\b)\s*$/i.test(masked.slice(previous.end, quantity.comparatorStart)) &&
      kind === 'time';
    if (comparator === null) {
      if (timeoutAfter) comparator = '<=';
      else if (previous !== null && (inheritable || enumerated)) comparator = previous.comparator;
      else {
        const upperHeader = cell !== null && hasAnyWord(headerText, UPPER_HEADERS);
        const lowerHeader = cell !== null && hasAnyWord(headerText, LOWER_HEADERS);
        const direction = natural(kind, meaning, upperHeader, lowerHeader);
        const stated =
          bare ||
          kind === 'rate' ||
          (label !== null && !segment.inCode) ||
          (kind === 'count' && unit === 'count') ||
          modalStatement(before) ||
          (percentile !== null && kind === 'time' && !ofCount);
        if (!stated) {
          reject('ambiguous bound', 'no comparator, and the text does not state it as a target');
          continue;
        }
        if (direction === null) {
          reject(
            'ambiguous bound',
            `cannot tell whether ${written} is an upper or a lower bound; write a comparator`,
          );
          continue;
        }
        comparator = direction;
      }
      inferred = true;
    }
    // A measured value compared with a target (`1.200s < 2.0s`) is the measurement, not the target.
    if (/^\s*(?:<|>|≤|≥|<=|>=)\s*\d/.test(after)) {
      reject('not a runtime target', 'a measured value compared with a target');
      continue;
    }
    if (segment.inCode && quantity.unit === null) continue;
    const requirement = cell
      ? squish(
          `${cell.rowLabel}${cell.header && !/^(?:target|value|slo|goal|objective|目標値?)$/i.test(cell.header.trim()) ? ` ${cell.header}` : ''}`,
        )
      : (label ??
        (subjectBefore(masked, quantity.comparatorStart, previous?.end ?? 0) ||
          previousRequirement ||
          subjectAround(masked)));
    previousRequirement = requirement;
    reading.targets.push({
      line: segment.line,
      text: clip(segment.sourceLine),
      requirement: clip(requirement, 120) || `line ${segment.line}`,
      metric: cell?.metric ?? '',
      comparator,
      comparatorInferred: inferred,
      value: quantity.value,
      unit: unit ?? 'count',
      kind: kind ?? 'count',
      percentile,
      section: segment.section,
    });
    previous = { comparator, end: quantity.end };
    if (quantity.rangeLow !== null && quantity.rangeLow > 0) {
      // `5-8 ms`: an estimate; its lower end is kept as a lower bound.
      reading.targets.push({
        ...reading.targets[reading.targets.length - 1]!,
        comparator: '>=',
        comparatorInferred: true,
        value: quantity.rangeLow,
      });
    }
  }
}

/** `System MUST achieve error rate of 0%`: a requirement sentence that states the value after `of`/`is`/`be`. */
function modalStatement(before: string): boolean {
  return (
    /\b(?:must|shall|should|will|deve|debe|muss|phải)\b|必须|必須|应当|べき/i.test(before) &&
    /\b(?:of|is|be|at|to|remain|achieve|maintain|reach|de|em|von)\s*$/i.test(before)
  );
}

function percentileIn(text: string): number | null {
  const span = findPercentiles(text)[0];
  if (span) return Number(span.percentile.slice(1));
  // `histogram_quantile(0.95, ...)` in a query column.
  const quantile = /histogram_quantile\(\s*(0?\.\d+)/.exec(text);
  if (quantile) return Number((Number(quantile[1]) * 100).toPrecision(6));
  const glued = /(?<![A-Za-z\d])[pP](\d{2}(?:\.\d+)?)(?![\d])/.exec(text);
  return glued ? Number(glued[1]) : null;
}

/** A table cell that holds just the quantity (`<1.5s`, `99.9%`, `10K`, `1000+`, `0% growth`). */
function bareCell(_cell: NonNullable<Segment['cell']>, plain: string, quantity: Quantity): boolean {
  const rest = plain.slice(0, quantity.comparatorStart) + plain.slice(quantity.end);
  const words = squish(rest.replace(/[()[\]*~≈:]/g, ' '))
    .split(' ')
    .filter(Boolean);
  return words.length <= 2;
}

/** A unit named by a header or row label: `Target (ms)`, `Requests/sec`, `TPS`. */
function unitFromLabel(text: string): { unit: string; kind: UnitKind } | null {
  const lowerText = lower(plainText(text));
  if (
    /\b(?:requests?|req|queries|transactions|events|ops)\s?(?:\/|per)\s?(?:s|sec|second)\b|\b(?:rps|qps|tps)\b/.test(
      lowerText,
    )
  )
    return { unit: 'rps', kind: 'rate' };
  const inside = /\(([^)]+)\)/.exec(lowerText)?.[1]?.trim();
  if (inside) {
    const unit = singleUnit(inside);
    if (unit && unit.kind !== 'count') return unit;
  }
  return null;
}

// ---- metric names -------------------------------------------------------------------------------------------

/**
 * Derives a metric name for each target: slug of the requirement, with the percentile and the measured
 * quantity added when the slug does not say them. Names are unique: a repeated name gets `_2`, `_3`... in
 * document order (so editing an unrelated line never renames a target), with a warning.
 */
function nameMetrics(reading: DocumentReading): void {
  const targetsByLine = new Map<number, DocumentTarget[]>();
  for (const target of reading.targets) {
    const onLine = targetsByLine.get(target.line) ?? [];
    onLine.push(target);
    targetsByLine.set(target.line, onLine);
  }
  const kindWord: Record<UnitKind, string> = {
    time: 'duration',
    percent: 'percent',
    rate: 'rate',
    size: 'size',
    bandwidth: 'bandwidth',
    count: 'count',
  };
  const seen = new Map<string, number[]>();
  const given = new Map<string, number>();
  for (const target of reading.targets)
    if (target.metric !== '') given.set(target.metric, (given.get(target.metric) ?? 0) + 1);
  for (const target of reading.targets) {
    if (target.metric !== '') {
      // The spec's own name; when a row gives it to several targets (P95 and P99 columns), the percentile tells them apart.
      let named = target.metric;
      if (
        (given.get(named) ?? 0) > 1 &&
        target.percentile !== null &&
        !named.includes(`p${target.percentile}`)
      )
        named = `${named}_p${String(target.percentile).replace('.', '_')}`;
      const lines = seen.get(named) ?? [];
      lines.push(target.line);
      seen.set(named, lines);
      target.metric = lines.length === 1 ? named : `${named}_${lines.length}`;
      continue;
    }
    let base = slugify(target.requirement).slice(0, 60).replace(/_+$/, '') || `line_${target.line}`;
    if (target.percentile !== null && !base.includes(`p${String(target.percentile).replace('.', '_')}`))
      base = `${base}_p${String(target.percentile).replace('.', '_')}`;
    const word = kindWord[target.kind];
    const mentions = {
      time: /latency|time|duration|timeout|rto|mttr|delay|pause|秒|時間|时间|耗时|延迟|レイテンシ|応答|thoi_gian|tempo|latencia|tiempo|dauer|zeit/,
      percent: /rate|ratio|availability|uptime|percent|cpu|memory|usage|utili|率|success|error/,
      rate: /rate|throughput|rps|qps|tps|per_s|requests|吞吐/,
      size: /size|memory|mb|gb|disk|ram|storage/,
      bandwidth: /bandwidth|network|mbps|io/,
      count: /count|users|clients|connections|sessions|concurrent|instances|nodes/,
    }[target.kind];
    if (!mentions.test(base)) base = `${base}_${word}`;
    if (
      target.comparator === '>=' &&
      target.comparatorInferred &&
      (targetsByLine.get(target.line) ?? []).some(
        (t) =>
          t !== target &&
          t.value > target.value &&
          t.requirement === target.requirement &&
          t.comparator === '<=',
      )
    )
      base = `${base}_min`;
    const lines = seen.get(base) ?? [];
    lines.push(target.line);
    seen.set(base, lines);
    target.metric = lines.length === 1 ? base : `${base}_${lines.length}`;
  }
  for (const [base, lines] of seen) {
    if (lines.length < 2) continue;
    reading.warnings.push(
      `metric name "${base}" derived for ${lines.length} targets (lines ${lines.join(', ')}); the later ones are named ${base}_2, ${base}_3... — name each target in the spec to choose its name`,
    );
  }
}
