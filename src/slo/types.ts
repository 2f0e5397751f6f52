import type { BudgetingMethod, SloWindowName } from '../config/types.js';

export type { BudgetingMethod, SloWindowName };

/** The window an objective is judged over. Calendar windows are sized as 30 and 7 days for rule scaling. */
export interface SloWindow {
  name: SloWindowName;
  rolling: boolean;
  /** Length used for burn-rate maths (a calendar month counts as 30 days). */
  seconds: number;
}

/** Where the event SLI came from. */
export type SliSource = 'config' | 'ratio_query' | 'histogram';

/**
 * An event SLI as two PromQL queries over a window; `{{.window}}` stands for the range (Sloth's notation).
 * `bad`/`total` are always given, so the error ratio is `bad / total`.
 */
export interface EventSli {
  source: SliSource;
  bad: string;
  total: string;
  /** The good query when the SLI was given or derived as good/total. */
  good: string | null;
  /** An assumption the SLI rests on (e.g. the `le` bucket that must exist), or null. */
  assumption: string | null;
}

export interface BurnRateRule {
  severity: 'page' | 'ticket';
  longWindowSeconds: number;
  shortWindowSeconds: number;
  /** Burn rate both windows must exceed. */
  factor: number;
}

/** The SLO of one NFR: what is counted, over which window, against which fraction of good. */
export interface SloObjective {
  metric: string;
  window: SloWindow;
  budgeting: BudgetingMethod;
  /** Slice length for `timeslices`; null for `occurrences`. */
  sliceSeconds: number | null;
  /** Fraction of good events (or slices), 0 < target < 1; null when it cannot be known. */
  target: number | null;
  /** Why `target` is null. */
  targetReason: string | null;
  /** Event SLI; null means timeslices, and `sliReason` says why there is no event SLI. */
  sli: EventSli | null;
  sliReason: string | null;
  alertingMode: 'threshold' | 'burn_rate' | 'both';
  burnRateRules: BurnRateRule[];
  runbookUrl: string | null;
}

export interface ErrorBudget {
  /** 1 − target. */
  allowed: number;
  /** Bad share ÷ allowed. */
  consumed: number;
  /** 1 − consumed (negative when overspent). */
  remaining: number;
}
