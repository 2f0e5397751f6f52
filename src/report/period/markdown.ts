/** The performance report as Markdown, readable in a pull request (GFM tables, PNG charts beside it). */
import { formatQuantity } from '../../units/index.js';
import { burnDownOf, burnDownRows, burnDownSummary, sparkline } from './burn-down.js';
import {
  duration,
  instant,
  listedEpisodes,
  objectiveText,
  quantity,
  share,
  signedChange,
  sourceText,
  targetText,
} from './format.js';
import type { PeriodMetric, PeriodReport } from './types.js';

/** Escapes text for a GFM table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const fence = '`'.repeat((text.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function fencedBlock(text: string): string[] {
  const longest = (text.match(/`{3,}/g) ?? []).reduce((n, run) => Math.max(n, run.length), 2);
  const fence = '`'.repeat(longest + 1);
  return [fence, text, fence];
}

function statsText(m: PeriodMetric): string {
  const { min, mean, p50, p95, max } = m.stats;
  return [min, mean, p50, p95, max].map((v) => quantity(v, m.target.unit)).join(' / ');
}

function samplesText(m: PeriodMetric): string {
  return `${m.samples} (history ${m.sources.history}, backfill ${m.sources.backfill}), ${m.unknownSamples} unknown`;
}

function complianceText(m: PeriodMetric): string {
  if (m.compliance === null) return 'no known sample';
  return `${share(m.compliance)} (${m.breachedSamples} sample${m.breachedSamples === 1 ? '' : 's'} out of target, ${duration(m.timeOutOfTargetSeconds)})`;
}

function budgetText(m: PeriodMetric): string | null {
  const b = m.errorBudget;
  if (!b) return null;
  if (b.spent === null)
    return `allowed 0 % (the target allows no bad fraction), mean bad ${share(b.meanBadFraction)}`;
  return `allowed ${share(b.allowedBadFraction)}, spent ${share(b.spent)}, remaining ${share(b.remaining)}`;
}

function previousText(m: PeriodMetric): string {
  const p = m.previous;
  if (p.samples === 0) return 'no data';
  const within = p.compliance === null ? 'no known sample' : `${share(p.compliance)} within target`;
  return `mean ${quantity(p.mean, m.target.unit)}, p95 ${quantity(p.p95, m.target.unit)}, ${within} (${sourceText(p.source)})`;
}

/** The burn-down: a sparkline and summary, its PNG when written, and a step-by-step table. */
function burnDownSection(m: PeriodMetric, chart: string | undefined): string[] {
  const o = m.objective;
  if (!o || o.atEnd.target === null) return [];
  const heading = `Budget burn-down (${o.atEnd.window} window ending with the period)`;
  const points = burnDownOf(m);
  if (!points) return [`${heading}: unknown (${o.atEnd.reason ?? 'not measured'})`, ''];
  const lines = [`${heading}: \`${sparkline(points)}\` ${burnDownSummary(points)}`, ''];
  if (chart) lines.push(`![${m.metric} error budget burn-down](${encodeURI(chart)})`, '');
  lines.push('<details><summary>Budget left, step by step</summary>', '');
  lines.push('| Step end | Budget |', '|---|---|');
  for (const [at, left] of burnDownRows(points)) lines.push(`| ${at} | ${cell(left)} |`);
  lines.push('', '</details>', '');
  return lines;
}

function metricSection(
  m: PeriodMetric,
  report: PeriodReport,
  chart: string | undefined,
  burnDownChart?: string,
): string[] {
  const lines: string[] = [];
  const title = m.requirement && m.requirement !== m.metric ? ` — ${m.requirement}` : '';
  lines.push(`### ${code(m.metric)}${title}`, '');
  if (chart) lines.push(`![${m.metric} over ${report.period.label}](${encodeURI(chart)})`, '');
  const rows: Array<[string, string]> = [
    ['Target', `${targetText(m)} (spec: ${code(m.target.text)})`],
    ['Samples', samplesText(m)],
    ['Min / mean / p50 / p95 / max', statsText(m)],
    ['Within target', complianceText(m)],
  ];
  const budget = budgetText(m);
  if (budget) rows.push(['Error budget', budget]);
  const objective = objectiveText(m);
  if (objective)
    rows.push([`Objective (${m.objective!.atEnd.window} window ending with the period)`, objective]);
  rows.push([`Previous period (${m.previous.period.label})`, previousText(m)]);
  rows.push([
    'Change',
    `mean ${signedChange(m.change.mean)}, p95 ${signedChange(m.change.p95)}: ${m.change.trend}`,
  ]);
  rows.push(['Source', `${sourceText(m.source)} (provider ${code(m.provider)})`]);
  lines.push('| Figure | Value |', '|---|---|');
  for (const [name, value] of rows) lines.push(`| ${cell(name)} | ${cell(value)} |`);
  lines.push('');
  lines.push(...burnDownSection(m, burnDownChart));
  lines.push('Query:', '', ...fencedBlock(m.query), '');
  if (m.episodes.length > 0) {
    lines.push('Breach episodes:', '');
    lines.push('| Start | End | Duration | Samples | Worst | Severity |', '|---|---|---|---|---|---|');
    const { shown, hidden } = listedEpisodes(m.episodes);
    for (const e of shown) {
      const start = `${instant(e.start)}${e.touchesPeriodStart ? ' (period start)' : ''}`;
      const end = `${instant(e.end)}${e.touchesPeriodEnd ? ' (period end)' : ''}`;
      lines.push(
        `| ${start} | ${end} | ${duration(e.durationSeconds)} | ${e.samples} | ${formatQuantity(e.worstValue, m.target.unit)} | ${e.severity} |`,
      );
    }
    lines.push('');
    if (hidden > 0)
      lines.push(
        `The ${shown.length} longest of ${m.episodes.length} episodes; the JSON report lists all.`,
        '',
      );
  }
  if (m.backfillErrors.length > 0) {
    lines.push('Backfill errors:', '');
    for (const error of m.backfillErrors) lines.push(`- ${error}`);
    lines.push('');
  }
  return lines;
}

