/**
 * Measures an objective against the backend at one instant (docs/slo.md#measured-objectives): the bad
 * share over the whole SLO window (hence the error budget), the burn rates over the burn windows, and
 * the state of each burn-rate rule. All I/O goes through the `Provider` passed in; every number that
 * cannot be known is null with a reason, never a healthy-looking default.
 */
import type { Provider, QueryOptions } from '../providers/types.js';
import { allowedBadShare, tidy } from './budget.js';
import {
  type BurnDownPoint,
  type BurnDownSteps,
  burnDownGrid,
  burnDownPoints,
  eventStep,
  sliceSteps,
  stepRange,
} from './burn-down.js';
import { atWindow } from './sli.js';
import type { BudgetingMethod, BurnRateRule, SliSource, SloObjective, SloWindowName } from './types.js';
import { BURN_WINDOWS_SECONDS, promDuration } from './window.js';

/** Prometheus refuses a range query of more than 11,000 points per series. */
export const MAX_POINTS_PER_RANGE_QUERY = 11_000;

/** Runs one backend query; the caller's concurrency limit (p-limit), or a direct call. */
export type QueryLimit = <T>(task: () => Promise<T>) => Promise<T>;

export interface MeasureInput {
  objective: SloObjective;
  /** Null when the metric's provider could not be created; the reason says so. */
  provider: Provider | null;
  providerName: string;
  /** The NFR's own query, judged per slice for `timeslices`. */
  query: string;
  /** Whether one value of `query` (in the query's unit) meets the NFR. */
  meets: (value: number) => boolean;
  /** Per-metric query options of the mapping (Datadog's reduce, lookback). */
  queryOptions?: QueryOptions;
}

export interface MeasureOptions {
  at: Date;
  signal?: AbortSignal;
  limit?: QueryLimit;
  /** Which parts to ask the backend for (the daemon refreshes the whole window less often). */
  parts?: { budget: boolean; burnRates: boolean };
}

/** A bad share, or why it is unknown. */
export type Share = { share: number; reason: null } | { share: null; reason: string };

export interface SliceCounts {
  /** Slices with data, judged good or bad. */
  counted: number;
  bad: number;
  /** Slices of the window without any data: not counted. */
  missing: number;
}

/** The whole-window part of a measurement. */
export interface BudgetPart {
  windowStart: Date;
  badShare: Share;
  /** For `timeslices`: how the window's slices were counted (null when unknown). */
  slices: SliceCounts | null;
  /** The window's steps for the budget burn-down; null when the window has just begun. */
  burnDown: BurnDownSteps | null;
}

/** Bad share per burn window, in seconds. */
export type BurnPart = Map<number, Share>;

export interface Measurement {
  at: Date;
  budget: BudgetPart | null;
  burn: BurnPart | null;
}

export type SliReport =
  | {
      kind: 'events';
      source: SliSource;
      /** PromQL templates; `{{.window}}` stands for the range. */
      bad: string;
      total: string;
      good: string | null;
      note: string | null;
    }
  | {
      kind: 'timeslices';
      slice_seconds: number;
      query: string;
      /** The whole window's slices; null when they could not be counted. */
      slices: SliceCounts | null;
      note: string | null;
    };

export interface BurnRateAlertState {
  name: string;
  severity: 'page' | 'ticket';
  long: string;
  short: string;
  factor: number;
  /** Both windows' burn rate above the factor; null when that cannot be known. */
  firing: boolean | null;
}

/** The `objective` block of summary.json and `/api/status` (docs/summary-json.md). */
export interface ObjectiveReport {
  window: SloWindowName;
  /** Start of the window the budget covers (rolling: at − window; calendar: the UTC month or ISO week). */
  window_start: string;
  budgeting: BudgetingMethod;
  target: number | null;
  sli: SliReport;
  error_budget: { allowed: number | null; consumed: number | null; remaining: number | null };
  burn_rates: Record<string, number | null>;
  alerts: BurnRateAlertState[];
  /** Budget left from the window's start to `at`, step by step (docs/slo.md#budget-burn-down); null when unknown. */
  burn_down: BurnDownPoint[] | null;
  /** Why some number above is null; null when every number is known. */
  reason: string | null;
}

const DAY = 86_400;

/** Start of the objective's window ending at `at`: rolling, or the current UTC month / ISO week. */
export function windowStartOf(objective: SloObjective, at: Date): Date {
  const { window } = objective;
  if (window.rolling) return new Date(at.getTime() - window.seconds * 1000);
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (window.name === 'month') return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  // ISO weeks begin on Monday; getUTCDay() counts from Sunday.
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY * 1000);
}

