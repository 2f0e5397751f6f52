import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Unit } from '../../src/units/index.js';
import {
  baseUnitOf,
  canConvert,
  convert,
  dimensionOf,
  formatQuantity,
  isUnsupportedUnit,
  parseUnit,
} from '../../src/units/index.js';

const ALL_UNITS: readonly Unit[] = ['ns', 'us', 'ms', 's', 'min', 'h', '%', 'ratio', 'rps', 'rpm', 'count'];

describe('parseUnit', () => {
  const cases: Array<[string, Unit | null]> = [
    ['ns', 'ns'],
    ['nanoseconds', 'ns'],
    ['us', 'us'],
    ['µs', 'us'], // U+00B5 micro sign
    ['μs', 'us'], // U+03BC greek mu
    ['microseconds', 'us'],
    ['ms', 'ms'],
    ['MS', 'ms'],
    ['milliseconds', 'ms'],
    ['msec', 'ms'],
    ['s', 's'],
    ['sec', 's'],
    ['secs', 's'],
    ['second', 's'],
    ['Seconds', 's'],
    ['m', 'min'],
    ['min', 'min'],
    ['mins', 'min'],
    ['minute', 'min'],
    ['minutes', 'min'],
    ['h', 'h'],
    ['hr', 'h'],
    ['hrs', 'h'],
    ['hour', 'h'],
    ['Hours', 'h'],
    ['%', '%'],
    ['percent', '%'],
    ['PERCENT', '%'],
    ['ratio', 'ratio'],
    ['rps', 'rps'],
    ['RPS', 'rps'],
    ['tps', 'rps'],
    ['qps', 'rps'],
    ['req/s', 'rps'],
    ['req / s', 'rps'],
    ['requests/s', 'rps'],
    ['requests/sec', 'rps'],
    ['requests per second', 'rps'],
    ['Requests  Per  Second', 'rps'],
    ['transactions per second', 'rps'],
    ['per second', 'rps'],
    ['/s', 'rps'],
    ['rpm', 'rpm'],
    ['req/min', 'rpm'],
    ['requests per minute', 'rpm'],
    ['count', 'count'],
    ['  ms  ', 'ms'],
    ['', null],
    ['   ', null],
    ['MB', null],
    ['days', null],
    ['furlongs', null],
    ['ms ms', null],
  ];
  it.each(cases)('%j → %j', (text, expected) => {
    expect(parseUnit(text)).toBe(expected);
  });
});

describe('isUnsupportedUnit', () => {
  it.each([
    'MB',
    'GB',
    'GiB',
    'Mbps',
    'bits',
    'MB/s',
    'KB / s',
    'TB/day',
    'MB per second',
    'req/day',
    'req/h',
    'requests per day',
    'errors/day',
    'per day',
    '/hour',
    'm/s',
    'km/h',
    'ms/op',
    'rps/node',
  ])('%j is a unit that is not supported', (text) => {
    expect(isUnsupportedUnit(text)).toBe(true);
  });

  it.each([
    'ms',
    'rps',
    'req/s',
    'tps',
    '%',
    'requests per second',
    'docs/sec',
    'req/min',
    '',
    'users',
    'concurrent users',
    'users/tenant',
    'read/write',
    'furlongs',
  ])('%j is a supported unit or no unit at all', (text) => {
    expect(isUnsupportedUnit(text)).toBe(false);
  });

  it('size rates are neither event rates nor plain numbers', () => {
    expect(parseUnit('MB/s')).toBeNull();
    expect(parseUnit('Gbit/s')).toBeNull();
    expect(isUnsupportedUnit('Gbit/s')).toBe(true);
  });
});

describe('dimensionOf / baseUnitOf', () => {
  it.each([
    ['ns', 'duration'],
    ['us', 'duration'],
    ['ms', 'duration'],
    ['s', 'duration'],
    ['min', 'duration'],
    ['h', 'duration'],
    ['%', 'ratio'],
    ['ratio', 'ratio'],
    ['rps', 'rate'],
    ['rpm', 'rate'],
    ['count', 'count'],
  ] as const)('%s is a %s', (unit, dimension) => {
    expect(dimensionOf(unit)).toBe(dimension);
  });

  it.each([
    ['duration', 's'],
    ['ratio', 'ratio'],
    ['rate', 'rps'],
    ['count', 'count'],
  ] as const)('base unit of %s is %s', (dimension, unit) => {
    expect(baseUnitOf(dimension)).toBe(unit);
    expect(dimensionOf(baseUnitOf(dimension))).toBe(dimension);
  });
});

