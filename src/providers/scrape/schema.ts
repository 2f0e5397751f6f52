import { z } from 'zod';

/** Seconds between the two scrapes when `interval` is not set. */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 15;

/** The pieces of schema.ts a scrape provider shares with the other providers (passed in: no import cycle). */
interface SharedFields {
  url: (description: string) => z.ZodType<string>;
  headers: z.ZodType<Record<string, string>>;
  timeout: z.ZodType<number | string>;
  tls: z.ZodType<{ ca_file?: string | undefined; insecure_skip_verify?: boolean | undefined }>;
  followRedirects: z.ZodType<boolean>;
  maxResponseSize: z.ZodType<number | string>;
  duration: (description: string, defaultValue?: string) => z.ZodType<number | string>;
}

export function scrapeIntervalSchema(shared: Pick<SharedFields, 'duration'>) {
  return shared.duration(
    'scrape: time between the two reads of the metrics endpoint; rate() and increase() cover it.',
    `${DEFAULT_SCRAPE_INTERVAL_SECONDS}s`,
  );
}

/** `type: scrape`: a service's own /metrics endpoint, read twice and evaluated in-process. */
export function scrapeProviderSchema(shared: SharedFields) {
  return z
    .object({
      type: z.literal('scrape'),
      url: shared.url('Full URL of the metrics endpoint, e.g. http://127.0.0.1:8080/metrics.'),
      interval: scrapeIntervalSchema(shared).optional(),
      headers: shared.headers.optional(),
      timeout: shared.timeout.optional(),
      tls: shared.tls.optional(),
      follow_redirects: shared.followRedirects.optional(),
      max_response_size: shared.maxResponseSize.optional(),
    })
    .strict()
    .describe(
      'A service exposing Prometheus text or OpenMetrics, read directly (no TSDB): two scrapes `interval` apart, a subset of PromQL evaluated in-process.',
    );
}

export const SUPPORTED_SUBSET_HINT =
  'a scrape provider evaluates a PromQL subset from two scrapes (see the scrape section of docs/observability-yaml.md); use a prometheus provider for anything more';
