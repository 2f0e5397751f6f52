export { formatBudgetCell, formatValue, renderRunMarkdown } from './markdown.js';
// Period reports (./produce.js) are imported from there by the daemon and `report` alone: through this
// barrel, every run-once would load their renderers, charts and the child-process runner.
export type { Summary, SummaryContext, SummaryMetric } from './summary.js';
export { APPLY_NOTE, buildSummary, metricToSummary, runIdFor, SUMMARY_SCHEMA_VERSION } from './summary.js';
export { writeRunReport } from './write.js';
