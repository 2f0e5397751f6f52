/**
 * Charts for period reports, drawn straight to SVG (no DOM, no script, no chart library: a chart of a
 * 30-day report costs well under a millisecond, where a general chart library spent tens), and resvg
 * for PNG, loaded on first use. Output is deterministic: UTC axis labels, no random ids.
 */
import type { BurnDownPoint } from '../../slo/index.js';
import { COMPARATOR_TEXT, formatQuantity, type Unit } from '../../units/index.js';
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

interface Plot {
  /** The SVG so far: header, background, clip path, value grid and labels, time axis. */
  parts: string[];
  left: number;
  right: number;
  top: number;
  bottom: number;
  xOf: (at: number) => number;
  yOf: (value: number) => number;
}

/** The frame every chart shares: white background, the value grid with its labels, the UTC time axis. */
function plotFrame(
  width: number,
  height: number,
  clipId: string,
  time: { from: number; to: number },
  bounds: { min: number; max: number; interval: number },
  unit: Unit,
): Plot {
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const { from, to } = time;
  const xOf = (at: number) => left + ((at - from) / Math.max(1, to - from)) * (right - left);
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
  return { parts, left, right, top, bottom, xOf, yOf };
}

/**
 * A line through the points: a null value breaks it; a point alone between breaks is drawn as a dot
 * (with `dots`, every point is). Empty when no point has a value.
 */
function valueLine(
  points: ReadonlyArray<{ at: number; value: number | null }>,
  plot: Plot,
  dots = false,
): string {
  let path = '';
  let run = 0;
  let lone = '';
  for (let i = 0; i < points.length; i++) {
    const value = points[i]!.value;
    if (value === null) {
      run = 0;
      continue;
    }
    const x = px(plot.xOf(points[i]!.at));
    const y = px(plot.yOf(value));
    path += `${run === 0 ? 'M' : 'L'}${x} ${y}`;
    run++;
    const next = points[i + 1];
    if (dots || (run === 1 && (next === undefined || next.value === null))) lone += `M${x} ${y}h0.01`;
  }
  if (path === '') return '';
  const stroke = `fill="none" stroke="${LINE_COLOR}" stroke-linejoin="round" stroke-linecap="round"`;
  // A zero-length segment with a round cap is a dot; with `dots` they are larger than the line.
  if (dots)
    return `<path d="${path}" ${stroke} stroke-width="1.5"/><path d="${lone}" ${stroke} stroke-width="4"/>`;
  return `<path d="${path}${lone}" ${stroke} stroke-width="1.5"/>`;
}

function chartSvg(metric: PeriodMetric, period: Period, options: ChartOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 280;
  const clipId = `${options.idPrefix ?? 'c'}plot`;
  const { unit, slo, comparator } = metric.target;
  const from = period.from.getTime();
  const to = period.to.getTime();
  const known: number[] = [];
  for (const point of metric.chart) if (point.value !== null) known.push(point.value);
  const bounds = valueAxisBounds(known, slo, unit === '%' ? 100 : unit === 'ratio' ? 1 : null);
  const plot = plotFrame(width, height, clipId, { from, to }, bounds, unit);
  const { parts, left, right, top, bottom, xOf, yOf } = plot;

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
  const line = valueLine(metric.chart, plot);
  if (line !== '') parts.push(line);
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

const SPENT_COLOR = '#6b7280';

/**
 * The error budget burn-down of a metric's objective over the window that ends with the period, as
 * a standalone SVG (a dot per step, gaps where a step had no data, the spent line at 0 %); null
 * when the report has no burn-down for it. Same input, same bytes.
 */
export async function renderBurnDownSvg(
  metric: PeriodMetric,
  options: ChartOptions = {},
): Promise<string | null> {
  const points = metric.objective?.atEnd.burn_down;
  if (!points || points.length === 0) return null;
  return burnDownSvg(metric, points, options);
}

function burnDownSvg(metric: PeriodMetric, points: readonly BurnDownPoint[], options: ChartOptions): string {
  const objective = metric.objective!.atEnd;
  const width = options.width ?? 800;
  const height = options.height ?? 240;
  const series = points.map((p) => ({
    at: Date.parse(p.at),
    value: p.remaining === null ? null : p.remaining * 100,
  }));
  const known: number[] = [];
  for (const point of series) if (point.value !== null) known.push(point.value);
  const bounds = valueAxisBounds(known, 0, 100);
  if (bounds.max < 100) bounds.max = 100;
  const from = Date.parse(objective.window_start);
  const to = series.at(-1)?.at ?? from;
  const plot = plotFrame(width, height, `${options.idPrefix ?? 'b'}plot`, { from, to }, bounds, '%');
  const { parts, left, right } = plot;

  // Budget spent: a dashed line at 0 %, labelled at its end.
  const spentY = Math.round(plot.yOf(0)) + 0.5;
  parts.push(`<path d="M${left} ${px(spentY)}H${right}" stroke="${SPENT_COLOR}" stroke-dasharray="6,3"/>`);
  parts.push(text(right - 4, spentY - 5, 'budget spent', { anchor: 'end', color: SPENT_COLOR, halo: true }));

  const line = valueLine(series, plot, true);
  if (line !== '') parts.push(`<g clip-path="url(#${options.idPrefix ?? 'b'}plot)">${line}</g>`);

  const last = points.at(-1);
  const lastText =
    last?.remaining === null || last?.remaining === undefined
      ? 'unknown'
      : last.remaining < 0
        ? `overspent by ${formatQuantity(-last.remaining * 100, '%')}`
        : `${formatQuantity(last.remaining * 100, '%')} left`;
  parts.push(
    text(8, 6 + 14, `${metric.metric}: error budget burn-down (${objective.window} window), ${lastText}`, {
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
