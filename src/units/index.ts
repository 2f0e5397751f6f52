export { comparatorAtEnd, comparatorAtStart, compare, parseComparator } from './comparators.js';
export type { Comparator, Dimension, Unit } from './types.js';
export {
  baseUnitOf,
  canConvert,
  convert,
  dimensionOf,
  formatQuantity,
  isUnsupportedUnit,
  parseUnit,
} from './units.js';
