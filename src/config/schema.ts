import { z } from 'zod';
import { closestMatch } from '../common/closest.js';
import { scrapeIntervalSchema, scrapeProviderSchema } from '../providers/scrape/schema.js';
import { graphiteProviderSchema } from './providers/graphite.js';
import { influxdbProviderSchema } from './providers/influxdb.js';
import { saasProviderSchemas } from './schema-saas.js';
import {
  ALERTING_MODES,
  BUDGETING_METHODS,
  BURN_SEVERITIES,
  BYTE_SIZE_PATTERN,
  COMMON_UNIT_SPELLINGS,
  DATADOG_SITES,
  DEFAULTS,
  DURATION_PATTERN,
  ENV_REFERENCE_PATTERN,
  NO_DATA_POLICIES,
  REDUCTIONS,
  SEVERITIES,
  SITE_SPELLINGS,
  SLO_WINDOWS,
} from './vocabulary.js';

/*
 * The schema of observability.yaml as written in the file, before environment references are resolved:
 * any string may still be `{{env.NAME}}` / `env:NAME`. Semantic checks on resolved values (a duration read
 * from the environment, a URL) happen in normalize.ts. Keys are the file's snake_case spelling.
 */

const SECRET_NOTE = 'Secret: write `{{env.NAME}}` or `env:NAME`; a literal value is refused.';

const envReference = z
  .string()
  .regex(new RegExp(ENV_REFERENCE_PATTERN), { abort: true })
  .describe('A reference to an environment variable: `{{env.NAME}}` or `env:NAME`.');

/** Runtime: any string (literals are refused by the secret scanner, with a message that does not echo them). */
function secret(description: string) {
  return z.string().meta({ description: `${description} ${SECRET_NOTE}`, pattern: ENV_REFERENCE_PATTERN });
}

function describeInput(input: unknown): string {
  return typeof input === 'string' ? `\`${input}\`` : (JSON.stringify(input) ?? String(input));
}

/** An enum that also accepts an environment reference, with a "did you mean" on a typo. */
function choiceOrEnv(values: readonly string[], what: string) {
  return z.union([z.enum(values as [string, ...string[]]), envReference], {
    error: (issue) => {
      const input = issue.input;
      const guess = typeof input === 'string' ? closestMatch(input, values) : null;
      const suggestion = guess ? `; did you mean \`${guess}\`?` : '';
      return `unknown ${what} ${describeInput(input)}${suggestion}`;
    },
  });
}

const durationMessage = 'expected a duration such as 30s, 5m, 1h30m, 2d, or a number of seconds';

function duration(description: string, defaultValue?: string) {
  const schema = z.union(
    [z.number().nonnegative(), z.string().regex(new RegExp(DURATION_PATTERN), { abort: true }), envReference],
    {
      error: (issue) => `${durationMessage}, not ${describeInput(issue.input)}`,
    },
  );
  return schema.meta(defaultValue === undefined ? { description } : { description, default: defaultValue });
}

