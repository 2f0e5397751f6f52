import { resolve as resolvePath } from 'node:path';
import { closestMatch } from '../common/closest.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../common/guarded-fetch.js';
import { buildScrape } from '../providers/scrape/config.js';
import { parseUnit, type Unit } from '../units/index.js';
import { isLoopbackHost } from '../workspace/network.js';
import type { DiagnosticSink } from './diagnostics.js';
import { buildSaasProvider, isSaasProvider } from './normalize-saas.js';
import { buildGraphite } from './providers/graphite.js';
import { buildInfluxdb } from './providers/influxdb.js';
import {
  DATADOG_ONLY_KEYS,
  type ObservabilityFile,
  PROMETHEUS_ONLY_KEYS,
  type RawAlerting,
  type RawAuth,
  type RawHeaders,
  type RawObjective,
  type RawReceiver,
  type RawSli,
  type RawTls,
  SCRAPE_ONLY_KEYS,
  SHARED_PROVIDER_KEYS,
} from './schema.js';
import type {
  AlertingMode,
  AlertPolicy,
  BudgetingMethod,
  DatadogProviderConfig,
  HoldSpec,
  HttpSettings,
  IncidentCommandConfig,
  MetricMapping,
  NoDataPolicy,
  ObjectiveConfig,
  ObservabilityConfig,
  PrometheusProviderConfig,
  ProviderConfig,
  ReceiverConfig,
  Reduction,
  ReportFormat,
  ReportsConfig,
  ServerConfig,
  SeverityRule,
  SliConfig,
  SloAlertingConfig,
  SloWindowName,
  StorageConfig,
  UnmappedPolicy,
} from './types.js';
import {
  ALERTING_MODES,
  BUDGETING_METHODS,
  COMMON_UNIT_SPELLINGS,
  canonicalSite,
  DATADOG_SITES,
  DEFAULT_SEVERITY_RULES,
  DEFAULTS,
  NO_DATA_POLICIES,
  parseByteSize,
  parseDurationSeconds,
  REDUCTIONS,
  SLO_WINDOWS,
} from './vocabulary.js';
import { type FieldPath, formatFieldPath } from './yaml-source.js';

/** What normalization needs besides the (schema-valid, env-resolved) file. */
export interface NormalizeContext {
  sink: DiagnosticSink;
  /** Fields still holding `<env:NAME>`: their values are not checked, and typed fields take their default. */
  placeholders: ReadonlySet<string>;
  /** Absolute path of the config file. */
  file: string;
  configDir: string;
  /** Secret values gathered so far; normalization adds derived ones (Basic credentials). */
  secretValues: Set<string>;
}

type RawDuration = number | string;

/** The provider keys of the top level and of a named provider, seen together. */
interface ProviderFields {
  url?: string | undefined;
  headers?: RawHeaders | undefined;
  timeout?: RawDuration | undefined;
  tls?: RawTls | undefined;
  follow_redirects?: boolean | undefined;
  max_response_size?: number | string | undefined;
  tenant?: string | undefined;
  auth?: RawAuth | undefined;
  api_key?: string | undefined;
  app_key?: string | undefined;
  site?: string | undefined;
  lookback?: RawDuration | undefined;
  reduce?: string | undefined;
  api?: string | undefined;
}

const TOP_LEVEL_DEFAULT = 'default';

export function isPlaceholder(context: NormalizeContext, path: FieldPath): boolean {
  return context.placeholders.has(formatFieldPath(path));
}

export function durationSeconds(
  context: NormalizeContext,
  value: RawDuration | undefined | null,
  path: FieldPath,
  fallback: number,
  options: { positive?: boolean } = {},
): number {
  if (value === undefined || value === null || isPlaceholder(context, path)) return fallback;
  const seconds = parseDurationSeconds(value);
  if (seconds === null) {
    context.sink.error(path, 'not a duration', 'write e.g. 30s, 5m, 1h30m, 2d, or a number of seconds');
    return fallback;
  }
  if (options.positive && seconds <= 0) {
    context.sink.error(path, 'must be greater than 0', null);
    return fallback;
  }
  return seconds;
}

