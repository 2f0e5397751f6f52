// Text for people, apart from the parsing tables of units.ts and comparators.ts: the status page's
// browser bundle imports this module and should carry no more.
import type { Comparator, Unit } from './types.js';

/** How each comparator reads in text for people (verdicts, reports, the status page): `≤`, not `<=`. */
export const COMPARATOR_TEXT: Readonly<Record<Comparator, string>> = {
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
  '=': '=',
};

/** The text of a comparator read from JSON; anything unexpected is shown as it came. */
export function comparatorText(comparator: string): string {
  return Object.hasOwn(COMPARATOR_TEXT, comparator) ? COMPARATOR_TEXT[comparator as Comparator] : comparator;
}

const UNIT_DISPLAY: Record<Unit, string> = {
  ns: ' ns',
  us: ' µs',
  ms: ' ms',
  s: ' s',
  min: ' min',
  h: ' h',
  '%': ' %',
  ratio: '',
  rps: ' rps',
  rpm: ' rpm',
  count: '',
};

/** Up to `digits` significant digits, without trailing zeros or exponent for ordinary magnitudes. */
function formatNumber(value: number, digits: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 10 ** digits) return String(Math.round(value));
  const text = value.toPrecision(digits);
  const [mantissa = text, exponent] = text.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent.replace(/^\+/, '')}`;
}

/**
 * Compact human text for a quantity: `350 ms`, `0.12 %`, `1200 rps`, `1.5 s`; up to 4 significant digits.
 * Ratios near their ceiling keep more digits so that 99.9996 % never reads as 100 %.
 */
export function formatQuantity(value: number, unit: Unit): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  let text = formatNumber(value, 4);
  const ceiling = unit === '%' ? 100 : unit === 'ratio' ? 1 : null;
  if (ceiling !== null && value < ceiling) {
    for (let digits = 5; Number(text) >= ceiling && digits <= 15; digits++) {
      text = formatNumber(value, digits);
    }
  }
  return text + UNIT_DISPLAY[unit];
}