function holdSpec(description: string, defaultValue: number) {
  return z
    .union(
      [
        z.number().nonnegative(),
        z.string().regex(new RegExp(DURATION_PATTERN), { abort: true }),
        envReference,
      ],
      {
        error: (issue) =>
          `expected a number of evaluation cycles (2) or a duration (3m), not ${describeInput(issue.input)}`,
      },
    )
    .meta({ description, default: defaultValue });
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headers = z
  .record(z.string().regex(HEADER_NAME, { error: 'not a valid HTTP header name' }), z.string())
  .describe(
    'Extra HTTP headers. Values may be `{{env.NAME}}`; values of Authorization/*key*/*token*/*secret* headers must be.',
  );

const tls = z
  .object({
    ca_file: z
      .string()
      .min(1)
      .describe('PEM file of the CA that signs the server certificate, relative to this file.'),
    insecure_skip_verify: z
      .boolean()
      .meta({ description: 'Accept any server certificate (testing only).', default: false }),
  })
  .partial()
  .strict()
  .describe('TLS settings for HTTPS backends.');

const followRedirects = z.boolean().meta({
  description:
    'Follow HTTP redirects. Each hop must pass the network policy; headers other than Accept, User-Agent and Content-Type (credentials) are never sent to another origin.',
  default: false,
});

const maxResponseSize = z
  .union(
    [
      z.number().int().positive(),
      z.string().regex(new RegExp(BYTE_SIZE_PATTERN), { abort: true }),
      envReference,
    ],
    {
      error: (issue) =>
        `expected a size such as 8MiB, 512KiB or a number of bytes, not ${describeInput(issue.input)}`,
    },
  )
  .meta({
    description:
      'Largest reply body read from the backend (after decompression); a larger one makes the metric unknown.',
    default: '8MiB',
  });

const url = (description: string) => z.string().min(1, { error: 'must not be empty' }).describe(description);

const timeout = duration('Per-query timeout.', `${DEFAULTS.timeoutSeconds}s`);

const auth = z
  .object({
    bearer: secret('Bearer token sent as `Authorization: Bearer <token>`.'),
    basic: z
      .object({
        username: z.string().describe('User name (Grafana Cloud: the metrics instance id).'),
        password: secret('Password or access-policy token.'),
      })
      .strict()
      .describe('HTTP Basic authentication.'),
  })
  .partial()
  .strict()
  .describe('Authentication for a Prometheus-compatible backend: `{ bearer: ... }` or `{ basic: {...} }`.');

const tenant = z.string().min(1).describe('Tenant sent as `X-Scope-OrgID` (Grafana Mimir, Cortex).');
const reduce = choiceOrEnv(REDUCTIONS, 'reduction').meta({
  description: 'How a Datadog point list becomes one number: last (last non-null), avg, min or max.',
  default: DEFAULTS.reduce,
});
const lookback = duration('Datadog: the query window, ending at the evaluation time.', '5m');
const site = choiceOrEnv(SITE_SPELLINGS, 'Datadog site').meta({
  description: `Datadog site (${DATADOG_SITES.join(', ')}) or a short form (us1, us3, us5, eu, ap1, ap2, uk1, us1-fed, us2-fed).`,
  default: DEFAULTS.site,
});
const apiKey = secret('Datadog API key (DD-API-KEY).');
const appKey = secret('Datadog application key (DD-APPLICATION-KEY); queries need one.');

const prometheusProvider = z
  .object({
    type: z.literal('prometheus'),
    url: url(
      'Base URL including any path prefix, e.g. http://127.0.0.1:9090 or http://mimir:8080/prometheus.',
    ),
    headers: headers.optional(),
    timeout: timeout.optional(),
    tls: tls.optional(),
    follow_redirects: followRedirects.optional(),
    max_response_size: maxResponseSize.optional(),
    tenant: tenant.optional(),
    auth: auth.optional(),
  })
  .strict()
  .describe(
    'A Prometheus-compatible backend (Prometheus, Mimir, Cortex, Thanos, VictoriaMetrics, Grafana Cloud).',
  );

const datadogProvider = z
  .object({
    type: z.literal('datadog'),
    api_key: apiKey,
    app_key: appKey.optional(),
    site: site.optional(),
    url: url('Overrides the API base URL (default https://api.<site>).').optional(),
    headers: headers.optional(),
    timeout: timeout.optional(),
    tls: tls.optional(),
    follow_redirects: followRedirects.optional(),
    max_response_size: maxResponseSize.optional(),
    lookback: lookback.optional(),
    reduce: reduce.optional(),
    api: choiceOrEnv(['v1', 'v2'], 'Datadog API version')
      .meta({
        description: 'v1: GET /api/v1/query; v2: POST /api/v2/query/timeseries (queries and formulas).',
        default: 'v1',
      })
      .optional(),
  })
  .strict()
  .describe('A Datadog account.');

/** The pieces provider schemas kept in files of their own (src/config/providers/) build on. */
const providerParts = { url, auth, headers, timeout, tls, followRedirects, maxResponseSize, duration };
export type ProviderSchemaParts = typeof providerParts;

const scrapeProvider = scrapeProviderSchema({
  url,
  headers,
  timeout,
  tls,
  followRedirects,
  maxResponseSize,
  duration,
});

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const saasProviders = saasProviderSchemas({
  secret,
  url,
  headers,
  timeout,
  tls,
  followRedirects,
  maxResponseSize,
  lookback,
  reduce,
});

const namedProvider = z.discriminatedUnion(
  'type',
  [
    prometheusProvider,
    datadogProvider,
    influxdbProviderSchema(providerParts),
    graphiteProviderSchema(providerParts),
    scrapeProvider,
    ...saasProviders,
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'missing `type`: prometheus, datadog, influxdb, graphite, scrape, newrelic, cloudwatch or dynatrace'
        : 'unknown provider type; expected prometheus, datadog, influxdb, graphite, scrape, newrelic, cloudwatch or dynatrace',
  },
);
export type RawNamedProvider = z.infer<typeof namedProvider>;

const severityRule = z
  .object({
    min_overshoot: z
      .number()
      .nonnegative()
      .describe('Minimum relative distance past the target: 0.5 = 50% worse than the objective.'),
    categories: z
      .array(z.string())
      .describe('Only NFRs of these categories (case-insensitive); omitted = any.')
      .optional(),
    severity: z.enum(SEVERITIES).describe('Severity given when this rule is the first that matches.'),
  })
  .strict();

const burnRateRule = z
  .object({
    severity: z.enum(BURN_SEVERITIES).describe('page or ticket.'),
    long_window: duration('Long window, e.g. 1h.'),
    short_window: duration('Short window that stops the alert quickly after recovery, e.g. 5m.'),
    factor: z
      .number()
      .positive()
      .describe('Burn rate both windows must exceed (14.4 = budget gone in 1/14.4 of the window).'),
  })
  .strict();

const alerting = z
  .object({
    for: holdSpec(
      'A breach must hold this long before the alert fires: consecutive cycles (integer) or a duration.',
      DEFAULTS.forCycles,
    ),
    resolve_after: holdSpec(
      'Healthy this long before a firing alert resolves: cycles (integer) or a duration.',
      DEFAULTS.resolveAfterCycles,
    ),
    repeat_interval: duration('Re-notify while an alert keeps firing; omit or null for never.').nullable(),
    no_data: choiceOrEnv(NO_DATA_POLICIES, 'no_data policy').meta({
      description:
        'What a metric that stays unknown for no_data_for does: alert, ignore, or count as a breach.',
      default: 'alert',
    }),
    no_data_for: duration('How long a metric may stay unknown before no_data applies.', '5m'),
    severity: z
      .array(severityRule)
      .describe(
        'Ordered rules; the first that matches wins, otherwise SEV-4. Default: overshoot ≥ 1.0 → SEV-1, ≥ 0.5 → SEV-2, ≥ 0.1 → SEV-3.',
      ),
    mode: choiceOrEnv(ALERTING_MODES, 'alerting mode').meta({
      description:
        'threshold: the target breached for `for`; burn_rate: multi-window burn-rate rules on the error budget; both: either opens the one alert of the metric.',
      default: 'both',
    }),
    burn_rate_rules: z
      .array(burnRateRule)
      .min(1, { error: 'give at least one rule, or omit the key for the defaults' })
      .describe(
        'Multi-window burn-rate alerts. Default (30-day window, scaled for others): page 14.4× over 1h and 5m, page 6× over 6h and 30m, ticket 3× over 1d and 2h, ticket 1× over 3d and 6h.',
      ),
  })
  .partial()
  .strict();

const objective = z
  .object({
    window: choiceOrEnv(SLO_WINDOWS, 'SLO window').meta({
      description: 'Rolling 7d, 28d or 30d, or calendar month or week.',
      default: '30d',
    }),
    target: z
      .number()
      .gt(0, { error: 'a target is a fraction of good, between 0 and 1 (0.999 = 99.9 %)' })
      .lt(1, { error: 'a target is a fraction of good, between 0 and 1 (0.999 = 99.9 %)' })
      .describe("Fraction of good events or time slices; default derived from the NFR's target."),
    budgeting: choiceOrEnv(BUDGETING_METHODS, 'budgeting method').describe(
      'occurrences (good/total events) or timeslices; default occurrences when an event SLI exists.',
    ),
    slice: duration('timeslices: length of one time slice.', '1m'),
  })
  .partial()
  .strict()
  .describe('The SLO objective over a window (docs/slo.md).');

const sli = z
  .union(
    [
      z.object({ good: z.string().min(1), total: z.string().min(1) }).strict(),
      z.object({ bad: z.string().min(1), total: z.string().min(1) }).strict(),
      z.object({ le: z.union([z.string().min(1), z.number()]) }).strict(),
    ],
    {
      error:
        'expected `{good: <query>, total: <query>}`, `{bad: <query>, total: <query>}` or `{le: "<bucket>"}`',
    },
  )
  .describe(
    'Event SLI: counter queries (write `{{.window}}` as the rate range, or give a bare counter selector), or for a latency histogram the `le` bucket that equals the threshold.',
  );

const runbookUrl = url('Runbook link put in the annotations of generated alert rules.');

// Any text here; units/parseUnit decides (normalize.ts). The enum only feeds editor completion.
const unit = z.union([z.enum(COMMON_UNIT_SPELLINGS as [string, ...string[]]), z.string()]).meta({
  description:
    'Unit of the number the query returns (ms, s, %, ratio, rps, count...). Default: the base unit of the target: seconds, 0-1 ratio, per second, count.',
});

const metric = z
  .object({
    name: z
      .string()
      .min(1, { error: 'must not be empty' })
      .describe('The NFR metric name this query measures (the Metric column of spec.md).'),
    query: z
      .string()
      .min(1, { error: 'must not be empty' })
      .describe(
        "The query in the provider's language (PromQL, Datadog, InfluxQL, Graphite, NRQL, CloudWatch, Dynatrace) returning one number.",
      ),
    provider: z
      .string()
      .min(1)
      .describe('Name of the provider to ask; default: the top-level provider, named `default`.')
      .optional(),
    unit: unit.optional(),
    reduce: reduce.optional(),
    lookback: lookback.optional(),
    alerting: alerting.describe('Per-metric overrides of the alerting block.').optional(),
    objective: objective.optional(),
    sli: sli.optional(),
    runbook_url: runbookUrl.optional(),
  })
  .strict();

const UNMAPPED_POLICIES = ['degrade', 'ignore'] as const;
const unmappedPolicy = z.enum(UNMAPPED_POLICIES);

const unmapped = z
  .union(
    [
      unmappedPolicy,
      z
        .object({
          default: unmappedPolicy
            .describe('What every NFR without a query does (default `degrade`).')
            .optional(),
          ignore: z
            .array(z.string().min(1))
            .describe('NFR metrics excused one by one: their missing query does not degrade the status.')
            .optional(),
        })
        .strict(),
    ],
    {
      error: (issue) => {
        const guess = typeof issue.input === 'string' ? closestMatch(issue.input, UNMAPPED_POLICIES) : null;
        const suggestion = guess ? `; did you mean \`${guess}\`?` : '';
        return `expected \`degrade\`, \`ignore\`, or a mapping such as \`{ ignore: [api_latency_p95] }\`${suggestion}`;
      },
    },
  )
  .meta({
    description:
      'An NFR with a numeric target but no query is not measured: `degrade` (default) makes the status degraded (exit 3); `ignore` excuses it. Per metric: `{ ignore: [name, ...] }`.',
    default: 'degrade',
  });

const receiverName = z.string().min(1).describe('Name used in logs and delivery records; default: the type.');

const receiver = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('webhook'),
        name: receiverName.optional(),
        url: url('Where the alert JSON is POSTed.'),
        headers: headers.optional(),
        hmac_secret: secret('Signs the body (HMAC-SHA256).').optional(),
        follow_redirects: followRedirects.optional(),
      })
      .strict()
      .describe('POST the alert payload as JSON.'),
    z
      .object({
        type: z.literal('alertmanager'),
        name: receiverName.optional(),
        url: url('Alertmanager base URL, e.g. http://127.0.0.1:9093.'),
        headers: headers.optional(),
        follow_redirects: followRedirects.optional(),
      })
      .strict()
      .describe('Push alerts to Prometheus Alertmanager (POST /api/v2/alerts).'),
    z
      .object({
        type: z.literal('slack'),
        name: receiverName.optional(),
        url: secret('Slack incoming-webhook URL.'),
        follow_redirects: followRedirects.optional(),
      })
      .strict()
      .describe('Slack incoming webhook.'),
    z
      .object({
        type: z.literal('pagerduty'),
        name: receiverName.optional(),
        routing_key: secret('PagerDuty Events API v2 integration (routing) key.'),
        url: url('Events API endpoint.').meta({ default: DEFAULTS.pagerdutyUrl }).optional(),
        follow_redirects: followRedirects.optional(),
      })
      .strict()
      .describe('PagerDuty Events API v2.'),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'missing `type`: webhook, alertmanager, slack or pagerduty'
        : 'unknown receiver type; expected webhook, alertmanager, slack or pagerduty',
  },
);

