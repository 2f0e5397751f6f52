import * as z from 'zod/mini';
import { closestMatch } from '../common/closest.js';
import { scrapeIntervalSchema, scrapeProviderSchema } from '../providers/scrape/schema.js';
import { graphiteProviderSchema } from './providers/graphite.js';
import { influxdbProviderSchema } from './providers/influxdb.js';
import { saasProviderSchemas } from './schema-saas.js';
import { describeGiven, expectedButGot, oneOfCode } from './union-messages.js';
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
import { described, withMeta } from './zod-mini.js';

/*
 * The schema of observability.yaml as written in the file, before environment references are resolved:
 * any string may still be `{{env.NAME}}` / `env:NAME`. Semantic checks on resolved values (a duration read
 * from the environment, a URL) happen in normalize.ts. Keys are the file's snake_case spelling.
 */

const SECRET_NOTE = 'Secret: write `{{env.NAME}}` or `env:NAME`; a literal value is refused.';

const envReference = described(
  z.string().check(z.regex(new RegExp(ENV_REFERENCE_PATTERN), { abort: true })),
  'A reference to an environment variable: `{{env.NAME}}` or `env:NAME`.',
);

/** Runtime: any string (literals are refused by the secret scanner, with a message that does not echo them). */
function secret(description: string) {
  return withMeta(z.string(), {
    description: `${description} ${SECRET_NOTE}`,
    pattern: ENV_REFERENCE_PATTERN,
  });
}

/** An enum that also accepts an environment reference, with a "did you mean" on a typo, else what it accepts. */
function choiceOrEnv(values: readonly string[], what: string, accepted = oneOfCode(values)) {
  return z.union([z.enum(values as [string, ...string[]]), envReference], {
    error: (issue) => {
      const input = issue.input;
      const guess = typeof input === 'string' ? closestMatch(input, values) : null;
      const suggestion = guess ? `; did you mean \`${guess}\`?` : `; expected ${accepted}`;
      return `unknown ${what} ${describeGiven(input)}${suggestion}`;
    },
  });
}

const durationMessage = 'expected a duration such as 30s, 5m, 1h30m, 2d, or a number of seconds';

function duration(description: string, defaultValue?: string) {
  const schema = z.union(
    [
      z.number().check(z.nonnegative()),
      z.string().check(z.regex(new RegExp(DURATION_PATTERN), { abort: true })),
      envReference,
    ],
    {
      error: (issue) => `${durationMessage}, not ${describeGiven(issue.input)}`,
    },
  );
  return withMeta(
    schema,
    defaultValue === undefined ? { description } : { description, default: defaultValue },
  );
}

