export { formatBudgetCell, formatValue, renderRunMarkdown } from './markdown.js';
export type { ProducedReport } from './produce.js';
export {
  aggregatorCommand,
  FEEDBACK_AGGREGATOR_PROGRAM,
  producePeriodReport,
  runAggregator,
} from './produce.js';
export type { Summary, SummaryContext, SummaryMetric } from './summary.js';
export { APPLY_NOTE, buildSummary, metricToSummary, runIdFor, SUMMARY_SCHEMA_VERSION } from './summary.js';
export { writeRunReport } from './write.js';