const incidentCommand = z
  .union([
    z
      .object({
        argv: z
          .array(z.string(), { error: 'expected a list of arguments; no shell is used' })
          .min(1, { error: 'needs at least the program to run' })
          .describe('Program and arguments; `{payload}` becomes the alert JSON, `{payload_file}` its path.'),
        timeout: duration(
          'Kill the command after this long.',
          `${DEFAULTS.incidentTimeoutSeconds}s`,
        ).optional(),
      })
      .strict(),
    z.literal(false),
  ])
  .describe(
    'Command run when an alert fires (no shell); `false` turns it off. Default: decided by the daemon.',
  );

const server = z
  .object({
    enabled: z
      .boolean()
      .describe('Serve the status page and /metrics; default true when this block is present.'),
    listen: z
      .union([z.string(), z.number().int()])
      .meta({ description: 'host:port, [ipv6]:port, :port or a port.', default: '127.0.0.1:9464' }),
    token: secret('Bearer token required on every route but /healthz.'),
    allow_unauthenticated: z.boolean().meta({
      description:
        'Listen beyond loopback without a token (the daemon refuses to otherwise, and warns at every start).',
      default: false,
    }),
    allowed_hosts: z.array(z.string().min(1)).meta({
      description:
        'Names the server answers to besides localhost, loopback and the listen address (Host header); others get 421.',
      default: [],
    }),
  })
  .partial()
  .strict();

