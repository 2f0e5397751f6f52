import * as z from 'zod/mini';
import { described } from '../../config/zod-mini.js';

/** Seconds between the two scrapes when `interval` is not set. */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 15;

/** The pieces of schema.ts a scrape provider shares with the other providers (passed in: no import cycle). */
interface SharedFields {
  url: (description: string) => z.ZodMiniType<string>;
  headers: z.ZodMiniType<Record<string, string>>;
  timeout: z.ZodMiniType<number | string>;
  tls: z.ZodMiniType<{ ca_file?: string | undefined; insecure_skip_verify?: boolean | undefined }>;
  followRedirects: z.ZodMiniType<boolean>;
  maxResponseSize: z.ZodMiniType<number | string>;
  duration: (description: string, defaultValue?: string) => z.ZodMiniType<number | string>;
}

export function scrapeIntervalSchema(shared: Pick<SharedFields, 'duration'>) {
  return shared.duration(
    'scrape: time between the two reads of the metrics endpoint; rate() and increase() cover it.',
    `${DEFAULT_SCRAPE_INTERVAL_SECONDS}s`,
  );
}

/** `type: scrape`: a service's own /metrics endpoint, read twice and evaluated in-process. */
export function scrapeProviderSchema(shared: SharedFields) {
  return described(
    z.strictObject({
      type: z.literal('scrape'),
      url: shared.url('Full URL of the metrics endpoint, e.g. http://127.0.0.1:8080/metrics.'),
      interval: z.optional(scrapeIntervalSchema(shared)),
      headers: z.optional(shared.headers),
      timeout: z.optional(shared.timeout),
      tls: z.optional(shared.tls),
      follow_redirects: z.optional(shared.followRedirects),
      max_response_size: z.optional(shared.maxResponseSize),
    }),
    'A service exposing Prometheus text or OpenMetrics, read directly (no TSDB): two scrapes `interval` apart, a subset of PromQL evaluated in-process.',
  );
}

export const SUPPORTED_SUBSET_HINT =
  'a scrape provider evaluates a PromQL subset from two scrapes (see the scrape section of docs/observability-yaml.md); use a prometheus provider for anything more';