/** Integers count evaluation cycles; other numbers and duration strings are time. */
function holdSpec(
  context: NormalizeContext,
  value: RawDuration | undefined,
  path: FieldPath,
  fallback: number,
): HoldSpec {
  if (value === undefined || isPlaceholder(context, path)) return { cycles: fallback };
  const isCycles = typeof value === 'number' ? Number.isInteger(value) : /^\s*\d+\s*$/.test(value);
  if (isCycles) {
    const cycles = Number(value);
    if (cycles < 1) {
      context.sink.error(path, 'must be at least 1 cycle', '1 = on the first cycle that shows it');
      return { cycles: fallback };
    }
    return { cycles };
  }
  const seconds = durationSeconds(context, value, path, 0, { positive: true });
  return seconds > 0 ? { seconds } : { cycles: fallback };
}

/** A value from a fixed list; only values read from the environment can still be wrong here. */
export function choice<T extends string>(
  context: NormalizeContext,
  value: string | undefined,
  path: FieldPath,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || isPlaceholder(context, path)) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const guess = closestMatch(value, allowed);
  context.sink.error(
    path,
    `expected one of ${allowed.join(', ')}`,
    guess ? `did you mean \`${guess}\`?` : null,
  );
  return fallback;
}

/** An http(s) URL without trailing slashes. Never echoed: URLs may hold tokens. */
export function httpUrl(context: NormalizeContext, value: string, path: FieldPath): string {
  if (isPlaceholder(context, path)) return value;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    context.sink.error(path, 'not a URL', 'write an absolute http(s) URL, e.g. http://127.0.0.1:9090');
    return value;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    context.sink.error(path, `unsupported URL scheme ${parsed.protocol}`, 'use http:// or https://');
  }
  if (parsed.password !== '') context.secretValues.add(decodeURIComponent(parsed.password));
  return value.replace(/\/+$/, '');
}

export function baseUrl(context: NormalizeContext, value: string, path: FieldPath): string {
  const url = httpUrl(context, value, path);
  if (isPlaceholder(context, path)) return url;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    context.sink.error(path, 'a base URL takes no query string or fragment', null);
  }
  if (/\/api\/v\d+(\/.*)?$/.test(parsed.pathname)) {
    context.sink.error(
      path,
      'this is the base URL: the API path is added by the monitor',
      'drop `/api/v1/...` from the end (keep a prefix such as `/prometheus`)',
    );
  }
  return url;
}

function headersOf(
  context: NormalizeContext,
  raw: RawHeaders | undefined,
  path: FieldPath,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (/[\r\n\0]/.test(value)) {
      context.sink.error([...path, name], 'header value contains a line break or NUL', null);
    }
    headers[name] = value;
  }
  return headers;
}

export function httpSettings(
  context: NormalizeContext,
  fields: ProviderFields,
  basePath: FieldPath,
  url: string,
): HttpSettings {
  const caFile = fields.tls?.ca_file;
  return {
    url,
    headers: headersOf(context, fields.headers, [...basePath, 'headers']),
    timeoutMs: Math.round(
      durationSeconds(context, fields.timeout, [...basePath, 'timeout'], DEFAULTS.timeoutSeconds, {
        positive: true,
      }) * 1000,
    ),
    tls: {
      caFile:
        caFile === undefined || isPlaceholder(context, [...basePath, 'tls', 'ca_file'])
          ? (caFile ?? null)
          : resolvePath(context.configDir, caFile),
      insecureSkipVerify: fields.tls?.insecure_skip_verify ?? false,
    },
    followRedirects: fields.follow_redirects ?? false,
    maxResponseBytes: byteSize(context, fields.max_response_size, [...basePath, 'max_response_size']),
  };
}

/** A size read from the file or the environment; at least 1 KiB, so an answer always fits. */
function byteSize(context: NormalizeContext, value: number | string | undefined, path: FieldPath): number {
  if (value === undefined || isPlaceholder(context, path)) return DEFAULT_MAX_RESPONSE_BYTES;
  const bytes = parseByteSize(value);
  if (bytes === null) {
    context.sink.error(path, 'not a size', 'write e.g. 8MiB, 512KiB, 20MB, or a number of bytes');
    return DEFAULT_MAX_RESPONSE_BYTES;
  }
  if (bytes < 1024) {
    context.sink.error(path, 'must be at least 1KiB', 'the default is 8MiB');
    return DEFAULT_MAX_RESPONSE_BYTES;
  }
  return bytes;
}

