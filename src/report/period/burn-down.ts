/**
 * The budget burn-down as text for the period reports (docs/performance-report.md): a sparkline, a
 * one-line summary and the table rows. The chart is rendered by chart.ts.
 */
import type { BurnDownPoint } from '../../slo/index.js';
import { formatQuantity } from '../../units/index.js';
import { instant } from './format.js';
import type { PeriodMetric } from './types.js';

const BARS = '▁▂▃▄▅▆▇█';

/** The metric's burn-down points, or null when the report has none. */
export function burnDownOf(m: PeriodMetric): BurnDownPoint[] | null {
  const points = m.objective?.atEnd.burn_down;
  return points && points.length > 0 ? points : null;
}

/**
 * One character per point, from the lowest known point (or empty, 0 %) up to a whole budget; `·`
 * where a step had no data.
 */
export function sparkline(points: readonly BurnDownPoint[]): string {
  const known = points.filter((p) => p.remaining !== null).map((p) => p.remaining as number);
  const low = Math.min(0, ...known);
  const high = Math.max(1, ...known);
  return points
    .map((p) => {
      if (p.remaining === null) return '·';
      const level = Math.round(((p.remaining - low) / (high - low)) * (BARS.length - 1));
      return BARS[Math.min(BARS.length - 1, Math.max(0, level))];
    })
    .join('');
}

export function remainingText(remaining: number | null): string {
  if (remaining === null) return 'unknown';
  return remaining < 0
    ? `overspent by ${formatQuantity(-remaining * 100, '%')}`
    : `${formatQuantity(remaining * 100, '%')} left`;
}

/** `100 % → 94.44 % left, steepest drop 5.56 % in the step to 2025-12-14T00:00:00Z, 1 step without data`. */
export function burnDownSummary(points: readonly BurnDownPoint[]): string {
  let steepest: { drop: number; at: string } | null = null;
  let previous: number | null = null;
  for (const point of points) {
    if (point.remaining === null) continue;
    if (previous !== null && previous - point.remaining > (steepest?.drop ?? 0)) {
      steepest = { drop: previous - point.remaining, at: point.at };
    }
    previous = point.remaining;
  }
  const missing = points.filter((p) => p.remaining === null).length;
  const parts = [
    `${remainingText(points[0]?.remaining ?? null)} → ${remainingText(points.at(-1)?.remaining ?? null)}`,
  ];
  parts.push(
    steepest
      ? `steepest drop ${formatQuantity(Number((steepest.drop * 100).toPrecision(12)), '%')} in the step to ${instant(new Date(steepest.at))}`
      : 'nothing spent',
  );
  if (missing > 0) parts.push(`${missing} step${missing === 1 ? '' : 's'} without data`);
  return parts.join(', ');
}

/** Rows of the day-by-day table: the step's end, the budget left, and why a point is unknown. */
export function burnDownRows(points: readonly BurnDownPoint[]): [string, string][] {
  return points.map((p) => [
    instant(new Date(p.at)),
    p.remaining === null ? `unknown (${p.reason ?? 'no data'})` : remainingText(p.remaining),
  ]);
}
