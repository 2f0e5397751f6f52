import Table from 'cli-table3';
import pc from 'picocolors';
import type { Summary } from '../report/index.js';
import { formatBudgetCell, formatValue } from '../report/index.js';

/** The console view of a run: a table, the reasons for anything not healthy, and a one-line verdict. */
export function renderRunConsole(summary: Summary, color: boolean): string {
  const c = pc.createColors(color);
  const statusText = (status: string): string =>
    status === 'healthy'
      ? c.green('healthy')
      : status === 'breached'
        ? c.red('BREACHED')
        : c.yellow('unknown');
  const out: string[] = [];
  out.push(c.bold(`${summary.spec_id}`) + c.dim(` · checked at ${summary.checked_at}`));
  if (summary.metrics.length > 0) {
    // Budget left over the objective's window and the 1h burn rate, when objectives were measured.
    const budget = summary.metrics.some((m) => m.objective);
    const table = new Table({
      head: ['Status', 'Metric', 'Value', ...(budget ? ['Budget left · 1h burn'] : []), 'Target', 'Provider'],
      style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
    });
    for (const m of summary.metrics) {
      table.push([
        statusText(m.status),
        m.name,
        formatValue(m.value, m.unit),
        ...(budget ? [formatBudgetCell(m.objective)] : []),
        m.target + (m.comparator_inferred ? ' *' : ''),
        `${m.provider_type}:${m.provider}`,
      ]);
    }
    out.push(table.toString());
    if (summary.metrics.some((m) => m.comparator_inferred)) {
      out.push(c.dim('  * no comparator in the spec: direction inferred from the requirement'));
    }
  }
  const notHealthy = summary.metrics.filter((m) => m.status !== 'healthy');
  if (notHealthy.length > 0) {
    out.push('');
    // One unreachable backend makes every metric it serves unknown for the same reason: say it once.
    const shared = sharedReasons(notHealthy.filter((m) => m.status === 'unknown').map((m) => m.reason));
    for (const reason of shared) out.push(`  ${c.yellow('unknown')}: ${reason}`);
    for (const m of notHealthy) {
      const reason = shared.has(m.reason)
        ? m.reason.includes('unreachable')
          ? 'backend unreachable'
          : 'same reason as above'
        : m.reason;
      out.push(`  ${statusText(m.status)} ${c.bold(m.name)}: ${reason}`);
    }
  }
  const unmapped = summary.unmonitored.filter((u) => u.kind === 'unmapped');
  if (unmapped.length > 0) {
    out.push('');
    out.push(`${c.yellow('Unmapped')}: promised but not measured (${unmapped.length}):`);
    for (const u of unmapped) out.push(`  - ${u.name} (spec line ${u.spec_line}): ${u.reason}`);
  }
  const otherUnmonitored = summary.unmonitored.filter((u) => u.kind !== 'unmapped');
  if (otherUnmonitored.length > 0) {
    out.push('');
    out.push(`Not monitored (${otherUnmonitored.length}):`);
    for (const u of otherUnmonitored) out.push(`  - ${u.name} (spec line ${u.spec_line}): ${u.reason}`);
  }
  if (summary.flags.apply.note) out.push(c.dim(`note: ${summary.flags.apply.note}`));
  out.push('');
  out.push(verdictLine(summary, color));
  const gate = summary.gate;
  if (gate && gate.mode !== 'instant') {
    const label =
      gate.status === 'healthy'
        ? c.green(c.bold('PASS'))
        : gate.status === 'unhealthy'
          ? c.red(c.bold('FAIL'))
          : c.yellow(c.bold('UNKNOWN'));
    out.push(`${label} gate ${gate.mode}${gate.reasons.length > 0 ? ':' : ''}`);
    for (const reason of gate.reasons) out.push(`  - ${reason}`);
  }
  return out.join('\n');
}

/** Reasons given for more than one metric, in first-seen order. */
function sharedReasons(reasons: string[]): Set<string> {
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return new Set([...counts].filter(([, count]) => count > 1).map(([reason]) => reason));
}

export function verdictLine(summary: Summary, color: boolean): string {
  const c = pc.createColors(color);
  const { healthy, breached, unknown, unmonitored, unmapped } = summary.counts;
  const total = healthy + breached + unknown;
  const label =
    summary.status === 'healthy'
      ? c.green(c.bold('HEALTHY'))
      : summary.status === 'unhealthy'
        ? c.red(c.bold('UNHEALTHY'))
        : c.yellow(c.bold('DEGRADED'));
  const parts = [`${healthy}/${total} NFRs within target`];
  if (breached > 0) parts.push(`${breached} breached`);
  if (unknown > 0) parts.push(`${unknown} unknown`);
  if (unmapped > 0) parts.push(`${unmapped} unmapped (not measured)`);
  if (unmonitored - unmapped > 0) parts.push(`${unmonitored - unmapped} not monitored`);
  const report = summary.writes.reports.find((p) => p.endsWith('summary.json'));
  return `${label} ${summary.spec_id}: ${parts.join(', ')}${report ? c.dim(` · report ${report}`) : ''}`;
}
