/**
 * The period charts drawn straight to SVG: UTC time labels on round times, short breach episodes
 * still visible on a long period, text from the spec escaped, a line broken where data is missing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderChartSvg, timeTicks } from '../../src/report/period/chart.js';
import {
  customPeriod,
  type PeriodMetric,
  type PeriodReport,
  weeklyPeriod,
} from '../../src/report/period/index.js';
import { buildSampleReport } from './sample-report.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('period charts', () => {
  let report: PeriodReport;
  beforeAll(async () => {
    report = await buildSampleReport();
  });

  it('labels the time axis with round UTC times: hours over a day, days over a week, Mondays over a month', async () => {
    const day = Date.parse('2026-11-26T00:00:00Z');
    expect(timeTicks(day, day + DAY).map((t) => t.label)).toEqual([
      'Nov 26',
      '03:00',
      '06:00',
      '09:00',
      '12:00',
      '15:00',
      '18:00',
      '21:00',
      'Nov 27',
    ]);
    const week = weeklyPeriod(new Date('2026-11-25T12:00:00Z'));
    expect(timeTicks(week.from.getTime(), week.to.getTime()).map((t) => t.label)).toEqual([
      'Nov 23',
      'Nov 24',
      'Nov 25',
      'Nov 26',
      'Nov 27',
      'Nov 28',
      'Nov 29',
      'Nov 30',
    ]);
    const month = timeTicks(Date.parse('2026-10-02T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z'));
    expect(month.map((t) => t.label)).toEqual(['Oct 5', 'Oct 12', 'Oct 19', 'Oct 26']);
    for (const tick of month) expect(new Date(tick.at).getUTCDay()).toBe(1);
  });

  it('shades a two-minute episode of a 30-day period at least a pixel wide', async () => {
    const from = new Date('2026-10-02T00:00:00Z');
    const period = customPeriod(from, new Date(from.getTime() + 30 * DAY));
    const start = new Date(from.getTime() + 10 * DAY);
    const metric: PeriodMetric = {
      ...report.metrics[0]!,
      chart: [
        { at: from.getTime(), value: 100 },
        { at: start.getTime(), value: 300 },
      ],
      episodes: [{ ...report.metrics[0]!.episodes[0]!, start, end: new Date(start.getTime() + 120_000) }],
    };
    const svg = await renderChartSvg(metric, period);
    const areas = [...svg.matchAll(/<rect x="[\d.]+" y="\d+" width="([\d.]+)"[^>]*fill="rgb\(220,38,38\)"/g)];
    expect(areas).toHaveLength(1);
    expect(Number(areas[0]![1])).toBeGreaterThanOrEqual(1);
  });

  it('escapes text from the spec', async () => {
    const metric: PeriodMetric = { ...report.metrics[0]!, requirement: 'p99 <b>"fast"</b> & cheap' };
    const svg = await renderChartSvg(metric, report.period);
    expect(svg).toContain('p99 &lt;b&gt;&quot;fast&quot;&lt;/b&gt; &amp; cheap (api_latency_p99)');
    expect(svg).not.toContain('<b>');
  });

  it('breaks the line where a point is missing, and draws a point alone between breaks', async () => {
    const base = report.period.from.getTime();
    const metric: PeriodMetric = {
      ...report.metrics[0]!,
      episodes: [],
      chart: [
        { at: base, value: 100 },
        { at: base + HOUR, value: 120 },
        { at: base + 2 * HOUR, value: null },
        { at: base + 3 * HOUR, value: 130 },
        { at: base + 4 * HOUR, value: null },
        { at: base + 5 * HOUR, value: 110 },
        { at: base + 6 * HOUR, value: 140 },
      ],
    };
    const svg = await renderChartSvg(metric, report.period);
    const line = /<path d="([^"]+)" fill="none" stroke="#2563eb"/.exec(svg)![1]!;
    // Three runs (two of two points, one alone) and the lone point's dot.
    expect(line.match(/M/g)).toHaveLength(4);
    expect(line.match(/L/g)).toHaveLength(2);
  });
});
