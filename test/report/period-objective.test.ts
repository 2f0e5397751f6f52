/**
 * A period report's objective against a REAL Prometheus: the budget over the window that ends with the
 * period comes from the backend's whole window (three days here), not from the day's own samples, and
 * the highest 1h burn rate of the day from a range query of the SLI over 1h.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planChecks } from '../../src/evaluate/plan.js';
import { createProvider } from '../../src/providers/index.js';
import {
  buildPeriodReport,
  dailyPeriod,
  renderPeriodHtml,
  renderPeriodJson,
  renderPeriodMarkdown,
} from '../../src/report/period/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import { configOf, specOf } from '../slo/support.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { prometheusSkipReason, STANDARD_END, startPrometheus } from '../support/prometheus.js';
import { sloHistory } from '../support/slo-history.js';
import { SEVERITY_RULES } from './support.js';

const skip = prometheusSkipReason();
const END = STANDARD_END;
// 2 % of the requests fail for the hour that ends six hours before the end of the last day.
const INCIDENT_TO = END - 6 * 3600;
const history = sloHistory({
  end: END,
  days: 3,
  incidents: [{ from: INCIDENT_TO - 3600, to: INCIDENT_TO, share: 0.02 }],
});

describe.skipIf(skip !== null)('period report objective (real Prometheus)', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(history);
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('budget over the 30-day window ending with the day, from the backend, and the day’s highest 1h burn', async () => {
    const config = configOf(`provider: prometheus
url: ${prometheus.url}
metrics:
  - name: error_rate
    query: '${history.errorRatioQuery}'
`);
    const plan = planChecks(
      parseNfrs(specOf([['error_rate', '< 0.1%']])).nfrs,
      config.metrics,
      config.unmapped,
    );
    const providers = new Map([['default', createProvider(config.providers.default!)]]);
    const day = dailyPeriod(new Date((END - 3600) * 1000));
    const report = await buildPeriodReport({
      specId: 'spec-a',
      period: day,
      checks: plan.checks,
      history: () => null,
      providers,
      intervalSeconds: 60,
      severityRules: SEVERITY_RULES,
      generatedAt: new Date((END + 300) * 1000),
      version: '0.0.0-test',
      config,
    });
    const objective = report.metrics[0]!.objective!;
    expect(objective.measuredAt.toISOString()).toBe(day.to.toISOString());
    expect(objective.atEnd.reason).toBeNull();
    // Three days of history: 4,319 one-minute increments of 1000 requests, 60 of them with 20 bad.
    expect(objective.atEnd.error_budget.consumed).toBeCloseTo(1200 / 4319 / 1, 6);
    expect(objective.atEnd.error_budget.remaining).toBeCloseTo(1 - 1200 / 4319, 6);
    // At the incident's end the 1h window holds exactly its 60 bad minutes: 2 % ÷ 0.1 % = 20×.
    expect(objective.peakBurnRate1h).toEqual({ value: 20, at: new Date(INCIDENT_TO * 1000) });
    expect(objective.peakReason).toBeNull();

    const json = JSON.parse(renderPeriodJson(report)) as {
      metrics: { objective: { peak_burn_rate_1h: unknown; error_budget: { remaining: number } } }[];
    };
    expect(json.metrics[0]!.objective.peak_burn_rate_1h).toEqual({
      value: 20,
      at: new Date(INCIDENT_TO * 1000).toISOString(),
    });
    expect(json.metrics[0]!.objective.error_budget.remaining).toBeCloseTo(1 - 1200 / 4319, 6);
    const markdown = renderPeriodMarkdown(report);
    expect(markdown).toContain('Objective (30d window ending with the period)');
    expect(markdown).toContain('highest 1h burn rate in the period 20×');
    const html = await renderPeriodHtml(report);
    expect(html).toContain('<dt>Objective (30d window ending with the period)</dt>');
    expect(html).toContain('highest 1h burn rate in the period 20×');
  });

  it('burn-down over the 30-day window ending with the day: three days of data, the incident on the last', async () => {
    const config = configOf(`provider: prometheus
url: ${prometheus.url}
metrics:
  - name: error_rate
    query: '${history.errorRatioQuery}'
`);
    const plan = planChecks(
      parseNfrs(specOf([['error_rate', '< 0.1%']])).nfrs,
      config.metrics,
      config.unmapped,
    );
    const providers = new Map([['default', createProvider(config.providers.default!)]]);
    const day = dailyPeriod(new Date((END - 3600) * 1000));
    const report = await buildPeriodReport({
      specId: 'spec-a',
      period: day,
      checks: plan.checks,
      history: () => null,
      providers,
      intervalSeconds: 60,
      severityRules: SEVERITY_RULES,
      generatedAt: new Date((END + 300) * 1000),
      version: '0.0.0-test',
      config,
    });
    // Daily points from Dec 2: the history begins on Dec 29, so the 27 steps before it have no data
    // (null, with the reason). The budget is 0.1 % of the three days' 3 × 1,440,000 requests; the
    // incident's 1200 bad (× 1440/1439, a day's increase() extrapolation) are spent on the last day:
    // 1200 · 1440/1439 ÷ 4320 = 1200 / 4317 of the budget.
    const spent = 1200 / 4317;
    const json = JSON.parse(renderPeriodJson(report)) as {
      metrics: { objective: { burn_down: { at: string; remaining: number | null; reason?: string }[] } }[];
    };
    const points = json.metrics[0]!.objective.burn_down;
    expect(points).toHaveLength(31);
    expect(points[0]).toEqual({ at: '2025-12-02T00:00:00.000Z', remaining: 1 });
    for (const point of points.slice(1, 28)) {
      expect(point).toMatchObject({ remaining: null, reason: 'the total query has no data in this step' });
    }
    expect(points[28]).toEqual({ at: '2025-12-30T00:00:00.000Z', remaining: 1 });
    expect(points[29]).toEqual({ at: '2025-12-31T00:00:00.000Z', remaining: 1 });
    expect(points[30]?.at).toBe('2026-01-01T00:00:00.000Z');
    expect(points[30]?.remaining).toBeCloseTo(1 - spent, 10);

    const markdown = renderPeriodMarkdown(report);
    expect(markdown).toContain(
      `Budget burn-down (30d window ending with the period): \`█${'·'.repeat(27)}██▆\` 100 % left → 72.2 % left, steepest drop 27.8 % in the step to 2026-01-01T00:00:00Z, 27 steps without data`,
    );
    expect(markdown).toContain(
      '| 2025-12-03T00:00:00Z | unknown (the total query has no data in this step) |',
    );
    expect(markdown).toContain('| 2026-01-01T00:00:00Z | 72.2');
    const html = await renderPeriodHtml(report);
    expect(html).toContain('<h3>Budget burn-down (30d window ending with the period)</h3>');
    expect(html).toMatch(
      /<figure class="chart burn-down" aria-label="error_rate error budget burn-down"><svg/,
    );
    expect(html).toContain('error_rate: error budget burn-down (30d window), 72.2');
  });
});
