import { describe, expect, it } from 'vitest';
import type { Comparator } from '../../src/units/index.js';
import {
  COMPARATOR_TEXT,
  comparatorAtEnd,
  comparatorAtStart,
  comparatorText,
  compare,
  parseComparator,
} from '../../src/units/index.js';

describe('parseComparator', () => {
  const cases: Array<[string, Comparator | null]> = [
    ['<', '<'],
    ['<=', '<='],
    ['=<', '<='],
    ['≤', '<='],
    ['>', '>'],
    ['>=', '>='],
    ['≥', '>='],
    ['=', '='],
    ['==', '='],
    ['under', '<'],
    ['Under', '<'],
    ['below', '<'],
    ['less than', '<'],
    ['LESS  THAN', '<'],
    ['at most', '<='],
    ['within', '<='],
    ['no more than', '<='],
    ['max', '<='],
    ['maximum', '<='],
    ['up to', '<='],
    ['not to exceed', '<='],
    ['less than or equal to', '<='],
    ['above', '>'],
    ['over', '>'],
    ['more than', '>'],
    ['greater than', '>'],
    ['at least', '>='],
    ['no less than', '>='],
    ['min', '>='],
    ['minimum', '>='],
    ['greater than or equal to', '>='],
    ['  >=  ', '>='],
    ['', null],
    ['about', null],
    ['<>', null],
    ['approximately', null],
  ];
  it.each(cases)('%j → %j', (text, expected) => {
    expect(parseComparator(text)).toBe(expected);
  });
});

describe('comparatorAtEnd (text before a number)', () => {
  const cases: Array<[string, Comparator | null, number | null]> = [
    ['< ', '<', 0],
    ['P95 <', '<', 4],
    ['latency<', '<', 7],
    ['p99 <= ', '<=', 4],
    ['RTO: ≤ ', '<=', 5],
    ['must not exceed ', '<=', 5],
    ['should be less than or equal to ', '<=', 10],
    ['no more than ', '<=', 0],
    ['Throughput of at least ', '>=', 14],
    ['complete within ', '<=', 9],
    ['cover ', null, null],
    ['latency ', null, null],
    ['', null, null],
  ];
  it.each(cases)('%j → %j at %j', (text, comparator, index) => {
    const found = comparatorAtEnd(text);
    expect(found?.comparator ?? null).toBe(comparator);
    expect(found?.index ?? null).toBe(index);
  });
});

describe('comparatorAtStart (text after a quantity)', () => {
  it.each([
    [' or less', '<=', 8],
    [' or more.', '>=', 8],
    [' max', '<=', 4],
    [' minimum', '>=', 8],
    [' at least', '>=', 9],
    [' monthly', null, null],
    [' maximal effort', null, null],
    ['', null, null],
  ] as const)('%j → %j', (text, comparator, length) => {
    const found = comparatorAtStart(text);
    expect(found?.comparator ?? null).toBe(comparator);
    expect(found?.length ?? null).toBe(length);
  });
});

describe('compare', () => {
  const cases: Array<[number, Comparator, number, boolean]> = [
    [150, '<', 200, true],
    [200, '<', 200, false],
    [250, '<', 200, false],
    [200, '<=', 200, true],
    [201, '<=', 200, false],
    [99.95, '>', 99.9, true],
    [99.9, '>', 99.9, false],
    [99.9, '>=', 99.9, true],
    [99.8, '>=', 99.9, false],
    [5, '=', 5, true],
    [5, '=', 5.1, false],
    // Relative tolerance 1e-9: float noise counts as equal, for every comparator.
    [0.1 + 0.2, '=', 0.3, true],
    [0.1 + 0.2, '<=', 0.3, true],
    [0.1 + 0.2, '>', 0.3, false],
    [1e12 + 1, '=', 1e12, true],
    [1.000001, '=', 1, false],
    [0, '=', 0, true],
    [1e-12, '=', 0, false],
    [Number.POSITIVE_INFINITY, '=', Number.POSITIVE_INFINITY, true],
    [Number.POSITIVE_INFINITY, '=', 1e300, false],
    [Number.POSITIVE_INFINITY, '>', 1e300, true],
    [Number.POSITIVE_INFINITY, '<=', 200, false],
    [Number.NEGATIVE_INFINITY, '<', 0, true],
    // NaN never satisfies anything.
    [Number.NaN, '<', 200, false],
    [Number.NaN, '<=', 200, false],
    [Number.NaN, '>', 200, false],
    [Number.NaN, '>=', 200, false],
    [Number.NaN, '=', Number.NaN, false],
    [100, '<', Number.NaN, false],
  ];
  it.each(cases)('%d %s %d → %s', (value, comparator, threshold, expected) => {
    expect(compare(value, comparator, threshold)).toBe(expected);
  });
});

describe('comparator text', () => {
  it('reads each comparator for people, the same in verdicts, reports and the status page', () => {
    expect(Object.entries(COMPARATOR_TEXT)).toEqual([
      ['<', '<'],
      ['<=', '≤'],
      ['>', '>'],
      ['>=', '≥'],
      ['=', '='],
    ]);
    expect(comparatorText('>=')).toBe('≥');
  });

  it('shows a comparator it does not know as it came, never an inherited property', () => {
    expect(comparatorText('~')).toBe('~');
    expect(comparatorText('toString')).toBe('toString');
  });
});
