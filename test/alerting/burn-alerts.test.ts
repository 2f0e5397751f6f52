import { describe, expect, it } from 'vitest';
import type { AlertContext } from '../../src/alerting/advance.js';
import { advanceAlerts, alertKey } from '../../src/alerting/advance.js';
import { type AlertingMode, burnRuleSeverity, combineConditions } from '../../src/alerting/burn.js';
import { alertSummary } from '../../src/alerting/payload.js';
import type { AlertPayload, AlertState } from '../../src/alerting/types.js';
import { defaultAlertPolicy } from '../../src/config/index.js';
import type { Evaluation, Verdict } from '../../src/evaluate/index.js';
import type { BurnRateAlertState, ObjectiveReport } from '../../src/slo/index.js';

const T0 = Date.parse('2026-11-27T04:00:00Z');

/** An error-rate NFR `< 1%`: 1.2 % breaches it a little (overshoot 0.2: SEV-3 by the default rules). */
function verdict(status: Verdict['status'], value: number | null): Verdict {
  return {
    metric: 'api_error_rate',
    nfrId: null,
    requirement: 'Error rate',
    category: 'Reliability',
    target: '< 1%',
    comparator: '<',
    comparatorInferred: false,
    slo: 1,
    unit: '%',
    value,
    status,
    provider: 'default',
    providerType: 'prometheus',
    query: 'q',
    reason: 'r',
    line: 9,
    checkedAt: new Date(T0),
  };
}

type Firing = 'fast' | 'slow-page' | 'ticket' | 'none' | 'unknown';

const RULES: Omit<BurnRateAlertState, 'firing'>[] = [
  { name: 'page-1h-5m', severity: 'page', long: '1h', short: '5m', factor: 14.4 },
  { name: 'page-6h-30m', severity: 'page', long: '6h', short: '30m', factor: 6 },
  { name: 'ticket-1d-2h', severity: 'ticket', long: '1d', short: '2h', factor: 3 },
  { name: 'ticket-3d-6h', severity: 'ticket', long: '3d', short: '6h', factor: 1 },
];

/** The objective block measured in one cycle, with the named rule firing (or none, or unknown). */
function objective(firing: Firing): ObjectiveReport {
  const known = firing !== 'unknown';
  const rate = firing === 'fast' ? 20 : firing === 'slow-page' ? 7 : firing === 'ticket' ? 3.5 : 0.2;
  const rates = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
  return {
    window: '30d',
    window_start: new Date(T0 - 30 * 86_400_000).toISOString(),
    budgeting: 'occurrences',
    target: 0.99,
    sli: { kind: 'events', source: 'ratio_query', bad: 'b', total: 't', good: null, note: null },
    error_budget: { allowed: 0.01, consumed: known ? 0.4 : null, remaining: known ? 0.6 : null },
    burn_rates: Object.fromEntries(rates.map((w) => [w, known ? rate : null])),
    alerts: RULES.map((rule) => ({
      ...rule,
      firing: !known
        ? null
        : (firing === 'fast' && rule.name === 'page-1h-5m') ||
          (firing === 'slow-page' && rule.name === 'page-6h-30m') ||
          (firing === 'ticket' && rule.name === 'ticket-1d-2h'),
    })),
    burn_down: null,
    reason: known ? null : '5m, 30m, 1h, 2h, 6h, 1d, 3d: connection refused',
  };
}

function contextWith(mode: AlertingMode): AlertContext {
  return {
    policy: () => ({
      ...defaultAlertPolicy(),
      for: { cycles: 3 },
      resolveAfter: { cycles: 2 },
      noDataForSeconds: 120,
    }),
    receivers: ['spec/file'],
    intervalSeconds: 60,
    links: () => ({ report: null, status_page: null }),
    service: 'spec',
    version: '0.0.0',
    host: 'h',
    redact: (t) => t,
    alertingMode: () => mode,
  };
}

type Cycle = [Verdict['status'], number | null, Firing];

/** Feeds cycles one minute apart, carrying the states as the daemon does; returns each cycle's payloads. */
function run(mode: AlertingMode, cycles: Cycle[]) {
  const states = new Map<string, AlertState>();
  const ctx = contextWith(mode);
  const events = cycles.map(([status, value, firing], i) => {
    const checkedAt = new Date(T0 + i * 60_000);
    const evaluation: Evaluation = {
      specId: 'spec',
      checkedAt,
      status: 'healthy',
      verdicts: [{ ...verdict(status, value), checkedAt }],
      unmonitored: [],
    };
    const outcome = advanceAlerts(evaluation, states, ctx, new Map([['api_error_rate', objective(firing)]]));
    for (const s of outcome.changed) states.set(alertKey(s.specId, s.metric, s.kind), s);
    return outcome.events.map((e) => e.payload);
  });
  return { events, states };
}

