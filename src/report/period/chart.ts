/**
 * Charts for period reports, drawn straight to SVG (no DOM, no script, no chart library: a chart of a
 * 30-day report costs well under a millisecond, where a general chart library spent tens), and resvg
 * for PNG, loaded on first use. Output is deterministic: UTC axis labels, no random ids.
 */
import { COMPARATOR_TEXT, formatQuantity } from '../../units/index.js';
import { escapeMarkup } from './format.js';
import type { Period, PeriodMetric } from './types.js';

export interface ChartOptions {
  /** Pixels; default 800 × 280. */
  width?: number;
  height?: number;
  /** Prefix of element ids, unique per chart when several SVGs share one HTML page; default `c`. */
  idPrefix?: string;
}

const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';
const LINE_COLOR = '#2563eb';
const TARGET_COLOR = '#dc2626';
const BREACH_FILL = 'rgb(220,38,38)';
const BREACH_OPACITY = '0.14';
const TEXT_COLOR = '#374151';
const GRID_COLOR = '#e5e7eb';
const AXIS_COLOR = '#6e7079';
/** Space around the plot: room for the title above, the value labels left, the time labels below. */
const MARGIN = { left: 64, right: 24, top: 40, bottom: 32 };

/** A round step (1, 2 or 5 × 10^k) near range / 4, to widen the value axis to readable bounds. */
function niceStep(range: number): number {
  const raw = range / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  return (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10) * magnitude;
}

/** Value-axis bounds that hold the data and the target, with a margin, and a round tick interval. */
export function valueAxisBounds(
  values: readonly number[],
  slo: number,
  ceiling: number | null = null,
): { min: number; max: number; interval: number } {
  let low = slo;
  let high = slo;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  const span = high - low || Math.abs(high) || 1;
  const step = niceStep(span * 1.2);
  let min = Math.floor((low - span * 0.1) / step) * step;
  let max = Math.ceil((high + span * 0.1) / step) * step;
  if (low >= 0 && min < 0) min = 0;
  // A share never exceeds 100 %: no empty band above it.
  if (ceiling !== null && high <= ceiling && max > ceiling) max = ceiling;
  return {
    min: Number(min.toPrecision(12)),
    max: Number(max.toPrecision(12)),
    interval: Number(step.toPrecision(12)),
  };
}

