/**
 * Charts for period reports: ECharts server-side rendering to SVG (no DOM, no script in the output)
 * and resvg for PNG. Both libraries are heavy and loaded on first use. Output is deterministic: no
 * animation, UTC axis labels, and ECharts' process-wide element ids renamed per chart.
 */
import type { LineSeriesOption } from 'echarts/charts';
import type {
  GridComponentOption,
  MarkAreaComponentOption,
  MarkLineComponentOption,
  TitleComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { COMPARATOR_TEXT, formatQuantity } from '../../units/index.js';
import type { Period, PeriodMetric } from './types.js';

type ChartOption = ComposeOption<
  | LineSeriesOption
  | GridComponentOption
  | MarkLineComponentOption
  | MarkAreaComponentOption
  | TitleComponentOption
>;

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
const BREACH_FILL = 'rgba(220, 38, 38, 0.14)';

type EchartsCore = typeof import('echarts/core');
let echartsLoading: Promise<EchartsCore> | undefined;

function loadEcharts(): Promise<EchartsCore> {
  echartsLoading ??= (async () => {
    const [core, charts, components, renderers] = await Promise.all([
      import('echarts/core'),
      import('echarts/charts'),
      import('echarts/components'),
      import('echarts/renderers'),
    ]);
    core.use([
      charts.LineChart,
      components.GridComponent,
      components.MarkLineComponent,
      components.MarkAreaComponent,
      components.TitleComponent,
      renderers.SVGRenderer,
    ]);
    return core;
  })();
  return echartsLoading;
}

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

/** Renames ECharts' process-wide ids and classes (`zr3-c0`, `zr3-cls-7`) so output does not depend on call order. */
function stableIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  return (
    svg
      // Hover styles, their classes and event metadata serve interactive charts only.
      .replace(/<style\s*>[\s\S]*?<\/style>/g, '')
      .replace(/ class="zr\d+-cls-\d+"/g, '')
      .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
      .replace(/\bzr\d+-[A-Za-z]+-?\d+\b/g, (token) => {
        let name = names.get(token);
        if (name === undefined) {
          name = `${prefix}${names.size}`;
          names.set(token, name);
        }
        return name;
      })
  );
}

function chartOption(metric: PeriodMetric, period: Period): ChartOption {
  const { unit, slo, comparator } = metric.target;
  const known = metric.chart.filter((p) => p.value !== null).map((p) => p.value as number);
  const bounds = valueAxisBounds(known, slo, unit === '%' ? 100 : unit === 'ratio' ? 1 : null);
  // Keep the target's label on the side away from the good values, where the line rarely is.
  const lowerBound = comparator === '>' || comparator === '>=';
  const title =
    metric.requirement && metric.requirement !== metric.metric
      ? `${metric.requirement} (${metric.metric})`
      : metric.metric;
  return {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT },
    title: {
      text: metric.source === 'none' ? `${title}: no data` : title,
      left: 8,
      top: 6,
      textStyle: { fontSize: 14, fontWeight: 'bold', fontFamily: FONT, color: '#111827' },
    },
    grid: { left: 64, right: 24, top: 40, bottom: 32 },
    xAxis: {
      type: 'time',
      min: period.from.getTime(),
      max: period.to.getTime(),
      axisLabel: { fontSize: 11, color: '#374151', hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: bounds.min,
      max: bounds.max,
      interval: bounds.interval,
      axisLabel: {
        fontSize: 11,
        color: '#374151',
        formatter: (value: number) => formatQuantity(value, unit),
      },
      splitLine: { lineStyle: { color: '#e5e7eb' } },
    },
    series: [
      {
        type: 'line',
        name: metric.metric,
        data: metric.chart.map((p) => [p.at, p.value]),
        showSymbol: false,
        connectNulls: false,
        lineStyle: { width: 1.5, color: LINE_COLOR },
        itemStyle: { color: LINE_COLOR },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: TARGET_COLOR, type: 'dashed', width: 1.5 },
          label: {
            position: lowerBound ? 'insideEndBottom' : 'insideEndTop',
            formatter: `target ${COMPARATOR_TEXT[comparator]} ${formatQuantity(slo, unit)}`,
            color: TARGET_COLOR,
            fontSize: 11,
            fontFamily: FONT,
          },
          data: [{ yAxis: slo, name: 'target' }],
        },
        markArea: {
          silent: true,
          itemStyle: { color: BREACH_FILL },
          label: { show: false },
          data: metric.episodes.map((e) => [{ xAxis: e.start.getTime() }, { xAxis: e.end.getTime() }]),
        },
      },
    ],
  };
}

/**
 * One chart as a standalone SVG document: the measured value over the period (UTC axis), the target as
 * a dashed line, breach episodes shaded. Same input, same bytes.
 */
export async function renderChartSvg(
  metric: PeriodMetric,
  period: Period,
  options: ChartOptions = {},
): Promise<string> {
  const width = options.width ?? 800;
  const height = options.height ?? 280;
  const echarts = await loadEcharts();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(chartOption(metric, period));
    return stableIds(chart.renderToSVGString(), options.idPrefix ?? 'c');
  } finally {
    chart.dispose();
  }
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
