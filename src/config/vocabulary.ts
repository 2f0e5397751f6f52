import type { Reduction, Severity, SeverityRule } from './types.js';

/** `{{env.NAME}}` (spaces allowed inside the braces) may appear anywhere in a string. */
export const ENV_TEMPLATE = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** `env:NAME` only as the whole value, so that Datadog tags such as `{env:prod}` stay text. */
export const ENV_WHOLE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
/** Something that looks like an attempt at `{{env.NAME}}` but is not one (`{{env.my-var}}`, `{{ env:X }}`). */
export const ENV_TEMPLATE_ATTEMPT = /\{\{\s*env\b/;
/** A string that holds an environment reference, as JSON Schema sees it (for editors). */
export const ENV_REFERENCE_PATTERN =
  '^(?:env:[A-Za-z_][A-Za-z0-9_]*|.*\\{\\{\\s*env\\.[A-Za-z_][A-Za-z0-9_]*\\s*\\}\\}.*)$';

/** Datadog sites as in datadog-api-client's server list. */
export const DATADOG_SITES = [
  'datadoghq.com',
  'datadoghq.eu',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
] as const;

/** The region names Datadog's own docs use. */
export const DATADOG_SITE_SHORT_FORMS: Readonly<Record<string, (typeof DATADOG_SITES)[number]>> = {
  us1: 'datadoghq.com',
  us3: 'us3.datadoghq.com',
  us5: 'us5.datadoghq.com',
  eu: 'datadoghq.eu',
  eu1: 'datadoghq.eu',
  ap1: 'ap1.datadoghq.com',
  ap2: 'ap2.datadoghq.com',
  uk1: 'uk1.datadoghq.com',
  'us1-fed': 'ddog-gov.com',
  'us2-fed': 'us2.ddog-gov.com',
};

export const SITE_SPELLINGS: readonly string[] = [...DATADOG_SITES, ...Object.keys(DATADOG_SITE_SHORT_FORMS)];

export function canonicalSite(spelling: string): string | null {
  if ((DATADOG_SITES as readonly string[]).includes(spelling)) return spelling;
  return DATADOG_SITE_SHORT_FORMS[spelling] ?? null;
}

/** Unit spellings offered for completion and "did you mean"; `units/parseUnit` accepts many more. */
export const COMMON_UNIT_SPELLINGS = [
  'ns',
  'us',
  'ms',
  's',
  'min',
  'h',
  '%',
  'ratio',
  'rps',
  'req/s',
  'rpm',
  'count',
];

export const REDUCTIONS = ['last', 'avg', 'min', 'max'] as const satisfies readonly Reduction[];
export const NO_DATA_POLICIES = ['alert', 'ignore', 'breach'] as const;
export const ALERTING_MODES = ['threshold', 'burn_rate', 'both'] as const;
export const SLO_WINDOWS = ['7d', '28d', '30d', 'month', 'week'] as const;
export const BUDGETING_METHODS = ['occurrences', 'timeslices'] as const;
export const BURN_SEVERITIES = ['page', 'ticket'] as const;
export const SEVERITIES = ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'] as const satisfies readonly Severity[];

/**
 * Default severity by overshoot, the relative distance past the target (computed in `evaluate/`):
 * twice as bad (≥ +100%) → SEV-1, ≥ +50% → SEV-2, ≥ +10% → SEV-3, anything less → SEV-4.
 * The guide's example, p99 350 ms against < 200 ms, is +75% → SEV-2.
 */
export const DEFAULT_SEVERITY_RULES: readonly SeverityRule[] = [
  { minOvershoot: 1.0, categories: [], severity: 'SEV-1' },
  { minOvershoot: 0.5, categories: [], severity: 'SEV-2' },
  { minOvershoot: 0.1, categories: [], severity: 'SEV-3' },
];

export const DEFAULTS = {
  timeoutSeconds: 10,
  lookbackSeconds: 300,
  reduce: 'last' as Reduction,
  site: 'datadoghq.com',
  forCycles: 2,
  resolveAfterCycles: 2,
  noDataForSeconds: 300,
  incidentTimeoutSeconds: 30,
  serverHost: '127.0.0.1',
  serverPort: 9464,
  storagePath: '.spec/reports/production-monitoring/.state/monitor.db',
  retentionDays: 90,
  pagerdutyUrl: 'https://events.pagerduty.com/v2/enqueue',
} as const;

/** `8MiB`, `512KiB`, `1GiB`, `10MB`, `2048` (bytes); spaces allowed before the unit. */
export const BYTE_SIZE_PATTERN = '^\\s*\\d+(?:\\.\\d+)?\\s*(?:B|KiB|MiB|GiB|KB|MB|GB)?\\s*$';
const BYTES_PER: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** Bytes, or null when the text is not a size. */
export function parseByteSize(value: number | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?\s*$/.exec(value);
  if (!match) return null;
  return Math.floor(Number(match[1]) * (BYTES_PER[match[2] ?? 'B'] ?? 1));
}

/** `30s`, `5m`, `1h30m`, `2d`, `500ms`, `1.5h`; a bare number is seconds. */
export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d|w))+)$';
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const SECONDS_PER: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
};

/** Seconds in a duration string or number, or null if it is not one. */
export function parseDurationSeconds(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const text = value.trim();
  if (!new RegExp(DURATION_PATTERN).test(text)) return null;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  let seconds = 0;
  for (const match of text.matchAll(DURATION_PART)) {
    seconds += Number(match[1]) * (SECONDS_PER[match[2] ?? 's'] ?? 1);
  }
  return seconds;
}