/** Every window a burn rate is reported for: the standard seven and those the rules use. */
export function burnWindowsOf(rules: readonly BurnRateRule[]): number[] {
  const windows = new Set(BURN_WINDOWS_SECONDS);
  for (const rule of rules) {
    windows.add(rule.longWindowSeconds);
    windows.add(rule.shortWindowSeconds);
  }
  return [...windows].sort((a, b) => a - b);
}

function unknown(reason: string): Share {
  return { share: null, reason };
}

/** A backend ratio as a bad share in [0, 1], or why it is not one. */
export function shareOf(value: number, what: string): Share {
  if (Number.isNaN(value)) return unknown(`no events in ${what} (0 ÷ 0)`);
  if (!Number.isFinite(value)) return unknown(`the SLI gave ${value} over ${what}`);
  // (total) − (good) can come out a hair below zero in floating point.
  if (value < 0 && value > -1e-9) return { share: 0, reason: null };
  if (value < 0 || value > 1 + 1e-9) {
    return unknown(
      `the SLI gave a bad share of ${value} over ${what}, outside 0…1: do the bad (or good) and total queries count the same events?`,
    );
  }
  return { share: tidy(Math.min(value, 1)), reason: null };
}

const direct: QueryLimit = (task) => task();

/** Measures the parts asked for. Never throws for backend problems: they become reasons. */
export async function measureObjective(input: MeasureInput, options: MeasureOptions): Promise<Measurement> {
  const { objective } = input;
  const { at } = options;
  const parts = options.parts ?? { budget: true, burnRates: true };
  const windowStart = windowStartOf(objective, at);
  const windows = burnWindowsOf(objective.burnRateRules);
  const everyWindow = (reason: string): BurnPart => new Map(windows.map((w) => [w, unknown(reason)]));
  const nothing = (reason: string): Measurement => ({
    at,
    budget: parts.budget
      ? { windowStart, badShare: unknown(reason), slices: null, burnDown: { steps: null, reason } }
      : null,
    burn: parts.burnRates ? everyWindow(reason) : null,
  });
  // Without a target there is no budget to spend: ask the backend nothing.
  if (objective.target === null) return nothing(objective.targetReason ?? 'the objective has no target');
  if (!input.provider) return nothing(`provider "${input.providerName}" is not available`);
  const provider = input.provider;
  const limit = options.limit ?? direct;
  const signal = options.signal ? { signal: options.signal } : {};

  if (objective.sli) {
    const sli = objective.sli;
    const ratio = async (range: string, what: string): Promise<Share> => {
      const query = `(${atWindow(sli.bad, range)}) / (${atWindow(sli.total, range)})`;
      const result = await limit(() => provider.queryInstant(query, at, signal));
      return result.ok ? shareOf(result.value, what) : unknown(result.message);
    };
    const budgetTask = parts.budget
      ? (async (): Promise<BudgetPart> => {
          const elapsed = Math.round((at.getTime() - windowStart.getTime()) / 1000);
          if (elapsed <= 0) {
            return {
              windowStart,
              badShare: unknown(`the ${objective.window.name} has just begun`),
              slices: null,
              burnDown: null,
            };
          }
          const range = promDuration(elapsed);
          const [badShare, burnDown] = await Promise.all([
            ratio(range, `the ${objective.window.name} window`),
            eventBurnDown(objective, provider, windowStart, at, limit, options.signal),
          ]);
          return { windowStart, badShare, slices: null, burnDown };
        })()
      : Promise.resolve(null);
    const burnTask = parts.burnRates
      ? Promise.all(
          windows.map(async (w) => [w, await ratio(promDuration(w), promDuration(w))] as const),
        ).then((entries) => new Map(entries))
      : Promise.resolve(null);
    const [budget, burn] = await Promise.all([budgetTask, burnTask]);
    return { at, budget, burn };
  }
  return measureTimeslices(input, provider, { ...options, parts, limit }, windowStart, windows);
}

/**
 * The burn-down steps of an event SLI: one range query each of the bad and total templates over a
 * step (`increase(bad[1d])`, `increase(total[1d])` at every step end), summed client-side.
 */
async function eventBurnDown(
  objective: SloObjective,
  provider: Provider,
  windowStart: Date,
  at: Date,
  limit: QueryLimit,
  signal: AbortSignal | undefined,
): Promise<BurnDownSteps | null> {
  const sli = objective.sli;
  const grid = burnDownGrid(objective.window, windowStart, at);
  if (!sli || !grid) return null;
  const first = grid.ends[0] ?? at;
  const range = stepRange(grid.stepMs);
  const valuesOf = async (template: string): Promise<Map<number, number> | string> => {
    const result = await limit(() =>
      provider.queryRange(atWindow(template, range), first, at, grid.stepMs / 1000, signal ? { signal } : {}),
    );
    if (!result.ok) return result.failure === 'no_data' ? new Map() : result.message;
    const values = new Map<number, number>();
    for (const sample of result.samples) {
      values.set(Math.round((sample.at.getTime() - first.getTime()) / grid.stepMs), sample.value);
    }
    return values;
  };
  const [bad, total] = await Promise.all([valuesOf(sli.bad), valuesOf(sli.total)]);
  if (typeof total === 'string') return { steps: null, reason: total };
  if (typeof bad === 'string') return { steps: null, reason: bad };
  return { steps: grid.ends.map((end, j) => eventStep(end, bad.get(j), total.get(j))), reason: null };
}

