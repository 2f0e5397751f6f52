import { describe, expect, it } from 'vitest';
import {
  type AlertTiming,
  advanceAlert,
  episodeIdFor,
  initialAlertState,
  observationsFor,
  timingFor,
} from '../../src/alerting/state.js';
import type { AlertState } from '../../src/alerting/types.js';
import type { AlertPolicy, Severity } from '../../src/config/types.js';

const T0 = Date.parse('2026-11-27T04:00:00.000Z');
const INTERVAL = 60;

interface Step {
  bad: boolean;
  severity?: Severity | null;
  value?: number | null;
  /** Seconds since T0; defaults to the step index × interval. */
  t?: number;
}

/** Runs observations through one machine and returns the event of each step and the final state. */
function run(steps: Step[], timing: AlertTiming, start?: AlertState) {
  let state = start ?? initialAlertState('spec-core-001', 'api_latency_p99', 'slo');
  const events: Array<string | null> = [];
  const states: AlertState[] = [];
  steps.forEach((step, index) => {
    const at = new Date(T0 + (step.t ?? index * INTERVAL) * 1000);
    const result = advanceAlert(
      state,
      {
        bad: step.bad,
        at,
        intervalSeconds: INTERVAL,
        severity: step.severity === undefined ? (step.bad ? 'SEV-3' : null) : step.severity,
        value: step.value === undefined ? (step.bad ? 300 : 150) : step.value,
        objective: { comparator: '<', slo: 200 },
      },
      timing,
    );
    state = result.state;
    events.push(result.event);
    states.push(state);
  });
  return { events, state, states };
}

const B: Step = { bad: true };
const G: Step = { bad: false };

const cycles = (forCycles: number, resolveCycles: number, repeat: number | null = null): AlertTiming => ({
  for: { cycles: forCycles },
  resolveAfter: { cycles: resolveCycles },
  repeatIntervalSeconds: repeat,
});

describe('advanceAlert — holds in cycles', () => {
  it.each([
    { name: 'fires on the 3rd bad cycle', steps: [B, B, B], expected: [null, null, 'trigger'] },
    {
      name: 'a good cycle while pending resets the streak',
      steps: [B, B, G, B, B],
      expected: [null, null, null, null, null],
    },
    {
      name: 'resolves after 2 good cycles',
      steps: [B, B, B, G, G, G],
      expected: [null, null, 'trigger', null, 'resolve', null],
    },
    {
      name: 'flapping inside the resolve hold gives no events',
      steps: [B, B, B, G, B, G, B, G, B],
      expected: [null, null, 'trigger', null, null, null, null, null, null],
    },
    {
      name: 'a new episode after a resolve triggers again',
      steps: [B, B, B, G, G, B, B, B],
      expected: [null, null, 'trigger', null, 'resolve', null, null, 'trigger'],
    },
    { name: 'good observations while inactive do nothing', steps: [G, G, G], expected: [null, null, null] },
  ])('$name', ({ steps, expected }) => {
    expect(run(steps, cycles(3, 2)).events).toEqual(expected);
  });

  it('fires at once with for: 1 cycle, and with for: 0 seconds', () => {
    expect(run([B], cycles(1, 1)).events).toEqual(['trigger']);
    const zero: AlertTiming = {
      for: { seconds: 0 },
      resolveAfter: { seconds: 0 },
      repeatIntervalSeconds: null,
    };
    expect(run([B, G], zero).events).toEqual(['trigger', 'resolve']);
  });

  it('tracks phase, counters and timestamps through an episode', () => {
    const { states } = run([B, B, B, G, B, G, G], cycles(3, 2));
    expect(states.map((s) => s.phase)).toEqual([
      'pending',
      'pending',
      'firing',
      'firing',
      'firing',
      'firing',
      'inactive',
    ]);
    expect(states[0]?.since?.toISOString()).toBe('2026-11-27T04:00:00.000Z');
    expect(states[2]?.firedAt?.toISOString()).toBe('2026-11-27T04:02:00.000Z');
    expect(states[2]?.badCycles).toBe(3);
    expect(states[3]).toMatchObject({ goodCycles: 1, goodSince: new Date(T0 + 180_000) });
    // the bad cycle reset the good streak
    expect(states[4]).toMatchObject({ goodCycles: 0, goodSince: null, badCycles: 4 });
    expect(states[5]).toMatchObject({ goodCycles: 1, goodSince: new Date(T0 + 300_000) });
  });
});