const compact = (payloads: AlertPayload[][]) =>
  payloads.map((list) => list.map((p) => `${p.kind}:${p.event}:${p.severity}:${p.trigger ?? '-'}`));

describe('one alert per metric: threshold and burn rate together', () => {
  it('pages on a fast burn while the instant value flaps around the target (threshold never held for `for`)', () => {
    const { events } = run('both', [
      ['breached', 1.5, 'none'],
      ['healthy', 0.8, 'none'],
      ['breached', 1.6, 'fast'],
      ['healthy', 0.9, 'fast'],
      ['breached', 1.4, 'fast'],
    ]);
    // `trigger` says what holds in the cycle: the value breaches now and the fast rule fires.
    expect(compact(events)).toEqual([[], [], ['slo:trigger:SEV-1:both'], [], []]);
    const trigger = events[2]![0]!;
    expect(trigger.burn_rates).toEqual({
      '5m': 20,
      '30m': 20,
      '1h': 20,
      '2h': 20,
      '6h': 20,
      '1d': 20,
      '3d': 20,
    });
    expect(trigger.budget_remaining).toBe(0.6);
    expect(trigger.window).toBe('30d');
    expect(trigger.firing_rules).toEqual([{ severity: 'page', long: '1h', short: '5m', factor: 14.4 }]);
    expect(trigger.dedup_key).toBe('smartspec-production-monitor/spec/api_error_rate/slo');
    const burnOnly = run('both', [
      ['healthy', 0.8, 'none'],
      ['healthy', 0.9, 'fast'],
    ]).events[1]![0]!;
    expect(burnOnly.trigger).toBe('burn_rate');
    expect(alertSummary(burnOnly)).toBe(
      '[SEV-1] spec api_error_rate burns its error budget at 20× over 1h (target < 1%) (Error rate)',
    );
  });

  it('a threshold breach without a burn opens after `for`, as the threshold alone does', () => {
    const { events } = run('both', [
      ['breached', 1.2, 'none'],
      ['breached', 1.2, 'none'],
      ['breached', 1.2, 'none'],
      ['breached', 1.2, 'none'],
    ]);
    expect(compact(events)).toEqual([[], [], ['slo:trigger:SEV-3:threshold'], []]);
    expect(events[2]![0]!.firing_rules).toEqual([]);
  });

  it('both conditions: one alert with the higher severity, and no second incident', () => {
    const { events } = run('both', [
      ['breached', 1.2, 'ticket'],
      ['breached', 1.2, 'ticket'],
      ['breached', 1.2, 'fast'],
      ['breached', 1.2, 'fast'],
      ['breached', 1.2, 'none'],
      ['breached', 1.2, 'fast'],
    ]);
    // The ticket rule opens at once (SEV-3, the fastest ticket rule; the threshold is SEV-3 too); the
    // fast page escalates the same episode with a reminder.
    expect(compact(events)).toEqual([
      ['slo:trigger:SEV-3:both'],
      [],
      ['slo:reminder:SEV-1:both'],
      [],
      [],
      [],
    ]);
    const all = events.flat();
    expect(new Set(all.map((p) => p.dedup_key)).size).toBe(1);
    expect(new Set(all.map((p) => p.started_at)).size).toBe(1);
  });

  it('recovers once, after `resolve_after`, when neither condition holds', () => {
    const { events, states } = run('both', [
      ['healthy', 0.5, 'slow-page'],
      ['healthy', 0.5, 'none'],
      ['breached', 1.3, 'none'],
      ['healthy', 0.5, 'none'],
      ['healthy', 0.5, 'none'],
      ['healthy', 0.5, 'none'],
    ]);
    expect(compact(events)).toEqual([
      ['slo:trigger:SEV-2:burn_rate'],
      [],
      [],
      [],
      ['slo:resolve:SEV-2:-'],
      [],
    ]);
    expect(events[4]![0]!.status).toBe('resolved');
    expect(events[4]![0]!.firing_rules).toEqual([]);
    expect(states.get(alertKey('spec', 'api_error_rate', 'slo'))!.phase).toBe('inactive');
  });

  it('unknown burn rates neither open an alert nor resolve one', () => {
    const quiet = run('both', [
      ['healthy', 0.5, 'unknown'],
      ['healthy', 0.5, 'unknown'],
      ['healthy', 0.5, 'unknown'],
    ]);
    expect(compact(quiet.events)).toEqual([[], [], []]);
    const open = run('both', [
      ['healthy', 0.5, 'fast'],
      ['healthy', 0.5, 'unknown'],
      ['healthy', 0.5, 'unknown'],
      ['healthy', 0.5, 'unknown'],
      ['healthy', 0.5, 'none'],
      ['healthy', 0.5, 'none'],
    ]);
    expect(compact(open.events)).toEqual([
      ['slo:trigger:SEV-1:burn_rate'],
      [],
      [],
      [],
      [],
      ['slo:resolve:SEV-1:-'],
    ]);
  });

  it('mode threshold ignores the burn rates (the numbers still travel in the payload)', () => {
    const burnOnly = run('threshold', [
      ['healthy', 0.5, 'fast'],
      ['healthy', 0.5, 'fast'],
      ['healthy', 0.5, 'fast'],
      ['healthy', 0.5, 'fast'],
    ]);
    expect(compact(burnOnly.events)).toEqual([[], [], [], []]);
    const breach = run('threshold', [
      ['breached', 1.2, 'fast'],
      ['breached', 1.2, 'fast'],
      ['breached', 1.2, 'fast'],
    ]);
    expect(compact(breach.events)).toEqual([[], [], ['slo:trigger:SEV-3:threshold']]);
    expect(breach.events[2]![0]!.burn_rates?.['1h']).toBe(20);
  });

  it('mode burn_rate ignores the threshold', () => {
    const breachOnly = run('burn_rate', [
      ['breached', 3, 'none'],
      ['breached', 3, 'none'],
      ['breached', 3, 'none'],
      ['breached', 3, 'none'],
    ]);
    expect(compact(breachOnly.events)).toEqual([[], [], [], []]);
    const burn = run('burn_rate', [
      ['healthy', 0.5, 'ticket'],
      ['breached', 3, 'ticket'],
      ['breached', 3, 'none'],
      ['breached', 3, 'none'],
    ]);
    expect(compact(burn.events)).toEqual([['slo:trigger:SEV-3:burn_rate'], [], [], ['slo:resolve:SEV-3:-']]);
  });

  it('without measured objectives the threshold alone drives the alert', () => {
    const states = new Map<string, AlertState>();
    const triggers = [0, 1, 2].flatMap((i) => {
      const checkedAt = new Date(T0 + i * 60_000);
      const outcome = advanceAlerts(
        {
          specId: 'spec',
          checkedAt,
          status: 'unhealthy',
          verdicts: [{ ...verdict('breached', 1.2), checkedAt }],
          unmonitored: [],
        },
        states,
        contextWith('both'),
      );
      for (const s of outcome.changed) states.set(alertKey(s.specId, s.metric, s.kind), s);
      return outcome.events.map((e) => `${i}:${e.event}:${e.payload.trigger}:${e.payload.burn_rates}`);
    });
    expect(triggers).toEqual(['2:trigger:threshold:null']);
  });
});

describe('burn-rule severities and the combined condition', () => {
  const rules = RULES.map((r) => ({ ...r, firing: true }));
  it('page → SEV-1 for the fastest page rule, SEV-2 otherwise; ticket → SEV-3 / SEV-4', () => {
    expect(rules.map((r) => burnRuleSeverity(r, rules))).toEqual(['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4']);
  });

  it('an unknown source only keeps a firing alert open', () => {
    const unknownBurn = {
      firing: null,
      severity: null,
      firingRules: [],
      burnRates: {},
      budgetRemaining: null,
      window: '30d',
    };
    expect(combineConditions('both', false, unknownBurn, 'firing').bad).toBeNull();
    expect(combineConditions('both', false, unknownBurn, 'pending').bad).toBe(false);
    expect(combineConditions('both', true, unknownBurn, 'inactive').bad).toBe(true);
    expect(combineConditions('burn_rate', true, unknownBurn, 'inactive').bad).toBeNull();
    expect(combineConditions('both', null, null, 'firing').bad).toBeNull();
  });
});