type SliceState = 'good' | 'bad' | 'missing';

/**
 * `timeslices`: one range query (chunked) at the slice step over the longest span needed; a slice is
 * judged on the mean of the samples that fall in it (slice k covers (at − (k+1)·slice, at − k·slice]).
 * Slices without data are not counted. Budget and burn rates all come from the same samples.
 */
async function measureTimeslices(
  input: MeasureInput,
  provider: Provider,
  options: MeasureOptions & { parts: { budget: boolean; burnRates: boolean }; limit: QueryLimit },
  windowStart: Date,
  windows: number[],
): Promise<Measurement> {
  const { objective } = input;
  const { at, parts, limit } = options;
  const slice = objective.sliceSeconds ?? 60;
  const atMs = at.getTime();
  const elapsed = (atMs - windowStart.getTime()) / 1000;
  const budgetSlices = Math.ceil(elapsed / slice);
  const burnSlices = (w: number) => Math.ceil(w / slice);
  const needed = Math.max(
    parts.budget ? budgetSlices : 0,
    parts.burnRates ? Math.max(...windows.map(burnSlices)) : 0,
  );
  const sums = new Float64Array(needed);
  const counts = new Uint32Array(needed);
  // Chunk k covers slices [first, last]; a failed chunk makes every window that touches it unknown.
  const failures: { first: number; last: number; reason: string }[] = [];
  const chunks: { first: number; last: number }[] = [];
  for (let first = 0; first < needed; first += MAX_POINTS_PER_RANGE_QUERY) {
    chunks.push({ first, last: Math.min(first + MAX_POINTS_PER_RANGE_QUERY, needed) - 1 });
  }
  await Promise.all(
    chunks.map(async ({ first, last }) => {
      // Points at the slice ends, oldest first: at − last·slice … at − first·slice.
      const start = new Date(atMs - last * slice * 1000);
      const end = new Date(atMs - first * slice * 1000);
      const result = await limit(() =>
        provider.queryRange(input.query, start, end, slice, {
          ...(input.queryOptions ?? {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      if (!result.ok) {
        if (result.failure !== 'no_data') failures.push({ first, last, reason: result.message });
        return;
      }
      for (const sample of result.samples) {
        if (!Number.isFinite(sample.value)) continue;
        const offset = (atMs - sample.at.getTime()) / 1000;
        const k = Math.floor(offset / slice);
        if (offset < 0 || k < first || k > last) continue;
        sums[k] = (sums[k] ?? 0) + sample.value;
        counts[k] = (counts[k] ?? 0) + 1;
      }
    }),
  );
  const stateOf = (k: number): SliceState => {
    const count = counts[k] ?? 0;
    if (count === 0) return 'missing';
    return input.meets((sums[k] ?? 0) / count) ? 'good' : 'bad';
  };
  const states: SliceState[] = Array.from({ length: needed }, (_, k) => stateOf(k));
  const over = (sliceCount: number, what: string): { share: Share; slices: SliceCounts | null } => {
    const failure = failures.find((f) => f.first < sliceCount);
    if (failure) return { share: unknown(failure.reason), slices: null };
    const slices: SliceCounts = { counted: 0, bad: 0, missing: 0 };
    for (let k = 0; k < sliceCount; k++) {
      const state = states[k];
      if (state === 'missing') slices.missing++;
      else {
        slices.counted++;
        if (state === 'bad') slices.bad++;
      }
    }
    if (slices.counted === 0) {
      return { share: unknown(`no data in any ${promDuration(slice)} slice of ${what}`), slices };
    }
    return { share: { share: tidy(slices.bad / slices.counted), reason: null }, slices };
  };
  let budget: BudgetPart | null = null;
  if (parts.budget) {
    if (budgetSlices <= 0) {
      budget = {
        windowStart,
        badShare: unknown(`the ${objective.window.name} has just begun`),
        slices: null,
        burnDown: null,
      };
    } else {
      const whole = over(budgetSlices, `the ${objective.window.name} window`);
      const grid = burnDownGrid(objective.window, windowStart, at);
      const failure = failures.find((f) => f.first < budgetSlices);
      const burnDown: BurnDownSteps | null = failure
        ? { steps: null, reason: failure.reason }
        : grid && { steps: sliceSteps(grid, states.slice(0, budgetSlices), slice), reason: null };
      budget = { windowStart, badShare: whole.share, slices: whole.slices, burnDown };
    }
  }
  const burn = parts.burnRates
    ? new Map(windows.map((w) => [w, over(burnSlices(w), promDuration(w)).share] as const))
    : null;
  return { at, budget, burn };
}

/** `page-1h-5m`: severity and windows name a rule. */
function ruleName(rule: BurnRateRule): string {
  return `${rule.severity}-${promDuration(rule.longWindowSeconds)}-${promDuration(rule.shortWindowSeconds)}`;
}

/** Firing only when both windows exceed the factor; false as soon as one known window does not. */
function firingOf(long: number | null, short: number | null, factor: number): boolean | null {
  if (long !== null && long <= factor) return false;
  if (short !== null && short <= factor) return false;
  if (long === null || short === null) return null;
  return true;
}

/** Groups reasons so one unreachable backend is said once: `5m, 30m: <reason>`. */
function joinReasons(entries: [string, string][]): string | null {
  const byReason = new Map<string, string[]>();
  for (const [label, reason] of entries) byReason.set(reason, [...(byReason.get(reason) ?? []), label]);
  if (byReason.size === 0) return null;
  return [...byReason].map(([reason, labels]) => `${labels.join(', ')}: ${reason}`).join('; ');
}

function sliReportOf(objective: SloObjective, query: string, slices: SliceCounts | null): SliReport {
  if (objective.sli) {
    const { source, bad, total, good, assumption } = objective.sli;
    return { kind: 'events', source, bad, total, good, note: assumption };
  }
  return {
    kind: 'timeslices',
    slice_seconds: objective.sliceSeconds ?? 60,
    query,
    slices,
    note: objective.sliReason,
  };
}

/** The JSON block (docs/summary-json.md) of a measurement; burn-rate rules only when mode allows them. */
export function objectiveReport(
  objective: SloObjective,
  query: string,
  measurement: Measurement,
): ObjectiveReport {
  const reasons: [string, string][] = [];
  const target = objective.target;
  const allowed = target === null ? null : allowedBadShare(target);
  const budget = measurement.budget;
  let consumed: number | null = null;
  if (budget === null) reasons.push(['budget', 'not measured']);
  else if (budget.badShare.share === null) reasons.push(['budget', budget.badShare.reason]);
  else if (allowed !== null) consumed = tidy(budget.badShare.share / allowed);
  const burnRates: Record<string, number | null> = {};
  const rateOf = new Map<number, number | null>();
  for (const w of burnWindowsOf(objective.burnRateRules)) {
    const share = measurement.burn?.get(w);
    let rate: number | null = null;
    if (!share) reasons.push([promDuration(w), 'not measured']);
    else if (share.share === null) reasons.push([promDuration(w), share.reason]);
    else if (allowed !== null) rate = tidy(share.share / allowed);
    burnRates[promDuration(w)] = rate;
    rateOf.set(w, rate);
  }
  const alerts: BurnRateAlertState[] =
    objective.alertingMode === 'threshold'
      ? []
      : objective.burnRateRules.map((rule) => ({
          name: ruleName(rule),
          severity: rule.severity,
          long: promDuration(rule.longWindowSeconds),
          short: promDuration(rule.shortWindowSeconds),
          factor: rule.factor,
          firing: firingOf(
            rateOf.get(rule.longWindowSeconds) ?? null,
            rateOf.get(rule.shortWindowSeconds) ?? null,
            rule.factor,
          ),
        }));
  const windowStart = budget?.windowStart ?? windowStartOf(objective, measurement.at);
  let burnDown: BurnDownPoint[] | null = null;
  if (budget !== null && allowed !== null) {
    const steps = budget.burnDown ?? { steps: null, reason: `the ${objective.window.name} has just begun` };
    const drawn = burnDownPoints(windowStart, steps, allowed);
    burnDown = drawn.points;
    if (drawn.reason !== null) reasons.push(['burn-down', drawn.reason]);
  }
  return {
    window: objective.window.name,
    window_start: windowStart.toISOString(),
    budgeting: objective.budgeting,
    target,
    sli: sliReportOf(objective, query, budget?.slices ?? null),
    error_budget: {
      allowed,
      consumed,
      remaining: consumed === null ? null : tidy(1 - consumed),
    },
    burn_rates: burnRates,
    alerts,
    burn_down: burnDown,
    reason: target === null ? (objective.targetReason ?? 'no target') : joinReasons(reasons),
  };
}
