import { formatQuantity } from '../units/index.js';
import type { Unit } from '../units/types.js';
import type { Summary, SummaryMetric } from './summary.js';

const STATUS_MARK: Record<string, string> = {
  healthy: '✅ healthy',
  breached: '❌ breached',
  unknown: '⚠️ unknown',
};

/** Escapes text for a GFM table cell. */
export function cell(text: string | number | null): string {
  return String(text ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

/** A measured value in its unit, or a dash when it is unknown (console and report.md alike). */
export function formatValue(value: number | null, unit: Unit): string {
  return value === null ? '—' : formatQuantity(value, unit);
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))} %`;
}

function times(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Number(rate.toPrecision(3))}×`;
}

/** `97.2 % · 20×`: error budget left over the window and the 1h burn rate (console and report.md). */
export function formatBudgetCell(objective: SummaryMetric['objective']): string {
  if (!objective || objective.target === null) return '—';
  const remaining = objective.error_budget.remaining;
  return `${remaining === null ? '—' : percent(remaining)} · ${times(objective.burn_rates['1h'])}`;
}

/** Budget and burn rates per metric, over each objective's window. */
function objectiveLines(summary: Summary): string[] {
  const lines = ['', '### Error budgets', ''];
  lines.push(
    '| Metric | Objective | Budget left | Consumed | 5m | 1h | 6h | 1d | 3d | Firing | Unknown because |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const m of summary.metrics) {
    const o = m.objective;
    if (!o) continue;
    const objective = o.target === null ? '—' : `${percent(o.target)} good over ${o.window} (${o.budgeting})`;
    const budget = o.error_budget;
    const firing =
      o.alerts
        .filter((a) => a.firing === true)
        .map((a) => a.name)
        .join(', ') || '—';
    lines.push(
      `| \`${cell(m.name)}\` | ${cell(objective)} | ${cell(budget.remaining === null ? null : percent(budget.remaining))} | ${cell(budget.consumed === null ? null : percent(budget.consumed))} | ${['5m', '1h', '6h', '1d', '3d'].map((w) => times(o.burn_rates[w])).join(' | ')} | ${cell(firing)} | ${cell(o.reason)} |`,
    );
  }
  return lines;
}

/** report.md: the same content as summary.json, for people (e.g. attached to a pull request). */
export function renderRunMarkdown(summary: Summary): string {
  const lines: string[] = [];
  lines.push(`# Production monitoring: ${summary.spec_id}`);
  lines.push('');
  lines.push(`- **Status:** ${summary.status}`);
  lines.push(`- **Checked at:** ${summary.checked_at}`);
  lines.push(
    `- **Run:** ${summary.run_id} (${summary.mode}, smartspec-production-monitor ${summary.version})`,
  );
  lines.push(`- **Spec:** \`${summary.spec_file}\``);
  lines.push(`- **Observability config:** \`${summary.observability_config}\``);
  const c = summary.counts;
  lines.push(
    `- **Counts:** ${c.healthy} healthy, ${c.breached} breached, ${c.unknown} unknown, ${c.unmonitored} unmonitored${c.unmapped > 0 ? ` (${c.unmapped} unmapped: promised but not measured)` : ''}`,
  );
  if (summary.flags.apply.note) lines.push(`- **Note:** ${summary.flags.apply.note}`);
  lines.push('');
  lines.push('## Objectives');
  lines.push('');
  if (summary.metrics.length === 0) {
    lines.push('No NFR is monitored.');
  } else {
    lines.push('| Metric | Requirement | Target | Value | Status | Reason |');
    lines.push('|---|---|---|---|---|---|');
    for (const m of summary.metrics) {
      lines.push(
        `| \`${cell(m.name)}\` | ${cell(m.requirement)} | ${cell(m.target)} | ${cell(formatValue(m.value, m.unit))} | ${STATUS_MARK[m.status] ?? m.status} | ${cell(m.reason)} |`,
      );
    }
    if (summary.metrics.some((m) => m.objective)) lines.push(...objectiveLines(summary));
    lines.push('');
    lines.push('### Queries');
    lines.push('');
    for (const m of summary.metrics) {
      lines.push(`- \`${m.name}\` (${m.provider_type} "${m.provider}", spec line ${m.spec_line}):`);
      lines.push('');
      lines.push('  ```');
      lines.push(`  ${m.query.replace(/\n/g, '\n  ')}`);
      lines.push('  ```');
    }
  }
  if (summary.gate && summary.gate.mode !== 'instant') {
    lines.push('');
    lines.push(`## Gate: ${summary.gate.mode} (${summary.gate.status})`);
    lines.push('');
    if (summary.gate.reasons.length === 0) lines.push('Every objective is within its error budget.');
    for (const reason of summary.gate.reasons) lines.push(`- ${reason}`);
  }
  if (summary.unmonitored.length > 0) {
    lines.push('');
    lines.push('## Not monitored');
    lines.push('');
    lines.push('| Metric | Requirement | Target | Spec line | Kind | Reason |');
    lines.push('|---|---|---|---|---|---|');
    for (const u of summary.unmonitored) {
      lines.push(
        `| \`${cell(u.name)}\` | ${cell(u.requirement)} | ${cell(u.target)} | ${u.spec_line} | ${u.kind} | ${cell(u.reason)} |`,
      );
    }
  }
  if (summary.warnings.length > 0) {
    lines.push('');
    lines.push('## Warnings');
    lines.push('');
    for (const w of summary.warnings) lines.push(`- ${w}`);
  }
  if (summary.next_steps.length > 0) {
    lines.push('');
    lines.push('## Next steps');
    lines.push('');
    for (const s of summary.next_steps) lines.push(`- \`${s.cmd}\`: ${s.why}`);
  }
  lines.push('');
  return lines.join('\n');
}