function holdSpec(description: string, defaultValue: number) {
  return withMeta(
    z.union(
      [
        z.number().check(z.nonnegative()),
        z.string().check(z.regex(new RegExp(DURATION_PATTERN), { abort: true })),
        envReference,
      ],
      {
        error: (issue) =>
          `expected a number of evaluation cycles (2) or a duration (3m), not ${describeGiven(issue.input)}`,
      },
    ),
    { description, default: defaultValue },
  );
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headers = described(
  z.record(z.string().check(z.regex(HEADER_NAME, { error: 'not a valid HTTP header name' })), z.string()),
  'Extra HTTP headers. Values may be `{{env.NAME}}`; values of Authorization/*key*/*token*/*secret* headers must be.',
);

const tls = described(
  z.partial(
    z.strictObject({
      ca_file: described(
        z.string().check(z.minLength(1)),
        'PEM file of the CA that signs the server certificate, relative to this file.',
      ),
      insecure_skip_verify: withMeta(z.boolean(), {
        description: 'Accept any server certificate (testing only).',
        default: false,
      }),
    }),
  ),
  'TLS settings for HTTPS backends.',
);

const followRedirects = withMeta(z.boolean(), {
  description:
    'Follow HTTP redirects. Each hop must pass the network policy; headers other than Accept, User-Agent and Content-Type (credentials) are never sent to another origin.',
  default: false,
});

const maxResponseSize = withMeta(
  z.union(
    [
      z.number().check(z.int()).check(z.positive()),
      z.string().check(z.regex(new RegExp(BYTE_SIZE_PATTERN), { abort: true })),
      envReference,
    ],
    {
      error: (issue) =>
        `expected a size such as 8MiB, 512KiB or a number of bytes, not ${describeGiven(issue.input)}`,
    },
  ),
  {
    description:
      'Largest reply body read from the backend (after decompression); a larger one makes the metric unknown.',
    default: '8MiB',
  },
);

const url = (description: string) =>
  described(z.string().check(z.minLength(1, { error: 'must not be empty' })), description);

const timeout = duration('Per-query timeout.', `${DEFAULTS.timeoutSeconds}s`);

const auth = described(
  z.partial(
    z.strictObject({
      bearer: secret('Bearer token sent as `Authorization: Bearer <token>`.'),
      basic: described(
        z.strictObject({
          username: described(z.string(), 'User name (Grafana Cloud: the metrics instance id).'),
          password: secret('Password or access-policy token.'),
        }),
        'HTTP Basic authentication.',
      ),
    }),
  ),
  'Authentication for a Prometheus-compatible backend: `{ bearer: ... }` or `{ basic: {...} }`.',
);

const tenant = described(
  z.string().check(z.minLength(1)),
  'Tenant sent as `X-Scope-OrgID` (Grafana Mimir, Cortex).',
);
const reduce = withMeta(choiceOrEnv(REDUCTIONS, 'reduction'), {
  description: 'How a Datadog point list becomes one number: last (last non-null), avg, min or max.',
  default: DEFAULTS.reduce,
});
const lookback = duration('Datadog: the query window, ending at the evaluation time.', '5m');
const site = withMeta(
  choiceOrEnv(
    SITE_SPELLINGS,
    'Datadog site',
    `${oneOfCode(DATADOG_SITES)}, or a short form such as \`us1\` or \`eu\``,
  ),
  {
    description: `Datadog site (${DATADOG_SITES.join(', ')}) or a short form (us1, us3, us5, eu, ap1, ap2, uk1, us1-fed, us2-fed).`,
    default: DEFAULTS.site,
  },
);
const apiKey = secret('Datadog API key (DD-API-KEY).');
const appKey = secret('Datadog application key (DD-APPLICATION-KEY); queries need one.');

/** How a provider is reached over HTTP: the same keys, in the same order, for every HTTP provider. */
const connectionFields = {
  headers: z.optional(headers),
  timeout: z.optional(timeout),
  tls: z.optional(tls),
  follow_redirects: z.optional(followRedirects),
  max_response_size: z.optional(maxResponseSize),
};

const prometheusProvider = described(
  z.strictObject({
    type: z.literal('prometheus'),
    url: url(
      'Base URL including any path prefix, e.g. http://127.0.0.1:9090 or http://mimir:8080/prometheus.',
    ),
    ...connectionFields,
    tenant: z.optional(tenant),
    auth: z.optional(auth),
  }),
  'A Prometheus-compatible backend (Prometheus, Mimir, Cortex, Thanos, VictoriaMetrics, Grafana Cloud).',
);

const datadogProvider = described(
  z.strictObject({
    type: z.literal('datadog'),
    api_key: apiKey,
    app_key: z.optional(appKey),
    site: z.optional(site),
    url: z.optional(url('Overrides the API base URL (default https://api.<site>).')),
    ...connectionFields,
    lookback: z.optional(lookback),
    reduce: z.optional(reduce),
    api: z.optional(
      withMeta(choiceOrEnv(['v1', 'v2'], 'Datadog API version'), {
        description: 'v1: GET /api/v1/query; v2: POST /api/v2/query/timeseries (queries and formulas).',
        default: 'v1',
      }),
    ),
  }),
  'A Datadog account.',
);

/** The pieces provider schemas kept in files of their own (src/config/providers/) build on. */
const providerParts = { url, auth, connectionFields, duration };
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

const severityRule = z.strictObject({
  min_overshoot: described(
    z.number().check(z.nonnegative()),
    'Minimum relative distance past the target: 0.5 = 50% worse than the objective.',
  ),
  categories: z.optional(
    described(z.array(z.string()), 'Only NFRs of these categories (case-insensitive); omitted = any.'),
  ),
  severity: described(z.enum(SEVERITIES), 'Severity given when this rule is the first that matches.'),
});

const burnRateRule = z.strictObject({
  severity: described(z.enum(BURN_SEVERITIES), 'page or ticket.'),
  long_window: duration('Long window, e.g. 1h.'),
  short_window: duration('Short window that stops the alert quickly after recovery, e.g. 5m.'),
  factor: described(
    z.number().check(z.positive()),
    'Burn rate both windows must exceed (14.4 = budget gone in 1/14.4 of the window).',
  ),
});

const alerting = z.partial(
  z.strictObject({
    for: holdSpec(
      'A breach must hold this long before the alert fires: consecutive cycles (integer) or a duration.',
      DEFAULTS.forCycles,
    ),
    resolve_after: holdSpec(
      'Healthy this long before a firing alert resolves: cycles (integer) or a duration.',
      DEFAULTS.resolveAfterCycles,
    ),
    repeat_interval: z.nullable(duration('Re-notify while an alert keeps firing; omit or null for never.')),
    no_data: withMeta(choiceOrEnv(NO_DATA_POLICIES, 'no_data policy'), {
      description:
        'What a metric that stays unknown for no_data_for does: alert, ignore, or count as a breach.',
      default: 'alert',
    }),
    no_data_for: duration('How long a metric may stay unknown before no_data applies.', '5m'),
    severity: described(
      z.array(severityRule),
      'Ordered rules; the first that matches wins, otherwise SEV-4. Default: overshoot ≥ 1.0 → SEV-1, ≥ 0.5 → SEV-2, ≥ 0.1 → SEV-3.',
    ),
    mode: withMeta(choiceOrEnv(ALERTING_MODES, 'alerting mode'), {
      description:
        'threshold: the target breached for `for`; burn_rate: multi-window burn-rate rules on the error budget; both: either opens the one alert of the metric.',
      default: 'both',
    }),
    burn_rate_rules: described(
      z
        .array(burnRateRule)
        .check(z.minLength(1, { error: 'give at least one rule, or omit the key for the defaults' })),
      'Multi-window burn-rate alerts. Default (30-day window, scaled for others): page 14.4× over 1h and 5m, page 6× over 6h and 30m, ticket 3× over 1d and 2h, ticket 1× over 3d and 6h.',
    ),
  }),
);

const TARGET_RANGE = 'a target is a fraction of good, between 0 and 1 (0.999 = 99.9 %)';

const objective = described(
  z.partial(
    z.strictObject({
      window: withMeta(choiceOrEnv(SLO_WINDOWS, 'SLO window'), {
        description: 'Rolling 7d, 28d or 30d, or calendar month or week.',
        default: '30d',
      }),
      target: described(
        z
          .number()
          .check(z.gt(0, { error: TARGET_RANGE }))
          .check(z.lt(1, { error: TARGET_RANGE })),
        "Fraction of good events or time slices; default derived from the NFR's target.",
      ),
      budgeting: described(
        choiceOrEnv(BUDGETING_METHODS, 'budgeting method'),
        'occurrences (good/total events) or timeslices; default occurrences when an event SLI exists.',
      ),
      slice: duration('timeslices: length of one time slice.', '1m'),
    }),
  ),
  'The SLO objective over a window (docs/slo.md).',
);

const nonEmptyString = () => z.string().check(z.minLength(1));

const sli = described(
  z.union(
    [
      z.strictObject({ good: nonEmptyString(), total: nonEmptyString() }),
      z.strictObject({ bad: nonEmptyString(), total: nonEmptyString() }),
      z.strictObject({
        le: z.union([nonEmptyString(), z.number()], {
          error: expectedButGot(
            'the upper bound of a histogram bucket as its `le` label reads, e.g. "0.25" or 0.25',
          ),
        }),
      }),
    ],
    {
      error: expectedButGot(
        '`{good: <query>, total: <query>}`, `{bad: <query>, total: <query>}` or `{le: "<bucket>"}`',
      ),
    },
  ),
  'Event SLI: counter queries (write `{{.window}}` as the rate range, or give a bare counter selector), or for a latency histogram the `le` bucket that equals the threshold.',
);

const runbookUrl = url('Runbook link put in the annotations of generated alert rules.');

// Any text here; units/parseUnit decides (normalize.ts). The enum only feeds editor completion.
const unit = withMeta(
  z.union([z.enum(COMMON_UNIT_SPELLINGS as [string, ...string[]]), z.string()], {
    error: expectedButGot(
      `a unit written as text, such as ${oneOfCode(['ms', 's', '%', 'ratio', 'rps', 'count'])}`,
    ),
  }),
  {
    description:
      'Unit of the number the query returns (ms, s, %, ratio, rps, count...). Default: the base unit of the target: seconds, 0-1 ratio, per second, count.',
  },
);

const metric = z.strictObject({
  name: described(
    z.string().check(z.minLength(1, { error: 'must not be empty' })),
    'The NFR metric name this query measures (the Metric column of spec.md).',
  ),
  query: described(
    z.string().check(z.minLength(1, { error: 'must not be empty' })),
    "The query in the provider's language (PromQL, Datadog, InfluxQL, Graphite, NRQL, CloudWatch, Dynatrace) returning one number.",
  ),
  provider: z.optional(
    described(
      z.string().check(z.minLength(1)),
      'Name of the provider to ask; default: the top-level provider, named `default`.',
    ),
  ),
  unit: z.optional(unit),
  reduce: z.optional(reduce),
  lookback: z.optional(lookback),
  alerting: z.optional(described(alerting, 'Per-metric overrides of the alerting block.')),
  objective: z.optional(objective),
  sli: z.optional(sli),
  runbook_url: z.optional(runbookUrl),
});

const UNMAPPED_POLICIES = ['degrade', 'ignore'] as const;
const unmappedPolicy = z.enum(UNMAPPED_POLICIES);

const unmapped = withMeta(
  z.union(
    [
      unmappedPolicy,
      z.strictObject({
        default: z.optional(
          described(unmappedPolicy, 'What every NFR without a query does (default `degrade`).'),
        ),
        ignore: z.optional(
          described(
            z.array(z.string().check(z.minLength(1))),
            'NFR metrics excused one by one: their missing query does not degrade the status.',
          ),
        ),
      }),
    ],
    {
      error: (issue) => {
        const guess = typeof issue.input === 'string' ? closestMatch(issue.input, UNMAPPED_POLICIES) : null;
        const suggestion = guess ? `; did you mean \`${guess}\`?` : '';
        return `expected \`degrade\`, \`ignore\`, or a mapping such as \`{ ignore: [api_latency_p95] }\`, got ${describeGiven(issue.input)}${suggestion}`;
      },
    },
  ),
  {
    description:
      'An NFR with a numeric target but no query is not measured: `degrade` (default) makes the status degraded (exit 3); `ignore` excuses it. Per metric: `{ ignore: [name, ...] }`.',
    default: 'degrade',
  },
);

const receiverName = described(
  z.string().check(z.minLength(1)),
  'Name used in logs and delivery records; default: the type.',
);

const receiver = z.discriminatedUnion(
  'type',
  [
    described(
      z.strictObject({
        type: z.literal('webhook'),
        name: z.optional(receiverName),
        url: url('Where the alert JSON is POSTed.'),
        headers: z.optional(headers),
        hmac_secret: z.optional(secret('Signs the body (HMAC-SHA256).')),
        follow_redirects: z.optional(followRedirects),
      }),
      'POST the alert payload as JSON.',
    ),
    described(
      z.strictObject({
        type: z.literal('alertmanager'),
        name: z.optional(receiverName),
        url: url('Alertmanager base URL, e.g. http://127.0.0.1:9093.'),
        headers: z.optional(headers),
        follow_redirects: z.optional(followRedirects),
      }),
      'Push alerts to Prometheus Alertmanager (POST /api/v2/alerts).',
    ),
    described(
      z.strictObject({
        type: z.literal('slack'),
        name: z.optional(receiverName),
        url: secret('Slack incoming-webhook URL.'),
        follow_redirects: z.optional(followRedirects),
      }),
      'Slack incoming webhook.',
    ),
    described(
      z.strictObject({
        type: z.literal('pagerduty'),
        name: z.optional(receiverName),
        routing_key: secret('PagerDuty Events API v2 integration (routing) key.'),
        url: z.optional(withMeta(url('Events API endpoint.'), { default: DEFAULTS.pagerdutyUrl })),
        follow_redirects: z.optional(followRedirects),
      }),
      'PagerDuty Events API v2.',
    ),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'missing `type`: webhook, alertmanager, slack or pagerduty'
        : 'unknown receiver type; expected webhook, alertmanager, slack or pagerduty',
  },
);

/** `argv` of a command run without a shell: the incident command and the report aggregator. */
function commandArgv(description: string) {
  return described(
    z
      .array(z.string(), { error: 'expected a list of arguments; no shell is used' })
      .check(z.minLength(1, { error: 'needs at least the program to run' })),
    description,
  );
}

/** What `incident_command` and `reports.aggregator_command` accept. */
const COMMAND_OR_OFF =
  '`{ argv: [program, args...] }` (with an optional `timeout`) or `false` to turn it off';

const incidentCommand = described(
  z.union(
    [
      z.strictObject({
        argv: commandArgv(
          'Program and arguments; `{payload}` becomes the alert JSON, `{payload_file}` its path.',
        ),
        timeout: z.optional(
          duration('Kill the command after this long.', `${DEFAULTS.incidentTimeoutSeconds}s`),
        ),
      }),
      z.literal(false),
    ],
    { error: expectedButGot(COMMAND_OR_OFF) },
  ),
  'Command run when an alert fires (no shell); `false` turns it off. Default: decided by the daemon.',
);

const server = z.partial(
  z.strictObject({
    enabled: described(
      z.boolean(),
      'Serve the status page and /metrics; default true when this block is present.',
    ),
    listen: withMeta(
      z.union([z.string(), z.number().check(z.int())], {
        error: expectedButGot('a port (1-65535) or "host:port"'),
      }),
      {
        description: 'host:port, [ipv6]:port, :port or a port.',
        default: '127.0.0.1:9464',
      },
    ),
    token: secret('Bearer token required on every route but /healthz.'),
    allow_unauthenticated: withMeta(z.boolean(), {
      description:
        'Listen beyond loopback without a token (the daemon refuses to otherwise, and warns at every start).',
      default: false,
    }),
    allowed_hosts: withMeta(z.array(z.string().check(z.minLength(1))), {
      description:
        'Names the server answers to besides localhost, loopback and the listen address (Host header); others get 421.',
      default: [],
    }),
  }),
);

const storage = z.partial(
  z.strictObject({
    path: withMeta(z.string().check(z.minLength(1)), {
      description: 'SQLite database file, relative to the workspace root.',
      default: DEFAULTS.storagePath,
    }),
    retention: duration('How long history is kept.', `${DEFAULTS.retentionDays}d`),
  }),
);

const reports = z.partial(
  z.strictObject({
    time_zone: withMeta(z.string().check(z.minLength(1)), {
      description: 'IANA time zone of day and week boundaries.',
      default: 'UTC',
    }),
    trend_threshold: withMeta(z.number().check(z.positive()), {
      description: 'Relative worsening vs the previous period that flags a trend (0.2 = 20%).',
      default: 0.2,
    }),
    formats: withMeta(z.array(z.enum(['json', 'md', 'html'])).check(z.minLength(1)), {
      description: 'Report files to write.',
      default: ['json', 'md', 'html'],
    }),
    daily: withMeta(z.boolean(), { description: 'Write a report after each day.', default: true }),
    weekly: withMeta(z.boolean(), { description: 'Write a report after each ISO week.', default: true }),
    aggregator_command: described(
      z.union(
        [
          z.strictObject({
            argv: commandArgv('Program and arguments run after reports are written.'),
            timeout: z.optional(duration('Kill the command after this long.', '300s')),
          }),
          z.literal(false),
        ],
        { error: expectedButGot(COMMAND_OR_OFF) },
      ),
      'Run after new reports; default `smartspec_feedback_aggregator --run-once` when on PATH; `false` turns it off.',
    ),
  }),
);

/** The whole file. Top-level provider keys describe the provider named `default` (its type is `provider`). */
export const observabilityFileSchema = withMeta(
  z.strictObject({
    $schema: z.optional(described(z.string(), 'Path or URL of this JSON Schema (for editors).')),
    provider: z.optional(
      described(
        z.enum(['prometheus', 'datadog', 'scrape']),
        'Type of the top-level provider, named `default`, used by metrics that name none.',
      ),
    ),
    api_key: z.optional(apiKey),
    app_key: z.optional(appKey),
    site: z.optional(site),
    url: z.optional(url('Prometheus: base URL (required). Datadog: overrides https://api.<site>.')),
    headers: z.optional(headers),
    tenant: z.optional(tenant),
    auth: z.optional(auth),
    tls: z.optional(tls),
    timeout: z.optional(timeout),
    follow_redirects: z.optional(followRedirects),
    max_response_size: z.optional(maxResponseSize),
    lookback: z.optional(lookback),
    reduce: z.optional(reduce),
    interval: z.optional(scrapeIntervalSchema({ duration })),
    api: datadogProvider.shape.api,
    providers: z.optional(
      described(
        z.record(
          z
            .string()
            .check(z.regex(PROVIDER_NAME, { error: 'provider names use letters, digits, `_`, `-` and `.`' })),
          namedProvider,
        ),
        'Named providers, used instead of or besides the top-level one.',
      ),
    ),
    metrics: z.optional(described(z.array(metric), 'How to measure each NFR metric.')),
    unmapped: z.optional(unmapped),
    alerting: z.optional(described(alerting, 'Daemon alerting policy.')),
    objective: z.optional(objective),
    runbook_url: z.optional(runbookUrl),
    slo_sources: z.optional(
      described(
        z
          .array(z.string().check(z.minLength(1)))
          .check(z.minLength(1, { error: 'list at least one OpenSLO or Sloth file, or remove the key' })),
        'OpenSLO v1 or Sloth prometheus/v1 files that map NFRs, relative to this file (docs/slo.md#import).',
      ),
    ),
    incident_command: z.optional(incidentCommand),
    receivers: z.optional(
      described(z.array(receiver), 'Where alerts are delivered besides the incident command.'),
    ),
    server: z.optional(
      described(server, 'Daemon HTTP server: status page, /api/status, /metrics, /healthz.'),
    ),
    storage: z.optional(described(storage, 'Daemon history database.')),
    reports: z.optional(described(reports, 'Daily/weekly performance reports.')),
  }),
  {
    title: 'observability.yaml (smartspec-production-monitor)',
    description:
      'How smartspec-production-monitor queries the metrics named in a spec.md NFR table, and how the daemon alerts. Any string may be `{{env.NAME}}` or `env:NAME`.',
  },
);

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
export const SCRAPE_ONLY_KEYS = ['interval'] as const;
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