describe('advanceAlert — holds in seconds', () => {
  const seconds: AlertTiming = {
    for: { seconds: 180 },
    resolveAfter: { seconds: 120 },
    repeatIntervalSeconds: null,
  };

  it('fires once the breach has lasted `for` seconds since the first bad observation', () => {
    // t = 0, 60, 120 → 120 s held; t = 180 → 180 s held
    expect(run([B, B, B, B], seconds).events).toEqual([null, null, null, 'trigger']);
  });

  it('counts elapsed time, not cycles: a late cycle can fire sooner', () => {
    expect(
      run(
        [
          { bad: true, t: 0 },
          { bad: true, t: 200 },
        ],
        seconds,
      ).events,
    ).toEqual([null, 'trigger']);
  });

  it('tolerates a cycle landing a few milliseconds early', () => {
    expect(
      run(
        [
          { bad: true, t: 0 },
          { bad: true, t: 179.99 },
        ],
        seconds,
      ).events,
    ).toEqual([null, 'trigger']);
    expect(
      run(
        [
          { bad: true, t: 0 },
          { bad: true, t: 170 },
        ],
        seconds,
      ).events,
    ).toEqual([null, null]);
  });

  it('resolves after `resolveAfter` seconds of good observations, restarting the count on a bad one', () => {
    const steps: Step[] = [
      { bad: true, t: 0 },
      { bad: true, t: 180 }, // trigger
      { bad: false, t: 240 },
      { bad: true, t: 300 }, // resets the good streak
      { bad: false, t: 360 },
      { bad: false, t: 420 },
      { bad: false, t: 480 }, // 120 s since 360
    ];
    expect(run(steps, seconds).events).toEqual([null, 'trigger', null, null, null, null, 'resolve']);
  });
});

describe('advanceAlert — reminders', () => {
  it('re-notifies every repeat interval while still bad, counted from the last notification', () => {
    // fires at t=0 (for 1 cycle); repeat 180 s → reminders at 180, 360
    const { events } = run([B, B, B, B, B, B, B], cycles(1, 1, 180));
    expect(events).toEqual(['trigger', null, null, 'reminder', null, null, 'reminder']);
  });

  it('sends no reminder while the alert is recovering, and none when the interval is null', () => {
    expect(run([B, G, G, G, G], cycles(1, 5, 60)).events).toEqual(['trigger', null, null, null, null]);
    expect(run([B, B, B, B, B], cycles(1, 1, null)).events).toEqual(['trigger', null, null, null, null]);
  });

  it('announces an escalation at once, as a reminder, and not a return to a lower severity', () => {
    const steps: Step[] = [
      { bad: true, severity: 'SEV-3' },
      { bad: true, severity: 'SEV-3' },
      { bad: true, severity: 'SEV-1' },
      { bad: true, severity: 'SEV-1' },
      { bad: true, severity: 'SEV-3' },
    ];
    const { events, state } = run(steps, cycles(2, 1, null));
    expect(events).toEqual([null, 'trigger', 'reminder', null, null]);
    expect(state.severity).toBe('SEV-1');
  });

  it('updates lastNotifiedAt on trigger and reminder', () => {
    const { states } = run([B, B, B, B], cycles(1, 1, 120));
    expect(states.map((s) => s.lastNotifiedAt?.getTime())).toEqual([T0, T0, T0 + 120_000, T0 + 120_000]);
  });
});