export function prometheusAuth(
  context: NormalizeContext,
  auth: RawAuth | undefined,
  path: FieldPath,
): PrometheusProviderConfig['auth'] {
  if (!auth) return { kind: 'none' };
  if (auth.bearer !== undefined && auth.basic !== undefined) {
    context.sink.error(path, 'use either `bearer` or `basic`, not both', null);
  }
  if (auth.bearer !== undefined) return { kind: 'bearer', token: auth.bearer };
  if (auth.basic !== undefined) {
    const { username, password } = auth.basic;
    if (!isPlaceholder(context, [...path, 'basic', 'password'])) {
      // The Authorization header carries base64(user:password): redact that form too.
      context.secretValues.add(Buffer.from(`${username}:${password}`).toString('base64'));
    }
    return { kind: 'basic', username, password };
  }
  return { kind: 'none' };
}

function buildPrometheus(
  context: NormalizeContext,
  name: string,
  fields: ProviderFields,
  basePath: FieldPath,
): PrometheusProviderConfig {
  let url = '';
  if (fields.url === undefined) {
    context.sink.error(
      [...basePath, 'url'],
      'missing required key `url` for a prometheus provider',
      'e.g. `url: http://127.0.0.1:9090`',
    );
  } else {
    url = baseUrl(context, fields.url, [...basePath, 'url']);
  }
  return {
    type: 'prometheus',
    name,
    http: httpSettings(context, fields, basePath, url),
    tenant: fields.tenant ?? null,
    auth: prometheusAuth(context, fields.auth, [...basePath, 'auth']),
  };
}

function buildDatadog(
  context: NormalizeContext,
  name: string,
  fields: ProviderFields,
  basePath: FieldPath,
): DatadogProviderConfig {
  if (fields.api_key === undefined) {
    context.sink.error(
      [...basePath, 'api_key'],
      'missing required key `api_key` for a datadog provider',
      'e.g. `api_key: "{{env.DATADOG_API_KEY}}"`',
    );
  }
  if (fields.app_key === undefined) {
    context.sink.warning(
      basePath.length === 0 ? ['provider'] : basePath,
      'no `app_key`: Datadog metric queries need an application key (DD-APPLICATION-KEY)',
      'add `app_key: "{{env.DATADOG_APP_KEY}}"`',
    );
  }
  const sitePath = [...basePath, 'site'];
  let site: string = DEFAULTS.site;
  if (fields.site !== undefined && !isPlaceholder(context, sitePath)) {
    const canonical = canonicalSite(fields.site);
    if (canonical === null) {
      const guess = closestMatch(fields.site, DATADOG_SITES);
      context.sink.error(
        sitePath,
        'unknown Datadog site',
        guess ? `did you mean \`${guess}\`?` : `one of ${DATADOG_SITES.join(', ')}`,
      );
    } else {
      site = canonical;
    }
  }
  const url =
    fields.url === undefined ? `https://api.${site}` : baseUrl(context, fields.url, [...basePath, 'url']);
  return {
    type: 'datadog',
    name,
    http: httpSettings(context, fields, basePath, url),
    apiKey: fields.api_key ?? '',
    appKey: fields.app_key ?? null,
    site,
    ...(fields.api === undefined
      ? {}
      : { api: choice(context, fields.api, [...basePath, 'api'], ['v1', 'v2'] as const, 'v1') }),
    lookbackSeconds: durationSeconds(
      context,
      fields.lookback,
      [...basePath, 'lookback'],
      DEFAULTS.lookbackSeconds,
      {
        positive: true,
      },
    ),
    reduce: choice(context, fields.reduce, [...basePath, 'reduce'], REDUCTIONS, DEFAULTS.reduce),
  };
}

