import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import type { PeriodReport } from '../../src/report/period/index.js';
import {
  burnDownChartFileNames,
  renderBurnDownSvg,
  renderChartPng,
  renderChartSvg,
  renderPeriodJson,
  renderPeriodMarkdown,
  weeklyPeriod,
  writePeriodReport,
} from '../../src/report/period/index.js';
import { writeScopeOf } from '../../src/workspace/index.js';
import { openWriteScope } from '../support/temp.js';
import { buildSampleReport } from './sample-report.js';
import { tempDirs } from './support.js';

/** The sample report with a 7-day objective on api_error_rate: a 6-hourly burn-down, overspent at the end. */
function withBurnDown(report: PeriodReport): PeriodReport {
  const end = report.period.to.getTime();
  const start = end - 7 * 86_400_000;
  const burnDown = Array.from({ length: 29 }, (_, k) => {
    const at = new Date(start + k * 6 * 3_600_000).toISOString();
    if (k === 10) return { at, remaining: null, reason: 'the total query has no data in this step' };
    return { at, remaining: k < 20 ? 1 : 1 - (k - 19) * 0.125 };
  });
  return {
    ...report,
    metrics: report.metrics.map((m) =>
      m.metric !== 'api_error_rate'
        ? m
        : {
            ...m,
            objective: {
              measuredAt: report.period.to,
              peakBurnRate1h: null,
              peakReason: 'not measured in this test',
              atEnd: {
                window: '7d',
                window_start: new Date(start).toISOString(),
                budgeting: 'occurrences',
                target: 0.999,
                sli: { kind: 'events', source: 'ratio_query', bad: 'b', total: 't', good: null, note: null },
                error_budget: { allowed: 0.001, consumed: 2.125, remaining: -0.125 },
                burn_rates: {},
                alerts: [],
                burn_down: burnDown,
                reason: null,
              },
            },
          },
    ),
  };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('charts', () => {
  let report: PeriodReport;
  beforeAll(async () => {
    report = await buildSampleReport();
  });

  it('SVG: the value line, the target line and label, one shaded area per episode', async () => {
    const latency = report.metrics[0]!;
    const svg = await renderChartSvg(latency, report.period);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('viewBox="0 0 800 280"');
    expect(svg).toContain('target &lt; 200 ms');
    expect(svg).toContain('p99 Latency (api_latency_p99)');
    expect(svg.match(/stroke="#dc2626"/g)).toHaveLength(1); // the dashed target line
    expect(svg.match(/fill="rgb\(220,38,38\)"/g)).toHaveLength(latency.episodes.length);
    expect(svg).not.toMatch(/zr\d+-/); // ECharts' process-wide ids are renamed
    expect(svg).not.toContain('<script');
  });

  it('is deterministic: same input, same bytes, whatever was rendered before', async () => {
    const [a, b] = report.metrics;
    const first = await renderChartSvg(a!, report.period);
    await renderChartSvg(b!, report.period);
    await renderChartSvg(b!, report.period, { idPrefix: 'x' });
    expect(await renderChartSvg(a!, report.period)).toBe(first);
    const png1 = await renderChartPng(first);
    const png2 = await renderChartPng(first);
    expect(png1.equals(png2)).toBe(true);
  });

  it('PNG at twice the SVG size, with real content', async () => {
    const png = await renderChartPng(await renderChartSvg(report.metrics[0]!, report.period));
    expect(pngSize(png)).toEqual({ width: 1600, height: 560 });
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('a metric without data still gets axes, the target and a "no data" title', async () => {
    const none = report.metrics.find((m) => m.source === 'none')!;
    const svg = await renderChartSvg(none, report.period, { width: 400, height: 200 });
    expect(svg).toContain('Login throughput (login_throughput): no data');
    expect(svg).toContain('target &gt; 50 rps');
    expect(svg).toContain('viewBox="0 0 400 200"');
  });
});

describe('burn-down chart', () => {
  let report: PeriodReport;
  beforeAll(async () => {
    report = withBurnDown(await buildSampleReport());
  });

  it('SVG: the budget left per step with a gap for the unknown step, the spent line, the end in the title', async () => {
    const errorRate = report.metrics.find((m) => m.metric === 'api_error_rate')!;
    const svg = (await renderBurnDownSvg(errorRate))!;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('viewBox="0 0 800 240"');
    expect(svg).toContain('api_error_rate: error budget burn-down (7d window), overspent by 12.5 %');
    expect(svg).toContain('budget spent');
    expect(svg).not.toContain('<script');
    // 29 steps, the 11th unknown: the line breaks there (two runs) and every known step has a dot.
    const [line, dots] = [...svg.matchAll(/<path d="([^"]+)" fill="none" stroke="#2563eb"/g)].map(
      (m) => m[1]!,
    );
    expect(line!.match(/M/g)).toHaveLength(2);
    expect(dots!.match(/h0\.01/g)).toHaveLength(28);
    // No chart for a metric without an objective.
    expect(await renderBurnDownSvg(report.metrics[0]!)).toBeNull();
  });

  it('Markdown: sparkline, summary and the step-by-step table', () => {
    const markdown = renderPeriodMarkdown(report);
    expect(markdown).toContain(
      // Scaled from the lowest point (−12.5 %) to a whole budget; `·` for the step without data.
      'Budget burn-down (7d window ending with the period): `██████████·█████████▇▆▆▅▄▃▃▂▁` 100 % left → overspent by 12.5 %, steepest drop 12.5 % in the step to 2026-11-25T00:00:00Z',
    );
    expect(markdown).toContain('1 step without data');
    expect(markdown).toContain('| Step end | Budget |');
    expect(markdown).toContain('unknown (the total query has no data in this step)');
  });
});

describe('writePeriodReport', () => {
  const temp = tempDirs();
  let report: PeriodReport;
  beforeAll(async () => {
    report = await buildSampleReport();
  });
  afterAll(() => temp.cleanup());

  it('writes JSON, Markdown with PNG charts beside it, and HTML under daily/', async () => {
    const base = join(temp.make(), 'production-monitoring', 'spec-core-001-authentication');
    const written = await writePeriodReport({
      baseDir: base,
      report,
      formats: ['json', 'md', 'html'],
      scope: openWriteScope(tmpdir()),
    });
    const dir = join(base, 'daily');
    expect(written).toEqual(
      [
        '2026-11-26.json',
        '2026-11-26.api_latency_p99.png',
        '2026-11-26.api_error_rate.png',
        '2026-11-26.api_uptime.png',
        '2026-11-26.login_throughput.png',
        '2026-11-26.md',
        '2026-11-26.html',
      ].map((name) => join(dir, name)),
    );
    expect(readFileSync(join(dir, '2026-11-26.json'), 'utf8')).toBe(renderPeriodJson(report));
    const markdown = readFileSync(join(dir, '2026-11-26.md'), 'utf8');
    const images = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(images).toHaveLength(4);
    for (const image of images) {
      expect(existsSync(join(dir, image))).toBe(true);
      expect(pngSize(readFileSync(join(dir, image))).width).toBe(1600);
    }
    expect(readFileSync(join(dir, '2026-11-26.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('writes the burn-down PNG beside the Markdown for a metric that has one', async () => {
    const withObjective = withBurnDown(report);
    const base = temp.make();
    const written = await writePeriodReport({
      baseDir: base,
      report: withObjective,
      formats: ['md'],
      scope: openWriteScope(tmpdir()),
    });
    const dir = join(base, 'daily');
    expect(burnDownChartFileNames(withObjective)).toEqual(
      new Map([['api_error_rate', '2026-11-26.api_error_rate.burn-down.png']]),
    );
    expect(written).toContain(join(dir, '2026-11-26.api_error_rate.burn-down.png'));
    expect(pngSize(readFileSync(join(dir, '2026-11-26.api_error_rate.burn-down.png')))).toEqual({
      width: 1600,
      height: 480,
    });
    expect(readFileSync(join(dir, '2026-11-26.md'), 'utf8')).toContain(
      '![api_error_rate error budget burn-down](2026-11-26.api_error_rate.burn-down.png)',
    );
  });

  it('a re-run replaces the report of the same period, atomically (no temp files left)', async () => {
    const base = temp.make();
    const first = await writePeriodReport({
      baseDir: base,
      report,
      formats: ['json'],
      scope: openWriteScope(tmpdir()),
    });
    const changed = { ...report, version: '9.9.9' };
    const second = await writePeriodReport({
      baseDir: base,
      report: changed,
      formats: ['json'],
      scope: openWriteScope(tmpdir()),
    });
    expect(second).toEqual(first);
    expect(JSON.parse(readFileSync(first[0]!, 'utf8')).version).toBe('9.9.9');
    expect(readdirSync(join(base, 'daily'))).toEqual(['2026-11-26.json']);
  });

  it('weekly reports go to weekly/, with the ISO week label', async () => {
    const base = temp.make();
    const weekly = { ...report, period: weeklyPeriod(report.period.from) };
    const written = await writePeriodReport({
      baseDir: base,
      report: weekly,
      formats: ['json'],
      scope: openWriteScope(tmpdir()),
    });
    expect(written).toEqual([join(base, 'weekly', '2026-W48.json')]);
  });

  it('refuses a report folder that is a symlink leaving the workspace, writing nothing there', async () => {
    const root = temp.make();
    const outside = temp.make();
    const base = join(root, '.spec/reports/production-monitoring');
    mkdirSync(base, { recursive: true });
    symlinkSync(outside, join(base, 'spec-core-001-authentication'));
    const scope = writeScopeOf(root, {
      allowWritesOnlyUnder: ['.spec/reports'],
      disallowSymlinkWrites: true,
    });
    const write = writePeriodReport({
      baseDir: join(base, 'spec-core-001-authentication'),
      report,
      formats: ['json', 'md'],
      scope,
    });
    await expect(write).rejects.toBeInstanceOf(UserError);
    await expect(write).rejects.toThrow(
      'passes through the symbolic link .spec/reports/production-monitoring/spec-core-001-authentication',
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a label that is not a plain file name', async () => {
    const bad = { ...report, period: { ...report.period, label: '../escape' } };
    await expect(
      writePeriodReport({
        baseDir: temp.make(),
        report: bad,
        formats: ['json'],
        scope: openWriteScope(tmpdir()),
      }),
    ).rejects.toThrow(/not a safe file name/);
  });
});
