import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planChecks } from '../../src/evaluate/plan.js';
import type { PreparedCheck } from '../../src/pipeline/index.js';
import { measureObjectives } from '../../src/pipeline/objectives.js';
import { createProvider } from '../../src/providers/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, STANDARD_END, startPrometheus } from '../support/prometheus.js';
import { sloHistory } from '../support/slo-history.js';
import { configOf, specOf } from './support.js';

const skip = prometheusSkipReason();
const END = STANDARD_END; // 2026-01-01T00:00:00Z
const DAY = 86_400;
const WINDOW_START = END - 30 * DAY; // 2025-12-02T00:00:00Z
// 31 days of 1000 requests a minute, no errors but one incident: 2 % of the requests fail from 10:00
// to 12:00 on the window's 12th day (2025-12-13), which ends at the burn-down's point 12.
const INCIDENT = { from: WINDOW_START + 11 * DAY + 10 * 3600, to: WINDOW_START + 11 * DAY + 12 * 3600 };
const history = sloHistory({ end: END, days: 31, incidents: [{ ...INCIDENT, share: 0.02 }] });

// Hand-worked (test/support/slo-history.ts): samples lie at :30 of every minute, so a day's
// `increase()` holds 1440 samples and counts 1439 increments, extrapolated by 1440/1439 (both counters
// alike). The incident fails 20 requests in each of its 120 minutes: 2400 bad. The budget is 0.1 % of
// the 30 days' 30 × 1,440,000 requests (43,200), so the 12th day spends
// 2400 · (1440/1439) / 43,200 = 2400 / 43,170 of it, and no other day spends anything.
const SPENT_OCCURRENCES = 2400 / 43_170;
// Per minute (`timeslices`): the 5-minute error ratio at a whole minute t sees the incident from
// 10:01 to 12:03 (its window holds the increments of t − 3.5 min … t − 0.5 min): 123 bad minutes of
// 43,200, against 43.2 allowed, all on the 12th day.
const SPENT_SLICES = 123 / 43.2;

describe.skipIf(skip !== null)('budget burn-down from a real Prometheus with a known incident', () => {
  let prometheus: RunningPrometheus;
  let prepared: Pick<PreparedCheck, 'config' | 'providers' | 'plan'>;

  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    const config = configOf(`provider: prometheus
url: ${prometheus.url}
metrics:
  - name: error_rate
    query: '${history.errorRatioQuery}'
  - name: error_minutes
    query: '${history.errorRatioQuery}'
    objective: { budgeting: timeslices }
  - name: error_rate_month
    query: '${history.errorRatioQuery}'
    objective: { window: month }
`);
    const spec = specOf([
      ['error_rate', '< 0.1%'],
      ['error_minutes', '< 0.1%'],
      ['error_rate_month', '< 0.1%'],
    ]);
    const plan = planChecks(parseNfrs(spec).nfrs, config.metrics, config.unmapped);
    const providers = new Map(
      Object.entries(config.providers).map(([name, provider]) => [name, createProvider(provider)]),
    );
    prepared = { config, providers, plan };
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  const dayAt = (day: number) => new Date((WINDOW_START + day * DAY) * 1000).toISOString();

  it('occurrences: whole for 11 days, down by 2400/43,170 on the incident’s day, flat after', async () => {
    const measured = await measureObjectives(prepared as PreparedCheck, new Date(END * 1000));
    const report = measured.get('error_rate')!.report;
    expect(report.reason).toBeNull();
    const points = report.burn_down!;
    expect(points).toHaveLength(31);
    expect(points.map((p) => p.at)).toEqual(Array.from({ length: 31 }, (_, day) => dayAt(day)));
    for (const [day, point] of points.entries()) {
      expect(point.reason).toBeUndefined();
      expect(point.remaining).toBeCloseTo(day < 12 ? 1 : 1 - SPENT_OCCURRENCES, 10);
    }
    expect(points[12]?.at).toBe('2025-12-14T00:00:00.000Z');
    // The whole-window budget counts 43,199 increments instead of 30 days of 1439: 2400 / 43,199.
    // The last point agrees with it to Prometheus' extrapolation at the 29 step edges.
    expect(report.error_budget.consumed).toBeCloseTo(2400 / 43_199, 10);
    expect(Math.abs(points[30]!.remaining! - report.error_budget.remaining!)).toBeLessThan(1e-4);
  });

  it('timeslices: 123 bad minutes on the incident’s day overspend the budget, flat before and after', async () => {
    const measured = await measureObjectives(prepared as PreparedCheck, new Date(END * 1000));
    const report = measured.get('error_minutes')!.report;
    expect(report.reason).toBeNull();
    const points = report.burn_down!;
    expect(points).toHaveLength(31);
    for (const [day, point] of points.entries()) {
      expect(point.remaining).toBeCloseTo(day < 12 ? 1 : 1 - SPENT_SLICES, 10); // −1.847…
    }
    // Same slices as the budget: the last point is error_budget.remaining exactly.
    expect(points[30]?.remaining).toBe(report.error_budget.remaining);
  });

  it('a calendar month measured on Dec 20 at noon: 20 equal steps, the incident’s inside the 13th', async () => {
    // The month so far is 19.5 days; 20 steps of 23h24m. The incident (Dec 13, 10:00–12:00) falls in
    // the step from Dec 12, 16:48 to Dec 13, 16:12 (13 × 23.4 h after Dec 1). Each step counts its own
    // increments; the budget is 0.1 % of the month's 20 steps of 1403 minutes' increments.
    const at = new Date(Date.UTC(2025, 11, 20, 12));
    const measured = await measureObjectives(prepared as PreparedCheck, at);
    const report = measured.get('error_rate_month')!.report;
    expect(report.reason).toBeNull();
    expect(report.window_start).toBe('2025-12-01T00:00:00.000Z');
    const points = report.burn_down!;
    expect(points).toHaveLength(21);
    expect(points[12]?.at).toBe('2025-12-12T16:48:00.000Z');
    expect(points[13]?.at).toBe('2025-12-13T16:12:00.000Z');
    expect(points.at(-1)?.at).toBe(at.toISOString());
    const spent = 2400 / (0.001 * 20 * 1403 * 1000);
    for (const [step, point] of points.entries()) {
      expect(point.remaining).toBeCloseTo(step < 13 ? 1 : 1 - spent, 10);
    }
  });

  it('steps that are not whole seconds are asked as milliseconds, and Prometheus takes them', async () => {
    // 19.5 days and 7 s in 20 steps: 84,240,350 ms each.
    const at = new Date(Date.UTC(2025, 11, 20, 12, 0, 7));
    const measured = await measureObjectives(prepared as PreparedCheck, at);
    const report = measured.get('error_rate_month')!.report;
    expect(report.reason).toBeNull();
    const points = report.burn_down!;
    expect(points).toHaveLength(21);
    expect(points[1]?.at).toBe(new Date(at.getTime() - 19 * 84_240_350).toISOString());
    expect(points[12]!.remaining).toBe(1);
    // The steps sit 0.35 s × k off whole minutes, so no sample moves: the same 2400 bad of 20 steps of
    // 1403 counted minutes.
    expect(points[20]!.remaining).toBeCloseTo(1 - 2400 / (0.001 * 20 * 1403 * 1000), 6);
  });
});
