import { formatValue, cell as markdownCell } from './markdown.js';
import type { Summary } from './summary.js';

/**
 * GitHub Actions output of a run: workflow-command annotations that put a breached NFR (error) or an
 * NFR that could not be measured (warning) on its line of spec.md in the pull request, and a Markdown
 * job summary. Both are pure text; the CLI decides where they go (src/cli/ci-output.ts).
 */

/** GitHub's escaping of a workflow command's message (toolkit `escapeData`). */
export function escapeCommandData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a workflow command's property value (toolkit `escapeProperty`). */
export function escapeCommandProperty(value: string): string {
  return escapeCommandData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(
  kind: 'error' | 'warning' | 'notice',
  properties: Record<string, string | number>,
  message: string,
): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeCommandProperty(String(value))}`)
    .join(',');
  return `::${kind} ${props}::${escapeCommandData(message)}`;
}

/**
 * One annotation per NFR that is not healthy: `::error` for breached, `::warning` for unknown and for
 * unmapped (promised in the spec, not measured). `specFile` is the spec's path as GitHub wants it:
 * relative to the repository root.
 */
export function githubAnnotations(summary: Summary, specFile: string): string[] {
  const lines: string[] = [];
  for (const m of summary.metrics) {
    if (m.status === 'healthy') continue;
    const breached = m.status === 'breached';
    lines.push(
      command(
        breached ? 'error' : 'warning',
        {
          file: specFile,
          line: m.spec_line,
          title: `${summary.spec_id}: ${m.name} ${breached ? 'breached' : 'could not be measured'}`,
        },
        breached
          ? `${m.requirement}: ${formatValue(m.value, m.unit)}, target ${m.target}. ${m.reason}`
          : `${m.requirement} (target ${m.target}): ${m.reason}`,
      ),
    );
  }
  for (const u of summary.unmonitored) {
    if (u.kind !== 'unmapped') continue;
    lines.push(
      command(
        'warning',
        { file: specFile, line: u.spec_line, title: `${summary.spec_id}: ${u.name} not measured` },
        `${u.requirement} (target ${u.target}): ${u.reason}`,
      ),
    );
  }
  return lines;
}

const STATUS_HEADLINE: Record<Summary['status'], string> = {
  healthy: '✅ healthy',
  unhealthy: '❌ unhealthy',
  degraded: '⚠️ degraded',
};

const NFR_STATUS: Record<string, string> = {
  healthy: '✅ healthy',
  breached: '❌ breached',
  unknown: '⚠️ unknown',
};

/** The job summary section of one run: headline, a table of every NFR, and the reasons. */
export function githubStepSummary(summary: Summary, specFile: string): string {
  const c = summary.counts;
  const lines = [
    `### ${STATUS_HEADLINE[summary.status]}: \`${summary.spec_id}\``,
    '',
    `Checked at ${summary.checked_at} · ${c.healthy} healthy, ${c.breached} breached, ${c.unknown} unknown` +
      (c.unmapped > 0 ? `, ${c.unmapped} unmapped` : '') +
      ` · spec \`${markdownCell(specFile)}\``,
    '',
    '| Status | NFR | Requirement | Value | Target | Spec line |',
    '|---|---|---|---|---|---|',
  ];
  for (const m of summary.metrics) {
    lines.push(
      `| ${NFR_STATUS[m.status] ?? m.status} | \`${markdownCell(m.name)}\` | ${markdownCell(m.requirement)} | ${markdownCell(formatValue(m.value, m.unit))} | ${markdownCell(m.target)} | ${m.spec_line} |`,
    );
  }
  for (const u of summary.unmonitored) {
    const status = u.kind === 'unmapped' ? '⚠️ unmapped' : '➖ not monitored';
    lines.push(
      `| ${status} | \`${markdownCell(u.name)}\` | ${markdownCell(u.requirement)} | — | ${markdownCell(u.target)} | ${u.spec_line} |`,
    );
  }
  const reasons = [
    ...summary.metrics.filter((m) => m.status !== 'healthy').map((m) => [m.name, m.reason] as const),
    ...summary.unmonitored.filter((u) => u.kind === 'unmapped').map((u) => [u.name, u.reason] as const),
  ];
  if (reasons.length > 0) {
    lines.push('');
    for (const [name, reason] of reasons) lines.push(`- \`${markdownCell(name)}\`: ${markdownCell(reason)}`);
  }
  const report = summary.writes.reports.find((file) => file.endsWith('report.md'));
  if (report) lines.push('', `Report: \`${markdownCell(report)}\``);
  lines.push('', '');
  return lines.join('\n');
}
