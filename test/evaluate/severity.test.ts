import { describe, expect, it } from 'vitest';
import type { SeverityRule } from '../../src/config/types.js';
import { isWorse, moreSevere, overshoot, severityFor } from '../../src/evaluate/severity.js';
import { DEFAULT_RULES } from '../alerting/fixtures.js';

describe('overshoot', () => {
  it('is the relative distance past an upper bound (350 ms vs < 200 ms = +75%)', () => {
    expect(overshoot(350, 200, '<', 'ms')).toBeCloseTo(0.75, 12);
    expect(overshoot(0.5, 0.1, '<=', '%')).toBeCloseTo(4, 12);
  });

  it('counts error-budget multiples for availability-like objectives', () => {
    // 1% errors against a 0.1% budget: nine budgets over
    expect(overshoot(99.0, 99.9, '>=', '%')).toBeCloseTo(9, 9);
    expect(overshoot(0.99, 0.999, '>', 'ratio')).toBeCloseTo(9, 9);
    expect(overshoot(99.85, 99.9, '>=', '%')).toBeCloseTo(0.5, 9);
  });

  it('uses the plain relative distance for other lower bounds', () => {
    expect(overshoot(80, 100, '>=', 'rps')).toBeCloseTo(0.2, 12);
    // a percentage far from 1 (cache hit rate > 40%) is not an availability
    expect(overshoot(30, 40, '>', '%')).toBeCloseTo(0.25, 12);
  });

  it('is <= 0 within the target', () => {
    expect(overshoot(150, 200, '<', 'ms')).toBeLessThanOrEqual(0);
    expect(overshoot(99.95, 99.9, '>=', '%')).toBeLessThanOrEqual(0);
    expect(overshoot(120, 100, '>=', 'rps')).toBeLessThanOrEqual(0);
    expect(overshoot(200, 200, '<=', 'ms')).toBe(0);
  });

  it('handles zero thresholds and 100% objectives without NaN', () => {
    expect(overshoot(3, 0, '<=', 'count')).toBe(Number.POSITIVE_INFINITY);
    expect(overshoot(0, 0, '<=', 'count')).toBe(0);
    expect(overshoot(99.99, 100, '>=', '%')).toBe(Number.POSITIVE_INFINITY);
    expect(overshoot(100, 100, '>=', '%')).toBe(0);
  });

  it('measures any deviation for equality objectives', () => {
    expect(overshoot(90, 100, '=', 'count')).toBeCloseTo(0.1, 12);
    expect(overshoot(110, 100, '=', 'count')).toBeCloseTo(0.1, 12);
  });
});

describe('severityFor', () => {
  const verdict = (
    value: number | null,
    slo: number,
    comparator: '<' | '>=',
    unit: 'ms' | '%',
    category = 'Performance',
  ) => ({
    value,
    slo,
    comparator,
    unit,
    category,
    status: value === null ? ('unknown' as const) : ('breached' as const),
  });

  it("maps the incident guide's example (p99 350 ms vs < 200 ms) to SEV-2", () => {
    expect(severityFor(verdict(350, 200, '<', 'ms'), DEFAULT_RULES)).toBe('SEV-2');
  });

  it('maps availability 99.0% vs 99.9% to SEV-1', () => {
    expect(severityFor(verdict(99.0, 99.9, '>=', '%', 'Availability'), DEFAULT_RULES)).toBe('SEV-1');
  });

  it.each([
    [450, 'SEV-1'],
    [400, 'SEV-1'],
    [300, 'SEV-2'],
    [250, 'SEV-3'],
    [210, 'SEV-4'],
    [150, 'SEV-4'],
  ] as const)('p99 %i ms vs < 200 ms → %s', (value, expected) => {
    expect(severityFor(verdict(value, 200, '<', 'ms'), DEFAULT_RULES)).toBe(expected);
  });

  it('honours categories, case-insensitively, and rule order', () => {
    const rules: SeverityRule[] = [
      { minOvershoot: 0.05, categories: ['availability'], severity: 'SEV-1' },
      ...DEFAULT_RULES,
    ];
    expect(severityFor(verdict(99.8, 99.9, '>=', '%', 'AVAILABILITY'), rules)).toBe('SEV-1');
    expect(severityFor(verdict(99.8, 99.9, '>=', '%', 'Reliability'), rules)).toBe('SEV-1'); // budget ×2 → default SEV-1
    expect(severityFor(verdict(215, 200, '<', 'ms', 'Performance'), rules)).toBe('SEV-4');
    expect(severityFor({ ...verdict(230, 200, '<', 'ms'), category: null }, rules)).toBe('SEV-3');
  });

  it('scores no data as overshoot 0: SEV-4 by default, raised only by a rule with minOvershoot 0', () => {
    expect(severityFor(verdict(null, 99.9, '>=', '%', 'Availability'), DEFAULT_RULES)).toBe('SEV-4');
    const rules: SeverityRule[] = [
      { minOvershoot: 0, categories: ['availability'], severity: 'SEV-2' },
      ...DEFAULT_RULES,
    ];
    expect(severityFor(verdict(null, 99.9, '>=', '%', 'Availability'), rules)).toBe('SEV-2');
    expect(severityFor(verdict(null, 200, '<', 'ms', 'Performance'), rules)).toBe('SEV-4');
  });

  it('falls back to SEV-4 with no rules', () => {
    expect(severityFor(verdict(10_000, 200, '<', 'ms'), [])).toBe('SEV-4');
  });
});

describe('helpers', () => {
  it('moreSevere picks SEV-1 over SEV-3 and ignores null', () => {
    expect(moreSevere('SEV-3', 'SEV-1')).toBe('SEV-1');
    expect(moreSevere('SEV-2', 'SEV-4')).toBe('SEV-2');
    expect(moreSevere(null, 'SEV-4')).toBe('SEV-4');
    expect(moreSevere('SEV-3', null)).toBe('SEV-3');
  });

  it('isWorse follows the direction of the objective', () => {
    expect(isWorse(400, 300, '<', 200)).toBe(true);
    expect(isWorse(98, 99, '>=', 99.9)).toBe(true);
    expect(isWorse(99.5, 99, '>=', 99.9)).toBe(false);
  });
});
