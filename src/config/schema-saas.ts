import * as z from 'zod/mini';
import { expectedButGot } from './union-messages.js';
import { described, withMeta } from './zod-mini.js';

/*
 * The schemas of the New Relic, CloudWatch and Dynatrace providers. schema.ts owns the shared parts
 * (secrets, durations, TLS...) and hands them in, so both files describe the same keys the same way.
 */

export const NEWRELIC_REGIONS = ['us', 'eu', 'jp', 'fedramp'] as const;

export interface SharedProviderParts<
  Headers extends z.ZodMiniType,
  Timeout extends z.ZodMiniType,
  Tls extends z.ZodMiniType,
  Follow extends z.ZodMiniType,
  MaxSize extends z.ZodMiniType,
  Lookback extends z.ZodMiniType,
  Reduce extends z.ZodMiniType,
> {
  secret: (description: string) => z.ZodMiniString<string>;
  url: (description: string) => z.ZodMiniString<string>;
  headers: Headers;
  timeout: Timeout;
  tls: Tls;
  followRedirects: Follow;
  maxResponseSize: MaxSize;
  lookback: Lookback;
  reduce: Reduce;
}

export function saasProviderSchemas<
  Headers extends z.ZodMiniType,
  Timeout extends z.ZodMiniType,
  Tls extends z.ZodMiniType,
  Follow extends z.ZodMiniType,
  MaxSize extends z.ZodMiniType,
  Lookback extends z.ZodMiniType,
  Reduce extends z.ZodMiniType,
>(parts: SharedProviderParts<Headers, Timeout, Tls, Follow, MaxSize, Lookback, Reduce>) {
  const { secret, url } = parts;
  const http = {
    headers: z.optional(parts.headers),
    timeout: z.optional(parts.timeout),
    tls: z.optional(parts.tls),
    follow_redirects: z.optional(parts.followRedirects),
    max_response_size: z.optional(parts.maxResponseSize),
  };

  const newrelic = described(
    z.strictObject({
      type: z.literal('newrelic'),
      api_key: secret('New Relic user key (NRAK-…), sent as `API-Key`.'),
      account_id: described(
        z.union(
          [
            z.number().check(z.int()).check(z.positive()),
            z.string().check(z.minLength(1, { error: 'must not be empty' })),
          ],
          {
            error: expectedButGot(
              'a New Relic account id: a positive integer such as 1234567, or `{{env.NAME}}`',
            ),
          },
        ),
        'New Relic account id the NRQL runs in (a number, or `{{env.NAME}}`).',
      ),
      region: z.optional(
        withMeta(z.string().check(z.minLength(1)), {
          description: `NerdGraph region: ${NEWRELIC_REGIONS.join(', ')}.`,
          default: 'us',
        }),
      ),
      url: z.optional(
        url(
          'Overrides the NerdGraph base URL (default https://api.newrelic.com, EU https://api.eu.newrelic.com); `/graphql` is appended.',
        ),
      ),
      ...http,
      lookback: z.optional(parts.lookback),
    }),
    'A New Relic account queried with NRQL through NerdGraph.',
  );

  const cloudwatch = described(
    z.strictObject({
      type: z.literal('cloudwatch'),
      region: described(z.string().check(z.minLength(1)), 'AWS region, e.g. us-east-1 (required).'),
      endpoint: z.optional(
        url('Overrides the endpoint (default https://monitoring.<region>.amazonaws.com).'),
      ),
      profile: z.optional(
        described(
          z.string().check(z.minLength(1)),
          'Profile in the shared AWS config/credentials files; default: the SDK credential chain.',
        ),
      ),
      period: z.optional(
        withMeta(parts.lookback, {
          description: 'Period of a query written as one expression.',
          default: '60s',
        }),
      ),
      timeout: z.optional(parts.timeout),
      tls: z.optional(parts.tls),
      lookback: z.optional(parts.lookback),
      reduce: z.optional(parts.reduce),
    }),
    'Amazon CloudWatch metrics (GetMetricData), credentials from the AWS SDK chain.',
  );

  const dynatrace = described(
    z.strictObject({
      type: z.literal('dynatrace'),
      url: url(
        'Environment URL, e.g. https://abc12345.live.dynatrace.com (Managed: https://host/e/<environment id>).',
      ),
      api_token: secret(
        'Dynatrace API token with the metrics.read scope, sent as `Authorization: Api-Token`.',
      ),
      ...http,
      lookback: z.optional(parts.lookback),
      reduce: z.optional(parts.reduce),
    }),
    'A Dynatrace environment queried through the metrics API v2.',
  );

  return [newrelic, cloudwatch, dynatrace] as const;
}
