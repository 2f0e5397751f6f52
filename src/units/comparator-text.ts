// Apart from comparators.ts, whose parsing tables the status page's browser bundle should not carry.
import type { Comparator } from './types.js';

/** How each comparator reads in text for people (verdicts, reports, the status page): `≤`, not `<=`. */
export const COMPARATOR_TEXT: Readonly<Record<Comparator, string>> = {
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
  '=': '=',
};

/** The text of a comparator read from JSON; anything unexpected is shown as it came. */
export function comparatorText(comparator: string): string {
  return Object.hasOwn(COMPARATOR_TEXT, comparator) ? COMPARATOR_TEXT[comparator as Comparator] : comparator;
}
