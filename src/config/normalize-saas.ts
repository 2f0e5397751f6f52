import type { NormalizeContext } from './normalize.js';
import { baseUrl, choice, durationSeconds, httpSettings, isPlaceholder } from './normalize.js';
import type { RawNamedProvider } from './schema.js';
import { NEWRELIC_REGIONS } from './schema-saas.js';
import type {
  CloudWatchProviderConfig,
  DynatraceProviderConfig,
  NewRelicProviderConfig,
  NewRelicRegion,
  SaasProviderConfig,
} from './types-saas.js';
import { DEFAULTS, REDUCTIONS } from './vocabulary.js';
import type { FieldPath } from './yaml-source.js';

type RawSaas = Extract<RawNamedProvider, { type: 'newrelic' | 'cloudwatch' | 'dynatrace' }>;
type Raw<T extends RawSaas['type']> = Extract<RawSaas, { type: T }>;

/** NerdGraph base URLs by region (newrelic-client-go's region list); `/graphql` is appended. */
export const NEWRELIC_ENDPOINTS: Readonly<Record<NewRelicRegion, string>> = {
  us: 'https://api.newrelic.com',
  eu: 'https://api.eu.newrelic.com',
  jp: 'https://api.jp.newrelic.com',
  fedramp: 'https://gov-api.newrelic.com',
};

const DEFAULT_CLOUDWATCH_PERIOD_SECONDS = 60;
/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`... */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function isSaasProvider(raw: RawNamedProvider): raw is RawSaas {
  return raw.type === 'newrelic' || raw.type === 'cloudwatch' || raw.type === 'dynatrace';
}

export function buildSaasProvider(
  context: NormalizeContext,
  name: string,
  raw: RawSaas,
  path: FieldPath,
): SaasProviderConfig {
  switch (raw.type) {
    case 'newrelic':
      return buildNewRelic(context, name, raw, path);
    case 'cloudwatch':
      return buildCloudWatch(context, name, raw, path);
    case 'dynatrace':
      return buildDynatrace(context, name, raw, path);
  }
}

function lookbackOf(
  context: NormalizeContext,
  raw: { lookback?: number | string | undefined },
  path: FieldPath,
) {
  return durationSeconds(context, raw.lookback, [...path, 'lookback'], DEFAULTS.lookbackSeconds, {
    positive: true,
  });
}

function buildNewRelic(
  context: NormalizeContext,
  name: string,
  raw: Raw<'newrelic'>,
  path: FieldPath,
): NewRelicProviderConfig {
  const region = choice(context, raw.region, [...path, 'region'], NEWRELIC_REGIONS, 'us');
  let accountId = 0;
  const accountPath = [...path, 'account_id'];
  if (!isPlaceholder(context, accountPath)) {
    const text = String(raw.account_id).trim();
    if (/^[1-9]\d{0,15}$/.test(text)) {
      accountId = Number(text);
    } else {
      context.sink.error(
        accountPath,
        'not a New Relic account id',
        'write the numeric account id, e.g. `account_id: 1234567` (New Relic: Administration → Access management → Accounts)',
      );
    }
  }
  const url =
    raw.url === undefined ? NEWRELIC_ENDPOINTS[region] : baseUrl(context, raw.url, [...path, 'url']);
  return {
    type: 'newrelic',
    name,
    http: httpSettings(context, raw, path, url),
    apiKey: raw.api_key,
    accountId,
    region,
    lookbackSeconds: lookbackOf(context, raw, path),
  };
}

function buildCloudWatch(
  context: NormalizeContext,
  name: string,
  raw: Raw<'cloudwatch'>,
  path: FieldPath,
): CloudWatchProviderConfig {
  const regionPath = [...path, 'region'];
  if (!isPlaceholder(context, regionPath) && !AWS_REGION.test(raw.region)) {
    context.sink.error(
      regionPath,
      'not an AWS region name',
      'e.g. `region: us-east-1` or `region: eu-west-1`',
    );
  }
  const url =
    raw.endpoint === undefined
      ? `https://monitoring.${raw.region}.amazonaws.com`
      : baseUrl(context, raw.endpoint, [...path, 'endpoint']);
  const periodSeconds = durationSeconds(
    context,
    raw.period,
    [...path, 'period'],
    DEFAULT_CLOUDWATCH_PERIOD_SECONDS,
    { positive: true },
  );
  // CloudWatch accepts 1, 5, 10, 20, 30 (high resolution) or a multiple of 60 seconds.
  if (![1, 5, 10, 20, 30].includes(periodSeconds) && periodSeconds % 60 !== 0) {
    context.sink.error(
      [...path, 'period'],
      'CloudWatch periods are 1, 5, 10, 20, 30 seconds or a multiple of 60 seconds',
      'e.g. `period: 60s` or `period: 5m`',
    );
  }
  return {
    type: 'cloudwatch',
    name,
    http: httpSettings(context, raw, path, url),
    region: raw.region,
    customEndpoint: raw.endpoint !== undefined,
    profile: raw.profile ?? null,
    periodSeconds,
    lookbackSeconds: lookbackOf(context, raw, path),
    reduce: choice(context, raw.reduce, [...path, 'reduce'], REDUCTIONS, DEFAULTS.reduce),
  };
}

function buildDynatrace(
  context: NormalizeContext,
  name: string,
  raw: Raw<'dynatrace'>,
  path: FieldPath,
): DynatraceProviderConfig {
  return {
    type: 'dynatrace',
    name,
    http: httpSettings(context, raw, path, baseUrl(context, raw.url, [...path, 'url'])),
    apiToken: raw.api_token,
    lookbackSeconds: lookbackOf(context, raw, path),
    reduce: choice(context, raw.reduce, [...path, 'reduce'], REDUCTIONS, DEFAULTS.reduce),
  };
}