const storage = z
  .object({
    path: z.string().min(1).meta({
      description: 'SQLite database file, relative to the workspace root.',
      default: DEFAULTS.storagePath,
    }),
    retention: duration('How long history is kept.', `${DEFAULTS.retentionDays}d`),
  })
  .partial()
  .strict();

const reports = z
  .object({
    time_zone: z
      .string()
      .min(1)
      .meta({ description: 'IANA time zone of day and week boundaries.', default: 'UTC' }),
    trend_threshold: z.number().positive().meta({
      description: 'Relative worsening vs the previous period that flags a trend (0.2 = 20%).',
      default: 0.2,
    }),
    formats: z
      .array(z.enum(['json', 'md', 'html']))
      .min(1)
      .meta({ description: 'Report files to write.', default: ['json', 'md', 'html'] }),
    daily: z.boolean().meta({ description: 'Write a report after each day.', default: true }),
    weekly: z.boolean().meta({ description: 'Write a report after each ISO week.', default: true }),
    aggregator_command: z
      .union([
        z
          .object({
            argv: z
              .array(z.string(), { error: 'expected a list of arguments; no shell is used' })
              .min(1, { error: 'needs at least the program to run' })
              .describe('Program and arguments run after reports are written.'),
            timeout: duration('Kill the command after this long.', '300s').optional(),
          })
          .strict(),
        z.literal(false),
      ])
      .describe(
        'Run after new reports; default `smartspec_feedback_aggregator --run-once` when on PATH; `false` turns it off.',
      ),
  })
  .partial()
  .strict();

