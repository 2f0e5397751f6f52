/**
 * The performance report as one self-contained HTML file: inline CSS, inline SVG charts rendered on
 * the server, no script and no network (a Content-Security-Policy forbids both), readable on a phone.
 */
import { formatQuantity } from '../../units/index.js';
import { burnDownOf, burnDownRows, burnDownSummary } from './burn-down.js';
import { renderBurnDownSvg, renderChartSvg } from './chart.js';
import {
  duration,
  escapeMarkup,
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

const escapeHtml = escapeMarkup;

const STYLE = `
:root { color-scheme: light; --fg: #111827; --muted: #4b5563; --line: #e5e7eb; --bad: #b91c1c; --good: #15803d; --warn: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #f9fafb; }
main { max-width: 980px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.4rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: 0 0 12px; font-size: 0.9rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 8px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
.card .label { color: var(--muted); font-size: 0.8rem; }
.card .value { font-size: 1.15rem; font-weight: 600; overflow-wrap: anywhere; }
.healthy { color: var(--good); } .unhealthy { color: var(--bad); } .degraded { color: var(--warn); }
.worse { color: var(--bad); font-weight: 600; } .better { color: var(--good); }
section.nfr { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 12px 12px; margin-top: 16px; }
section.nfr h2 { margin-top: 12px; }
figure.chart { margin: 8px 0; }
figure.chart svg { display: block; width: 100%; height: auto; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; white-space: nowrap; }
td.num { white-space: nowrap; }
dl.figures { display: grid; grid-template-columns: minmax(120px, max-content) 1fr; gap: 2px 12px; margin: 8px 0; }
dl.figures dt { color: var(--muted); }
dl.figures dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #f3f4f6; padding: 8px; border-radius: 6px; white-space: pre-wrap; word-break: break-all; font-size: 0.85rem; }
code { font-size: 0.9em; overflow-wrap: anywhere; }
ul.trends li { margin: 4px 0; }
footer { color: var(--muted); font-size: 0.8rem; margin-top: 24px; }
@media (max-width: 520px) { dl.figures { grid-template-columns: 1fr; } dl.figures dd { margin-bottom: 6px; } }
`;

function card(label: string, value: string, className = ''): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value ${className}">${value}</div></div>`;
}

