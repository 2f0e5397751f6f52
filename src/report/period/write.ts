import path from 'node:path';
import type { ReportFormat } from '../../config/types.js';
import { makeWritableDir, type WriteScope, writeFileAtomic } from '../../workspace/index.js';
import { renderBurnDownSvg, renderChartPng, renderChartSvg } from './chart.js';
import { renderPeriodHtml } from './html.js';
import { renderPeriodJson } from './json.js';
import { renderPeriodMarkdown } from './markdown.js';
import type { PeriodReport } from './types.js';

export interface WritePeriodReportOptions {
  /** `<reports>/production-monitoring/<spec-id>`. */
  baseDir: string;
  report: PeriodReport;
  formats: readonly ReportFormat[];
  /** Every folder and file is checked against it at the moment it is written. */
  scope: WriteScope;
}

/** A metric name as a file-name part: letters, digits, `_`, `-` and `.` only. */
function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.]+/, '_');
  return safe === '' ? '_' : safe;
}

/** PNG file names per metric, `<label>.<metric>.png`, unique even when two names sanitize alike. */
export function chartFileNames(report: PeriodReport): Map<string, string> {
  return pngNames(report, report.metrics, '', new Set());
}

/**
 * PNG file names of the burn-down charts, `<label>.<metric>.burn-down.png`, for the metrics that have
 * a burn-down; unique among themselves and the value charts.
 */
export function burnDownChartFileNames(report: PeriodReport): Map<string, string> {
  const used = new Set(chartFileNames(report).values());
  const withBurnDown = report.metrics.filter((m) => (m.objective?.atEnd.burn_down?.length ?? 0) > 0);
  return pngNames(report, withBurnDown, '.burn-down', used);
}

function pngNames(
  report: PeriodReport,
  metrics: PeriodReport['metrics'],
  suffix: string,
  used: Set<string>,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of metrics) {
    const base = `${report.period.label}.${fileSafe(m.metric)}${suffix}`;
    let candidate = `${base}.png`;
    for (let i = 2; used.has(candidate); i++) candidate = `${base}-${i}.png`;
    used.add(candidate);
    names.set(m.metric, candidate);
  }
  return names;
}

/**
 * Writes `<baseDir>/<kind>/<label>.json|.md|.html` (kind: daily, weekly or custom) and, with `md`,
 * one PNG chart per NFR next to the Markdown (`<label>.<metric>.png`, and `<label>.<metric>.burn-down.png`
 * for an objective's burn-down). Each file is written
 * atomically. A report of the same period is overwritten on purpose: unlike run folders, a period
 * report is a function of its period, and a re-run (e.g. after backfill or a late daemon) replaces
 * it with the better one. Returns the written paths.
 */
export async function writePeriodReport(options: WritePeriodReportOptions): Promise<string[]> {
  const { report } = options;
  const { label, kind } = report.period;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(label)) {
    throw new Error(`period label "${label}" is not a safe file name`);
  }
  const dir = path.join(options.baseDir, kind);
  await makeWritableDir(options.scope, dir);
  const written: string[] = [];
  const write = async (file: string, data: string | Buffer): Promise<void> => {
    await writeFileAtomic(file, data, options.scope);
    written.push(file);
  };
  const formats = new Set(options.formats);
  if (formats.has('json')) await write(path.join(dir, `${label}.json`), renderPeriodJson(report));
  if (formats.has('md')) {
    const charts = chartFileNames(report);
    const burnDownCharts = burnDownChartFileNames(report);
    for (const [i, m] of report.metrics.entries()) {
      const svg = await renderChartSvg(m, report.period, { idPrefix: `c${i}-` });
      await write(path.join(dir, charts.get(m.metric)!), await renderChartPng(svg));
      const burnDown = burnDownCharts.has(m.metric)
        ? await renderBurnDownSvg(m, { idPrefix: `b${i}-` })
        : null;
      if (burnDown)
        await write(path.join(dir, burnDownCharts.get(m.metric)!), await renderChartPng(burnDown));
    }
    await write(path.join(dir, `${label}.md`), renderPeriodMarkdown(report, charts, burnDownCharts));
  }
  if (formats.has('html')) await write(path.join(dir, `${label}.html`), await renderPeriodHtml(report));
  return written;
}