describe('convert', () => {
  const cases: Array<[number, Unit, Unit, number]> = [
    [200, 'ms', 's', 0.2],
    [0.2, 's', 'ms', 200],
    [1, 'h', 'ms', 3_600_000],
    [90, 's', 'min', 1.5],
    [1.5, 'min', 's', 90],
    [2, 'h', 'min', 120],
    [1500, 'us', 'ms', 1.5],
    [1, 'ms', 'ns', 1_000_000],
    [250, 'ns', 'us', 0.25],
    [0.1, '%', 'ratio', 0.001],
    [99.9, '%', 'ratio', 0.999],
    [0.999, 'ratio', '%', 99.9],
    [120, 'rpm', 'rps', 2],
    [2, 'rps', 'rpm', 120],
    [7, 'count', 'count', 7],
    [42, 'ms', 'ms', 42],
  ];
  it.each(cases)('%d %s → %s = %d', (value, from, to, expected) => {
    expect(convert(value, from, to)).toBe(expected);
  });

  it('keeps NaN and infinities', () => {
    expect(convert(Number.NaN, 'ms', 's')).toBeNaN();
    expect(convert(Number.POSITIVE_INFINITY, 's', 'ms')).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    ['ms', '%'],
    ['rps', 'count'],
    ['ratio', 's'],
    ['count', 'ms'],
  ] as const)('refuses %s → %s with a plain Error', (from, to) => {
    expect(canConvert(from, to)).toBe(false);
    expect(() => convert(1, from, to)).toThrow(Error);
    expect(() => convert(1, from, to)).toThrow(/different dimensions/);
  });

  it('canConvert is true exactly within a dimension', () => {
    for (const from of ALL_UNITS) {
      for (const to of ALL_UNITS) {
        expect(canConvert(from, to)).toBe(dimensionOf(from) === dimensionOf(to));
      }
    }
  });

  it('round-trips through the base unit (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.constantFrom(...ALL_UNITS),
        (value, unit) => {
          const base = baseUnitOf(dimensionOf(unit));
          const back = convert(convert(value, unit, base), base, unit);
          expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.abs(value) * 1e-12 + 1e-300);
        },
      ),
    );
  });
});

describe('formatQuantity', () => {
  const cases: Array<[number, Unit, string]> = [
    [350, 'ms', '350 ms'],
    [0.12, '%', '0.12 %'],
    [99.95, '%', '99.95 %'],
    [1200, 'rps', '1200 rps'],
    [1.5, 's', '1.5 s'],
    [0.1, '%', '0.1 %'],
    [0.1 + 0.2, 's', '0.3 s'],
    [1 / 3, 's', '0.3333 s'],
    [123.456, 'ms', '123.5 ms'],
    [12345.6, 'ms', '12346 ms'],
    [5, 'min', '5 min'],
    [2, 'h', '2 h'],
    [250, 'us', '250 µs'],
    [40, 'ns', '40 ns'],
    [60, 'rpm', '60 rpm'],
    [42, 'count', '42'],
    [0.999, 'ratio', '0.999'],
    [0, 'ms', '0 ms'],
    [-0, '%', '0 %'],
    [-12.5, 'ms', '-12.5 ms'],
    [0.000123, 's', '0.000123 s'],
    [1e-7, 's', '1e-7 s'],
    // Nines are never rounded up to a full 100 %.
    [99.9996, '%', '99.9996 %'],
    [99.99999, '%', '99.99999 %'],
    [0.99999, 'ratio', '0.99999'],
    [100, '%', '100 %'],
    [Number.POSITIVE_INFINITY, 'ms', '+Inf'],
    [Number.NEGATIVE_INFINITY, 'ms', '-Inf'],
    [Number.NaN, 'ms', 'NaN'],
  ];
  it.each(cases)('%d %s → %j', (value, unit, expected) => {
    expect(formatQuantity(value, unit)).toBe(expected);
  });

  it('never shows trailing zeros or more than 4 significant digits below 10000 (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 9999, noNaN: true }), (value) => {
        const text = formatQuantity(value, 'ms');
        const number = text.replace(/ ms$/, '');
        expect(number).not.toMatch(/\.\d*0$/);
        expect(number.replace(/^[-0.]+/, '').replace('.', '').length).toBeLessThanOrEqual(4);
        expect(Math.abs(Number(number) - value)).toBeLessThanOrEqual(Math.abs(value) * 5e-4);
      }),
    );
  });
});
