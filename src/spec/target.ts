import type { Comparator, Unit } from '../units/index.js';
import {
  comparatorAtEnd,
  comparatorAtStart,
  dimensionOf,
  formatQuantity,
  isUnsupportedUnit,
  parseUnit,
} from '../units/index.js';
import { timeUnitOf } from './lexicon.js';
import {
  findPercentiles,
  inferDirection,
  meansPercent,
  meansRatio,
  mostSpecificPercentile,
} from './meaning.js';
import { MAX_ANALYSED_CHARS, normaliseChars, squish } from './text.js';
import type { Objective } from './types.js';

export interface TargetContext {
  metric: string;
  requirement: string;
  category: string | null;
}

/** What a table header can add to its cells (`Target (ms)`, `Latency (p95)`). */
export interface TargetDefaults {
  unit?: Unit | null;
  percentile?: string | null;
}

export interface TargetResult {
  objective: Objective | null;
  reason: string | null;
}

/** Where the quantity of a target sits in its text, and what was written around it. */
export interface QuantitySpan {
  /** Start of the target phrase: the comparator, else the number. */
  start: number;
  /** End of the target phrase: after the unit or a trailing `or less`. */
  end: number;
  numberStart: number;
  value: number;
  unit: Unit | null;
  /** A unit that was written but is not supported (`MB`). */
  unsupportedUnit: string | null;
  comparator: Comparator | null;
  /** True for `<`, `≤`...; false for words (`within`, `at most`) or when there is none. */
  symbolComparator: boolean;
}

// Thousands (`1,000`), decimals with point or comma (`99.9`, `99,9`), or a bare fraction (`.5`).
const NUMBER = /(?<![\p{L}\p{N}_.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|\.\d+)/gu;
const UNIT_TOKEN = /^(\s*)(%|\/\s*[\p{L}\p{M}]+|[\p{L}\p{M}µμ]+(?:\s*\/\s*[\p{L}\p{M}]+)?)/u;

const DAY_UNITS = new Map<string, number>([
  ['d', 24],
  ['day', 24],
  ['days', 24],
  ['w', 168],
  ['wk', 168],
  ['wks', 168],
  ['week', 168],
  ['weeks', 168],
]);

const PLACEHOLDERS: readonly RegExp[] = [
  /\{\{[^}]*\}\}/,
  /\$\{[^}]*\}/,
  /\[[^\]\d]*\]/,
  /<[a-z_][a-z0-9_ -]*>/i,
  /\b(?:TBD|TBA|TBC|TODO)\b/i,
  /(?<![\p{N}.])\d+\.[xX]+(?![\p{L}])/u,
  /(?<![\p{L}\p{N}])[xX]{1,3}\s*(?:%|ms|s|sec|seconds|min|rps|tps)(?![\p{L}])/u,
];

function findPlaceholder(text: string): string | null {
  for (const pattern of PLACEHOLDERS) {
    const match = pattern.exec(text);
    if (match) return match[0];
  }
  return null;
}

function readNumber(text: string): number {
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text)) return Number(text.replace(/,/g, ''));
  return Number(text.replace(',', '.'));
}

interface UnitReading {
  unit: Unit | null;
  /** Hours per written unit when the text said days or weeks. */
  hoursFactor: number | null;
  unsupported: string | null;
  end: number;
  /** The text right after the number was letters that are no unit (`5xx`, `2FA`). */
  gluedWord: boolean;
}

/** Reads the unit written at `from` (up to three words: `requests per second`). */
function readUnit(text: string, from: number): UnitReading {
  const tokenEnds: number[] = [];
  let position = from;
  for (let count = 0; count < 3; count++) {
    const match = UNIT_TOKEN.exec(text.slice(position, position + 64));
    if (!match) break;
    position += match[0].length;
    tokenEnds.push(position);
  }
  const none: UnitReading = { unit: null, hoursFactor: null, unsupported: null, end: from, gluedWord: false };
  if (tokenEnds.length === 0) return none;
  for (let index = tokenEnds.length - 1; index >= 0; index--) {
    const end = tokenEnds[index] ?? from;
    const unit = parseUnit(text.slice(from, end));
    if (unit) return { ...none, unit, end };
  }
  const firstEnd = tokenEnds[0] ?? from;
  const first = text.slice(from, firstEnd).trim().toLowerCase();
  // Chinese, Japanese and Thai write the unit and the next word without a space (`2秒以内`): try its prefixes.
  const firstStart = firstEnd - first.length;
  if (/^[^\p{Script=Latin}\d\s%/]/u.test(first)) {
    for (let length = Math.min(first.length, 6); length > 0; length--) {
      const unit = parseUnit(first.slice(0, length));
      if (unit) return { ...none, unit, end: firstStart + length };
      const day = timeUnitOf(first.slice(0, length));
      if (day === 'd' || day === 'w')
        return { ...none, unit: 'h', hoursFactor: day === 'd' ? 24 : 168, end: firstStart + length };
    }
  }
  const hoursFactor =
    DAY_UNITS.get(first) ?? ({ d: 24, w: 168 } as Record<string, number>)[timeUnitOf(first) ?? ''];
  if (hoursFactor !== undefined) return { ...none, unit: 'h', hoursFactor, end: firstEnd };
  // A unit that is written but not supported (`MB/s`, `req/day`) must not leave a plain number behind.
  for (let index = tokenEnds.length - 1; index >= 0; index--) {
    const end = tokenEnds[index] ?? from;
    const written = squish(text.slice(from, end));
    if (isUnsupportedUnit(written)) return { ...none, unsupported: written, end };
  }
  const glued = /^\p{L}/u.test(text.slice(from, from + 1));
  return { ...none, gluedWord: glued };
}

