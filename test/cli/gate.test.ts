import { describe, expect, it } from 'vitest';
import { budgetGate, gateOf, gateResult } from '../../src/cli/gate.js';
import type { Summary, SummaryMetric } from '../../src/report/index.js';
import type { ObjectiveReport } from '../../src/slo/index.js';

function objective(overrides: Partial<ObjectiveReport> = {}): ObjectiveReport {
  return {
    window: '30d',
    window_start: '2026-02-09T12:00:00.000Z',
    budgeting: 'occurrences',
    target: 0.999,
    sli: { kind: 'events', source: 'ratio_query', bad: 'b', total: 't', good: null, note: null },
    error_budget: { allowed: 0.001, consumed: 0.5, remaining: 0.5 },
    burn_rates: { '5m': 1, '30m': 1, '1h': 1, '2h': 1, '6h': 1, '1d': 1, '3d': 1 },
    alerts: [
      { name: 'page-1h-5m', severity: 'page', long: '1h', short: '5m', factor: 14.4, firing: false },
      { name: 'ticket-1d-2h', severity: 'ticket', long: '1d', short: '2h', factor: 3, firing: false },
    ],
    burn_down: null,
    reason: null,
    ...overrides,
  };
}

function summaryOf(
  status: Summary['status'],
  objectives: (ObjectiveReport | undefined)[],
  unmapped = 0,
): Summary {
  return {
    status,
    counts: { healthy: 0, breached: 0, unknown: 0, unmonitored: unmapped, unmapped },
    metrics: objectives.map((o, i) => ({ name: `m${i}`, ...(o ? { objective: o } : {}) }) as SummaryMetric),
  } as Summary;
}

describe('--gate', () => {
  it('defaults to instant and refuses an unknown mode or the daemon', () => {
    expect(gateOf({})).toBe('instant');
    expect(gateOf({ gate: 'both' })).toBe('both');
    expect(() => gateOf({ gate: 'budgets' })).toThrow(/unknown gate "budgets"/);
    expect(() => gateOf({ gate: 'budget', daemon: true })).toThrow(/--gate belongs to run-once/);
  });

  it('budget: a spent budget fails (remaining 0 counts as spent)', () => {
    const spent = objective({ error_budget: { allowed: 0.001, consumed: 1, remaining: 0 } });
    expect(budgetGate(summaryOf('healthy', [spent]))).toEqual({
      mode: 'budget',
      status: 'unhealthy',
      reasons: ['m0: the 30d error budget is exhausted (0 % left)'],
    });
  });

  it('budget: a firing page rule fails, a firing ticket rule does not', () => {
    const page = objective({
      burn_rates: { '5m': 20, '30m': 20, '1h': 20, '2h': 10, '6h': 3, '1d': 1, '3d': 0.3 },
      alerts: [{ name: 'page-1h-5m', severity: 'page', long: '1h', short: '5m', factor: 14.4, firing: true }],
    });
    expect(budgetGate(summaryOf('healthy', [page])).reasons).toEqual([
      'm0: page burn-rate rule page-1h-5m fires (1h 20×, 5m 20× > 14.4×)',
    ]);
    const ticket = objective({
      alerts: [
        { name: 'ticket-1d-2h', severity: 'ticket', long: '1d', short: '2h', factor: 3, firing: true },
      ],
    });
    expect(budgetGate(summaryOf('healthy', [ticket])).status).toBe('healthy');
  });

  it('budget: unknown budgets, unknown page rules, missing objectives and unmapped NFRs never pass', () => {
    const unknown = objective({
      error_budget: { allowed: 0.001, consumed: null, remaining: null },
      reason: 'budget: no data',
    });
    expect(budgetGate(summaryOf('healthy', [unknown]))).toEqual({
      mode: 'budget',
      status: 'degraded',
      reasons: ['m0: error budget unknown: budget: no data'],
    });
    const pageUnknown = objective({
      alerts: [{ name: 'page-1h-5m', severity: 'page', long: '1h', short: '5m', factor: 14.4, firing: null }],
      reason: '5m: timeout',
    });
    expect(budgetGate(summaryOf('healthy', [pageUnknown])).status).toBe('degraded');
    expect(budgetGate(summaryOf('healthy', [undefined])).status).toBe('degraded');
    expect(budgetGate(summaryOf('healthy', [])).status).toBe('degraded');
    expect(budgetGate(summaryOf('healthy', [objective()], 1)).reasons).toEqual([
      '1 NFR(s) unmapped (not measured)',
    ]);
    expect(budgetGate(summaryOf('healthy', [objective()])).status).toBe('healthy');
  });

  it('both: the worse of instant and budget; instant: the summary status', () => {
    const spent = objective({ error_budget: { allowed: 0.001, consumed: 2, remaining: -1 } });
    expect(gateResult(summaryOf('degraded', [spent]), 'both').status).toBe('unhealthy');
    expect(gateResult(summaryOf('unhealthy', [objective()]), 'both')).toEqual({
      mode: 'both',
      status: 'unhealthy',
      reasons: ['instant verdict: unhealthy'],
    });
    expect(gateResult(summaryOf('degraded', [objective()]), 'both').status).toBe('degraded');
    expect(gateResult(summaryOf('unhealthy', [spent]), 'instant')).toEqual({
      mode: 'instant',
      status: 'unhealthy',
      reasons: [],
    });
  });
});
