import type { Nfr } from '../spec/types.js';
import type { Comparator, Unit } from '../units/types.js';

export type NfrStatus = 'healthy' | 'breached' | 'unknown';
export type OverallStatus = 'healthy' | 'unhealthy' | 'degraded';

/** The verdict on one monitored NFR at one instant, with everything needed to explain it. */
export interface Verdict {
  /** Metric name as written in the spec (the join key with observability.yaml). */
  metric: string;
  nfrId: string | null;
  requirement: string;
  category: string | null;
  /** Target text as written in the spec. */
  target: string;
  comparator: Comparator;
  comparatorInferred: boolean;
  /** Threshold in `unit`. */
  slo: number;
  unit: Unit;
  /** Measured value converted into `unit`; null when unknown. */
  value: number | null;
  status: NfrStatus;
  provider: string;
  providerType: string;
  query: string;
  /** One line that explains the status (value, target, comparator, query, provider). */
  reason: string;
  /** Spec line of the NFR. */
  line: number;
  /** Evaluation instant. */
  checkedAt: Date;
}

/**
 * Why an NFR is not checked. `unmapped`: it has a numeric target but no query, so what is promised is not
 * measured and the run is degraded; `unmapped_ignored`: the same, excused by `unmapped: ignore`;
 * `no_numeric_target`: nothing in it can be measured.
 */
export type UnmonitoredKind = 'no_numeric_target' | 'unmapped' | 'unmapped_ignored';

/** An NFR that is not checked, and why (no numeric target, no query mapped...). */
export interface Unmonitored {
  kind: UnmonitoredKind;
  metric: string;
  requirement: string;
  target: string;
  line: number;
  reason: string;
}

export interface Evaluation {
  specId: string;
  checkedAt: Date;
  status: OverallStatus;
  verdicts: Verdict[];
  unmonitored: Unmonitored[];
}

export type { Nfr };