/**
 * The report for people: header, worsened trends, a summary table and one section per NFR with its
 * figures, budget burn-down, breach episodes and, when `charts` maps the metric to a PNG file name,
 * its chart (`burnDownCharts`: the PNG of its burn-down).
 */
export function renderPeriodMarkdown(
  report: PeriodReport,
  charts?: ReadonlyMap<string, string>,
  burnDownCharts?: ReadonlyMap<string, string>,
): string {
  const { period, summary } = report;
  const lines: string[] = [];
  lines.push(`# Performance report: ${report.specId} — ${period.kind} ${period.label}`, '');
  lines.push(
    `- **Period:** ${instant(period.from)} → ${instant(period.to)} (${period.kind}, ${period.timeZone})`,
  );
  lines.push(`- **Status:** ${report.status}`);
  const fully = `${summary.metricsWithinTarget} of ${summary.metrics} NFRs fully within target`;
  lines.push(
    summary.compliance === null
      ? `- **Compliance:** no data (${fully})`
      : `- **Compliance:** ${share(summary.compliance)} of samples within target, mean over the NFRs (${fully})`,
  );
  const worst = report.metrics.find((m) => m.metric === summary.worstMetric);
  if (worst) {
    lines.push(
      `- **Worst NFR:** ${code(worst.metric)} (${share(worst.compliance)} within target, ${duration(worst.timeOutOfTargetSeconds)} out of target)`,
    );
  }
  lines.push(`- **Compared with:** ${report.previousPeriod.label}`);
  lines.push(
    `- **Generated:** ${instant(report.generatedAt)} by smartspec-production-monitor ${report.version} (history interval ${report.intervalSeconds} s, backfill step ${report.stepSeconds} s, percentiles by nearest rank)`,
  );
  lines.push('');

  lines.push('## Trends that worsened', '');
  if (report.trends.length === 0) {
    lines.push(
      `None: no NFR's mean moved to the bad side by more than ${share(report.trendThreshold)} against ${report.previousPeriod.label}.`,
    );
  } else {
    for (const t of report.trends) lines.push(`- ${t.sentence}`);
  }
  lines.push('');

  lines.push('## Summary', '');
  if (report.metrics.length === 0) {
    lines.push('No NFR is monitored.', '');
  } else {
    lines.push(
      '| NFR | Target | Within target | Out of target | Mean | p95 | Max | Change (mean) | Trend | Source |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const m of report.metrics) {
      const u = m.target.unit;
      lines.push(
        `| ${code(cell(m.metric))} | ${cell(targetText(m))} | ${share(m.compliance)} | ${m.compliance === null ? '—' : duration(m.timeOutOfTargetSeconds)} | ${quantity(m.stats.mean, u)} | ${quantity(m.stats.p95, u)} | ${quantity(m.stats.max, u)} | ${signedChange(m.change.mean)} | ${m.change.trend} | ${sourceText(m.source)} |`,
      );
    }
    lines.push('');
    lines.push('## NFRs', '');
    for (const m of report.metrics) {
      lines.push(...metricSection(m, report, charts?.get(m.metric), burnDownCharts?.get(m.metric)));
    }
  }

  if (report.warnings.length > 0) {
    lines.push('## Warnings', '');
    for (const w of report.warnings) lines.push(`- ${w}`);
    lines.push('');
  }
  return lines.join('\n');
}