function figuresList(m: PeriodMetric): string {
  const u = m.target.unit;
  const rows: Array<[string, string]> = [
    [
      'Target',
      `${escapeHtml(targetText(m))} <span class="meta">(spec: <code>${escapeHtml(m.target.text)}</code>)</span>`,
    ],
    [
      'Samples',
      escapeHtml(
        `${m.samples} (history ${m.sources.history}, backfill ${m.sources.backfill}), ${m.unknownSamples} unknown`,
      ),
    ],
    [
      'Min / mean / p50 / p95 / max',
      escapeHtml(
        [m.stats.min, m.stats.mean, m.stats.p50, m.stats.p95, m.stats.max]
          .map((v) => quantity(v, u))
          .join(' / '),
      ),
    ],
    [
      'Within target',
      escapeHtml(
        m.compliance === null
          ? 'no known sample'
          : `${share(m.compliance)} (${m.breachedSamples} out of target, ${duration(m.timeOutOfTargetSeconds)})`,
      ),
    ],
  ];
  const b = m.errorBudget;
  if (b) {
    rows.push([
      'Error budget',
      escapeHtml(
        b.spent === null
          ? `allowed 0 %, mean bad ${share(b.meanBadFraction)}`
          : `allowed ${share(b.allowedBadFraction)}, spent ${share(b.spent)}, remaining ${share(b.remaining)}`,
      ),
    ]);
  }
  const objective = objectiveText(m);
  if (objective) {
    rows.push([
      `Objective (${m.objective!.atEnd.window} window ending with the period)`,
      escapeHtml(objective),
    ]);
  }
  const p = m.previous;
  rows.push([
    `Previous (${escapeHtml(p.period.label)})`,
    escapeHtml(
      p.samples === 0
        ? 'no data'
        : `mean ${quantity(p.mean, u)}, p95 ${quantity(p.p95, u)}, ${share(p.compliance)} within target (${sourceText(p.source)})`,
    ),
  ]);
  rows.push([
    'Change',
    `mean ${escapeHtml(signedChange(m.change.mean))}, p95 ${escapeHtml(signedChange(m.change.p95))}: <span class="${m.change.trend}">${m.change.trend}</span>`,
  ]);
  rows.push([
    'Source',
    `${escapeHtml(sourceText(m.source))} (provider <code>${escapeHtml(m.provider)}</code>)`,
  ]);
  return `<dl class="figures">${rows.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

/** The burn-down chart with its summary, and the step-by-step table folded away. */
async function burnDownBlock(m: PeriodMetric, index: number): Promise<string> {
  const o = m.objective;
  if (!o || o.atEnd.target === null) return '';
  const heading = `<h3>Budget burn-down (${escapeHtml(o.atEnd.window)} window ending with the period)</h3>`;
  const points = burnDownOf(m);
  const svg = points ? await renderBurnDownSvg(m, { idPrefix: `b${index}-` }) : null;
  if (!points || !svg) {
    return `${heading}<p class="meta">Unknown: ${escapeHtml(o.atEnd.reason ?? 'not measured')}</p>`;
  }
  const rows = burnDownRows(points)
    .map(([at, left]) => `<tr><td class="num">${escapeHtml(at)}</td><td>${escapeHtml(left)}</td></tr>`)
    .join('');
  return (
    `${heading}<figure class="chart burn-down" aria-label="${escapeHtml(m.metric)} error budget burn-down">${svg}</figure>` +
    `<p class="meta">${escapeHtml(burnDownSummary(points))}</p>` +
    `<details><summary>Budget left, step by step</summary><div class="scroll"><table><thead><tr><th>Step end</th><th>Budget</th></tr></thead><tbody>${rows}</tbody></table></div></details>`
  );
}

function episodesTable(m: PeriodMetric): string {
  if (m.episodes.length === 0) return '<p class="meta">No breach episode.</p>';
  const { shown, hidden } = listedEpisodes(m.episodes);
  const rows = shown
    .map(
      (e) =>
        `<tr><td class="num">${escapeHtml(instant(e.start))}${e.touchesPeriodStart ? ' (period start)' : ''}</td>` +
        `<td class="num">${escapeHtml(instant(e.end))}${e.touchesPeriodEnd ? ' (period end)' : ''}</td>` +
        `<td class="num">${escapeHtml(duration(e.durationSeconds))}</td><td class="num">${e.samples}</td>` +
        `<td class="num">${escapeHtml(formatQuantity(e.worstValue, m.target.unit))}</td><td>${e.severity}</td></tr>`,
    )
    .join('');
  return `<h3>Breach episodes</h3><div class="scroll"><table><thead><tr><th>Start</th><th>End</th><th>Duration</th><th>Samples</th><th>Worst</th><th>Severity</th></tr></thead><tbody>${rows}</tbody></table></div>${hidden > 0 ? `<p class="meta">The ${shown.length} longest of ${m.episodes.length} episodes; the JSON report lists all.</p>` : ''}`;
}

function summaryTable(report: PeriodReport): string {
  const rows = report.metrics
    .map((m, i) => {
      const u = m.target.unit;
      return (
        `<tr><td><a href="#nfr-${i}"><code>${escapeHtml(m.metric)}</code></a></td><td class="num">${escapeHtml(targetText(m))}</td>` +
        `<td class="num">${share(m.compliance)}</td><td class="num">${m.compliance === null ? '—' : escapeHtml(duration(m.timeOutOfTargetSeconds))}</td>` +
        `<td class="num">${escapeHtml(quantity(m.stats.mean, u))}</td><td class="num">${escapeHtml(quantity(m.stats.p95, u))}</td>` +
        `<td class="num">${escapeHtml(signedChange(m.change.mean))}</td><td class="${m.change.trend}">${m.change.trend}</td>` +
        `<td>${escapeHtml(sourceText(m.source))}</td></tr>`
      );
    })
    .join('');
  return `<div class="scroll"><table><thead><tr><th>NFR</th><th>Target</th><th>Within target</th><th>Out of target</th><th>Mean</th><th>p95</th><th>Change</th><th>Trend</th><th>Source</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * The report as one HTML page with a chart per NFR (measured value, target line, breach episodes
 * shaded). Async because the chart library is loaded on first use.
 */
export async function renderPeriodHtml(report: PeriodReport): Promise<string> {
  const { period, summary } = report;
  const title = `Performance report: ${report.specId} — ${period.kind} ${period.label}`;
  const sections: string[] = [];
  for (const [i, m] of report.metrics.entries()) {
    const svg = await renderChartSvg(m, period, { idPrefix: `c${i}-` });
    const heading = m.requirement && m.requirement !== m.metric ? ` — ${escapeHtml(m.requirement)}` : '';
    const errors =
      m.backfillErrors.length === 0
        ? ''
        : `<h3>Backfill errors</h3><ul>${m.backfillErrors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`;
    sections.push(
      `<section class="nfr" id="nfr-${i}"><h2><code>${escapeHtml(m.metric)}</code>${heading}</h2>` +
        `<figure class="chart" aria-label="${escapeHtml(m.metric)} over the period">${svg}</figure>` +
        `${figuresList(m)}${await burnDownBlock(m, i)}<h3>Query</h3><pre>${escapeHtml(m.query)}</pre>${episodesTable(m)}${errors}</section>`,
    );
  }
  const worst = report.metrics.find((m) => m.metric === summary.worstMetric);
  const cards = [
    card('Status', escapeHtml(report.status), report.status),
    card('Within target', escapeHtml(share(summary.compliance))),
    card('NFRs fully within target', `${summary.metricsWithinTarget} of ${summary.metrics}`),
    card('Worst NFR', worst ? `<code>${escapeHtml(worst.metric)}</code>` : '—'),
    card('Worsened', String(summary.worsened), summary.worsened > 0 ? 'worse' : ''),
  ].join('');
  const trends =
    report.trends.length === 0
      ? `<p>None: no NFR's mean moved to the bad side by more than ${escapeHtml(share(report.trendThreshold))} against ${escapeHtml(report.previousPeriod.label)}.</p>`
      : `<ul class="trends">${report.trends.map((t) => `<li class="worse">${escapeHtml(t.sentence)}</li>`).join('')}</ul>`;
  const warnings =
    report.warnings.length === 0
      ? ''
      : `<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(instant(period.from))} → ${escapeHtml(instant(period.to))} (${escapeHtml(period.timeZone)}), compared with ${escapeHtml(report.previousPeriod.label)}. Chart times are UTC.</p>
<div class="cards">${cards}</div>
</header>
<h2>Trends that worsened</h2>
${trends}
<h2>Summary</h2>
${report.metrics.length === 0 ? '<p>No NFR is monitored.</p>' : summaryTable(report)}
${sections.join('\n')}
${warnings}
<footer>Generated ${escapeHtml(instant(report.generatedAt))} by smartspec-production-monitor ${escapeHtml(report.version)}; history interval ${report.intervalSeconds} s, backfill step ${report.stepSeconds} s; percentiles by nearest rank.</footer>
</main>
</body>
</html>
`;
}