/** The whole file. Top-level provider keys describe the provider named `default` (its type is `provider`). */
export const observabilityFileSchema = z
  .object({
    $schema: z.string().describe('Path or URL of this JSON Schema (for editors).').optional(),
    provider: z
      .enum(['prometheus', 'datadog', 'scrape'])
      .describe('Type of the top-level provider, named `default`, used by metrics that name none.')
      .optional(),
    api_key: apiKey.optional(),
    app_key: appKey.optional(),
    site: site.optional(),
    url: url('Prometheus: base URL (required). Datadog: overrides https://api.<site>.').optional(),
    headers: headers.optional(),
    tenant: tenant.optional(),
    auth: auth.optional(),
    tls: tls.optional(),
    timeout: timeout.optional(),
    follow_redirects: followRedirects.optional(),
    max_response_size: maxResponseSize.optional(),
    lookback: lookback.optional(),
    reduce: reduce.optional(),
    interval: scrapeIntervalSchema({ duration }).optional(),
    api: datadogProvider.shape.api,
    providers: z
      .record(
        z.string().regex(PROVIDER_NAME, { error: 'provider names use letters, digits, `_`, `-` and `.`' }),
        namedProvider,
      )
      .describe('Named providers, used instead of or besides the top-level one.')
      .optional(),
    metrics: z.array(metric).describe('How to measure each NFR metric.').optional(),
    unmapped: unmapped.optional(),
    alerting: alerting.describe('Daemon alerting policy.').optional(),
    objective: objective.optional(),
    runbook_url: runbookUrl.optional(),
    slo_sources: z
      .array(z.string().min(1))
      .min(1, { error: 'list at least one OpenSLO or Sloth file, or remove the key' })
      .describe(
        'OpenSLO v1 or Sloth prometheus/v1 files that map NFRs, relative to this file (docs/slo.md#import).',
      )
      .optional(),
    incident_command: incidentCommand.optional(),
    receivers: z
      .array(receiver)
      .describe('Where alerts are delivered besides the incident command.')
      .optional(),
    server: server.describe('Daemon HTTP server: status page, /api/status, /metrics, /healthz.').optional(),
    storage: storage.describe('Daemon history database.').optional(),
    reports: reports.describe('Daily/weekly performance reports.').optional(),
  })
  .strict()
  .meta({
    title: 'observability.yaml (smartspec-production-monitor)',
    description:
      'How smartspec-production-monitor queries the metrics named in a spec.md NFR table, and how the daemon alerts. Any string may be `{{env.NAME}}` or `env:NAME`.',
  });

export type ObservabilityFile = z.infer<typeof observabilityFileSchema>;
export type RawAlerting = z.infer<typeof alerting>;
export type RawObjective = z.infer<typeof objective>;
export type RawSli = z.infer<typeof sli>;
export type RawReceiver = z.infer<typeof receiver>;
export type RawHeaders = z.infer<typeof headers>;
export type RawTls = z.infer<typeof tls>;
export type RawAuth = z.infer<typeof auth>;

/** Keys only valid for one provider type (top-level keys are checked against `provider`). */
export const PROMETHEUS_ONLY_KEYS = ['tenant', 'auth'] as const;
export const DATADOG_ONLY_KEYS = ['api_key', 'app_key', 'site', 'lookback', 'reduce', 'api'] as const;
export const SHARED_PROVIDER_KEYS = [
  'url',
  'headers',
  'tls',
  'timeout',
  'follow_redirects',
  'max_response_size',
] as const;

/** JSON Schema (draft 2020-12) of observability.yaml, for editors; committed as schema/observability.schema.json. */
export function observabilityJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(observabilityFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
