import type { ScrapeProviderConfig } from '../providers/scrape/config.js';
import type { Unit } from '../units/types.js';
import type { ImportLocation, SloSourceRef } from './import/types.js';
import type { ProcessSettingKey } from './process-keys.js';
import type { GraphiteProviderConfig } from './providers/graphite.js';
import type { InfluxdbProviderConfig } from './providers/influxdb.js';
import type { SaasProviderConfig } from './types-saas.js';

/** How numbers from a backend are reduced to one value (Datadog point lists). */
export type Reduction = 'last' | 'avg' | 'min' | 'max';

export interface HttpSettings {
  /** Base URL including any path prefix (e.g. Mimir's `/prometheus`). */
  url: string;
  /** Extra headers; values may come from secrets. */
  headers: Record<string, string>;
  timeoutMs: number;
  tls: { caFile: string | null; insecureSkipVerify: boolean };
  /** Follow 3xx answers (each hop re-checked by the network policy); default false. */
  followRedirects?: boolean;
  /** Bound on a reply body; default `DEFAULT_MAX_RESPONSE_BYTES`. */
  maxResponseBytes?: number;
}

export interface PrometheusProviderConfig {
  type: 'prometheus';
  name: string;
  http: HttpSettings;
  /** Sent as X-Scope-OrgID (Mimir, Cortex). */
  tenant: string | null;
  auth:
    | { kind: 'none' }
    | { kind: 'bearer'; token: string }
    | { kind: 'basic'; username: string; password: string };
}

export interface DatadogProviderConfig {
  type: 'datadog';
  name: string;
  http: HttpSettings;
  apiKey: string;
  appKey: string | null;
  site: string;
  /** `v1` (the default): GET /api/v1/query; `v2`: POST /api/v2/query/timeseries (queries and formulas). */
  api?: 'v1' | 'v2';
  /** How far back from the evaluation time points are requested. */
  lookbackSeconds: number;
  reduce: Reduction;
}

export type ProviderConfig =
  | PrometheusProviderConfig
  | DatadogProviderConfig
  | InfluxdbProviderConfig
  | GraphiteProviderConfig
  | ScrapeProviderConfig
  | SaasProviderConfig;

export interface MetricMapping {
  /** Joins the NFR's metric name. */
  name: string;
  query: string;
  /** Name of the provider in `ObservabilityConfig.providers`. */
  provider: string;
  /** Unit of the number the query returns; null = base unit of the target's dimension. */
  unit: Unit | null;
  /** Per-metric overrides of the provider's reduction/lookback (Datadog). */
  reduce: Reduction | null;
  lookbackSeconds: number | null;
  /** Per-metric alerting overrides (daemon). */
  alerting: Partial<AlertPolicy>;
  /** Per-metric overrides of the SLO objective (docs/slo.md); unset keys take the file's. */
  objective?: ObjectiveConfig;
  /** Event SLI given explicitly, instead of one derived from `query`. */
  sli?: SliConfig;
  /** Per-metric `alerting.mode` / `alerting.burn_rate_rules`. */
  sloAlerting?: SloAlertingConfig;
  runbookUrl?: string;
  line: number;
  /** Where the OpenSLO/Sloth SLO that maps (or adds to) this metric is written (docs/slo.md#import). */
  importedFrom?: ImportLocation;
}

/** Rolling windows in days, or calendar windows. */
export type SloWindowName = '7d' | '28d' | '30d' | 'month' | 'week';
/** OpenSLO's names: event based (good/total counters) or share of good time slices. */
export type BudgetingMethod = 'occurrences' | 'timeslices';

/** `objective:` as written; the SLO model fills what is left out (docs/slo.md). */
export interface ObjectiveConfig {
  window?: SloWindowName;
  /** Fraction of good events or slices, 0 < target < 1. */
  target?: number;
  budgeting?: BudgetingMethod;
  sliceSeconds?: number;
}

/**
 * An event SLI: two counter queries (`{{.window}}` marks the rate range), or for a latency histogram the
 * `le` bucket label that equals the threshold.
 */
export type SliConfig = { good: string; total: string } | { bad: string; total: string } | { le: string };

export type AlertingMode = 'threshold' | 'burn_rate' | 'both';

/** One multi-window burn-rate alert: fires when both windows burn faster than `factor`. */
export interface BurnRateRuleConfig {
  severity: 'page' | 'ticket';
  longWindowSeconds: number;
  shortWindowSeconds: number;
  factor: number;
}

