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
});
