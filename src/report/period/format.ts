/** Human text shared by the Markdown and HTML renderers. */
import { COMPARATOR_TEXT, formatQuantity } from '../../units/index.js';
import type { Unit } from '../../units/types.js';
import type { BreachEpisode, FigureSource, PeriodMetric } from './types.js';

/** Text safe inside HTML or SVG markup and its quoted attributes. */
export function escapeMarkup(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function quantity(value: number | null, unit: Unit): string {
  return value === null ? '—' : formatQuantity(value, unit);
}

/** A 0-1 share as a percentage (`95.69 %`; never `100 %` unless it is 1). */
export function share(value: number | null): string {
  return value === null ? '—' : formatQuantity(value * 100, '%');
}

/** A relative change with its sign (`+16.67 %`, `−5 %`). */
export function signedChange(value: number | null): string {
  if (value === null) return '—';
  const text = formatQuantity(Math.abs(value) * 100, '%');
  if (value === 0) return text;
  return `${value > 0 ? '+' : '−'}${text}`;
}

/** `45 s`, `1 h 2 min`, `2 d 3 h`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts: string[] = [];
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  if (rest && days === 0) parts.push(`${rest} s`);
  return parts.slice(0, 2).join(' ');
}

/** `2026-11-26T00:02:00Z` (UTC, no milliseconds unless they matter). */
export function instant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

export function targetText(metric: PeriodMetric): string {
  return `${COMPARATOR_TEXT[metric.target.comparator]} ${formatQuantity(metric.target.slo, metric.target.unit)}`;
}

const SOURCE_TEXT: Record<FigureSource, string> = {
  history: 'history',
  backfill: 'backfill',
  mixed: 'history + backfill',
  none: 'no data',
};

export function sourceText(source: FigureSource): string {
  return SOURCE_TEXT[source];
}

/** Episodes listed in Markdown and HTML; the JSON keeps them all. */
export const MAX_LISTED_EPISODES = 25;

/**
 * The episodes people read: all when few, else the longest (ties: more samples, then earlier),
 * in time order; `hidden` = how many were left out.
 */
export function listedEpisodes(episodes: readonly BreachEpisode[]): {
  shown: BreachEpisode[];
  hidden: number;
} {
  if (episodes.length <= MAX_LISTED_EPISODES) return { shown: [...episodes], hidden: 0 };
  const longest = [...episodes]
    .sort(
      (a, b) =>
        b.durationSeconds - a.durationSeconds ||
        b.samples - a.samples ||
        a.start.getTime() - b.start.getTime(),
    )
    .slice(0, MAX_LISTED_EPISODES)
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  return { shown: longest, hidden: episodes.length - longest.length };
}

/** Budget over the objective's window at the period's end, from the backend, and the peak 1h burn. */
export function objectiveText(m: PeriodMetric): string | null {
  const o = m.objective;
  if (!o || o.atEnd.target === null) return null;
  const remaining = o.atEnd.error_budget.remaining;
  const rate = (value: number | null | undefined) =>
    value === null || value === undefined ? 'unknown' : `${Number(value.toPrecision(4))}×`;
  const budget =
    remaining === null
      ? `budget unknown (${o.atEnd.reason ?? 'not measured'})`
      : `budget remaining ${share(remaining)}`;
  const peak = o.peakBurnRate1h
    ? `highest 1h burn rate in the period ${rate(o.peakBurnRate1h.value)} at ${instant(o.peakBurnRate1h.at)}`
    : `highest 1h burn rate unknown (${o.peakReason ?? 'not measured'})`;
  return `${budget}; burn rate at the end 1h ${rate(o.atEnd.burn_rates['1h'])}, 6h ${rate(o.atEnd.burn_rates['6h'])}, 3d ${rate(o.atEnd.burn_rates['3d'])}; ${peak}`;
}