export interface SloAlertingConfig {
  mode?: AlertingMode;
  burnRateRules?: BurnRateRuleConfig[];
}

/** What happens when a metric stays unknown for `noDataForSeconds`. */
export type NoDataPolicy = 'alert' | 'ignore' | 'breach';

export type Severity = 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4';

/** A duration written either as a count of cycles (`3`) or as time (`3m`). */
export type HoldSpec = { cycles: number } | { seconds: number };

export interface SeverityRule {
  /** Minimum relative distance past the target, e.g. 0.5 = 50% worse than the SLO. */
  minOvershoot: number;
  /** Only for these NFR categories (case-insensitive); empty = any. */
  categories: string[];
  severity: Severity;
}

export interface AlertPolicy {
  /** Breach must hold this long before the alert fires. */
  for: HoldSpec;
  /** Healthy for this long before a firing alert resolves. */
  resolveAfter: HoldSpec;
  /** Re-notify while firing; null = never. */
  repeatIntervalSeconds: number | null;
  noData: NoDataPolicy;
  noDataForSeconds: number;
  /** Evaluated in order; the first that matches wins; the fallback is SEV-4. */
  severityRules: SeverityRule[];
}

/** Follow 3xx answers (each hop re-checked by the network policy); default false. */
interface ReceiverRedirects {
  followRedirects?: boolean;
}

export type ReceiverConfig = ReceiverRedirects &
  (
    | {
        type: 'webhook';
        name: string;
        url: string;
        headers: Record<string, string>;
        hmacSecret: string | null;
      }
    | { type: 'alertmanager'; name: string; url: string; headers: Record<string, string> }
    | { type: 'slack'; name: string; url: string }
    | { type: 'pagerduty'; name: string; url: string; routingKey: string }
  );

export interface IncidentCommandConfig {
  /** argv; `{payload}` is replaced by the JSON payload, `{payload_file}` by its path. */
  argv: string[];
  timeoutMs: number;
}

export interface ServerConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** Bearer token required on every route but /healthz when set. */
  token: string | null;
  /** Listening beyond loopback without a token was asked for explicitly. */
  allowUnauthenticated: boolean;
  /** Host names the server answers to besides localhost, loopback and its listen address. */
  allowedHosts: string[];
}

export interface StorageConfig {
  /** Database file, relative to the workspace root. */
  path: string;
  retentionDays: number;
}

export type ReportFormat = 'json' | 'md' | 'html';

/** Daily/weekly performance reports written by the daemon and the `report` command. */
export interface ReportsConfig {
  /** IANA time zone of day and week boundaries. */
  timeZone: string;
  /** Relative worsening against the previous period that flags a trend (0.2 = 20%). */
  trendThreshold: number;
  formats: ReportFormat[];
  daily: boolean;
  weekly: boolean;
  /** null = `smartspec_feedback_aggregator --run-once` when on PATH; an empty argv turns it off. */
  aggregatorCommand: IncidentCommandConfig | null;
}

/**
 * What an NFR with a numeric target but no query does to the overall status: `degrade` (the default:
 * what is promised but not measured is not healthy) or `ignore`; `ignore` lists metrics excused one by one.
 */
export interface UnmappedPolicy {
  default: 'degrade' | 'ignore';
  ignore: string[];
}

export interface ObservabilityConfig {
  /** Absolute path of the file it was read from. */
  file: string;
  providers: Record<string, ProviderConfig>;
  /** Name of the provider used by metrics that name none. */
  defaultProvider: string;
  metrics: MetricMapping[];
  unmapped: UnmappedPolicy;
  alerting: AlertPolicy;
  /** File-wide SLO defaults; metrics override them key by key. */
  objective?: ObjectiveConfig;
  sloAlerting?: SloAlertingConfig;
  runbookUrl?: string;
  /** `slo_sources:` OpenSLO/Sloth files, read and joined to the NFRs by the pipeline. */
  sloSources?: SloSourceRef[];
  incidentCommand: IncidentCommandConfig | null;
  receivers: ReceiverConfig[];
  server: ServerConfig;
  storage: StorageConfig;
  reports: ReportsConfig;
  /** Every secret value resolved from the environment, for redaction. Never print. */
  secretValues: string[];
  /** Lines of the process-wide keys (`server.*`, `storage.*`) this file writes; a key absent is a default. */
  writtenProcessKeys?: Partial<Record<ProcessSettingKey, number>>;
}

/** A problem found while reading observability.yaml; `validate` lists them, `run` fails on the first. */
export interface ConfigDiagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
  hint: string | null;
}