function topLevelProvider(context: NormalizeContext, file: ObservabilityFile): ProviderConfig | null {
  const present = (keys: readonly string[]) =>
    keys.filter((key) => (file as Record<string, unknown>)[key] !== undefined);
  if (file.provider === undefined) {
    const scrapeOnly: readonly string[] = SCRAPE_ONLY_KEYS;
    for (const key of present([
      ...SHARED_PROVIDER_KEYS,
      ...PROMETHEUS_ONLY_KEYS,
      ...DATADOG_ONLY_KEYS,
      ...SCRAPE_ONLY_KEYS,
    ])) {
      context.sink.error(
        [key],
        `top-level \`${key}\` needs a top-level \`provider\``,
        scrapeOnly.includes(key)
          ? 'add `provider: scrape`'
          : 'add `provider: prometheus` or `provider: datadog`',
        { key: true },
      );
    }
    return null;
  }
  if (file.provider === 'scrape') return buildScrape(context, TOP_LEVEL_DEFAULT, file, []);
  const otherType = file.provider === 'prometheus' ? 'datadog' : 'prometheus';
  for (const key of present(file.provider === 'prometheus' ? DATADOG_ONLY_KEYS : PROMETHEUS_ONLY_KEYS)) {
    context.sink.error(
      [key],
      `\`${key}\` is a ${otherType} setting, but \`provider\` is ${file.provider}`,
      `remove it, or declare a ${otherType} provider under \`providers:\``,
      { key: true },
    );
  }
  // Ignored otherwise, and easy to mistake for how often the daemon measures.
  for (const key of present(SCRAPE_ONLY_KEYS)) {
    context.sink.error(
      [key],
      `\`${key}\` is a scrape setting (the time between its two scrapes), but \`provider\` is ${file.provider}`,
      'remove it (how often the daemon measures is its `--interval` flag), or declare a scrape provider under `providers:`',
      { key: true },
    );
  }
  return file.provider === 'prometheus'
    ? buildPrometheus(context, TOP_LEVEL_DEFAULT, file, [])
    : buildDatadog(context, TOP_LEVEL_DEFAULT, file, []);
}

function severityRules(raw: NonNullable<RawAlerting['severity']>): SeverityRule[] {
  return raw.map((rule) => ({
    minOvershoot: rule.min_overshoot,
    categories: rule.categories ?? [],
    severity: rule.severity,
  }));
}

/** Only the keys written in `raw`; the daemon merges them over the file's policy. */
function alertingOverrides(
  context: NormalizeContext,
  raw: RawAlerting,
  path: FieldPath,
): Partial<AlertPolicy> {
  const policy: Partial<AlertPolicy> = {};
  if (raw.for !== undefined) policy.for = holdSpec(context, raw.for, [...path, 'for'], DEFAULTS.forCycles);
  if (raw.resolve_after !== undefined) {
    policy.resolveAfter = holdSpec(
      context,
      raw.resolve_after,
      [...path, 'resolve_after'],
      DEFAULTS.resolveAfterCycles,
    );
  }
  if (raw.repeat_interval !== undefined) {
    policy.repeatIntervalSeconds =
      raw.repeat_interval === null
        ? null
        : durationSeconds(context, raw.repeat_interval, [...path, 'repeat_interval'], 0, {
            positive: true,
          }) || null;
  }
  if (raw.no_data !== undefined) {
    policy.noData = choice<NoDataPolicy>(
      context,
      raw.no_data,
      [...path, 'no_data'],
      NO_DATA_POLICIES,
      'alert',
    );
  }
  if (raw.no_data_for !== undefined) {
    policy.noDataForSeconds = durationSeconds(
      context,
      raw.no_data_for,
      [...path, 'no_data_for'],
      DEFAULTS.noDataForSeconds,
    );
  }
  if (raw.severity !== undefined) policy.severityRules = severityRules(raw.severity);
  return policy;
}

function objectiveOf(context: NormalizeContext, raw: RawObjective, path: FieldPath): ObjectiveConfig {
  const objective: ObjectiveConfig = {};
  if (raw.window !== undefined) {
    objective.window = choice<SloWindowName>(context, raw.window, [...path, 'window'], SLO_WINDOWS, '30d');
  }
  if (raw.target !== undefined) objective.target = raw.target;
  if (raw.budgeting !== undefined) {
    objective.budgeting = choice<BudgetingMethod>(
      context,
      raw.budgeting,
      [...path, 'budgeting'],
      BUDGETING_METHODS,
      'occurrences',
    );
  }
  if (raw.slice !== undefined) {
    objective.sliceSeconds = durationSeconds(context, raw.slice, [...path, 'slice'], 60, { positive: true });
  }
  return objective;
}

