import type { BurnRateRule, SloWindow, SloWindowName } from './types.js';

const DAY = 86_400;

const WINDOWS: Readonly<Record<SloWindowName, SloWindow>> = {
  '7d': { name: '7d', rolling: true, seconds: 7 * DAY },
  '28d': { name: '28d', rolling: true, seconds: 28 * DAY },
  '30d': { name: '30d', rolling: true, seconds: 30 * DAY },
  month: { name: 'month', rolling: false, seconds: 30 * DAY },
  week: { name: 'week', rolling: false, seconds: 7 * DAY },
};

export const DEFAULT_WINDOW: SloWindowName = '30d';
export const DEFAULT_SLICE_SECONDS = 60;

export function sloWindow(name: SloWindowName = DEFAULT_WINDOW): SloWindow {
  return WINDOWS[name];
}

/** The windows whose SLI error ratio is recorded: every window a default rule uses. */
export const BURN_WINDOWS_SECONDS: readonly number[] = [300, 1800, 3600, 7200, 6 * 3600, DAY, 3 * DAY];

/**
 * The SRE workbook's rules for a 30-day window. Each spends a fixed share of the budget in its long
 * window: 14.4 × 1h / 30d = 2 %, 6 × 6h / 30d = 5 %, 3 × 1d / 30d = 10 %, 1 × 3d / 30d = 10 %.
 */
const WORKBOOK_30D: readonly BurnRateRule[] = [
  { severity: 'page', longWindowSeconds: 3600, shortWindowSeconds: 300, factor: 14.4 },
  { severity: 'page', longWindowSeconds: 6 * 3600, shortWindowSeconds: 1800, factor: 6 },
  { severity: 'ticket', longWindowSeconds: DAY, shortWindowSeconds: 7200, factor: 3 },
  { severity: 'ticket', longWindowSeconds: 3 * DAY, shortWindowSeconds: 6 * 3600, factor: 1 },
];

/**
 * The workbook's rules for any window, keeping each rule's budget share: factor = share × window ÷ long
 * window. For 30 days they are the workbook's own; for 7 days the 1h page is 3.36×.
 */
export function defaultBurnRateRules(window: SloWindow): BurnRateRule[] {
  const base = 30 * DAY;
  return WORKBOOK_30D.map((rule) => {
    const share = (rule.factor * rule.longWindowSeconds) / base;
    const factor = Number(((share * window.seconds) / rule.longWindowSeconds).toPrecision(12));
    return { ...rule, factor };
  });
}

/** A PromQL duration (`5m`, `1h`, `1d`, `1h30m`) for a number of seconds. */
export function promDuration(seconds: number): string {
  const units: [string, number][] = [
    ['d', DAY],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  let rest = Math.round(seconds);
  if (rest <= 0) return '0s';
  let text = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
