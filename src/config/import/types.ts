import type { ObjectiveConfig } from '../types.js';

/** One `slo_sources:` entry of observability.yaml, as written and resolved against the file's folder. */
export interface SloSourceRef {
  /** As written in observability.yaml. */
  written: string;
  /** Resolved against the folder of observability.yaml (absolute). */
  path: string;
  line: number;
  column: number;
}

/** Where an imported SLO (or one of its fields) is written. */
export interface ImportLocation {
  file: string;
  line: number;
  column: number;
}

export type ImportFormat = 'openslo' | 'sloth';

/**
 * What an imported SLO measures: counter queries (window templates with `{{.window}}`), a ratio query
 * (`raw`: the query's value is the good or the bad share), or a value judged per time slice (`threshold`).
 */
export type ImportedIndicator =
  | { kind: 'events'; good: string | null; bad: string | null; total: string }
  | { kind: 'raw'; share: 'good' | 'bad'; query: string }
  | { kind: 'threshold'; query: string; op: string | null; value: number | null };

/** An OpenSLO `SLO` or a Sloth `slos[]` entry, read and checked, not yet joined to an NFR. */
export interface ImportedSlo {
  format: ImportFormat;
  /** The NFR metric it joins: `labels.metric`, else the SLO's name. */
  metric: string;
  joinedBy: 'label' | 'name';
  /** The spec it is labelled for (`spec_id`), or null: an SLO for another spec is skipped quietly. */
  specId: string | null;
  /** `openslo SLO api-error-rate` / `sloth slos[1] api-error-rate`, for messages. */
  title: string;
  location: ImportLocation;
  /** Where the indicator's queries are written (conflicts point there). */
  indicatorLocation: ImportLocation;
  /** Where the target is written. */
  targetLocation: ImportLocation;
  indicator: ImportedIndicator;
  /** Only the keys the source states; the rest comes from observability.yaml's defaults. */
  objective: ObjectiveConfig;
  /** Sloth `page_alert`/`ticket_alert.disable`: which default burn-rate severities are off. */
  disabledSeverities: ('page' | 'ticket')[];
  runbookUrl?: string;
  /** Provider type the metric source names (`prometheus`, `datadog`). */
  providerType: string;
  /** OpenSLO `metricSourceRef`: the provider of observability.yaml to ask, when it names one. */
  providerRef: string | null;
}