describe('advanceAlert — episode data', () => {
  it('keeps the highest severity and the worst value of the episode', () => {
    const steps: Step[] = [
      { bad: true, severity: 'SEV-3', value: 250 },
      { bad: true, severity: 'SEV-1', value: 900 },
      { bad: true, severity: 'SEV-3', value: 260 },
      { bad: false, severity: null, value: 150 },
    ];
    const { states } = run(steps, cycles(2, 5));
    expect(states[2]).toMatchObject({ severity: 'SEV-1', worstValue: 900 });
    expect(states[3]).toMatchObject({ severity: 'SEV-1', worstValue: 900 });
  });

  it('takes the lowest value as the worst for a lower-bound objective', () => {
    let state = initialAlertState('s', 'availability', 'slo');
    for (const value of [99.5, 98.1, 99.0]) {
      state = advanceAlert(
        state,
        {
          bad: true,
          at: new Date(T0),
          intervalSeconds: 60,
          severity: 'SEV-1',
          value,
          objective: { comparator: '>=', slo: 99.9 },
        },
        cycles(5, 1),
      ).state;
    }
    expect(state.worstValue).toBe(98.1);
  });

  it('derives the episode id from where the streak began, so a replayed cycle gets the same id', () => {
    const timing = cycles(2, 1);
    const first = run([B, B], timing);
    const replay = run([B, B], timing);
    expect(first.state.episodeId).toMatch(/^[0-9a-f]{16}$/);
    expect(replay.state.episodeId).toBe(first.state.episodeId);
    expect(first.state.episodeId).toBe(episodeIdFor('spec-core-001', 'api_latency_p99', 'slo', new Date(T0)));
    // resuming from the persisted pending state gives the same id as an uninterrupted run
    const pending = run([B], timing).state;
    const resumed = run([{ bad: true, t: 60 }], timing, JSON.parse(JSON.stringify(pending), reviveDates));
    expect(resumed.state.episodeId).toBe(first.state.episodeId);
    // a later episode gets another id
    const later = run([B, B, G, B, B], timing);
    expect(later.state.episodeId).not.toBe(first.state.episodeId);
    expect(episodeIdFor('spec-core-001', 'api_latency_p99', 'no_data', new Date(T0))).not.toBe(
      first.state.episodeId,
    );
  });

  it('returns the closed episode with the resolve, and clears it on the next observation', () => {
    const { states, events } = run([B, G, G], cycles(1, 1));
    expect(events).toEqual(['trigger', 'resolve', null]);
    expect(states[1]).toMatchObject({
      phase: 'inactive',
      episodeId: states[0]?.episodeId,
      since: new Date(T0),
      firedAt: new Date(T0),
      severity: 'SEV-3',
      worstValue: 300,
      badCycles: 0,
      goodCycles: 0,
    });
    expect(states[2]).toEqual(initialAlertState('spec-core-001', 'api_latency_p99', 'slo'));
  });

  it('does not mutate the state it is given', () => {
    const start = initialAlertState('s', 'm', 'slo');
    const copy = structuredClone(start);
    advanceAlert(
      start,
      { bad: true, at: new Date(T0), intervalSeconds: 60, severity: 'SEV-2', value: 1 },
      cycles(1, 1),
    );
    expect(start).toEqual(copy);
  });
});

function reviveDates(key: string, value: unknown): unknown {
  return typeof value === 'string' && /^(since|goodSince|firedAt|lastNotifiedAt)$/.test(key)
    ? new Date(value)
    : value;
}

describe('observationsFor and timingFor', () => {
  const policy = (noData: AlertPolicy['noData']): AlertPolicy => ({
    for: { cycles: 3 },
    resolveAfter: { cycles: 2 },
    repeatIntervalSeconds: 3600,
    noData,
    noDataForSeconds: 600,
    severityRules: [],
  });

  it.each([
    { noData: 'ignore', status: 'healthy', slo: false, noDataBad: null },
    { noData: 'ignore', status: 'breached', slo: true, noDataBad: null },
    { noData: 'ignore', status: 'unknown', slo: null, noDataBad: null },
    { noData: 'alert', status: 'healthy', slo: false, noDataBad: false },
    { noData: 'alert', status: 'breached', slo: true, noDataBad: false },
    { noData: 'alert', status: 'unknown', slo: null, noDataBad: true },
    { noData: 'breach', status: 'unknown', slo: true, noDataBad: null },
    { noData: 'breach', status: 'healthy', slo: false, noDataBad: null },
  ] as const)(
    'noData=$noData, status=$status → slo $slo, noData $noDataBad',
    ({ noData, status, slo, noDataBad }) => {
      expect(observationsFor({ status }, policy(noData))).toEqual({ slo, noData: noDataBad });
    },
  );

  it('gives the no-data machine noDataForSeconds as its hold', () => {
    expect(timingFor('no_data', policy('alert'))).toEqual({
      for: { seconds: 600 },
      resolveAfter: { cycles: 2 },
      repeatIntervalSeconds: 3600,
    });
    expect(timingFor('slo', policy('alert')).for).toEqual({ cycles: 3 });
  });
});
