/**
 * Daily, weekly and custom performance reports (the input of smartspec_feedback_aggregator):
 * periods, figures from history + backfill, trends, and JSON / Markdown / HTML / chart renderers.
 */
export type { BuildPeriodReportInput } from './build.js';
export { buildPeriodReport, DEFAULT_TREND_THRESHOLD } from './build.js';
export type { ChartOptions } from './chart.js';
export { renderBurnDownSvg, renderChartPng, renderChartSvg } from './chart.js';
export type { HistoryQuery, HistorySource } from './collect.js';
export { renderPeriodHtml } from './html.js';
export type { PeriodReportJson } from './json.js';
export { PERIOD_REPORT_SCHEMA_VERSION, periodReportJson, renderPeriodJson } from './json.js';
export { renderPeriodMarkdown } from './markdown.js';
export {
  completedPeriods,
  customPeriod,
  dailyPeriod,
  previousPeriod,
  validateTimeZone,
  weeklyPeriod,
} from './periods.js';
export { errorBudget } from './stats.js';
export type * from './types.js';
export type { WritePeriodReportOptions } from './write.js';
export { burnDownChartFileNames, chartFileNames, writePeriodReport } from './write.js';