/** A pixel coordinate with one decimal, as short as it gets. */
function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Time-axis steps, the first that gives at most MAX_TIME_TICKS labels is used. */
const TIME_STEPS_MS = [
  MINUTE_MS,
  5 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
  2 * DAY_MS,
  7 * DAY_MS,
  14 * DAY_MS,
  28 * DAY_MS,
  91 * DAY_MS,
  364 * DAY_MS,
];
const MAX_TIME_TICKS = 8;
/** 1970-01-05, a Monday: week-long steps fall on Mondays. */
const FIRST_MONDAY_MS = 4 * DAY_MS;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Round UTC times in [from, to] for the time axis, each with its label (`Nov 26`, `06:00`). */
export function timeTicks(from: number, to: number): Array<{ at: number; label: string }> {
  const span = Math.max(1, to - from);
  const step = TIME_STEPS_MS.find((s) => span / s <= MAX_TIME_TICKS) ?? span;
  const origin = step >= 7 * DAY_MS ? FIRST_MONDAY_MS : 0;
  const ticks: Array<{ at: number; label: string }> = [];
  for (let at = origin + Math.ceil((from - origin) / step) * step; at <= to; at += step) {
    const date = new Date(at);
    const midnight = at % DAY_MS === 0;
    const label =
      midnight || step >= DAY_MS
        ? `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`
        : `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
    ticks.push({ at, label });
  }
  return ticks;
}

function text(
  x: number,
  y: number,
  content: string,
  attributes: {
    anchor?: 'start' | 'middle' | 'end';
    size?: number;
    color?: string;
    bold?: boolean;
    /** A white outline under the letters, to stay readable over the line. */
    halo?: boolean;
  } = {},
): string {
  const anchor =
    attributes.anchor && attributes.anchor !== 'start' ? ` text-anchor="${attributes.anchor}"` : '';
  const weight = attributes.bold ? ' font-weight="bold"' : '';
  const halo = attributes.halo ? ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' : '';
  return (
    `<text x="${px(x)}" y="${px(y)}" font-family="${FONT}" font-size="${attributes.size ?? 11}"` +
    `${weight}${anchor}${halo} fill="${attributes.color ?? TEXT_COLOR}">${escapeMarkup(content)}</text>`
  );
}

/**
 * One chart as a standalone SVG document: the measured value over the period (UTC axis), the target as
 * a dashed line, breach episodes shaded (at least a pixel wide, so a short one stays visible). Same
 * input, same bytes.
 */
export async function renderChartSvg(
  metric: PeriodMetric,
  period: Period,
  options: ChartOptions = {},
): Promise<string> {
  return chartSvg(metric, period, options);
}

function chartSvg(metric: PeriodMetric, period: Period, options: ChartOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 280;
  const clipId = `${options.idPrefix ?? 'c'}plot`;
  const { unit, slo, comparator } = metric.target;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const from = period.from.getTime();
  const to = period.to.getTime();
  const xOf = (at: number) => left + ((at - from) / Math.max(1, to - from)) * (right - left);

  const known: number[] = [];
  for (const point of metric.chart) if (point.value !== null) known.push(point.value);
  const bounds = valueAxisBounds(known, slo, unit === '%' ? 100 : unit === 'ratio' ? 1 : null);
  const yOf = (value: number) =>
    bottom - ((value - bounds.min) / Math.max(Number.MIN_VALUE, bounds.max - bounds.min)) * (bottom - top);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<defs><clipPath id="${clipId}"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath></defs>`,
  ];

  // Value axis: a grid line and a label per tick.
  const ticks = Math.round((bounds.max - bounds.min) / bounds.interval);
  for (let i = 0; i <= ticks && i <= 50; i++) {
    const value = Number((bounds.min + i * bounds.interval).toPrecision(12));
    const y = Math.round(yOf(value)) + 0.5;
    parts.push(`<path d="M${left} ${px(y)}H${right}" stroke="${GRID_COLOR}"/>`);
    parts.push(text(left - 8, y + 4, formatQuantity(value, unit), { anchor: 'end' }));
  }

  // Time axis: the base line, a tick and a label per round time.
  const base = Math.round(bottom) + 0.5;
  parts.push(`<path d="M${left} ${px(base)}H${right}" stroke="${AXIS_COLOR}"/>`);
  for (const tick of timeTicks(from, to)) {
    const x = Math.round(xOf(tick.at)) + 0.5;
    parts.push(`<path d="M${px(x)} ${px(base)}v5" stroke="${AXIS_COLOR}"/>`);
    // A label at either end of the axis is kept inside the image (a character is about 0.6 em).
    const halfWidth = tick.label.length * 0.33 * 11;
    const anchor = x + halfWidth > width - 2 ? 'end' : x - halfWidth < 2 ? 'start' : 'middle';
    parts.push(text(x, base + 17, tick.label, { anchor }));
  }

  // Breach episodes.
  const areas: string[] = [];
  for (const episode of metric.episodes) {
    const x0 = xOf(Math.max(from, episode.start.getTime()));
    const x1 = Math.max(xOf(Math.min(to, episode.end.getTime())), x0 + 1);
    areas.push(
      `<rect x="${px(x0)}" y="${top}" width="${px(x1 - x0)}" height="${bottom - top}" fill="${BREACH_FILL}" fill-opacity="${BREACH_OPACITY}"/>`,
    );
  }
  parts.push(`<g clip-path="url(#${clipId})">${areas.join('')}`);

  // The measured value: a null point breaks the line; a point alone between breaks is a dot.
  let path = '';
  let run = 0;
  let lone = '';
  const points = metric.chart;
  for (let i = 0; i < points.length; i++) {
    const value = points[i]!.value;
    if (value === null) {
      run = 0;
      continue;
    }
    const x = px(xOf(points[i]!.at));
    const y = px(yOf(value));
    path += `${run === 0 ? 'M' : 'L'}${x} ${y}`;
    run++;
    const next = points[i + 1];
    if (run === 1 && (next === undefined || next.value === null)) lone += `M${x} ${y}h0.01`;
  }
  if (path !== '') {
    parts.push(
      `<path d="${path}${lone}" fill="none" stroke="${LINE_COLOR}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
  }
  parts.push('</g>');

  // The target: a dashed line across the plot, labelled at its end on the side away from good values.
  const targetY = Math.round(yOf(slo)) + 0.5;
  const lowerBound = comparator === '>' || comparator === '>=';
  parts.push(
    `<path d="M${left} ${px(targetY)}H${right}" stroke="${TARGET_COLOR}" stroke-width="1.5" stroke-dasharray="6,3"/>`,
  );
  parts.push(
    text(
      right - 4,
      lowerBound ? targetY + 14 : targetY - 5,
      `target ${COMPARATOR_TEXT[comparator]} ${formatQuantity(slo, unit)}`,
      {
        anchor: 'end',
        color: TARGET_COLOR,
        halo: true,
      },
    ),
  );

  const title =
    metric.requirement && metric.requirement !== metric.metric
      ? `${metric.requirement} (${metric.metric})`
      : metric.metric;
  parts.push(
    text(8, 6 + 14, metric.source === 'none' ? `${title}: no data` : title, {
      size: 14,
      bold: true,
      color: '#111827',
    }),
  );
  parts.push('</svg>');
  return parts.join('');
}

type ResvgModule = typeof import('@resvg/resvg-js');
let resvgLoading: Promise<ResvgModule> | undefined;

/** PNG of an SVG chart at twice its size, on white, with the system's DejaVu fonts. */
export async function renderChartPng(svg: string): Promise<Buffer> {
  resvgLoading ??= import('@resvg/resvg-js');
  const { Resvg } = await resvgLoading;
  const image = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return image.render().asPng();
}
