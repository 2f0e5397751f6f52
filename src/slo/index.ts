/**
 * The SLO model (docs/slo.md), pure: an NFR and its observability.yaml mapping become an objective over a
 * window with an error budget, an event SLI where one exists, and multi-window burn-rate rules.
 */
export { allowedBadShare, burnRate, errorBudget } from './budget.js';
export { type BurnDownPoint, burnDownStepMs } from './burn-down.js';
export {
  type BudgetPart,
  type BurnPart,
  type BurnRateAlertState,
  burnWindowsOf,
  MAX_POINTS_PER_RANGE_QUERY,
  type MeasureInput,
  type Measurement,
  type MeasureOptions,
  measureObjective,
  type ObjectiveReport,
  objectiveReport,
  type QueryLimit,
  type Share,
  type SliceCounts,
  type SliReport,
  shareOf,
  windowStartOf,
} from './measure.js';
export { deriveObjective, type ObjectiveInput, percentileFraction, targetOf } from './objective.js';
export {
  errorRatioRecord,
  type OpenSloSource,
  openSloDocuments,
  type PrometheusRule,
  type PrometheusRuleGroup,
  prometheusGroup,
  prometheusOperatorResources,
  prometheusRuleFile,
  type RuleSource,
  ruleProblem,
  slothSpecs,
} from './rules.js';
export {
  atWindow,
  histogramQuantileOf,
  loadPromqlGrammar,
  ratioOfRates,
  sliQueryTemplate,
  WINDOW_PLACEHOLDER,
} from './sli.js';
export type * from './types.js';
export {
  BURN_WINDOWS_SECONDS,
  DEFAULT_SLICE_SECONDS,
  DEFAULT_WINDOW,
  defaultBurnRateRules,
  promDuration,
  sloWindow,
} from './window.js';
