import { z } from 'zod';

/*
 * The schemas of the New Relic, CloudWatch and Dynatrace providers. schema.ts owns the shared parts
 * (secrets, durations, TLS...) and hands them in, so both files describe the same keys the same way.
 */

export const NEWRELIC_REGIONS = ['us', 'eu', 'jp', 'fedramp'] as const;

export interface SharedProviderParts<
  Headers extends z.ZodType,
  Timeout extends z.ZodType,
  Tls extends z.ZodType,
  Follow extends z.ZodType,
  MaxSize extends z.ZodType,
  Lookback extends z.ZodType,
  Reduce extends z.ZodType,
> {
  secret: (description: string) => z.ZodString;
  url: (description: string) => z.ZodString;
  headers: Headers;
  timeout: Timeout;
  tls: Tls;
  followRedirects: Follow;
  maxResponseSize: MaxSize;
  lookback: Lookback;
  reduce: Reduce;
}

export function saasProviderSchemas<
  Headers extends z.ZodType,
  Timeout extends z.ZodType,
  Tls extends z.ZodType,
  Follow extends z.ZodType,
  MaxSize extends z.ZodType,
  Lookback extends z.ZodType,
  Reduce extends z.ZodType,
>(parts: SharedProviderParts<Headers, Timeout, Tls, Follow, MaxSize, Lookback, Reduce>) {
  const { secret, url } = parts;
  const http = {
    headers: parts.headers.optional(),
    timeout: parts.timeout.optional(),
    tls: parts.tls.optional(),
    follow_redirects: parts.followRedirects.optional(),
    max_response_size: parts.maxResponseSize.optional(),
  };

  const newrelic = z
    .object({
      type: z.literal('newrelic'),
      api_key: secret('New Relic user key (NRAK-…), sent as `API-Key`.'),
      account_id: z
        .union([z.number().int().positive(), z.string().min(1)])
        .describe('New Relic account id the NRQL runs in (a number, or `{{env.NAME}}`).'),
      region: z
        .string()
        .min(1)
        .meta({ description: `NerdGraph region: ${NEWRELIC_REGIONS.join(', ')}.`, default: 'us' })
        .optional(),
      url: url(
        'Overrides the NerdGraph base URL (default https://api.newrelic.com, EU https://api.eu.newrelic.com); `/graphql` is appended.',
      ).optional(),
      ...http,
      lookback: parts.lookback.optional(),
    })
    .strict()
    .describe('A New Relic account queried with NRQL through NerdGraph.');

  const cloudwatch = z
    .object({
      type: z.literal('cloudwatch'),
      region: z.string().min(1).describe('AWS region, e.g. us-east-1 (required).'),
      endpoint: url('Overrides the endpoint (default https://monitoring.<region>.amazonaws.com).').optional(),
      profile: z
        .string()
        .min(1)
        .describe('Profile in the shared AWS config/credentials files; default: the SDK credential chain.')
        .optional(),
      period: parts.lookback
        .meta({ description: 'Period of a query written as one expression.', default: '60s' })
        .optional(),
      timeout: parts.timeout.optional(),
      tls: parts.tls.optional(),
      lookback: parts.lookback.optional(),
      reduce: parts.reduce.optional(),
    })
    .strict()
    .describe('Amazon CloudWatch metrics (GetMetricData), credentials from the AWS SDK chain.');

  const dynatrace = z
    .object({
      type: z.literal('dynatrace'),
      url: url(
        'Environment URL, e.g. https://abc12345.live.dynatrace.com (Managed: https://host/e/<environment id>).',
      ),
      api_token: secret(
        'Dynatrace API token with the metrics.read scope, sent as `Authorization: Api-Token`.',
      ),
      ...http,
      lookback: parts.lookback.optional(),
      reduce: parts.reduce.optional(),
    })
    .strict()
    .describe('A Dynatrace environment queried through the metrics API v2.');

  return [newrelic, cloudwatch, dynatrace] as const;
}