function sliOf(raw: RawSli): SliConfig {
  if ('le' in raw) return { le: String(raw.le) };
  return 'good' in raw ? { good: raw.good, total: raw.total } : { bad: raw.bad, total: raw.total };
}

/** `alerting.mode` and `alerting.burn_rate_rules`, only the keys written. */
function sloAlertingOf(context: NormalizeContext, raw: RawAlerting, path: FieldPath): SloAlertingConfig {
  const alerting: SloAlertingConfig = {};
  if (raw.mode !== undefined) {
    alerting.mode = choice<AlertingMode>(context, raw.mode, [...path, 'mode'], ALERTING_MODES, 'both');
  }
  if (raw.burn_rate_rules !== undefined) {
    alerting.burnRateRules = raw.burn_rate_rules.map((rule, index) => {
      const rulePath: FieldPath = [...path, 'burn_rate_rules', index];
      const longWindowSeconds = durationSeconds(
        context,
        rule.long_window,
        [...rulePath, 'long_window'],
        3600,
        {
          positive: true,
        },
      );
      const shortWindowSeconds = durationSeconds(
        context,
        rule.short_window,
        [...rulePath, 'short_window'],
        300,
        { positive: true },
      );
      if (shortWindowSeconds >= longWindowSeconds) {
        context.sink.error(
          [...rulePath, 'short_window'],
          'the short window must be shorter than the long window',
          'the workbook uses 1/12 of the long window, e.g. long 1h, short 5m',
        );
      }
      return { severity: rule.severity, longWindowSeconds, shortWindowSeconds, factor: rule.factor };
    });
  }
  return alerting;
}

/** `{ sloAlerting }` only when the block sets mode or rules, so configs without them stay as they were. */
function sloAlertingField(
  context: NormalizeContext,
  raw: RawAlerting | undefined,
  path: FieldPath,
): { sloAlerting?: SloAlertingConfig } {
  if (!raw) return {};
  const sloAlerting = sloAlertingOf(context, raw, path);
  return Object.keys(sloAlerting).length > 0 ? { sloAlerting } : {};
}

export function defaultAlertPolicy(): AlertPolicy {
  return {
    for: { cycles: DEFAULTS.forCycles },
    resolveAfter: { cycles: DEFAULTS.resolveAfterCycles },
    repeatIntervalSeconds: null,
    noData: 'alert',
    noDataForSeconds: DEFAULTS.noDataForSeconds,
    severityRules: DEFAULT_SEVERITY_RULES.map((rule) => ({ ...rule, categories: [...rule.categories] })),
  };
}

