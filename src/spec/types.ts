import type { Comparator, Unit } from '../units/types.js';

/** A numeric objective read from an NFR target such as `< 200ms` or `99.9% monthly`. */
export interface Objective {
  comparator: Comparator;
  /** True when the target had no comparator and the direction was inferred from the meaning. */
  comparatorInferred: boolean;
  /** The threshold, in `unit`. */
  threshold: number;
  /** The target's own unit (`count` for a plain number, `ratio` for a plain 0-1 ratio). */
  unit: Unit;
  /** Percentile named in the metric, requirement or target, e.g. `p99`. */
  percentile: string | null;
}

/** One non-functional requirement as written in a spec. */
export interface Nfr {
  /** The NFR's own id (`NFR-1`) when the spec gives one. */
  id: string | null;
  /** Metric name: the Metric cell verbatim, else the slug of the requirement text. */
  metric: string;
  /** Human text of the requirement (`p99 Latency`). */
  requirement: string;
  category: string | null;
  /** The target as written (`< 200ms`). */
  target: string;
  /** 1-based line in spec.md where the NFR is written. */
  line: number;
  /** Null when the target is not numeric; then `unmonitorableReason` says why. */
  objective: Objective | null;
  unmonitorableReason: string | null;
}

export interface NfrParseResult {
  nfrs: Nfr[];
  /** Non-fatal observations (e.g. an NFR section with no recognisable table or list). */
  warnings: string[];
}