/** Replaces percentile mentions with spaces so that `p95 < 500 ms` reads 500, not 95. */
function maskPercentiles(text: string): string {
  const pieces: string[] = [];
  let position = 0;
  for (const span of findPercentiles(text)) {
    if (span.start < position) continue;
    pieces.push(text.slice(position, span.start), ' '.repeat(span.end - span.start));
    position = span.end;
  }
  pieces.push(text.slice(position));
  return pieces.join('');
}

/** Longest comparator phrase plus some spacing; keeps the look-behind search short on long lines. */
const COMPARATOR_WINDOW = 64;

/** Finds the main quantity of a text: the first number that is not part of a word or a percentile. */
export function locateQuantity(text: string): QuantitySpan | null {
  const masked = maskPercentiles(text);
  NUMBER.lastIndex = 0;
  for (let match = NUMBER.exec(masked); match; match = NUMBER.exec(masked)) {
    const numberStart = match.index;
    const before = masked.slice(Math.max(0, numberStart - 2), numberStart);
    // `NFR-1`, `spec-001`: a number joined to a word by a hyphen is part of a name.
    if (/[\p{L}\p{N}]-$/u.test(before)) continue;
    let value = readNumber(match[1] ?? match[0]);
    let position = numberStart + match[0].length;
    if (/^[kK](?![\p{L}])/u.test(masked.slice(position, position + 2))) {
      value *= 1000;
      position += 1;
    }
    const unit = readUnit(masked, position);
    if (unit.gluedWord) continue;
    if (unit.hoursFactor !== null) value *= unit.hoursFactor;
    let end = unit.end;
    let comparator: Comparator | null = null;
    let symbolComparator = false;
    let start = numberStart;
    const windowStart = Math.max(0, numberStart - COMPARATOR_WINDOW);
    const leading = comparatorAtEnd(masked.slice(windowStart, numberStart));
    if (leading) {
      comparator = leading.comparator;
      start = windowStart + leading.index;
      symbolComparator = !/\p{L}/u.test(masked.slice(start, numberStart));
    } else {
      const trailing = comparatorAtStart(masked.slice(end, end + COMPARATOR_WINDOW));
      if (trailing) {
        comparator = trailing.comparator;
        end += trailing.length;
      }
    }
    return {
      start,
      end,
      numberStart,
      value,
      unit: unit.unit,
      unsupportedUnit: unit.unsupported,
      comparator,
      symbolComparator,
    };
  }
  return null;
}

function plainNumberUnit(value: number, meaning: ReadonlyArray<string | null>): Unit {
  if (value >= 0 && value <= 1 && meansRatio(meaning)) return 'ratio';
  if (value > 1 && value <= 100 && meansPercent(meaning)) return '%';
  return 'count';
}

/**
 * Reads a written target (`< 200ms`, `99.9% monthly`, `≤ 5 minutes`, `p95 < 2s`, `within 2 seconds`) into an
 * objective. Without a comparator the direction comes from the meaning of the metric, requirement, target and
 * category (latency → `<=`, availability → `>=`). Never throws: a target that cannot be monitored gives a reason.
 */
export function parseTarget(text: string, context: TargetContext): TargetResult {
  return parseTargetWith(text, context, {});
}

export function parseTargetWith(
  text: string,
  context: TargetContext,
  defaults: TargetDefaults,
): TargetResult {
  const written = squish(normaliseChars(text)).slice(0, MAX_ANALYSED_CHARS);
  if (written === '') return { objective: null, reason: 'no target given' };
  const placeholder = findPlaceholder(written);
  if (placeholder !== null) {
    return { objective: null, reason: `no numeric target: "${placeholder}" is a placeholder` };
  }
  const quantity = locateQuantity(written);
  if (!quantity || !Number.isFinite(quantity.value)) return { objective: null, reason: 'no numeric target' };
  if (quantity.unsupportedUnit !== null) {
    return {
      objective: null,
      reason: `unit "${quantity.unsupportedUnit}" is not supported; write the target in ns, us, ms, s, min, h, %, rps, rpm or as a plain number`,
    };
  }
  const meaning = [context.metric, context.requirement, written, context.category];
  const unit = quantity.unit ?? defaults.unit ?? plainNumberUnit(quantity.value, meaning);
  const percentile = mostSpecificPercentile([
    written,
    context.metric,
    context.requirement,
    defaults.percentile ?? null,
  ]);
  let comparator = quantity.comparator;
  const comparatorInferred = comparator === null;
  if (comparator === null) comparator = inferComparator(meaning, percentile, unit);
  if (comparator === null) {
    const shown = formatQuantity(quantity.value, unit);
    const subject = context.requirement || context.metric;
    return {
      objective: null,
      reason:
        `cannot tell whether ${shown} is an upper or a lower bound for "${subject}" (no comparator, and its ` +
        `meaning is unknown); write a comparator in the target, e.g. "<= ${shown}" or ">= ${shown}"`,
    };
  }
  return {
    objective: { comparator, comparatorInferred, threshold: quantity.value, unit, percentile },
    reason: null,
  };
}

function inferComparator(
  meaning: ReadonlyArray<string | null>,
  percentile: string | null,
  unit: Unit,
): Comparator | null {
  const fromWords = inferDirection(meaning);
  if (fromWords) return fromWords;
  // A percentile is almost always of a latency; a rate is a throughput.
  if (percentile !== null) return '<=';
  if (dimensionOf(unit) === 'rate') return '>=';
  return null;
}