function metricsOf(
  context: NormalizeContext,
  file: ObservabilityFile,
  providers: Record<string, ProviderConfig>,
  defaultProvider: string,
  linesOf: (path: FieldPath) => number,
): MetricMapping[] {
  const known = Object.keys(providers);
  const firstLineByName = new Map<string, number>();
  const mappings: MetricMapping[] = [];
  (file.metrics ?? []).forEach((raw, index) => {
    const path: FieldPath = ['metrics', index];
    const line = linesOf(path);
    const firstLine = firstLineByName.get(raw.name);
    if (firstLine !== undefined) {
      context.sink.error(
        [...path, 'name'],
        `duplicate metric \`${raw.name}\` (first defined on line ${firstLine})`,
        'each metric name may appear once; remove or rename one of them',
      );
    } else {
      firstLineByName.set(raw.name, line);
    }

    let provider = raw.provider ?? defaultProvider;
    if (raw.provider !== undefined && !(raw.provider in providers) && known.length > 0) {
      const guess = closestMatch(raw.provider, known);
      context.sink.error(
        [...path, 'provider'],
        `unknown provider \`${raw.provider}\`; known providers: ${known.join(', ')}`,
        guess
          ? `did you mean \`${guess}\`?`
          : 'define it under `providers:` (the top-level provider is named `default`)',
      );
    } else if (raw.provider === undefined && defaultProvider === '' && known.length > 0) {
      context.sink.error(
        path,
        `metric \`${raw.name}\` names no provider and there is no default one`,
        `add \`provider:\` with one of ${known.join(', ')}, or configure a top-level \`provider\``,
      );
      provider = '';
    }

    const providerType = providers[provider]?.type;
    if (providerType === 'prometheus' || providerType === 'influxdb' || providerType === 'graphite') {
      // InfluxDB and Graphite read `lookback` (their instant window); only Datadog reduces point lists.
      const ignored =
        providerType === 'prometheus' ? (['reduce', 'lookback'] as const) : (['reduce'] as const);
      for (const key of ignored) {
        if (raw[key] !== undefined) {
          const owners = key === 'reduce' ? 'datadog providers' : 'datadog, influxdb and graphite providers';
          context.sink.warning([...path, key], `\`${key}\` applies to ${owners} only; ignored`, null, {
            key: true,
          });
        }
      }
    }

    if (providerType === 'newrelic' && raw.reduce !== undefined) {
      context.sink.warning(
        [...path, 'reduce'],
        '`reduce` does not apply to newrelic providers: the NRQL aggregate is the value; ignored',
        null,
        { key: true },
      );
    }

    let unit: Unit | null = null;
    if (raw.unit !== undefined && !isPlaceholder(context, [...path, 'unit'])) {
      unit = parseUnit(raw.unit);
      if (unit === null) {
        const guess = closestMatch(raw.unit, COMMON_UNIT_SPELLINGS);
        context.sink.error(
          [...path, 'unit'],
          `unknown unit \`${raw.unit}\``,
          guess ? `did you mean \`${guess}\`?` : `e.g. ${COMMON_UNIT_SPELLINGS.join(', ')}`,
        );
      }
    }

    mappings.push({
      name: raw.name,
      query: raw.query,
      provider,
      unit,
      reduce:
        raw.reduce === undefined
          ? null
          : choice<Reduction>(context, raw.reduce, [...path, 'reduce'], REDUCTIONS, 'last'),
      lookbackSeconds:
        raw.lookback === undefined
          ? null
          : durationSeconds(context, raw.lookback, [...path, 'lookback'], DEFAULTS.lookbackSeconds, {
              positive: true,
            }),
      alerting: raw.alerting ? alertingOverrides(context, raw.alerting, [...path, 'alerting']) : {},
      ...(raw.objective ? { objective: objectiveOf(context, raw.objective, [...path, 'objective']) } : {}),
      ...(raw.sli ? { sli: sliOf(raw.sli) } : {}),
      ...sloAlertingField(context, raw.alerting, [...path, 'alerting']),
      ...(raw.runbook_url !== undefined
        ? { runbookUrl: httpUrl(context, raw.runbook_url, [...path, 'runbook_url']) }
        : {}),
      line,
    });
  });
  return mappings;
}

function receiversOf(context: NormalizeContext, raw: RawReceiver[]): ReceiverConfig[] {
  const typeCounts = new Map<string, number>();
  for (const receiver of raw) typeCounts.set(receiver.type, (typeCounts.get(receiver.type) ?? 0) + 1);
  const seen = new Set<string>();
  return raw.map((receiver, index) => {
    const path: FieldPath = ['receivers', index];
    const name =
      receiver.name ??
      ((typeCounts.get(receiver.type) ?? 0) > 1 ? `${receiver.type}-${index + 1}` : receiver.type);
    if (seen.has(name)) {
      context.sink.error(
        [...path, 'name'],
        `duplicate receiver name \`${name}\``,
        'give each receiver its own `name`',
      );
    }
    seen.add(name);
    switch (receiver.type) {
      case 'webhook':
        return {
          type: 'webhook',
          name,
          url: httpUrl(context, receiver.url, [...path, 'url']),
          headers: headersOf(context, receiver.headers, [...path, 'headers']),
          hmacSecret: receiver.hmac_secret ?? null,
          followRedirects: receiver.follow_redirects ?? false,
        };
      case 'alertmanager':
        return {
          type: 'alertmanager',
          name,
          url: baseUrl(context, receiver.url, [...path, 'url']),
          headers: headersOf(context, receiver.headers, [...path, 'headers']),
          followRedirects: receiver.follow_redirects ?? false,
        };
      case 'slack':
        return {
          type: 'slack',
          name,
          url: httpUrl(context, receiver.url, [...path, 'url']),
          followRedirects: receiver.follow_redirects ?? false,
        };
    }
    return {
      type: 'pagerduty',
      name,
      url:
        receiver.url === undefined ? DEFAULTS.pagerdutyUrl : httpUrl(context, receiver.url, [...path, 'url']),
      routingKey: receiver.routing_key,
      followRedirects: receiver.follow_redirects ?? false,
    };
  });
}

