export {
  comparatorAtEnd,
  comparatorAtStart,
  compare,
  LEADING_COMPARATORS,
  OTHER_LANGUAGE_LEADING,
  OTHER_LANGUAGE_TRAILING,
  parseComparator,
  TRAILING_COMPARATORS,
} from './comparators.js';
export { COMPARATOR_TEXT, comparatorText, formatQuantity } from './text.js';
export type { Comparator, Dimension, Unit } from './types.js';
export {
  baseUnitOf,
  canConvert,
  convert,
  dimensionOf,
  isUnsupportedUnit,
  PERCENT_SPELLINGS,
  parseUnit,
  TIME_SPELLINGS,
} from './units.js';