/** `host:port`, `[::1]:port`, `:port` or a bare port. */
function parseListen(
  context: NormalizeContext,
  value: string | number,
  path: FieldPath,
): { host: string; port: number } {
  const fallback = { host: DEFAULTS.serverHost, port: DEFAULTS.serverPort };
  if (isPlaceholder(context, path)) return fallback;
  const text = String(value).trim();
  // `[v6]:port`, `host:port`, `:port`, or just `port`.
  const match = /^(?:(?:\[([^\]]+)\]|([^:[\]]*)):)?(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65_535) {
    context.sink.error(path, 'expected host:port', 'e.g. `listen: "127.0.0.1:9464"`, `":9464"` or `9464`');
    return fallback;
  }
  const host = match[1] ?? (match[2] || DEFAULTS.serverHost);
  return { host, port };
}

function serverOf(context: NormalizeContext, raw: ObservabilityFile['server']): ServerConfig {
  const listen =
    raw?.listen === undefined
      ? { host: DEFAULTS.serverHost, port: DEFAULTS.serverPort }
      : parseListen(context, raw.listen, ['server', 'listen']);
  const server: ServerConfig = {
    // On by default, on loopback only: the daemon's health, status page and /metrics.
    enabled: raw?.enabled ?? true,
    host: listen.host,
    port: listen.port,
    token: raw?.token ?? null,
    allowUnauthenticated: raw?.allow_unauthenticated ?? false,
    allowedHosts: raw?.allowed_hosts ?? [],
  };
  if (server.enabled && !isLoopbackHost(server.host) && server.token === null) {
    context.sink.warning(
      ['server', 'listen'],
      server.allowUnauthenticated
        ? 'the server listens beyond this machine without a token (allow_unauthenticated: true)'
        : 'the daemon refuses to listen beyond this machine without a token',
      'add `token: "{{env.MONITOR_TOKEN}}"` or listen on 127.0.0.1',
    );
  }
  return server;
}

function storageOf(context: NormalizeContext, raw: ObservabilityFile['storage']): StorageConfig {
  return {
    path: raw?.path ?? DEFAULTS.storagePath,
    retentionDays:
      durationSeconds(context, raw?.retention, ['storage', 'retention'], DEFAULTS.retentionDays * 86_400, {
        positive: true,
      }) / 86_400,
  };
}

function incidentCommandOf(
  context: NormalizeContext,
  raw: ObservabilityFile['incident_command'],
): IncidentCommandConfig | null {
  if (raw === undefined) return null;
  // `false` turns the command off; an empty argv says so to the daemon.
  if (raw === false) return { argv: [], timeoutMs: DEFAULTS.incidentTimeoutSeconds * 1000 };
  const seconds = durationSeconds(
    context,
    raw.timeout,
    ['incident_command', 'timeout'],
    DEFAULTS.incidentTimeoutSeconds,
    { positive: true },
  );
  return { argv: raw.argv, timeoutMs: Math.round(seconds * 1000) };
}

function reportsOf(context: NormalizeContext, raw: ObservabilityFile['reports']): ReportsConfig {
  const timeZone = raw?.time_zone ?? 'UTC';
  try {
    // The first formatter loads ICU's zone data (tens of ms): not needed for UTC, the default.
    if (timeZone !== 'UTC') new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    context.sink.error(
      ['reports', 'time_zone'],
      `unknown time zone "${timeZone}"`,
      'use an IANA name such as UTC or Europe/Berlin',
    );
  }
  const command = raw?.aggregator_command;
  return {
    timeZone,
    trendThreshold: raw?.trend_threshold ?? 0.2,
    formats: [...new Set<ReportFormat>(raw?.formats ?? ['json', 'md', 'html'])],
    daily: raw?.daily ?? true,
    weekly: raw?.weekly ?? true,
    aggregatorCommand:
      command === undefined
        ? null
        : command === false
          ? { argv: [], timeoutMs: 300_000 }
          : {
              argv: command.argv,
              timeoutMs: Math.round(
                durationSeconds(context, command.timeout, ['reports', 'aggregator_command', 'timeout'], 300, {
                  positive: true,
                }) * 1000,
              ),
            },
  };
}

function unmappedOf(raw: ObservabilityFile['unmapped']): UnmappedPolicy {
  if (raw === undefined) return { default: 'degrade', ignore: [] };
  if (typeof raw === 'string') return { default: raw, ignore: [] };
  return { default: raw.default ?? 'degrade', ignore: [...new Set(raw.ignore ?? [])] };
}

/** Schema-valid, env-resolved file → the record the rest of the program uses. */
export function normalizeConfig(
  context: NormalizeContext,
  file: ObservabilityFile,
  linesOf: (path: FieldPath) => number,
): Omit<ObservabilityConfig, 'secretValues'> {
  const providers: Record<string, ProviderConfig> = {};
  const topLevel = topLevelProvider(context, file);
  if (topLevel) providers[TOP_LEVEL_DEFAULT] = topLevel;
  for (const [name, raw] of Object.entries(file.providers ?? {})) {
    const path: FieldPath = ['providers', name];
    if (name === TOP_LEVEL_DEFAULT && topLevel) {
      context.sink.error(path, 'the top-level provider is already named `default`', 'rename this provider', {
        key: true,
      });
      continue;
    }
    if (isSaasProvider(raw)) {
      providers[name] = buildSaasProvider(context, name, raw, path);
      continue;
    }
    if (raw.type === 'influxdb') providers[name] = buildInfluxdb(context, name, raw, path);
    else if (raw.type === 'graphite') providers[name] = buildGraphite(context, name, raw, path);
    else if (raw.type === 'scrape') providers[name] = buildScrape(context, name, raw, path);
    else
      providers[name] =
        raw.type === 'prometheus'
          ? buildPrometheus(context, name, raw, path)
          : buildDatadog(context, name, raw, path);
  }

  const names = Object.keys(providers);
  if (names.length === 0) {
    context.sink.error(
      [],
      'no provider configured',
      'add `provider: prometheus` with `url: http://127.0.0.1:9090`, or `provider: datadog` with `api_key: "{{env.DATADOG_API_KEY}}"`',
    );
  }
  const defaultProvider = topLevel ? TOP_LEVEL_DEFAULT : names.length === 1 ? (names[0] ?? '') : '';

  const metrics = metricsOf(context, file, providers, defaultProvider, linesOf);
  if (metrics.length === 0 && names.length > 0 && !file.slo_sources) {
    context.sink.warning(
      file.metrics === undefined ? [] : ['metrics'],
      `${file.metrics === undefined ? 'no `metrics:`' : '`metrics:` is empty'}: nothing will be measured`,
      'add `metrics:` with a `name` and `query` per NFR metric',
    );
  }

  return {
    file: context.file,
    providers,
    defaultProvider,
    metrics,
    unmapped: unmappedOf(file.unmapped),
    alerting: { ...defaultAlertPolicy(), ...alertingOverrides(context, file.alerting ?? {}, ['alerting']) },
    ...(file.objective ? { objective: objectiveOf(context, file.objective, ['objective']) } : {}),
    ...sloAlertingField(context, file.alerting, ['alerting']),
    ...(file.runbook_url !== undefined
      ? { runbookUrl: httpUrl(context, file.runbook_url, ['runbook_url']) }
      : {}),
    incidentCommand: incidentCommandOf(context, file.incident_command),
    receivers: receiversOf(context, file.receivers ?? []),
    server: serverOf(context, file.server),
    storage: storageOf(context, file.storage),
    reports: reportsOf(context, file.reports),
  };
}
